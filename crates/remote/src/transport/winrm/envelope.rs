//! The WS-Management messages of the Windows Remote Shell, and reading their answers.
//!
//! Message shapes follow Microsoft's [MS-WSMV] protocol documents: a SOAP 1.2 envelope with
//! WS-Addressing headers, the `cmd` shell resource URI, and `ShellId` as a selector.

use std::fmt::Write as _;

use base64::Engine as _;

const SHELL_URI: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd";
const DONE: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done";

fn envelope(url: &str, action: &str, shell: Option<&str>, options: &str, body: &str) -> String {
    let selector = shell.map_or(String::new(), |id| {
        format!("<w:SelectorSet><w:Selector Name=\"ShellId\">{}</w:Selector></w:SelectorSet>", xml(id))
    });
    let mut out = String::new();
    let _ = write!(
        out,
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" \
         xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" \
         xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\" \
         xmlns:rsp=\"http://schemas.microsoft.com/wbem/wsman/1/windows/shell\">\
         <s:Header><a:To>{}</a:To><w:ResourceURI s:mustUnderstand=\"true\">{SHELL_URI}</w:ResourceURI>\
         <a:ReplyTo><a:Address s:mustUnderstand=\"true\">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>\
         <a:Action s:mustUnderstand=\"true\">{action}</a:Action><w:MaxEnvelopeSize s:mustUnderstand=\"true\">512000</w:MaxEnvelopeSize>\
         <a:MessageID>uuid:{}</a:MessageID><w:OperationTimeout>PT20S</w:OperationTimeout>{selector}{options}</s:Header>\
         <s:Body>{body}</s:Body></s:Envelope>",
        xml(url),
        message_id()
    );
    out
}

/// A message id unique enough for one client: time and a counter, in UUID form.
fn message_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        nanos >> 32,
        (nanos >> 16) & 0xffff,
        nanos & 0xfff,
        count & 0xfff,
        count
    )
}

/// Creates a `cmd` shell with stdin, stdout and stderr.
pub fn create_shell(url: &str) -> String {
    let options = "<w:OptionSet><w:Option Name=\"WINRS_NOPROFILE\">TRUE</w:Option><w:Option Name=\"WINRS_CODEPAGE\">65001</w:Option></w:OptionSet>";
    envelope(
        url,
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
        None,
        options,
        "<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>",
    )
}

/// Runs `command arguments` in the shell.
pub fn command(url: &str, shell: &str, command: &str, arguments: &str) -> String {
    let options = "<w:OptionSet><w:Option Name=\"WINRS_CONSOLEMODE_STDIN\">TRUE</w:Option><w:Option Name=\"WINRS_SKIP_CMD_SHELL\">TRUE</w:Option></w:OptionSet>";
    let body = format!(
        "<rsp:CommandLine><rsp:Command>{}</rsp:Command><rsp:Arguments>{}</rsp:Arguments></rsp:CommandLine>",
        xml(command),
        xml(arguments)
    );
    envelope(url, "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command", Some(shell), options, &body)
}

/// Asks for the command's output so far.
pub fn receive(url: &str, shell: &str, command: &str) -> String {
    let body = format!(
        "<rsp:Receive><rsp:DesiredStream CommandId=\"{}\">stdout stderr</rsp:DesiredStream></rsp:Receive>",
        xml(command)
    );
    envelope(url, "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive", Some(shell), "", &body)
}

/// Deletes the shell.
pub fn delete_shell(url: &str, shell: &str) -> String {
    envelope(url, "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete", Some(shell), "", "")
}

/// What one Receive answer held.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// stdout bytes.
    pub stdout: Vec<u8>,
    /// stderr bytes.
    pub stderr: Vec<u8>,
    /// Whether the command is done.
    pub done: bool,
    /// Its exit code, once done.
    pub exit_code: Option<i32>,
}

/// Reads a Receive answer: base64 streams, the command state and the exit code.
pub fn parse_receive(text: &str) -> Result<Received, String> {
    let mut received = Received::default();
    let mut rest = text;
    while let Some(start) = find_element(rest, "Stream") {
        let element = &rest[start..];
        let open_end = element.find('>').ok_or("an unterminated <Stream>")?;
        let open = &element[..open_end];
        let self_closing = open.ends_with('/');
        let content = if self_closing {
            ""
        } else {
            let close = element.find("</").ok_or("a <Stream> without its end")?;
            &element[open_end + 1..close]
        };
        let bytes = decode_base64(content.trim()).ok_or("a <Stream> that is not base64")?;
        if open.contains("Name=\"stderr\"") {
            received.stderr.extend(bytes);
        } else {
            received.stdout.extend(bytes);
        }
        rest = &element[open_end + 1..];
    }
    if text.contains(&format!("State=\"{DONE}\"")) {
        received.done = true;
        let code = text_of(text, "ExitCode").ok_or("a finished command without an ExitCode")?;
        received.exit_code = Some(code.trim().parse::<i64>().map_err(|_| format!("an ExitCode {code:?}"))? as i32);
    }
    Ok(received)
}

/// The position of the next `<prefix:name` or `<name` element.
fn find_element(text: &str, name: &str) -> Option<usize> {
    let mut at = 0;
    while let Some(found) = text[at..].find('<') {
        let start = at + found;
        let tag = &text[start + 1..];
        let local = tag.split([' ', '>', '/']).next().unwrap_or("");
        let local = local.rsplit(':').next().unwrap_or(local);
        if local == name && !tag.starts_with('/') {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

/// The text of the first element named `name` (any prefix), or of a selector with that name.
pub fn text_of(text: &str, name: &str) -> Option<String> {
    if let Some(at) = text.find(&format!("Name=\"{name}\">")) {
        let value = &text[at + name.len() + 8..];
        return value.find('<').map(|end| unxml(&value[..end]));
    }
    let start = find_element(text, name)?;
    let element = &text[start..];
    let open_end = element.find('>')?;
    let close = element[open_end..].find("</")? + open_end;
    Some(unxml(&element[open_end + 1..close]))
}

/// The text of a SOAP fault, for messages.
pub fn fault_text(text: &str) -> Option<String> {
    text_of(text, "Text").or_else(|| text_of(text, "Message"))
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn unxml(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}
