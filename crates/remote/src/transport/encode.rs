//! Turning an argv into the one command string a remote shell receives (SSH carries a
//! string, not an argv), so that every element arrives as exactly one argument.
//!
//! Two shells: POSIX `sh` (the loopback test's sshd) quotes each element in single quotes;
//! Windows OpenSSH starts `cmd.exe`, whose quoting cannot be made safe for `%`, `&`, `|`
//! and newlines, so the argv is sent as a PowerShell script in `-EncodedCommand` (base64 of
//! UTF-16LE), where single-quoted strings are literal.

use base64::Engine as _;

use crate::argv::Argv;
use crate::transport::TransportError;

/// The shell a remote node runs commands with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteShell {
    /// Windows OpenSSH's default, `cmd.exe`; commands go through PowerShell.
    Windows,
    /// A POSIX shell.
    Posix,
}

/// The command string for `shell` that runs `argv` with its elements unchanged.
pub fn command_line(shell: RemoteShell, argv: &Argv) -> Result<String, TransportError> {
    match shell {
        RemoteShell::Posix => Ok(posix(argv)),
        RemoteShell::Windows => powershell_encoded(argv),
    }
}

/// The command string that creates a folder and its parents.
pub fn make_folder(shell: RemoteShell, folder: &str) -> Result<String, TransportError> {
    match shell {
        RemoteShell::Posix => Ok(format!("mkdir -p -- {}", posix_quote(folder))),
        RemoteShell::Windows => {
            let script =
                format!("New-Item -ItemType Directory -Force -Path '{}' | Out-Null", folder.replace('\'', "''"));
            let utf16: Vec<u8> = script.encode_utf16().flat_map(u16::to_le_bytes).collect();
            Ok(format!("powershell -NoProfile -NonInteractive -EncodedCommand {}", base64(&utf16)))
        }
    }
}

fn posix(argv: &Argv) -> String {
    std::iter::once(&argv.program).chain(&argv.args).map(|element| posix_quote(element)).collect::<Vec<_>>().join(" ")
}

/// `'...'`, with each `'` written as `'\''`.
pub fn posix_quote(element: &str) -> String {
    format!("'{}'", element.replace('\'', r"'\''"))
}

/// `powershell -NoProfile -NonInteractive -EncodedCommand BASE64`, where the script calls the
/// program with each element as a literal string and exits with its exit code.
fn powershell_encoded(argv: &Argv) -> Result<String, TransportError> {
    let mut script = String::from("[Console]::OutputEncoding = [Text.Encoding]::UTF8; & ");
    for element in std::iter::once(&argv.program).chain(&argv.args) {
        // Windows PowerShell 5.1 passes arguments to native programs without escaping inner
        // double quotes, so the program would see a different argv; refuse rather than guess.
        if element.contains('"') {
            return Err(TransportError::Unencodable {
                argument: element.clone(),
                reason: "Windows PowerShell 5.1 does not pass double quotes inside arguments intact",
            });
        }
        script.push_str(&format!("'{}' ", element.replace('\'', "''")));
    }
    script.push_str("; exit $LASTEXITCODE");
    Ok(powershell_script(&script))
}

/// `powershell -NoProfile -NonInteractive -EncodedCommand BASE64` for a PowerShell script.
pub fn powershell_script(script: &str) -> String {
    let utf16: Vec<u8> = script.encode_utf16().flat_map(u16::to_le_bytes).collect();
    format!("powershell -NoProfile -NonInteractive -EncodedCommand {}", base64(&utf16))
}

/// Standard base64 with padding, as `-EncodedCommand` and WinRM's streams take it.
pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(elements: &[&str]) -> Argv {
        Argv { program: elements[0].to_owned(), args: elements[1..].iter().map(|e| (*e).to_owned()).collect() }
    }

    #[test]
    fn posix_quotes_every_element() {
        let line = command_line(RemoteShell::Posix, &argv(&["sc.exe", "query", "it's & $(x) %P%\nz"])).unwrap();
        assert_eq!(
            line,
            r"'sc.exe' 'query' 'it'\''s & $(x) %P%
z'"
        );
    }

    /// The real test of the POSIX form: `sh -c` gives back exactly the elements.
    #[cfg(unix)]
    #[test]
    fn posix_survives_a_real_shell() {
        let hostile =
            ["a\"b", "x & y", "p | q", "%PATH%", "$(id)", "`id`", "l1\nl2", "'q'", "a;b", " s ", "サービス", "tr\\"];
        for element in hostile {
            let line = command_line(RemoteShell::Posix, &argv(&["printf", "%s\\0", element, element])).unwrap();
            let out = std::process::Command::new("sh").arg("-c").arg(&line).output().unwrap();
            assert_eq!(out.stdout, format!("{element}\0{element}\0").into_bytes(), "{element:?}");
        }
    }

    #[test]
    fn powershell_gets_a_literal_script() {
        let line = command_line(RemoteShell::Windows, &argv(&["sc.exe", "query", "it's %P% & x"])).unwrap();
        let encoded = line.strip_prefix("powershell -NoProfile -NonInteractive -EncodedCommand ").unwrap();
        assert_eq!(
            decode_base64_utf16(encoded),
            "[Console]::OutputEncoding = [Text.Encoding]::UTF8; & 'sc.exe' 'query' 'it''s %P% & x' ; exit $LASTEXITCODE"
        );
        let error = command_line(RemoteShell::Windows, &argv(&["sc.exe", "query", "a\"b"])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot pass the argument \"a\\\"b\" to the node's shell: Windows PowerShell 5.1 does not pass double quotes inside arguments intact"
        );
    }

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    fn decode_base64_utf16(text: &str) -> String {
        let bytes = base64::engine::general_purpose::STANDARD.decode(text).unwrap();
        let units: Vec<u16> = bytes.chunks(2).map(|p| u16::from_le_bytes([p[0], p[1]])).collect();
        String::from_utf16(&units).unwrap()
    }
}
