//! What a command printed and how it ended, as a transport brings it back.

/// What a command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Standard output, as bytes.
    pub stdout: Vec<u8>,
    /// Standard error, as bytes.
    pub stderr: Vec<u8>,
    /// The exit code; `None` when the process was killed by a signal.
    pub code: Option<i32>,
}

impl Output {
    /// Standard output, decoded: what a command that succeeded reports. Standard error is
    /// left out because a node's shell may write there too (profile scripts), and it is not
    /// the command's answer.
    pub fn stdout_text(&self) -> String {
        crate::text::decode(&self.stdout).into_owned()
    }

    /// Standard output and standard error, decoded, joined with a newline: everything a
    /// failed command said.
    pub fn text(&self) -> String {
        let stdout = crate::text::decode(&self.stdout);
        let stderr = crate::text::decode(&self.stderr);
        match (stdout.trim().is_empty(), stderr.trim().is_empty()) {
            (_, true) => stdout.into_owned(),
            (true, false) => stderr.into_owned(),
            (false, false) => format!("{stdout}\n{stderr}"),
        }
    }
}
