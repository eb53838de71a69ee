//! The users the simulated REST API lets in, and HTTP Basic authentication against them.
//!
//! The real API authenticates an OS user of the server with Basic auth; the simulator reads
//! its users from a TOML file instead:
//!
//! ```toml
//! version = 1
//! [[user]]
//! name = "operator"
//! password = "a password for the rehearsal"
//! ```

use std::path::Path;

use base64::Engine as _;
use procedure::diagnostic::SourceFile;
use serde::Deserialize;

/// The largest users file read.
const MAX_USERS_FILE_BYTES: u64 = 1024 * 1024;

/// Who may call the API.
#[derive(Clone, PartialEq, Eq)]
pub struct Users {
    users: Vec<(String, String)>,
}

impl std::fmt::Debug for Users {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print passwords.
        let names: Vec<&str> = self.users.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Users").field("names", &names).finish()
    }
}

/// Why a users file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    /// The file could not be read.
    #[error("cannot read users file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is larger than the limit.
    #[error("users file {path} is larger than {MAX_USERS_FILE_BYTES} bytes")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// The file is not a users file.
    #[error("users file {path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong, as TOML's parser or this loader says it.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    version: u32,
    #[serde(default)]
    user: Vec<UserEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    name: toml::Spanned<String>,
    password: toml::Spanned<String>,
}

/// `line L, column C: ` of a byte offset in `text`, both from 1.
fn place(text: &SourceFile, offset: usize) -> String {
    let (line, column) = text.line_column(offset);
    format!("line {line}, column {column}: ")
}

impl Users {
    /// One user.
    pub fn single(name: impl Into<String>, password: impl Into<String>) -> Users {
        Users { users: vec![(name.into(), password.into())] }
    }

    /// Reads a users file, with a size limit.
    pub fn load(path: &Path) -> Result<Users, UsersError> {
        use std::io::Read as _;
        let shown = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| UsersError::Read { path: shown.clone(), source })?;
        let mut text = String::new();
        file.take(MAX_USERS_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|source| UsersError::Read { path: shown.clone(), source })?;
        if text.len() as u64 > MAX_USERS_FILE_BYTES {
            return Err(UsersError::TooLarge { path: shown });
        }
        Users::parse(&text).map_err(|message| UsersError::Format { path: shown, message })
    }

    /// Parses the text of a users file; an error says where in it (line and column).
    pub fn parse(text: &str) -> Result<Users, String> {
        let source = SourceFile::new("users", text);
        let file: UsersFile = toml::from_str(text).map_err(|error| {
            let at = error.span().map(|span| place(&source, span.start)).unwrap_or_default();
            format!("{at}{}", error.message())
        })?;
        if file.version != 1 {
            return Err(format!("version {} is not supported (1 is)", file.version));
        }
        if file.user.is_empty() {
            return Err("no [[user]]: nobody could log in".to_owned());
        }
        let mut users: Vec<(String, String)> = Vec::new();
        let mut first_seen: Vec<usize> = Vec::new();
        for entry in file.user {
            let (name_at, password_at) = (entry.name.span().start, entry.password.span().start);
            let (name, password) = (entry.name.into_inner(), entry.password.into_inner());
            if name.is_empty() || name.contains(':') || name.chars().any(char::is_control) {
                return Err(format!(
                    "{}user name {name:?} is empty or holds ':' or a control character",
                    place(&source, name_at)
                ));
            }
            if password.is_empty() {
                return Err(format!("{}user {name:?} has an empty password", place(&source, password_at)));
            }
            if let Some(index) = users.iter().position(|(known, _)| *known == name) {
                let first = place(&source, first_seen[index]);
                return Err(format!(
                    "{}user {name:?} is given twice (first at {}): one password per user",
                    place(&source, name_at),
                    first.trim_end_matches(": ")
                ));
            }
            users.push((name, password));
            first_seen.push(name_at);
        }
        Ok(Users { users })
    }

    /// Whether an `Authorization` header value names a user with the right password.
    pub fn admits(&self, authorization: Option<&[u8]>) -> bool {
        let Some(credentials) = authorization.and_then(basic_credentials) else { return false };
        let Some((name, password)) = credentials.split_once(':') else { return false };
        // Every user is compared, so the answer's timing does not tell which names exist.
        self.users.iter().fold(false, |found, (known_name, known_password)| {
            found
                | (equal(known_name.as_bytes(), name.as_bytes())
                    & equal(known_password.as_bytes(), password.as_bytes()))
        })
    }
}

/// The `user:password` of a `Basic` header value.
fn basic_credentials(value: &[u8]) -> Option<String> {
    let value = std::str::from_utf8(value).ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    String::from_utf8(decoded).ok()
}

/// Byte equality that looks at every byte of the longer input.
fn equal(a: &[u8], b: &[u8]) -> bool {
    let mut difference = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        difference |= usize::from(a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0));
    }
    difference == 0
}
