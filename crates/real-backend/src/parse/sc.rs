//! `sc.exe query|stop|start NAME`: service records and `[SC]` error lines.
//!
//! A record is `SERVICE_NAME: X` followed by `LABEL : value` lines; labels stay English on
//! every Windows, while the error keyword (`FAILED`, `失败`) and messages are localized, so
//! errors are read by their shape `[SC] Api WORD CODE:` and by the code. The state is read
//! from `STATE`, never from the exit code (a caller may see it truncated to 8 bits).

use remote::output::Output;
use remote::text;

use crate::parse::ParseError;

const COMMAND: &str = "sc.exe";

/// Everything an sc invocation printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScOutput {
    /// Service records, in order.
    pub services: Vec<ServiceRecord>,
    /// `[SC] ... FAILED n` errors, in order.
    pub errors: Vec<ScError>,
    /// `[SC] Api SUCCESS` lines: the API names.
    pub successes: Vec<String>,
}

/// One service record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    /// `SERVICE_NAME`.
    pub name: String,
    /// `DISPLAY_NAME`, when shown.
    pub display_name: Option<String>,
    /// `STATE`.
    pub state: ServiceState,
    /// `WIN32_EXIT_CODE`.
    pub win32_exit_code: Option<u32>,
    /// `PID`, from `queryex`.
    pub pid: Option<u32>,
}

/// A service state, by its number (the Win32 `SERVICE_*` constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceState {
    /// 1 STOPPED.
    Stopped,
    /// 2 START_PENDING.
    StartPending,
    /// 3 STOP_PENDING.
    StopPending,
    /// 4 RUNNING.
    Running,
    /// 5 CONTINUE_PENDING.
    ContinuePending,
    /// 6 PAUSE_PENDING.
    PausePending,
    /// 7 PAUSED.
    Paused,
}

impl ServiceState {
    fn from_number(number: u32) -> Option<ServiceState> {
        Some(match number {
            1 => ServiceState::Stopped,
            2 => ServiceState::StartPending,
            3 => ServiceState::StopPending,
            4 => ServiceState::Running,
            5 => ServiceState::ContinuePending,
            6 => ServiceState::PausePending,
            7 => ServiceState::Paused,
            _ => return None,
        })
    }

    /// The label sc prints.
    pub fn label(self) -> &'static str {
        match self {
            ServiceState::Stopped => "STOPPED",
            ServiceState::StartPending => "START_PENDING",
            ServiceState::StopPending => "STOP_PENDING",
            ServiceState::Running => "RUNNING",
            ServiceState::ContinuePending => "CONTINUE_PENDING",
            ServiceState::PausePending => "PAUSE_PENDING",
            ServiceState::Paused => "PAUSED",
        }
    }

    /// The Win32 number.
    pub fn number(self) -> u32 {
        self as u32 + 1
    }

    /// Whether the state is on its way to another one, so worth polling again.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            ServiceState::StartPending
                | ServiceState::StopPending
                | ServiceState::ContinuePending
                | ServiceState::PausePending
        )
    }
}

/// An `[SC] Api FAILED n:` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScError {
    /// The API that failed (`OpenService`, `ControlService`).
    pub api: String,
    /// The Win32 error code.
    pub code: u64,
    /// The localized message that follows, when there is one.
    pub message: String,
}

impl ScError {
    /// What the code means to a caller.
    pub fn kind(&self) -> ScErrorKind {
        match self.code {
            1060 => ScErrorKind::NotInstalled,
            1062 => ScErrorKind::NotStarted,
            1056 => ScErrorKind::AlreadyRunning,
            5 => ScErrorKind::AccessDenied,
            1058 => ScErrorKind::Disabled,
            1053 => ScErrorKind::NoTimelyResponse,
            _ => ScErrorKind::Other,
        }
    }
}

/// The errors the backend tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScErrorKind {
    /// 1060: the service does not exist.
    NotInstalled,
    /// 1062: the service has not been started.
    NotStarted,
    /// 1056: an instance of the service is already running.
    AlreadyRunning,
    /// 5: access is denied.
    AccessDenied,
    /// 1058: the service is disabled.
    Disabled,
    /// 1053: the service did not respond in time.
    NoTimelyResponse,
    /// Anything else.
    Other,
}

/// Reads what an sc invocation printed on standard output (where it writes its records and
/// its `[SC]` lines). The exit code is ignored on purpose: the records and the `[SC]` lines
/// say everything, and the code may arrive truncated.
pub fn parse(output: &Output) -> Result<ScOutput, ParseError> {
    parse_text(&output.stdout_text())
}

/// Reads sc's text.
pub fn parse_text(text: &str) -> Result<ScOutput, ParseError> {
    let mut out = ScOutput::default();
    let mut record: Option<(usize, PartialRecord)> = None;
    let mut awaiting_message = false;
    for (number, line) in text::lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if awaiting_message {
            awaiting_message = false;
            if !trimmed.starts_with("[SC]") && !trimmed.starts_with("SERVICE_NAME:") {
                if let Some(error) = out.errors.last_mut() {
                    error.message = trimmed.to_owned();
                }
                continue;
            }
        }
        if let Some(rest) = trimmed.strip_prefix("[SC]") {
            finish(&mut out, &mut record)?;
            awaiting_message = sc_line(&mut out, rest.trim(), number, line)?;
            continue;
        }
        if let Some(name) = trimmed.strip_prefix("SERVICE_NAME:") {
            finish(&mut out, &mut record)?;
            record = Some((number, PartialRecord { name: name.trim().to_owned(), ..PartialRecord::default() }));
            continue;
        }
        let Some((_, current)) = record.as_mut() else {
            return Err(ParseError::line(COMMAND, number, line, "expected `SERVICE_NAME:` or an `[SC]` line"));
        };
        if trimmed.starts_with('(') && trimmed.ends_with(')') {
            continue; // the controls the service accepts, under STATE
        }
        let Some((label, value)) = trimmed.split_once(':') else {
            return Err(ParseError::line(COMMAND, number, line, "expected `LABEL : value`"));
        };
        let value = value.trim();
        match label.trim() {
            "DISPLAY_NAME" => current.display_name = Some(value.to_owned()),
            "STATE" => {
                let state = value
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse().ok())
                    .and_then(ServiceState::from_number)
                    .ok_or_else(|| ParseError::line(COMMAND, number, line, "expected a state number 1-7"))?;
                current.state = Some(state);
            }
            "WIN32_EXIT_CODE" => {
                let code = value.split_whitespace().next().and_then(|n| n.parse().ok());
                current.win32_exit_code =
                    Some(code.ok_or_else(|| ParseError::line(COMMAND, number, line, "expected a number"))?);
            }
            "PID" => {
                current.pid =
                    Some(value.parse().map_err(|_| ParseError::line(COMMAND, number, line, "expected a number"))?);
            }
            "TYPE" | "SERVICE_EXIT_CODE" | "CHECKPOINT" | "WAIT_HINT" | "FLAGS" => {}
            _ => return Err(ParseError::line(COMMAND, number, line, "unknown label")),
        }
    }
    finish(&mut out, &mut record)?;
    Ok(out)
}

#[derive(Debug, Default)]
struct PartialRecord {
    name: String,
    display_name: Option<String>,
    state: Option<ServiceState>,
    win32_exit_code: Option<u32>,
    pid: Option<u32>,
}

fn finish(out: &mut ScOutput, record: &mut Option<(usize, PartialRecord)>) -> Result<(), ParseError> {
    if let Some((number, record)) = record.take() {
        let Some(state) = record.state else {
            return Err(ParseError::line(
                COMMAND,
                number,
                &format!("SERVICE_NAME: {}", record.name),
                "the record has no STATE line",
            ));
        };
        out.services.push(ServiceRecord {
            name: record.name,
            display_name: record.display_name,
            state,
            win32_exit_code: record.win32_exit_code,
            pid: record.pid,
        });
    }
    Ok(())
}

/// `[SC] Api SUCCESS`, `[SC] Api WORD CODE:` or `[SC] Api WORD with error CODE.`; returns
/// whether a message line follows.
fn sc_line(out: &mut ScOutput, rest: &str, number: usize, line: &str) -> Result<bool, ParseError> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    match words.as_slice() {
        // `成功` on Chinese and Japanese systems (Pcap_DNSProxy #24, #259: `[SC] CreateService
        // 成功`); any other word is refused, not guessed.
        [api, "SUCCESS" | "成功"] => {
            out.successes.push((*api).to_owned());
            Ok(false)
        }
        [api, _failed, "with", "error", code] => {
            let code = code.trim_end_matches('.').parse().map_err(|_| bad(number, line))?;
            out.errors.push(ScError { api: api_name(api), code, message: String::new() });
            Ok(false)
        }
        [api, _failed, code] if code.ends_with(':') => {
            let code = code.trim_end_matches(':').parse().map_err(|_| bad(number, line))?;
            out.errors.push(ScError { api: api_name(api), code, message: String::new() });
            Ok(true)
        }
        // `sc start` of a missing service: `[SC] StartService: OpenService FAILED 1060:`
        // (public issue threads: HyperHide #47, PsSecDrv #3 and #15). The API that failed
        // is the second.
        [caller, api, _failed, code] if caller.ends_with(':') && code.ends_with(':') => {
            let code = code.trim_end_matches(':').parse().map_err(|_| bad(number, line))?;
            out.errors.push(ScError { api: api_name(api), code, message: String::new() });
            Ok(true)
        }
        _ => match one_line_error(&words) {
            Some(error) => {
                out.errors.push(error);
                Ok(false)
            }
            None => Err(bad(number, line)),
        },
    }
}

/// The localized one-line form of `[SC] Api FAILED with error CODE.`, whose word order
/// follows the language: `[SC] 由于发生错误 193， StartService 失败。` on zh-CN
/// (Pcap_DNSProxy #365). Read when the line holds exactly one number and exactly one API
/// name (ASCII letters, starting upper-case); anything else is refused.
fn one_line_error(words: &[&str]) -> Option<ScError> {
    let codes: Vec<u64> =
        words.iter().filter_map(|word| word.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok()).collect();
    let apis: Vec<&str> = words
        .iter()
        .copied()
        .filter(|word| {
            word.starts_with(|c: char| c.is_ascii_uppercase()) && word.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .collect();
    match (codes.as_slice(), apis.as_slice()) {
        ([code], [api]) => Some(ScError { api: (*api).to_owned(), code: *code, message: String::new() }),
        _ => None,
    }
}

/// `EnumQueryServicesStatus:OpenService` -> `OpenService`.
fn api_name(api: &str) -> String {
    api.rsplit(':').next().unwrap_or(api).to_owned()
}

fn bad(number: usize, line: &str) -> ParseError {
    ParseError::line(COMMAND, number, line, "an `[SC]` line of unknown shape")
}

impl ScOutput {
    /// A short text for people and snapshots.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for service in &self.services {
            out += &format!("service {}: {} ({})", service.name, service.state.label(), service.state.number());
            if let Some(display) = &service.display_name {
                out += &format!(", display name {display:?}");
            }
            if let Some(code) = service.win32_exit_code.filter(|code| *code != 0) {
                out += &format!(", exit code {code}");
            }
            if let Some(pid) = service.pid {
                out += &format!(", pid {pid}");
            }
            out += "\n";
        }
        for error in &self.errors {
            out += &format!("error {} {} ({:?}): {:?}\n", error.api, error.code, error.kind(), error.message);
        }
        for api in &self.successes {
            out += &format!("success {api}\n");
        }
        out
    }
}
