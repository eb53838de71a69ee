//! A repair written into the procedure file: the lines an edit deletes and inserts, worked
//! out from the file's own text (its comments, blank lines and line endings kept), the
//! repaired file, the unified diff at the file's lines, and the same changes as replacements a
//! tool can apply (SARIF's fixes).

use std::ops::Range;

use procedure::procedure::Step;
use procedure::setup::Setup;

use super::edit::Edit;

/// Lines of context around each change of a diff.
const CONTEXT: usize = 3;

/// Lines of the original file replaced by other lines: `lines` (0-based, half open) deleted
/// and `added` put in their place.
#[derive(Debug, Clone)]
struct Change {
    lines: Range<usize>,
    added: Vec<String>,
}

/// Text that replaces a region of the procedure file, from a line and column to another
/// (both counted from 1, the column in UTF-16 code units, as SARIF counts them; an empty
/// region is an insertion).
#[derive(Debug, Clone)]
pub(crate) struct Replacement {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) end_line: usize,
    pub(crate) end_column: usize,
    pub(crate) text: String,
}

/// An edit written into the file.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    /// The repaired file's text.
    pub(crate) text: String,
    /// The edit as a unified diff of the file.
    pub(crate) diff: String,
    /// The edit as replacements of the original file's regions, the last region first, so
    /// that each applies to the text the ones before it left.
    pub(crate) replacements: Vec<Replacement>,
}

/// `edit` of `setup`'s procedure written into its file `source` (named `path` in the diff).
pub(crate) fn write(setup: &Setup, source: &str, path: &str, edit: &Edit) -> Written {
    let lines: Vec<&str> = source.lines().collect();
    let changes = changes(setup, &lines, edit);
    let newline = if source.contains("\r\n") { "\r\n" } else { "\n" };
    let mut text: Vec<String> = Vec::with_capacity(lines.len() + 16);
    let mut at = 0;
    for change in &changes {
        text.extend(lines[at..change.lines.start].iter().map(|line| (*line).to_owned()));
        text.extend(change.added.iter().cloned());
        at = change.lines.end;
    }
    text.extend(lines[at..].iter().map(|line| (*line).to_owned()));
    let mut repaired = text.join(newline);
    repaired.push_str(newline);
    Written {
        text: repaired,
        diff: diff(path, &lines, &changes),
        replacements: changes.iter().rev().map(|change| replacement(source, &lines, change, newline)).collect(),
    }
}

/// The changes `edit` makes to the file's lines, in the order of the file.
fn changes(setup: &Setup, lines: &[&str], edit: &Edit) -> Vec<Change> {
    let steps = &setup.procedure.steps;
    match edit {
        Edit::Insert { place, step } => {
            let mut added = toml(setup, step);
            let at = match steps.get(*place) {
                Some(next) => start(lines, next),
                None => {
                    // Appended: a blank line first, not last, unless the file already ends
                    // with one.
                    added.pop();
                    if lines.last().is_some_and(|line| !line.trim().is_empty()) {
                        added.insert(0, String::new());
                    }
                    lines.len()
                }
            };
            vec![Change { lines: at..at, added }]
        }
        Edit::Move { from, before } => {
            let moved = block(lines, steps, *from);
            let mut block_lines: Vec<String> = lines[moved.clone()].iter().map(|line| (*line).to_owned()).collect();
            let at = match steps.get(*before) {
                Some(next) => {
                    // Its blank line goes with it, as the steps' blocks are separated.
                    if block_lines.last().is_some_and(|line| !line.trim().is_empty()) {
                        block_lines.push(String::new());
                    }
                    start(lines, next)
                }
                None => {
                    while block_lines.last().is_some_and(|line| line.trim().is_empty()) {
                        block_lines.pop();
                    }
                    let end = block(lines, steps, steps.len() - 1).end;
                    if lines[..end].last().is_some_and(|line| !line.trim().is_empty()) {
                        block_lines.insert(0, String::new());
                    }
                    end
                }
            };
            let removed = Change { lines: moved.clone(), added: Vec::new() };
            let inserted = Change { lines: at..at, added: block_lines };
            if at <= moved.start { vec![inserted, removed] } else { vec![removed, inserted] }
        }
        Edit::Role { index, role } => {
            let within = block(lines, steps, *index);
            let on = within
                .clone()
                .find(|&line| {
                    let text = lines[line].trim_start();
                    text.strip_prefix("on").is_some_and(|rest| rest.trim_start().starts_with('='))
                })
                .unwrap_or(within.start);
            let indent: String = lines[on].chars().take_while(|c| c.is_whitespace()).collect();
            let line = format!("{indent}on = {}", quote(role.keyword()));
            vec![Change { lines: on..on + 1, added: vec![line] }]
        }
    }
}

/// The lines of the table of the step at `index`: from the comment lines right above its
/// `[[step]]` header (they describe it) to where the next step's begin; the last step's end
/// where the next table begins, or at the end of the file.
fn block(lines: &[&str], steps: &[Step], index: usize) -> Range<usize> {
    let first = start(lines, &steps[index]);
    let end = match steps.get(index + 1) {
        Some(next) => first.max(start(lines, next)),
        None => {
            // A table header: `[name]` or `[[name]]` (an array's line in a multi-line array
            // has a comma or a space, or a quote).
            let header = |line: &str| {
                let text = line.split('#').next().unwrap_or_default().trim();
                text.starts_with('[') && text.ends_with(']') && !text.contains([',', ' ', '"', '\''])
            };
            let id_line = id_line(lines, &steps[index]);
            let next =
                lines[id_line + 1..].iter().position(|line| header(line)).map_or(lines.len(), |at| id_line + 1 + at);
            let mut end = next;
            while end > id_line + 1 && lines[end - 1].trim_start().starts_with('#') {
                end -= 1;
            }
            end
        }
    };
    first..end
}

/// The line (0-based) of the step's id.
fn id_line(lines: &[&str], step: &Step) -> usize {
    step.line.saturating_sub(1).min(lines.len().saturating_sub(1))
}

/// Where the step's table begins: its `[[step]]` header (at or above the line of its id), or
/// the comment lines right above it.
fn start(lines: &[&str], step: &Step) -> usize {
    let step_header = |line: &str| line.split('#').next().unwrap_or_default().trim() == "[[step]]";
    let id_line = id_line(lines, step);
    let mut start = lines[..=id_line].iter().rposition(|line| step_header(line)).unwrap_or(id_line);
    while start > 0 && lines[start - 1].trim_start().starts_with('#') {
        start -= 1;
    }
    start
}

/// A string as a TOML basic string (a JSON string's escapes are all TOML's).
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// The step as a procedure file writes it, then a blank line.
fn toml(setup: &Setup, step: &Step) -> Vec<String> {
    let mut lines = vec![
        "[[step]]".to_owned(),
        format!("id = {}", quote(&step.id)),
        format!("title = {}", quote(&step.title)),
        format!("on = {}", quote(step.role.keyword())),
        format!("action = {}", quote(step.action.keyword())),
    ];
    for (field, value) in step.action.fields(&setup.cluster) {
        lines.push(format!("{field} = {}", quote(&value)));
    }
    lines.push(String::new());
    lines
}

/// The changes as a unified diff, changes less than two contexts apart in one hunk.
fn diff(path: &str, lines: &[&str], changes: &[Change]) -> String {
    let mut out = format!("--- {path}\n+++ {path} (repaired)\n");
    // Lines added minus lines deleted by the changes before the hunk.
    let mut shift: isize = 0;
    let mut index = 0;
    while index < changes.len() {
        let mut last = index;
        while last + 1 < changes.len() && changes[last + 1].lines.start <= changes[last].lines.end + 2 * CONTEXT {
            last += 1;
        }
        let hunk = &changes[index..=last];
        let from = hunk[0].lines.start.saturating_sub(CONTEXT);
        let to = (hunk[hunk.len() - 1].lines.end + CONTEXT).min(lines.len());
        let grown: isize = hunk.iter().map(|c| c.added.len() as isize - c.lines.len() as isize).sum();
        let new_from = (from as isize + shift) as usize;
        let old_len = to - from;
        let new_len = (old_len as isize + grown) as usize;
        out.push_str(&format!("@@ -{} +{} @@\n", range(from, old_len), range(new_from, new_len)));
        let mut at = from;
        for change in hunk {
            for line in &lines[at..change.lines.start] {
                out.push_str(&format!(" {line}\n"));
            }
            for line in &lines[change.lines.clone()] {
                out.push_str(&format!("-{line}\n"));
            }
            for line in &change.added {
                out.push_str(&format!("+{line}\n"));
            }
            at = change.lines.end;
        }
        for line in &lines[at..to] {
            out.push_str(&format!(" {line}\n"));
        }
        shift += grown;
        index = last + 1;
    }
    out
}

/// A hunk's range as unified diffs write it: the first line (counted from 1) and the count;
/// an empty range names the line before it.
fn range(from: usize, len: usize) -> String {
    if len == 0 { format!("{from},0") } else { format!("{},{len}", from + 1) }
}

/// A change as the replacement of its region of the original text.
fn replacement(source: &str, lines: &[&str], change: &Change, newline: &str) -> Replacement {
    let mut text = change.added.join(newline);
    if !change.added.is_empty() {
        text.push_str(newline);
    }
    let ends_open = !source.is_empty() && !source.ends_with('\n');
    let last_column = |line: &str| line.encode_utf16().count() + 1;
    let (line, column) = if change.lines.start < lines.len() || !ends_open {
        (change.lines.start + 1, 1)
    } else {
        // Appended to a file whose last line has no line end: after that line's last
        // character, starting with the line end it lacked.
        text.insert_str(0, newline);
        (lines.len(), last_column(lines[lines.len() - 1]))
    };
    let (end_line, end_column) = if change.lines.end < lines.len() || !ends_open {
        if change.lines.is_empty() { (line, column) } else { (change.lines.end + 1, 1) }
    } else if change.lines.is_empty() {
        (line, column)
    } else {
        // Up to the end of a last line without a line end; the repaired file has one.
        (lines.len(), last_column(lines[lines.len() - 1]))
    };
    Replacement { line, column, end_line, end_column, text }
}
