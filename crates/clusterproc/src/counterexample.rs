//! Counterexample files on disk: saved whole (see `atomic_file`) with the procedure and
//! cluster named relative to the file itself, so that `replay` works from any directory;
//! loaded with the size limit, unknown versions and fields refused with file and line, names
//! resolved and content hashes compared.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use procedure::diagnostic::{FileErrorKind, SourceFile};
use procedure::invariant::Invariant;
use procedure::mutation::Mutation;
use serde_json::value::RawValue;
use sim_cluster::explore::{CounterexampleFile, Explorer, Mode, Schedule};

use crate::failure::Failure;
use crate::load::{Loaded, load};

/// The counterexample format version this build writes and reads.
pub const VERSION: u32 = 1;

/// The version of a counterexample file, whatever else it holds.
#[derive(serde::Deserialize)]
struct Head {
    version: Option<u32>,
}

/// Where a counterexample file's values are, to point at them: borrowed from its text.
/// Other fields are checked by `CounterexampleFile`; this only finds places.
#[derive(serde::Deserialize)]
struct Places<'a> {
    #[serde(borrow, default)]
    procedure: Option<&'a RawValue>,
    #[serde(borrow, default)]
    cluster: Option<&'a RawValue>,
    #[serde(borrow, default)]
    mutation: Option<&'a RawValue>,
    #[serde(borrow, default)]
    faults: Vec<&'a RawValue>,
}

impl Places<'_> {
    /// Where the `index`-th fault gives `field`, or the fault itself when it gives none.
    fn fault(&self, text: &str, index: usize, field: &str) -> Option<Range<usize>> {
        let fault = *self.faults.get(index)?;
        let fields: BTreeMap<String, &RawValue> = serde_json::from_str(fault.get()).ok()?;
        place(text, fields.get(field).copied().unwrap_or(fault))
    }
}

/// The byte range of `value` in `text`, which it was borrowed from.
fn place(text: &str, value: &RawValue) -> Option<Range<usize>> {
    let start = (value.get().as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let end = start + value.get().len();
    (end <= text.len()).then_some(start..end)
}

/// How the procedure differs from the one a counterexample was found on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// In wording only (titles, texts, notes): what it does is the same, the replay exact.
    Wording,
    /// In what it does: its faults are replayed against the procedure as it is now.
    Behaviour,
    /// In its text, and the file is of an earlier build that did not record what the
    /// procedure does: whether that changed cannot be told, so it is replayed as edited.
    Unknown,
}

/// A counterexample file read back and resolved, ready to run again.
#[derive(Debug)]
pub struct Replayable {
    /// The file's contents.
    pub file: CounterexampleFile,
    /// How the procedure was run: as written or guarded.
    pub mode: Mode,
    /// The explorer of the procedure (or its mutant) with the file's seed and way.
    pub explorer: Explorer,
    /// The faults to inject.
    pub faults: Schedule,
    /// How the procedure was edited since, if it was.
    pub edit: Option<Edit>,
    /// Where the cluster description and procedure were found, to name them.
    pub procedure_path: PathBuf,
}

/// How a counterexample saved in `dir` names `file` (a procedure or cluster file given on
/// the command line): relative to `dir` when both can be resolved, else absolute.
pub fn reference(file: &Path, dir: &Path) -> String {
    let absolute = |path: &Path| std::path::absolute(path).ok().map(|p| normalize(&p));
    match (absolute(file), absolute(dir)) {
        (Some(file), Some(dir)) => relative(&file, &dir).unwrap_or(file).display().to_string(),
        _ => file.display().to_string(),
    }
}

/// `path` without `.` and with `..` applied lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `file` relative to `dir`, both absolute and normalized; `None` across drive prefixes.
fn relative(file: &Path, dir: &Path) -> Option<PathBuf> {
    let file_parts: Vec<Component<'_>> = file.components().collect();
    let dir_parts: Vec<Component<'_>> = dir.components().collect();
    if file_parts.first() != dir_parts.first() {
        return None;
    }
    let common = file_parts.iter().zip(&dir_parts).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..dir_parts.len() {
        out.push("..");
    }
    for part in &file_parts[common..] {
        out.push(part);
    }
    Some(out)
}

/// Saves `file` as `<dir>/<invariant>.<way>.json`, whole or not at all.
pub fn save(dir: &Path, file: &CounterexampleFile) -> Result<PathBuf, Failure> {
    let path = dir.join(format!("{}.{}.json", file.invariant, file.way));
    let text = serde_json::to_string_pretty(file).expect("plain data") + "\n";
    std::fs::create_dir_all(dir)
        .and_then(|()| crate::atomic_file::write(&path, text.as_bytes()))
        .map_err(|error| Failure::output(format!("the counterexample {}", path.display()), error))?;
    Ok(path)
}

/// The counterexample files in `dir` that a check of `ways` could have saved (named
/// `<invariant>.<way>.json`) but did not save this time, `saved`: left by an earlier check,
/// so perhaps of an invariant that holds now. Sorted; none if `dir` cannot be read.
pub fn earlier(dir: &Path, ways: &[&str], saved: &[PathBuf]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let names: Vec<String> = procedure::invariant::Invariant::ALL
        .into_iter()
        .flat_map(|invariant| ways.iter().map(move |way| format!("{}.{way}.json", invariant.id())))
        .collect();
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_str().is_some_and(|name| names.iter().any(|known| known == name)))
        .map(|entry| dir.join(entry.file_name()))
        .filter(|path| !saved.iter().any(|written| written.file_name() == path.file_name()))
        .collect();
    found.sort();
    found
}

/// Reads a counterexample file and resolves it against the procedure and cluster it names.
pub fn read(path: &Path) -> Result<Replayable, Failure> {
    read_against(path, None)
}

/// Reads a counterexample file and resolves it against `procedure` when given (a fix of the
/// procedure it names, say), else against the procedure it names, and its cluster.
pub fn read_against(path: &Path, procedure: Option<&Path>) -> Result<Replayable, Failure> {
    let source = SourceFile::read(path)?;
    // A refusal points at the first place the file names `field`.
    let refuse = |kind: FileErrorKind, message: String, field: &str, label: &str| -> Failure {
        let span = source.text().find(&format!("\"{field}\"")).map(|at| at..at + field.len() + 2);
        source.error(kind, message, span, label).into()
    };
    // The version first: a later format may add fields, and its version is what to report.
    if let Ok(Head { version: Some(version) }) = serde_json::from_str::<Head>(source.text())
        && version != VERSION
    {
        return Err(refuse(
            FileErrorKind::UnsupportedVersion,
            format!("unsupported counterexample version {version}"),
            "version",
            &format!("this build reads version {VERSION}"),
        ));
    }
    let file: CounterexampleFile = serde_json::from_str(source.text()).map_err(|e| source.json_error(&e))?;
    if !Invariant::ALL.iter().any(|i| i.id() == file.invariant) {
        return Err(refuse(
            FileErrorKind::UnknownName,
            format!("unknown invariant {:?}", file.invariant),
            "invariant",
            "not an invariant id",
        ));
    }
    let Some(mode) = Mode::from_id(&file.way) else {
        return Err(refuse(
            FileErrorKind::UnknownKeyword,
            format!("unknown way {:?}", file.way),
            "way",
            "expected \"as-written\" or \"guarded\"",
        ));
    };
    // The files it names are relative to it (`check` writes them so, `..` included): an
    // absolute path would let a file sent by someone else open any file on this machine.
    let places: Option<Places<'_>> = serde_json::from_str(source.text()).ok();
    let (procedure_at, cluster_at) = places.as_ref().map_or((None, None), |p| (p.procedure, p.cluster));
    for (field, named, value) in
        [("procedure", Some(&file.procedure), procedure_at), ("cluster", file.cluster.as_ref(), cluster_at)]
    {
        let Some(named) = named else { continue };
        if Path::new(named).components().any(|c| matches!(c, Component::RootDir | Component::Prefix(_))) {
            let span = value.and_then(|value| place(source.text(), value));
            return Err(source
                .error(
                    FileErrorKind::InvalidValue,
                    format!("the {field} file is named by an absolute path, {named:?}"),
                    span,
                    "not relative to this file",
                )
                .with_help(format!(
                    "a counterexample names its {field} file relative to itself, as `check --save` writes it"
                ))
                .into());
        }
    }
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    // Relative to the counterexample file; files of earlier builds named them relative to
    // the directory `check` ran in.
    let locate = |named: &str| -> PathBuf {
        let beside = base.join(named);
        if beside.exists() { beside } else { PathBuf::from(named) }
    };
    let procedure = procedure.map_or_else(|| locate(&file.procedure), Path::to_path_buf);
    let loaded: Loaded = load(&procedure, file.cluster.as_deref().map(locate).as_deref())?;
    // Named as it was found, not relative to the counterexample: a path to open from here.
    let procedure_path = std::path::absolute(&procedure).map_or(procedure, |p| normalize(&p));
    let now = &loaded.setup.procedure;
    let edit = match &file.behaviour_hash {
        _ if now.content_hash == file.procedure_hash => None,
        Some(hash) if *hash == now.behaviour_hash => Some(Edit::Wording),
        Some(_) => Some(Edit::Behaviour),
        None => Some(Edit::Unknown),
    };
    if loaded.cluster_hash != file.cluster_hash {
        return Err(Failure::Usage(anyhow::anyhow!(
            "the cluster description changed since the counterexample was found"
        )));
    }
    let explorer = Explorer::new(Arc::clone(&loaded.setup), file.seed).in_mode(mode).with_recovery(file.recovery);
    let explorer = match &file.mutation {
        Some(text) => {
            let span = places.as_ref().and_then(|p| p.mutation).and_then(|value| place(source.text(), value));
            let mutation = Mutation::parse(text, &loaded.setup.procedure).ok_or_else(|| {
                Failure::from(source.error(
                    FileErrorKind::UnknownKeyword,
                    format!("unknown mutation {text:?}"),
                    span,
                    "not a mutation of this procedure",
                ))
            })?;
            explorer.mutant(&mutation)
        }
        None => explorer,
    };
    let faults = Schedule::from_records(explorer.setup(), &file.faults).map_err(|error| {
        let span = places.as_ref().and_then(|p| p.fault(source.text(), error.index, error.field));
        let missing = error.message.starts_with("the fault names no");
        let (kind, label) = match error.field {
            _ if missing => (FileErrorKind::Format, format!("this fault needs `{}`", error.field)),
            "before_step" => (FileErrorKind::UnknownName, "no step of the procedure has this id".to_owned()),
            "fault" => (FileErrorKind::UnknownKeyword, "not a fault kind".to_owned()),
            field => (FileErrorKind::UnknownName, format!("no {field} of the cluster has this name")),
        };
        let step_gone = error.field == "before_step" && !missing;
        let error = source.error(kind, error.to_string(), span, label);
        // A step the edit removed: the fault has nowhere to strike.
        Failure::from(match edit {
            Some(Edit::Behaviour | Edit::Unknown) if step_gone => error.with_help(format!(
                "{} changed since the counterexample was found, and no longer has the step this fault \
                     strikes in: restore the step, or check the edited procedure again",
                procedure_path.display()
            )),
            _ => error,
        })
    })?;
    Ok(Replayable { file, mode, explorer, faults, edit, procedure_path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let check = |file: &str, dir: &str, expect: &str| {
            assert_eq!(
                relative(Path::new(file), Path::new(dir)).map(|p| p.display().to_string()).as_deref(),
                Some(expect)
            );
        };
        check("/w/procedures/p.toml", "/w/counterexamples", "../procedures/p.toml");
        check("/w/p.toml", "/w", "p.toml");
        check("/a/b/p.toml", "/c/d/e", "../../../a/b/p.toml");
        assert_eq!(normalize(Path::new("/w/./x/../p.toml")), Path::new("/w/p.toml"));
    }
}
