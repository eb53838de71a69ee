//! Errors in the files people write (procedures, cluster descriptions, scenarios), as
//! diagnostics that point at the file, line, column and field at fault.
//!
//! Every loader reports through [`FileError`]: a kind that tests and tools can match on, a
//! message for people, and a span into the source text that miette renders with a caret.

use std::fmt;
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};

/// What went wrong in a file; stable, so that tests can assert on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileErrorKind {
    /// Not valid TOML.
    Syntax,
    /// Valid TOML that does not fit the format: unknown or missing field, wrong type.
    Format,
    /// A `version` this build does not read.
    UnsupportedVersion,
    /// Two steps (or nodes, groups, ...) share an id.
    Duplicate,
    /// A name that the file or the cluster does not define.
    UnknownName,
    /// An action, role or condition outside the fixed vocabulary.
    UnknownKeyword,
    /// A step names a node role that the cluster does not have.
    MissingRole,
    /// The procedure has no steps.
    Empty,
    /// A step argument that its action does not take, or a missing one that it needs.
    Argument,
    /// A value of the right type but not allowed here.
    InvalidValue,
    /// The file could not be read at all.
    Unreadable,
}

/// An error in a user-written file, with a span into its text.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .inner.message)]
pub struct FileError {
    inner: Box<Inner>,
}

/// What a [`FileError`] holds; boxed so that results stay small.
#[derive(Debug, Clone)]
struct Inner {
    kind: FileErrorKind,
    message: String,
    source_code: NamedSource<Arc<str>>,
    span: Option<SourceSpan>,
    label: String,
    help: Option<String>,
    location: Option<(usize, usize)>,
    path: String,
}

impl FileError {
    /// The kind, for callers that branch on it.
    pub fn kind(&self) -> FileErrorKind {
        self.inner.kind
    }

    /// The file the error is in, as the user named it.
    pub fn path(&self) -> &str {
        &self.inner.path
    }

    /// One-based line and column of the span's start, when there is a span.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        self.inner.location
    }

    /// The error as one line: `path:line:column: message`.
    pub fn one_line(&self) -> String {
        match self.inner.location {
            Some((line, column)) => format!("{}:{line}:{column}: {}", self.inner.path, self.inner.message),
            None => format!("{}: {}", self.inner.path, self.inner.message),
        }
    }

    /// The full diagnostic as text without colours: the one-line summary, then miette's
    /// rendering with the source line and a caret. Stable enough to snapshot.
    pub fn render_plain(&self) -> String {
        let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
        let mut out = String::new();
        let _ = handler.render_report(&mut out, self);
        out
    }
}

impl miette::Diagnostic for FileError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let name = match self.inner.kind {
            FileErrorKind::Syntax => "syntax",
            FileErrorKind::Format => "format",
            FileErrorKind::UnsupportedVersion => "unsupported-version",
            FileErrorKind::Duplicate => "duplicate",
            FileErrorKind::UnknownName => "unknown-name",
            FileErrorKind::UnknownKeyword => "unknown-keyword",
            FileErrorKind::MissingRole => "missing-role",
            FileErrorKind::Empty => "empty",
            FileErrorKind::Argument => "argument",
            FileErrorKind::InvalidValue => "invalid-value",
            FileErrorKind::Unreadable => "unreadable",
        };
        Some(Box::new(format!("clusterproc::{name}")))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help.as_ref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.inner.source_code)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.inner.span?;
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_with_span(Some(self.inner.label.clone()), span))))
    }
}

/// A hash of a text (FNV-1a, 64 bits): `fnv1a64:<hex>`. Stable across builds, so it can be
/// stored in journals and counterexample files.
pub fn content_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{hash:016x}")
}

/// The text of a file being loaded, with the name to show in diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: String,
    text: Arc<str>,
}

impl SourceFile {
    /// A file's text, named as the user named the file.
    pub fn new(path: &str, text: &str) -> SourceFile {
        SourceFile { path: path.to_owned(), text: Arc::from(text) }
    }

    /// Reads a file of at most [`MAX_FILE_BYTES`](crate::bounded::MAX_FILE_BYTES); an
    /// unreadable, oversized or non-UTF-8 file is a [`FileError`] too.
    pub fn read(path: &std::path::Path) -> Result<SourceFile, FileError> {
        let shown = path.display().to_string();
        match crate::bounded::read_text(path, crate::bounded::MAX_FILE_BYTES) {
            Ok(text) => Ok(SourceFile::new(&shown, &text)),
            Err(err) => {
                let source = SourceFile::new(&shown, "");
                Err(source.error(FileErrorKind::Unreadable, err.to_string(), None, ""))
            }
        }
    }

    /// The name shown in diagnostics.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A hash of the text (FNV-1a, 64 bits), used to notice an edited file on resume.
    pub fn content_hash(&self) -> String {
        content_hash(&self.text)
    }

    /// An error at `span` (a byte range into the text) with a label under the caret.
    pub fn error(
        &self,
        kind: FileErrorKind,
        message: impl Into<String>,
        span: Option<std::ops::Range<usize>>,
        label: impl Into<String>,
    ) -> FileError {
        let span = span.map(|range| {
            let start = self.char_boundary(range.start);
            let end = self.char_boundary(range.end).max(start);
            start..end
        });
        let location = span.as_ref().map(|range| self.line_column(range.start));
        // What a damaged file holds reaches a terminal only escaped or masked: messages and
        // labels may quote it, and the excerpt shows its lines.
        let terminal = |text: String| crate::safe_chars::for_terminal(&text, false).into_owned();
        let shown = match crate::safe_chars::masked(&self.text) {
            std::borrow::Cow::Borrowed(_) => Arc::clone(&self.text),
            std::borrow::Cow::Owned(masked) => Arc::from(masked),
        };
        FileError {
            inner: Box::new(Inner {
                kind,
                message: terminal(message.into()),
                source_code: NamedSource::new(terminal(self.path.clone()), shown),
                span: span.map(|range| SourceSpan::from(range.start..range.end)),
                label: terminal(label.into()),
                help: None,
                location,
                path: terminal(self.path.clone()),
            }),
        }
    }

    /// Converts a TOML error (syntax, or serde's unknown field / wrong type).
    pub fn toml_error(&self, err: &toml::de::Error) -> FileError {
        let message = err.message().trim().to_owned();
        let kind = if is_syntax_error(&message) { FileErrorKind::Syntax } else { FileErrorKind::Format };
        let label = match kind {
            FileErrorKind::Syntax => "not valid TOML here",
            _ => "here",
        };
        let mut error = self.error(kind, message.clone(), err.span(), label);
        if kind == FileErrorKind::Format && error.inner.message.starts_with("unknown field") {
            error.inner.help = Some(match nearest_field(&message) {
                Some(field) => format!("did you mean `{field}`?"),
                None => "check the spelling; the fields this table takes are listed above".to_owned(),
            });
        }
        error
    }

    /// Converts a JSON error (syntax, or serde's unknown field / wrong type) at its line and
    /// column.
    pub fn json_error(&self, err: &serde_json::Error) -> FileError {
        let kind = if err.is_syntax() || err.is_eof() { FileErrorKind::Syntax } else { FileErrorKind::Format };
        let offset = LineIndex::new(&self.text).offset(err.line(), err.column());
        // The diagnostic shows the place itself.
        let message = json_message(err);
        let label = if kind == FileErrorKind::Syntax { "not valid JSON here" } else { "here" };
        self.error(kind, message, offset.map(|at| at..at), label)
    }

    /// `offset`, moved back to the start of the character it falls in (and into the text).
    fn char_boundary(&self, offset: usize) -> usize {
        let mut at = offset.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// The one-based line and column (in characters) of byte `offset` of the text.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = self.char_boundary(offset);
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }
}

impl FileError {
    /// Adds advice shown under the diagnostic.
    pub fn with_help(mut self, help: impl Into<String>) -> FileError {
        self.inner.help = Some(crate::safe_chars::for_terminal(&help.into(), false).into_owned());
        self
    }
}

/// A JSON error's message without the " at line L column C" serde_json appends: callers
/// say where in their own terms (a diagnostic's span, a journal's line).
pub(crate) fn json_message(err: &serde_json::Error) -> String {
    let message = err.to_string();
    message.rsplit_once(" at line ").map_or(message.as_str(), |(head, _)| head).to_owned()
}

/// Where each line of a text starts, to turn byte offsets into line numbers (and back) in
/// logarithmic time: loaders number every step without rescanning the text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
        LineIndex { starts }
    }

    /// The one-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset).max(1)
    }

    /// The byte offset of one-based `line` and `column` (counted in bytes), when the text has
    /// that line.
    pub fn offset(&self, line: usize, column: usize) -> Option<usize> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        Some(start.saturating_add(column.saturating_sub(1)))
    }
}

/// For serde's "unknown field `X`, expected one of `A`, `B`" (or "expected `A` or `B`"):
/// the one expected field within a small edit distance of X, when there is exactly one.
fn nearest_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, expected) = rest.split_once("`, expected")?;
    // The names are every other piece between backticks.
    let fields = expected.split('`').skip(1).step_by(2);
    // One edit in a short name, two in a longer one: further, a suggestion misleads.
    let allowed = (unknown.chars().count() / 3).clamp(1, 2);
    let mut nearest: Vec<(usize, &str)> = fields
        .map(|field| (edit_distance(unknown, field), field))
        .filter(|(distance, _)| *distance <= allowed)
        .collect();
    nearest.sort_unstable();
    match nearest.as_slice() {
        [(_, only)] => Some(*only),
        [(first, field), (second, _), ..] if first < second => Some(*field),
        _ => None,
    }
}

/// The edit distance between two short texts, in characters, for "did you mean" hints: the
/// insertions, deletions, substitutions and swaps of two neighbours (`titel` is one from
/// `title`) that make one the other (optimal string alignment).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // rows[i][j]: the distance between a[..i] and b[..j].
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

fn is_syntax_error(message: &str) -> bool {
    // serde's data errors all have these shapes; anything else comes from the TOML parser.
    const SERDE_SHAPES: [&str; 6] =
        ["unknown field", "missing field", "invalid type", "invalid value", "invalid length", "unknown variant"];
    !SERDE_SHAPES.iter().any(|shape| message.starts_with(shape))
}
