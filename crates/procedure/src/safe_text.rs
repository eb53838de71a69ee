//! Text that cannot hurt the people who read it: ids and names hold no control characters,
//! no line breaks and no invisible or bidirectional formatting characters (which make a
//! name display as something else, "Trojan Source"); prose fields (titles, step texts,
//! notes) may break lines but hold nothing else of the sort.
//!
//! Every TOML file is checked as a whole as it is parsed ([`from_toml`]), so that no field,
//! present or future, is forgotten. JSON files (journals, counterexamples) only name what
//! the cluster and the procedure define, and unknown names are refused. [`for_terminal`]
//! escapes whatever else reaches a terminal (error messages quoting a damaged file).

use toml::de::{DeTable, DeValue};

use crate::diagnostic::{FileError, FileErrorKind, SourceFile};
pub use crate::safe_chars::{Unsafe, check_name, check_prose, describe, for_terminal, masked};

/// Fields that hold prose for people: line breaks and tabs are allowed there.
const PROSE_FIELDS: [&str; 13] = [
    "reason",
    "title",
    "text",
    "notes",
    "source",
    "instruction",
    "check",
    "product",
    "data",
    "value",
    "title-ja",
    "text-ja",
    "notes-ja",
];

/// Parses a TOML file of kind `kind` into its typed form. A file with no keys is said to be
/// empty, and its `version` is checked first: a file of a newer format may differ anywhere
/// else. On the way every key and string is checked: keys and the values of fields other
/// than prose must be names (see [`check_name`]); prose must pass [`check_prose`]. The text
/// is parsed once; the checks walk the parsed document. A field the format does not have is
/// refused with the nearest field it has, or, in a file that looks like another kind, with
/// where that kind is given.
pub fn from_toml<T: serde::de::DeserializeOwned>(source: &SourceFile, kind: FileKind) -> Result<T, FileError> {
    let document = DeTable::parse(source.text()).map_err(|err| source.toml_error(&err))?;
    if document.get_ref().is_empty() {
        let what = if source.text().trim().is_empty() { "the file is empty" } else { "the file holds no keys" };
        return Err(source
            .error(FileErrorKind::Empty, format!("{what}; a {} is expected", kind.name()), None, "")
            .with_help(format!("{} starts with `version = {}`", kind.article_name(), FileKind::VERSION)));
    }
    check_version(source, document.get_ref(), kind)?;
    check_parsed(source, document.get_ref())?;
    let guessed = FileKind::guess(document.get_ref());
    T::deserialize(toml::de::Deserializer::from(document)).map_err(|err| {
        let error = source.toml_error(&err);
        match guessed {
            Some(other) if other != kind && error.to_string().starts_with("unknown field") => error.with_help(format!(
                "this looks like {}, not {}: {}",
                other.article_name(),
                kind.article_name(),
                other.how_to_give()
            )),
            _ => error,
        }
    })
}

/// The kinds of TOML file clusterproc reads, for messages and to recognise a file given in
/// the place of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A procedure file (`procedures/*.toml`).
    Procedure,
    /// A cluster description (`scenarios/cluster/*.toml`).
    Cluster,
    /// A scenario (`scenarios/*.toml`).
    Scenario,
    /// A connection file (real nodes).
    Connection,
    /// An accepted-risks file (`procedures/*.accept.toml`).
    Accept,
}

impl FileKind {
    /// The one version of every TOML format this build reads.
    pub const VERSION: u32 = 1;

    /// What the kind is called.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Procedure => "procedure file",
            FileKind::Cluster => "cluster description",
            FileKind::Scenario => "scenario",
            FileKind::Connection => "connection file",
            FileKind::Accept => "accepted-risks file",
        }
    }

    fn article_name(self) -> String {
        format!("a {}", self.name())
    }

    /// Where the command line takes a file of this kind.
    fn how_to_give(self) -> &'static str {
        match self {
            FileKind::Procedure => "give it as the PROCEDURE argument",
            FileKind::Cluster => "pass it with --cluster",
            FileKind::Scenario => "pass it with --scenario",
            FileKind::Connection => "pass it with --connection",
            FileKind::Accept => "pass it to check with --accept",
        }
    }

    /// The kind a document's top-level keys suggest, when they suggest one.
    fn guess(document: &DeTable<'_>) -> Option<FileKind> {
        let has = |name: &str| document.iter().any(|(key, _)| key.get_ref() == name);
        let tables = |name: &str| -> Vec<&DeTable<'_>> {
            document
                .iter()
                .filter(|(key, _)| key.get_ref() == name)
                .flat_map(|(_, value)| match value.get_ref() {
                    DeValue::Table(table) => vec![table],
                    DeValue::Array(items) => items
                        .iter()
                        .filter_map(|item| match item.get_ref() {
                            DeValue::Table(table) => Some(table),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                })
                .collect()
        };
        let any_has = |tables: &[&DeTable<'_>], name: &str| {
            tables.iter().any(|table| table.iter().any(|(key, _)| key.get_ref() == name))
        };
        if has("accept") || (has("procedure-hash") && !has("step")) {
            Some(FileKind::Accept)
        } else if has("procedure") || has("fault") || has("expect") {
            Some(FileKind::Scenario)
        } else if ["api", "rest", "watch", "timeouts", "services", "simulator"].iter().any(|k| has(k))
            || any_has(&tables("node"), "transport")
        {
            Some(FileKind::Connection)
        } else if any_has(&tables("module"), "component") || any_has(&tables("step"), "action") {
            Some(FileKind::Procedure)
        } else if ["group", "monitor", "timing", "registry", "service", "node"].iter().any(|k| has(k)) {
            Some(FileKind::Cluster)
        } else {
            None
        }
    }
}

/// Refuses a `version` other than [`FileKind::VERSION`] (a file without one is left to its
/// format, which requires it).
fn check_version(source: &SourceFile, document: &DeTable<'_>, kind: FileKind) -> Result<(), FileError> {
    let Some((_, value)) = document.iter().find(|(key, _)| key.get_ref() == "version") else { return Ok(()) };
    if let DeValue::Integer(integer) = value.get_ref()
        && u64::from_str_radix(&integer.as_str().replace('_', ""), integer.radix()).ok()
            == Some(u64::from(FileKind::VERSION))
    {
        return Ok(());
    }
    let span = value.span();
    let written: String = source.text().get(span.clone()).unwrap_or("?").chars().take(40).collect();
    Err(source.error(
        FileErrorKind::UnsupportedVersion,
        format!("unsupported {} version {written}; this build reads version {}", kind.name(), FileKind::VERSION),
        Some(span),
        format!("this build reads version {}", FileKind::VERSION),
    ))
}

/// Checks every key and string of a TOML document, as [`from_toml`] does; a document that
/// does not parse passes (its loader reports it).
pub fn check_document(source: &SourceFile) -> Result<(), FileError> {
    match DeTable::parse(source.text()) {
        Ok(document) => check_parsed(source, document.get_ref()),
        Err(_) => Ok(()),
    }
}

fn check_parsed(source: &SourceFile, document: &DeTable<'_>) -> Result<(), FileError> {
    // The parsed tables are not in the file's order: report the first offence in the file.
    let mut first: Option<Offence> = None;
    check_table(document, &mut first);
    match first {
        None => Ok(()),
        Some(offence) => Err(offence.error(source)),
    }
}

/// An unsafe character in a string or key of a document.
struct Offence {
    found: Unsafe,
    number: usize,
    span: std::ops::Range<usize>,
    prose: bool,
    field: String,
}

impl Offence {
    fn error(&self, source: &SourceFile) -> FileError {
        let what = if self.prose { "text" } else { "name" };
        source
            .error(
                FileErrorKind::InvalidValue,
                format!("`{}` holds {} at character {} of the {what}", self.field, self.found, self.number),
                Some(self.span.clone()),
                format!("{} here", describe(self.found.character)),
            )
            .with_help(if self.prose {
                "texts may hold line breaks and tabs, but no other control or invisible formatting characters"
            } else {
                "ids and names may not hold control characters, line breaks, or invisible or bidirectional formatting \
                 characters"
            })
    }
}

fn check_table(table: &DeTable<'_>, first: &mut Option<Offence>) {
    for (key, value) in table {
        check(key.get_ref(), key.span(), false, "key", first);
        let prose = PROSE_FIELDS.contains(&key.get_ref().as_ref());
        check_value(value.get_ref(), value.span(), prose, key.get_ref(), first);
    }
}

fn check_value(
    value: &DeValue<'_>,
    span: std::ops::Range<usize>,
    prose: bool,
    field: &str,
    first: &mut Option<Offence>,
) {
    match value {
        DeValue::String(text) => check(text, span, prose, field, first),
        DeValue::Array(items) => {
            for item in items {
                check_value(item.get_ref(), item.span(), prose, field, first);
            }
        }
        DeValue::Table(table) => check_table(table, first),
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) | DeValue::Datetime(_) => {}
    }
}

fn check(text: &str, span: std::ops::Range<usize>, prose: bool, field: &str, first: &mut Option<Offence>) {
    let result = if prose { check_prose(text) } else { check_name(text) };
    let Err(found) = result else { return };
    if first.as_ref().is_some_and(|known| known.span.start <= span.start) {
        return;
    }
    *first = Some(Offence { found, number: char_number(text, found.offset), span, prose, field: field.to_owned() });
}

/// The one-based number of the character at byte `offset`.
fn char_number(text: &str, offset: usize) -> usize {
    text.char_indices().take_while(|&(at, _)| at < offset).count() + 1
}

#[cfg(test)]
mod tests;
