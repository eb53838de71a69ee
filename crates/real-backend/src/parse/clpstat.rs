//! `clpstat` and `clpstat --long`: the cluster status view.
//!
//! The layout, from real outputs (shared/captures/clpstat): a rule with `CLUSTER STATUS`,
//! `Cluster : NAME`, then `<server>`, `<group>` and `<monitor>` sections whose entries are
//! `NAME ....: STATUS   COMMENT`. Servers carry their heartbeats one level deeper and groups
//! their `current` owner and resources. `*` marks the server clpstat ran on. `--long` only
//! widens the name column. The whole block may be indented (documents indent it by 3 or 4).

use procedure::backend::{GroupStatus, ResourceStatus};
use remote::output::Output;
use remote::text;

use crate::parse::ParseError;

const COMMAND: &str = "clpstat";

/// The cluster status view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterStatus {
    /// The cluster's name.
    pub cluster: String,
    /// Servers, in the order shown.
    pub servers: Vec<Server>,
    /// Groups, in the order shown.
    pub groups: Vec<Group>,
    /// Monitor resources, in the order shown.
    pub monitors: Vec<Item>,
}

/// A server line and its heartbeat lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// Host name.
    pub name: String,
    /// Whether clpstat ran on it (`*`).
    pub local: bool,
    /// Its status.
    pub status: Status,
    /// The comment column.
    pub comment: String,
    /// Heartbeat and network-partition resources, as seen from this server.
    pub heartbeats: Vec<Item>,
}

/// A group line, its owner and its resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Group name.
    pub name: String,
    /// Its status.
    pub status: Status,
    /// The comment column.
    pub comment: String,
    /// The `current` server; `None` when clpstat shows `None`.
    pub current: Option<String>,
    /// Its resources.
    pub resources: Vec<Item>,
}

/// A name with a status and a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Name.
    pub name: String,
    /// Status.
    pub status: Status,
    /// The comment column.
    pub comment: String,
}

/// The status words of EXPRESSCLUSTER (NEC's REST client lists the same set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `Normal`.
    Normal,
    /// `Caution`: degraded but running.
    Caution,
    /// `Error`.
    Error,
    /// `Unused`.
    Unused,
    /// `Suspend`.
    Suspend,
    /// `Online`.
    Online,
    /// `Offline`.
    Offline,
    /// `Online Pending`.
    OnlinePending,
    /// `Offline Pending`.
    OfflinePending,
    /// `Online Failure`.
    OnlineFailure,
    /// `Offline Failure`.
    OfflineFailure,
    /// `Unknown`.
    Unknown,
}

/// Longest first, so that `Online Pending` wins over `Online`.
const STATUSES: [(&str, Status); 12] = [
    ("Offline Failure", Status::OfflineFailure),
    ("Offline Pending", Status::OfflinePending),
    ("Online Failure", Status::OnlineFailure),
    ("Online Pending", Status::OnlinePending),
    ("Caution", Status::Caution),
    ("Offline", Status::Offline),
    ("Suspend", Status::Suspend),
    ("Unknown", Status::Unknown),
    ("Normal", Status::Normal),
    ("Online", Status::Online),
    ("Unused", Status::Unused),
    ("Error", Status::Error),
];

impl Status {
    /// The word clpstat prints.
    pub fn as_str(self) -> &'static str {
        STATUSES.iter().find(|(_, status)| *status == self).map_or("Unknown", |(text, _)| text)
    }

    /// The status a word names exactly (as the REST API shows it); `None` for a word that
    /// is not one of EXPRESSCLUSTER's (`Unknown` is one of them).
    pub fn from_word(word: &str) -> Option<Status> {
        STATUSES.iter().find(|(text, _)| *text == word).map(|(_, status)| *status)
    }
}

/// Reads the output of `clpstat` or `clpstat --long`: the status view, whatever the
/// cluster's state.
///
/// A stopped cluster is a view too: the only capture of one (EXPRESSCLUSTER/clpaic's
/// README) shows every server, heartbeat, group, resource and monitor `Offline` and each
/// group's `current : None`, with exit code 0. "Failed to get cluster status. Check if
/// cluster is started or not on this server." is not clpstat's: NEC's X 4.x update scripts
/// (EXPRESSCLUSTER/Tools, `UM8700beforeUpdate.ps1`) print it themselves after clpstat
/// failed.
///
/// Any non-zero exit is an error that quotes what clpstat printed: no source says what a
/// failing clpstat prints (NEC's scripts only test that it failed), so none is read as a
/// state.
pub fn parse(output: &Output) -> Result<ClusterStatus, ParseError> {
    if output.code != Some(0) {
        return Err(ParseError::failed(COMMAND, output));
    }
    parse_status(&output.stdout_text())
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Server,
    Group,
    Monitor,
}

/// Reads the status view itself.
pub fn parse_status(text: &str) -> Result<ClusterStatus, ParseError> {
    let mut lines = text::lines(text).filter(|(_, line)| !line.is_empty());
    let Some((number, header)) = lines.next() else {
        return Err(ParseError::whole(COMMAND, "the output is empty"));
    };
    if !is_rule(header, Some("CLUSTER STATUS")) {
        return Err(ParseError::line(COMMAND, number, header, "expected the `CLUSTER STATUS` rule"));
    }
    let Some((number, line)) = lines.next() else {
        return Err(ParseError::whole(COMMAND, "the output ends after its first line"));
    };
    let cluster = match line.trim().split_once(':') {
        Some((label, name)) if label.trim() == "Cluster" && !name.trim().is_empty() => name.trim().to_owned(),
        _ => return Err(ParseError::line(COMMAND, number, line, "expected `Cluster : NAME`")),
    };
    let mut status = ClusterStatus { cluster, servers: Vec::new(), groups: Vec::new(), monitors: Vec::new() };
    let mut section: Option<(Section, usize)> = None;
    let mut closed = false;
    for (number, line) in lines.by_ref() {
        let trimmed = line.trim_start();
        if is_rule(line, None) {
            closed = true;
            break;
        }
        let heading = match trimmed {
            "<server>" => Some(Section::Server),
            "<group>" => Some(Section::Group),
            "<monitor>" => Some(Section::Monitor),
            _ => None,
        };
        if let Some(heading) = heading {
            section = Some((heading, text::indent(line)));
            continue;
        }
        let Some((section, section_indent)) = section else {
            return Err(ParseError::line(COMMAND, number, line, "expected `<server>`"));
        };
        let (local, indent, entry) = match trimmed.strip_prefix('*') {
            Some(rest) => (true, text::indent(line) + 1, rest),
            None => (false, text::indent(line), trimmed),
        };
        let depth = indent.checked_sub(section_indent);
        let (name, value) =
            split_entry(entry).ok_or_else(|| ParseError::line(COMMAND, number, line, "expected `NAME : STATUS`"))?;
        match (section, depth) {
            (Section::Group, Some(4)) if name == "current" => {
                let Some(group) = status.groups.last_mut() else {
                    return Err(ParseError::line(COMMAND, number, line, "a `current` line before any group"));
                };
                if value.is_empty() || value.contains(char::is_whitespace) {
                    return Err(ParseError::line(COMMAND, number, line, "expected `current : SERVER` or `None`"));
                }
                group.current = (value != "None").then(|| value.to_owned());
                continue;
            }
            _ => {}
        }
        let (item_status, comment) =
            split_status(value).ok_or_else(|| ParseError::line(COMMAND, number, line, "unknown status"))?;
        let item = Item { name: name.to_owned(), status: item_status, comment: comment.to_owned() };
        match (section, depth, local) {
            (Section::Server, Some(2), _) => status.servers.push(Server {
                name: item.name,
                local,
                status: item.status,
                comment: item.comment,
                heartbeats: Vec::new(),
            }),
            (Section::Server, Some(4), false) => match status.servers.last_mut() {
                Some(server) => server.heartbeats.push(item),
                None => return Err(ParseError::line(COMMAND, number, line, "a heartbeat before any server")),
            },
            (Section::Group, Some(2), false) => status.groups.push(Group {
                name: item.name,
                status: item.status,
                comment: item.comment,
                current: None,
                resources: Vec::new(),
            }),
            (Section::Group, Some(4), false) => match status.groups.last_mut() {
                Some(group) => group.resources.push(item),
                None => return Err(ParseError::line(COMMAND, number, line, "a resource before any group")),
            },
            (Section::Monitor, Some(2), false) => status.monitors.push(item),
            _ => return Err(ParseError::line(COMMAND, number, line, "unexpected indentation for this section")),
        }
    }
    if !closed {
        return Err(ParseError::whole(COMMAND, "the output ends before the closing rule (truncated?)"));
    }
    if let Some((number, line)) = lines.next() {
        return Err(ParseError::line(COMMAND, number, line, "text after the closing rule"));
    }
    if status.servers.is_empty() {
        return Err(ParseError::whole(COMMAND, "no `<server>` section"));
    }
    Ok(status)
}

/// A rule of `=`, optionally with a title in the middle.
fn is_rule(line: &str, title: Option<&str>) -> bool {
    let line = line.trim();
    let inner = line.trim_matches('=').trim();
    line.starts_with("====") && line.ends_with("====") && title.map_or(inner.is_empty(), |title| inner == title)
}

/// `NAME ......: VALUE` -> (`NAME`, `VALUE`). Names have no blanks.
fn split_entry(entry: &str) -> Option<(&str, &str)> {
    let (name, value) = entry.split_once(':')?;
    let name = name.trim_end().trim_end_matches('.').trim_end();
    (!name.is_empty() && !name.contains(char::is_whitespace)).then_some((name, value.trim()))
}

/// `Online           Primary server` -> (Online, `Primary server`).
fn split_status(value: &str) -> Option<(Status, &str)> {
    STATUSES.iter().find_map(|(text, status)| {
        let rest = value.strip_prefix(text)?;
        (rest.is_empty() || rest.starts_with(' ')).then(|| (*status, rest.trim()))
    })
}

impl ClusterStatus {
    /// The server with this name (case-insensitive, as Windows host names are).
    pub fn server(&self, name: &str) -> Option<&Server> {
        self.servers.iter().find(|server| server.name.eq_ignore_ascii_case(name))
    }

    /// Whether the cluster service runs on `name` as this view shows it: its server line
    /// is neither `Offline` nor missing. A node whose own line is `Offline` shows nothing
    /// of the others that can be trusted (the stopped-cluster capture shows them all
    /// `Offline`).
    pub fn shows_running(&self, name: &str) -> bool {
        self.server(name).is_some_and(|server| server.status != Status::Offline)
    }

    /// The group with this name.
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|group| group.name == name)
    }

    /// A resource of any group.
    pub fn resource(&self, name: &str) -> Option<(&Group, &Item)> {
        self.groups.iter().find_map(|group| group.resources.iter().find(|r| r.name == name).map(|r| (group, r)))
    }

    /// A monitor resource.
    pub fn monitor(&self, name: &str) -> Option<&Item> {
        self.monitors.iter().find(|monitor| monitor.name == name)
    }

    /// A short text for people and snapshots: one line per entry.
    pub fn render(&self) -> String {
        let mut out = format!("cluster {}\n", self.cluster);
        for server in &self.servers {
            let local = if server.local { " (local)" } else { "" };
            out += &format!("server {}{local}: {}{}\n", server.name, server.status.as_str(), comment(&server.comment));
            for hb in &server.heartbeats {
                out += &format!("  heartbeat {}: {}{}\n", hb.name, hb.status.as_str(), comment(&hb.comment));
            }
        }
        for group in &self.groups {
            let current = group.current.as_deref().unwrap_or("none");
            out +=
                &format!("group {}: {} on {current}{}\n", group.name, group.status.as_str(), comment(&group.comment));
            for resource in &group.resources {
                out += &format!(
                    "  resource {}: {}{}\n",
                    resource.name,
                    resource.status.as_str(),
                    comment(&resource.comment)
                );
            }
        }
        for monitor in &self.monitors {
            out += &format!("monitor {}: {}{}\n", monitor.name, monitor.status.as_str(), comment(&monitor.comment));
        }
        out
    }
}

fn comment(comment: &str) -> String {
    if comment.is_empty() { String::new() } else { format!(" ({comment})") }
}

impl Status {
    /// A group's status, from its word in clpstat or the REST API; `None` for a word a group
    /// does not have.
    pub fn group_status(self) -> Option<GroupStatus> {
        Some(match self {
            Status::Online => GroupStatus::Online,
            Status::Offline => GroupStatus::Offline,
            Status::OnlinePending => GroupStatus::OnlinePending,
            Status::OfflinePending => GroupStatus::OfflinePending,
            Status::OnlineFailure => GroupStatus::OnlineFailure,
            _ => return None,
        })
    }

    /// A resource's status, from its word in clpstat or the REST API; `None` for a word a
    /// resource does not have.
    pub fn resource_status(self) -> Option<ResourceStatus> {
        Some(match self {
            Status::Online => ResourceStatus::Online,
            Status::Offline => ResourceStatus::Offline,
            Status::OnlinePending => ResourceStatus::OnlinePending,
            Status::OfflinePending => ResourceStatus::OfflinePending,
            Status::OnlineFailure => ResourceStatus::OnlineFailure,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node's shell may write to standard error (profile scripts); a clpstat that exited 0
    /// is read from standard output alone. A failure quotes both.
    #[test]
    fn noise_on_standard_error_is_not_the_answer() {
        let path =
            concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/clpstat/ssc-long-running-crlf-3space-constructed.txt");
        let stdout = std::fs::read(path).unwrap();
        let noise = b"rm: cannot remove '/root/.pyenv/shims/tmp.x': No such file or directory\n".to_vec();
        let output = Output { stdout: stdout.clone(), stderr: noise.clone(), code: Some(0) };
        assert!(parse(&output).is_ok());
        let failed = Output { stdout: b"Log in as administrator.\n".to_vec(), stderr: noise, code: Some(9) };
        assert_eq!(
            parse(&failed).unwrap_err().to_string(),
            "cannot read the output of `clpstat`: it exited with code 9 and printed \"Log in as administrator.\\n\\nrm: cannot remove '/root/.pyenv/shims/tmp.x': No such file or directory\""
        );
    }
}
