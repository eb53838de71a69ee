//! The result of the EXPRESSCLUSTER commands that act (`clpcl`, `clpgrp`, `clpmonctrl`,
//! `clprsc`, `clpstdn`), and `clpgrp -n`, which prints a group's server.
//!
//! Real outputs (shared/captures/clpcmd) show `Command succeeded.` alone or per server as
//! `Start NODE : Command succeeded.`; NEC's scripts take exit code 0 as success. The failure
//! messages are not documented, so a failure carries whatever the command printed.

use remote::output::Output;
use remote::text;

use crate::parse::ParseError;

/// How an acting command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClpResult {
    /// Exit code 0 and every line says the command succeeded.
    Succeeded,
    /// A non-zero exit, with what it printed.
    Failed {
        /// The exit code, `None` for a signal.
        code: Option<i32>,
        /// stdout and stderr, trimmed.
        message: String,
    },
}

/// Reads the result of an acting command; `command` names it in errors (`clpgrp -m`).
pub fn parse_result(command: &'static str, output: &Output) -> Result<ClpResult, ParseError> {
    if output.code != Some(0) {
        return Ok(ClpResult::Failed { code: output.code, message: output.text().trim().to_owned() });
    }
    let text = output.stdout_text();
    let mut succeeded = false;
    for (number, line) in text::lines(&text) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let verdict = match line.rsplit_once(" : ") {
            Some((prefix, verdict)) if prefix.split_whitespace().count() == 2 => verdict,
            _ => line,
        };
        if verdict != "Command succeeded." {
            return Err(ParseError::line(command, number, line, "exit code 0 but not `Command succeeded.`"));
        }
        succeeded = true;
    }
    if !succeeded {
        // Inferred: every success seen prints the line; silence with exit 0 is not trusted.
        return Err(ParseError::whole(command, "exit code 0 but no `Command succeeded.` line"));
    }
    Ok(ClpResult::Succeeded)
}

/// Reads `clpgrp -n GROUP`: the name of the server the group is active on.
///
/// Inferred from NEC's X 3.3 script, which compares the whole output with a host name: one
/// line, the server's name. A group that is active nowhere has no documented output; an
/// empty output is read as "nowhere".
pub fn parse_owner(output: &Output) -> Result<Option<String>, ParseError> {
    const COMMAND: &str = "clpgrp -n";
    if output.code != Some(0) {
        return Err(ParseError::failed(COMMAND, output));
    }
    let text = output.stdout_text();
    let mut owner = None;
    for (number, line) in text::lines(&text) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if owner.is_some() || line.contains(char::is_whitespace) {
            return Err(ParseError::line(COMMAND, number, line, "expected one line with a server name"));
        }
        owner = Some(line.to_owned());
    }
    Ok(owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(text: &str, code: i32) -> Output {
        Output { stdout: text.as_bytes().to_vec(), stderr: Vec::new(), code: Some(code) }
    }

    #[test]
    fn clpgrp_n_prints_the_server_or_nothing() {
        assert_eq!(parse_owner(&output("ssc-node1\r\n", 0)), Ok(Some("ssc-node1".to_owned())));
        assert_eq!(parse_owner(&output("", 0)), Ok(None));
        assert_eq!(
            parse_owner(&output("ssc-node1\r\nssc-node2\r\n", 0)).unwrap_err().to_string(),
            "cannot read line 2 of the output of `clpgrp -n`: \"ssc-node2\": expected one line with a server name"
        );
        assert_eq!(
            parse_owner(&output("Invalid group name.\r\n", 1)).unwrap_err().to_string(),
            "cannot read the output of `clpgrp -n`: it exited with code 1 and printed \"Invalid group name.\""
        );
    }
}
