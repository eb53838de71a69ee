//! Registry values as `reg query` and `reg export` show them, and the text form the cluster
//! description and procedure files use for their data.

/// One value under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegValue {
    /// The full key path, `HKEY_LOCAL_MACHINE\SOFTWARE\...`.
    pub key: String,
    /// The value name; empty for the key's default value.
    pub name: String,
    /// Its data.
    pub data: RegData,
}

/// Registry data by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegData {
    /// REG_SZ.
    String(String),
    /// REG_EXPAND_SZ.
    ExpandString(String),
    /// REG_MULTI_SZ.
    MultiString(Vec<String>),
    /// REG_DWORD.
    Dword(u32),
    /// REG_QWORD.
    Qword(u64),
    /// REG_BINARY, REG_NONE and other types, as bytes with the type number.
    Binary {
        /// The registry type number (3 for REG_BINARY).
        kind: u32,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// A `.reg` file's `"name"=-`: the value is to be deleted.
    Delete,
}

impl RegData {
    /// The data as the cluster description writes it: strings as they are, numbers in
    /// decimal, several strings one per line, bytes in lowercase hex.
    ///
    /// Inferred: procedure and cluster files give registry data as text without a type, so
    /// a DWORD `1` and a string `"1"` compare equal; the type is kept for reports.
    pub fn text(&self) -> String {
        match self {
            RegData::String(text) | RegData::ExpandString(text) => text.clone(),
            RegData::MultiString(texts) => texts.join("\n"),
            RegData::Dword(number) => number.to_string(),
            RegData::Qword(number) => number.to_string(),
            RegData::Binary { bytes, .. } => bytes.iter().map(|b| format!("{b:02x}")).collect(),
            RegData::Delete => String::new(),
        }
    }

    /// The type's name, as `reg query` prints it.
    pub fn type_name(&self) -> String {
        match self {
            RegData::String(_) => "REG_SZ".to_owned(),
            RegData::ExpandString(_) => "REG_EXPAND_SZ".to_owned(),
            RegData::MultiString(_) => "REG_MULTI_SZ".to_owned(),
            RegData::Dword(_) => "REG_DWORD".to_owned(),
            RegData::Qword(_) => "REG_QWORD".to_owned(),
            RegData::Binary { kind: 0, .. } => "REG_NONE".to_owned(),
            RegData::Binary { kind: 3, .. } => "REG_BINARY".to_owned(),
            RegData::Binary { kind, .. } => format!("type {kind}"),
            RegData::Delete => "delete".to_owned(),
        }
    }
}

/// A short text for people and snapshots: one line per value.
pub fn render(values: &[RegValue]) -> String {
    let mut out = String::new();
    let mut key = "";
    for value in values {
        if value.key != key {
            key = &value.key;
            out += &format!("[{key}]\n");
        }
        let name = if value.name.is_empty() { "(default)" } else { &value.name };
        out += &format!("  {name:?} {} = {:?}\n", value.data.type_name(), value.data.text());
    }
    out
}
