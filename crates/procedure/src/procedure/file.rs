//! The procedure file format (TOML, `version = 1`) and its validation against a cluster.
//!
//! Steps are flat tables: `action` names the action and its arguments sit beside it. Serde
//! only checks shapes (unknown fields, types); everything else — the action vocabulary,
//! which arguments an action takes, names the cluster must know — is checked here so that
//! each error can point at the exact field.
//!
//! A procedure may also be written in Japanese, additively: `title-ja` beside the title, then
//! a step's `title-ja` (with `text-ja` and `notes-ja` where it has text and notes) and a note's
//! `text-ja`. A step's translation is whole or absent, so that a Japanese page never changes
//! language within a step; a step without one (one that `check --suggest` inserted, say) reads
//! in English.

mod behaviour;
mod modules;

use std::collections::BTreeMap;
use std::ops::Range;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use toml::Spanned;

use crate::action::args::{Args, Names};
use crate::action::{self, Action};
use crate::cluster::Cluster;
use crate::diagnostic::{FileError, FileErrorKind, LineIndex, SourceFile};
use crate::procedure::steps::{Condition, Note, Procedure, Step, StepJa};
use crate::roles::Role;

use self::behaviour::Canonical;
use self::modules::{ModuleFile, ModuleList, module_list};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ProcedureFile {
    #[schemars(schema_with = "crate::file_schema::version")]
    version: Spanned<u32>,
    title: String,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    title_ja: Option<Spanned<String>>,
    #[serde(default)]
    source: Option<String>,
    #[schemars(schema_with = "module_list")]
    module: ModuleList,
    #[serde(default)]
    note: Vec<NoteFile>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<StepFile>>")]
    step: Option<Spanned<Vec<StepFile>>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct NoteFile {
    #[schemars(with = "String")]
    id: Spanned<String>,
    text: String,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    text_ja: Option<Spanned<String>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct StepFile {
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    number: Option<Spanned<u32>>,
    title: String,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    title_ja: Option<Spanned<String>>,
    #[schemars(schema_with = "role")]
    on: Spanned<String>,
    #[schemars(schema_with = "action_keyword")]
    action: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    when: Option<Spanned<String>>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    text_ja: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    notes_ja: Option<Spanned<Vec<String>>>,
    // Arguments; which ones an action takes is its kind's `TAKES` (see `crate::action`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    folder: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    file: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    services: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    optional_services: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<Vec<String>>>")]
    one_of: Option<Spanned<Vec<Vec<Spanned<String>>>>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    group: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    to: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    restart_answer: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    resource: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    monitors: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    instruction: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    check: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    module: Option<Spanned<String>>,
}

/// The JSON Schema of procedure files.
pub fn schema() -> Schema {
    crate::file_schema::of::<ProcedureFile>(crate::safe_text::FileKind::Procedure)
}

/// A step's `on`: a role's keyword.
fn role(_: &mut SchemaGenerator) -> Schema {
    crate::file_schema::one_of(Role::ALL.iter().map(|role| role.keyword()))
}

/// A step's `action`: a keyword of the action vocabulary.
fn action_keyword(_: &mut SchemaGenerator) -> Schema {
    crate::file_schema::one_of(action::KEYWORDS.iter().copied())
}

/// Parses a procedure file and validates it against `cluster`.
pub fn load(source: &SourceFile, cluster: &Cluster) -> Result<Procedure, FileError> {
    let file: ProcedureFile = crate::safe_text::from_toml(source, crate::safe_text::FileKind::Procedure)?;
    Loader { source, cluster, names: Names { source, cluster }, lines: LineIndex::new(source.text()) }.procedure(file)
}

/// The working folders a step may default to: the last unzip-module's, of any module and
/// of each module.
#[derive(Clone, Copy)]
struct Folders<'a> {
    last: Option<&'a str>,
    by_module: &'a [Option<String>],
    module_ids: &'a [String],
}

struct Loader<'a> {
    source: &'a SourceFile,
    cluster: &'a Cluster,
    names: Names<'a>,
    lines: LineIndex,
}

impl Loader<'_> {
    fn err(&self, kind: FileErrorKind, message: String, span: Range<usize>, label: &str) -> FileError {
        self.names.err(kind, message, span, label)
    }

    fn procedure(&self, file: ProcedureFile) -> Result<Procedure, FileError> {
        if *file.version.get_ref() != 1 {
            return Err(self.err(
                FileErrorKind::UnsupportedVersion,
                format!("unsupported procedure file version {}", file.version.get_ref()),
                file.version.span(),
                "this build reads version 1",
            ));
        }
        let japanese = file.title_ja.as_ref().map(Spanned::span);
        if let Some(title) = &file.title_ja {
            self.not_blank(title, "the procedure's `title-ja` is empty")?;
        }
        let (step_span, step_files) = match file.step {
            Some(steps) => (steps.span(), steps.into_inner()),
            None => (0..0, Vec::new()),
        };
        let behaviour_hash = behaviour_hash(&file.module.modules, &step_files);
        let modules = self.modules(file.module)?;
        let module_ids: Vec<String> = modules.iter().map(|module| module.id.clone()).collect();
        if step_files.is_empty() {
            let span = if step_span.is_empty() { 0..self.source.text().find('\n').unwrap_or(0) } else { step_span };
            return Err(self
                .err(FileErrorKind::Empty, "the procedure has no steps".to_owned(), span, "no [[step]] in this file")
                .with_help("add at least one [[step]] table"));
        }
        let mut steps: Vec<Step> = Vec::with_capacity(step_files.len());
        // Step ids seen so far, with the line each starts on: finding a duplicate stays
        // logarithmic, so loading is linear in the number of steps.
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        // Step numbers seen so far, with the step's id and first line.
        let mut numbers: BTreeMap<u32, (String, usize)> = BTreeMap::new();
        let mut last_folder: Option<String> = None;
        let mut last_folders: Vec<Option<String>> = vec![None; modules.len()];
        for step in step_files {
            if let Some(first_line) = seen.get(step.id.get_ref()) {
                return Err(self
                    .err(
                        FileErrorKind::Duplicate,
                        format!("step id `{}` is used twice", step.id.get_ref()),
                        step.id.span(),
                        "second use",
                    )
                    .with_help(format!("the first step with this id starts on line {first_line}")));
            }
            // Every output names a numbered step by its number: two steps with one number
            // would read as one.
            if let Some(number) = &step.number
                && let Some((first_id, first_line)) = numbers.get(number.get_ref())
            {
                return Err(self
                    .err(
                        FileErrorKind::Duplicate,
                        format!("step number {} is used twice", number.get_ref()),
                        number.span(),
                        "second use",
                    )
                    .with_help(format!(
                        "step `{first_id}` (line {first_line}) already has number {}",
                        number.get_ref()
                    )));
            }
            let folders = Folders { last: last_folder.as_deref(), by_module: &last_folders, module_ids: &module_ids };
            let parsed = self.step(step, steps.len() + 1, folders, japanese.as_ref())?;
            seen.insert(parsed.id.clone(), parsed.line);
            if let Some(number) = parsed.number {
                numbers.insert(number, (parsed.id.clone(), parsed.line));
            }
            if let Some(folder) = parsed.action.working_folder() {
                last_folder = Some(folder.to_owned());
                last_folders[parsed.action.module().unwrap_or_default().index()] = Some(folder.to_owned());
            }
            steps.push(parsed);
        }
        let notes = file.note.into_iter().map(|note| self.note(note, japanese.as_ref())).collect::<Result<_, _>>()?;
        Ok(Procedure {
            title: file.title,
            title_ja: file.title_ja.map(Spanned::into_inner),
            source: file.source,
            modules,
            notes,
            steps,
            content_hash: self.source.content_hash(),
            behaviour_hash,
        })
    }

    fn not_blank(&self, text: &Spanned<String>, message: &str) -> Result<(), FileError> {
        if text.get_ref().trim().is_empty() {
            return Err(self.err(FileErrorKind::InvalidValue, message.to_owned(), text.span(), "empty"));
        }
        Ok(())
    }

    /// Japanese given where the procedure has no `title-ja`.
    fn japanese_without_title(&self, what: String, span: Range<usize>) -> FileError {
        self.err(
            FileErrorKind::Argument,
            format!("{what} is in Japanese but the procedure has no `title-ja`"),
            span,
            "a translation",
        )
        .with_help("a procedure in Japanese gives its own `title-ja` and translates every step and note")
    }

    /// A part of a step's Japanese missing where the rest is given.
    fn japanese_missing(&self, what: String, field: &str, span: Range<usize>, title: &Range<usize>) -> FileError {
        self.err(FileErrorKind::Argument, format!("{what} is in Japanese in part: it has no `{field}`"), span, "translated in part")
            .with_help(format!(
                "a step's Japanese is whole (title-ja, text-ja where it has a text, notes-ja where it has notes) or absent; the procedure's title-ja is on line {}",
                self.lines.line(title.start)
            ))
    }

    fn note(&self, note: NoteFile, japanese: Option<&Range<usize>>) -> Result<Note, FileError> {
        let what = || format!("note `{}`", note.id.get_ref());
        let text_ja = match (japanese, note.text_ja) {
            (None, None) => None,
            (None, Some(text)) => return Err(self.japanese_without_title(what(), text.span())),
            (Some(_), None) => None,
            (Some(_), Some(text)) => {
                self.not_blank(&text, &format!("the `text-ja` of {} is empty", what()))?;
                Some(text.into_inner())
            }
        };
        Ok(Note { id: note.id.into_inner(), text: note.text, text_ja })
    }

    /// A step's Japanese, whole (when the procedure has `title-ja`) or absent.
    fn step_ja(&self, step: &StepFile, japanese: Option<&Range<usize>>) -> Result<Option<Box<StepJa>>, FileError> {
        let what = || format!("step `{}`", step.id.get_ref());
        let Some(title_span) = japanese else {
            let given = [
                step.title_ja.as_ref().map(Spanned::span),
                step.text_ja.as_ref().map(Spanned::span),
                step.notes_ja.as_ref().map(Spanned::span),
            ];
            return match given.into_iter().flatten().next() {
                Some(span) => Err(self.japanese_without_title(what(), span)),
                None => Ok(None),
            };
        };
        if step.title_ja.is_none() && step.text_ja.is_none() && step.notes_ja.is_none() {
            return Ok(None);
        }
        let missing = |field: &str| self.japanese_missing(what(), field, step.id.span(), title_span);
        let title = step.title_ja.as_ref().ok_or_else(|| missing("title-ja"))?;
        self.not_blank(title, &format!("the `title-ja` of {} is empty", what()))?;
        let has_text = step.text.as_deref().is_some_and(|text| !text.trim().is_empty());
        let text = match (&step.text_ja, has_text) {
            (None, true) => return Err(missing("text-ja")),
            (Some(text), false) => {
                return Err(self.err(
                    FileErrorKind::Argument,
                    format!("{} has `text-ja` but no `text`", what()),
                    text.span(),
                    "a translation of nothing",
                ));
            }
            (Some(text), true) => {
                self.not_blank(text, &format!("the `text-ja` of {} is empty", what()))?;
                text.get_ref().clone()
            }
            (None, false) => String::new(),
        };
        let notes = match &step.notes_ja {
            None if step.notes.is_empty() => Vec::new(),
            None => return Err(missing("notes-ja")),
            Some(notes) if notes.get_ref().len() != step.notes.len() => {
                return Err(self
                    .err(
                        FileErrorKind::InvalidValue,
                        format!(
                            "{} has {} in `notes` and {} in `notes-ja`",
                            what(),
                            crate::text::counted(step.notes.len() as u64, "note", "notes"),
                            notes.get_ref().len()
                        ),
                        notes.span(),
                        "one Japanese note for each note, in order",
                    )
                    .with_help("translate every note, in the same order"));
            }
            Some(notes) => notes.get_ref().clone(),
        };
        Ok(Some(Box::new(StepJa { title: title.get_ref().clone(), text, notes })))
    }

    /// The step at `position` (from 1) in the file.
    fn step(
        &self,
        step: StepFile,
        position: usize,
        folders: Folders<'_>,
        japanese: Option<&Range<usize>>,
    ) -> Result<Step, FileError> {
        if step.id.get_ref().trim().is_empty() {
            return Err(self.err(
                FileErrorKind::InvalidValue,
                "a step id is empty".to_owned(),
                step.id.span(),
                "empty id",
            ));
        }
        let role = self.names.role(&step.on)?;
        let condition = match &step.when {
            None => None,
            Some(keyword) => Some(match keyword.get_ref().as_str() {
                "module-writes-registry" => Condition::ModuleWritesRegistry,
                "restart-requested" => Condition::RestartRequested,
                other => {
                    return Err(self
                        .err(
                            FileErrorKind::UnknownKeyword,
                            format!("unknown condition `{other}`"),
                            keyword.span(),
                            "not a condition",
                        )
                        .with_help("conditions: module-writes-registry, restart-requested"));
                }
            }),
        };
        let action = self.action(&step, folders)?;
        if action.is_cluster_wide() && matches!(role, Role::EveryNode | Role::EveryStandby) {
            return Err(self.err(
                FileErrorKind::Argument,
                format!(
                    "`{}` acts on the whole cluster once; run it on one node, not `{}`",
                    action.keyword(),
                    step.on.get_ref()
                ),
                step.on.span(),
                "use `active` or `standby`",
            ));
        }
        let line = self.lines.line(step.id.span().start);
        let ja = self.step_ja(&step, japanese)?;
        Ok(Step {
            id: step.id.into_inner(),
            number: step.number.map(Spanned::into_inner),
            title: step.title,
            role,
            action,
            condition,
            text: step.text.unwrap_or_default(),
            notes: step.notes,
            line,
            position,
            ja,
        })
    }

    fn action(&self, step: &StepFile, folders: Folders<'_>) -> Result<Action, FileError> {
        let keyword = step.action.get_ref().as_str();
        let unknown = || {
            self.err(
                FileErrorKind::UnknownKeyword,
                format!("unknown action `{keyword}`"),
                step.action.span(),
                "not an action",
            )
            .with_help(format!("actions: {}", action::KEYWORDS.join(", ")))
        };
        let Some(takes) = action::takes(keyword) else { return Err(unknown()) };
        let given: [(&str, Option<Range<usize>>); 13] = [
            ("module", step.module.as_ref().map(Spanned::span)),
            ("resource", step.resource.as_ref().map(Spanned::span)),
            ("monitors", step.monitors.as_ref().map(Spanned::span)),
            ("folder", step.folder.as_ref().map(Spanned::span)),
            ("file", step.file.as_ref().map(Spanned::span)),
            ("services", step.services.as_ref().map(Spanned::span)),
            ("optional-services", step.optional_services.as_ref().map(Spanned::span)),
            ("one-of", step.one_of.as_ref().map(Spanned::span)),
            ("group", step.group.as_ref().map(Spanned::span)),
            ("to", step.to.as_ref().map(Spanned::span)),
            ("restart-answer", step.restart_answer.as_ref().map(Spanned::span)),
            ("instruction", step.instruction.as_ref().map(Spanned::span)),
            ("check", step.check.as_ref().map(Spanned::span)),
        ];
        for (field, span) in given {
            if let Some(span) = span
                && !takes.contains(&field)
            {
                let help = match takes {
                    [] => format!("`{keyword}` takes no arguments"),
                    _ => format!("`{keyword}` takes: {}", takes.join(", ")),
                };
                return Err(self
                    .err(
                        FileErrorKind::Argument,
                        format!("action `{keyword}` does not take `{field}`"),
                        span,
                        "argument not used by this action",
                    )
                    .with_help(help));
            }
        }
        let args = Args {
            names: self.names,
            keyword,
            step_id: &step.id,
            action_span: step.action.span(),
            last_folder: folders.last,
            module_ids: folders.module_ids,
            last_folders: folders.by_module,
            module: step.module.as_ref(),
            folder: step.folder.as_ref(),
            file: step.file.as_ref(),
            services: step.services.as_ref(),
            optional_services: step.optional_services.as_ref(),
            one_of: step.one_of.as_ref(),
            group: step.group.as_ref(),
            to: step.to.as_ref(),
            restart_answer: step.restart_answer.as_ref(),
            resource: step.resource.as_ref(),
            monitors: step.monitors.as_ref(),
            instruction: step.instruction.as_ref(),
            check: step.check.as_ref(),
        };
        action::read(&args).unwrap_or_else(|| Err(unknown()))
    }
}

/// The hash of what decides a run of the procedure `modules` and `steps` describe (see
/// `file/behaviour.rs`): everything but titles, texts, notes and the source. A procedure of
/// one module hashes as it did before procedures could apply several.
fn behaviour_hash(modules: &[ModuleFile], steps: &[StepFile]) -> String {
    let mut text = Canonical::default();
    for module in modules {
        text.field("module", module.id.get_ref());
        text.field("archive", &module.archive);
        text.field("asks-for-restart", if module.asks_for_restart { "true" } else { "false" });
        text.list("requires-stopped", strings(&module.requires_stopped));
        for component in module.component.get_ref() {
            text.field("component", component.name.get_ref());
            text.field("version", &component.version);
            text.list("services", strings(&component.services));
            for value in &component.registry {
                text.list("registry", [value.key.as_str(), &value.value, &value.data]);
            }
        }
    }
    for step in steps {
        text.field("step", step.id.get_ref());
        // The number is how every output names the step: a trace with another one reads
        // differently, so it is no longer the same run to compare.
        text.optional("number", step.number.as_ref().map(|n| n.get_ref().to_string()).as_deref());
        text.field("on", step.on.get_ref());
        text.field("action", step.action.get_ref());
        text.optional("when", optional(&step.when));
        text.optional("folder", optional(&step.folder));
        text.optional("file", optional(&step.file));
        if let Some(services) = &step.services {
            text.list("services", strings(services.get_ref()));
        }
        if let Some(services) = &step.optional_services {
            text.list("optional-services", services.get_ref().iter().map(String::as_str));
        }
        for choice in step.one_of.as_ref().map_or(&[][..], |one_of| one_of.get_ref()) {
            text.list("one-of", strings(choice));
        }
        text.optional("group", optional(&step.group));
        text.optional("to", optional(&step.to));
        text.optional("restart-answer", optional(&step.restart_answer));
        text.optional("resource", optional(&step.resource));
        if let Some(monitors) = &step.monitors {
            text.list("monitors", strings(monitors.get_ref()));
        }
        text.optional("instruction", optional(&step.instruction));
        text.optional("check", optional(&step.check));
        text.optional("step-module", optional(&step.module));
    }
    text.hash()
}

/// The texts of a list of spanned strings.
fn strings(values: &[Spanned<String>]) -> Vec<&str> {
    values.iter().map(|v| v.get_ref().as_str()).collect()
}

/// The text of a spanned string that may be absent.
fn optional(value: &Option<Spanned<String>>) -> Option<&str> {
    value.as_ref().map(|v| v.get_ref().as_str())
}
