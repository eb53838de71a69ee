//! The hostile-zip corpus, made here: each archive is refused with its own error and leaves
//! nothing behind, neither in the destination nor beside it.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use super::*;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        writer.start_file(*name, SimpleFileOptions::default()).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Writes `bytes` as `module.zip` in a fresh folder, extracts it to `out/`, and returns the
/// result and the names left in the folder afterwards.
fn extract_bytes(bytes: &[u8], limits: Limits) -> (Result<Manifest, ArchiveError>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("module.zip");
    std::fs::write(&archive, bytes).unwrap();
    let result = extract(&archive, &dir.path().join("out"), limits);
    let mut left: Vec<String> = walk(dir.path()).into_iter().collect();
    left.sort();
    (result, left)
}

fn walk(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            found.push(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            }
        }
    }
    found
}

fn refused(bytes: &[u8], limits: Limits) -> String {
    let (result, left) = extract_bytes(bytes, limits);
    assert_eq!(left, ["module.zip"], "a refused archive left files behind");
    result.unwrap_err().to_string()
}

/// Replaces every occurrence of `from` by `to` (same length) in the archive's bytes, so that
/// local and central headers agree.
fn patched(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut at = 0;
    let mut count = 0;
    while let Some(found) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + found..at + found + from.len()].copy_from_slice(to);
        at += found + from.len();
        count += 1;
    }
    assert!(count > 0, "nothing to patch");
    bytes
}

#[test]
fn a_plain_module_extracts_with_its_hashes() {
    let bytes = zip_of(&[("setup.exe", b"MZ installer"), ("doc/Install.txt", b"read me"), ("doc/", b"")]);
    let (result, left) = extract_bytes(&bytes, Limits::default());
    let manifest = result.unwrap();
    assert_eq!(left, ["module.zip", "out", "out/doc", "out/doc/Install.txt", "out/setup.exe"]);
    assert_eq!(manifest.archive_sha256, hex(&Sha256::digest(&bytes)));
    let paths: Vec<_> = manifest.files.iter().map(|f| (f.path.as_str(), f.size)).collect();
    assert_eq!(paths, [("doc/Install.txt", 7), ("setup.exe", 12)]);
    assert_eq!(manifest.files[1].sha256, hex(&Sha256::digest(b"MZ installer")));
}

#[test]
fn names_that_climb_out_are_refused() {
    let cases = [
        ("../evil.txt", "entry \"../evil.txt\" is refused: a `.` or `..` component"),
        ("ok/../../evil.txt", "entry \"ok/../../evil.txt\" is refused: a `.` or `..` component"),
        ("..\\evil.txt", "entry \"..\\\\evil.txt\" is refused: a `.` or `..` component"),
        ("/etc/evil", "entry \"/etc/evil\" is refused: an absolute path"),
        ("\\Windows\\evil.dll", "entry \"\\\\Windows\\\\evil.dll\" is refused: an absolute path"),
        ("C:\\Windows\\evil.dll", "entry \"C:\\\\Windows\\\\evil.dll\" is refused: a drive letter"),
        ("c:evil", "entry \"c:evil\" is refused: a drive letter"),
        ("a/file.txt:stream", "entry \"a/file.txt:stream\" is refused: a `:` (drive or alternate data stream)"),
        ("a//b", "entry \"a//b\" is refused: an empty path component"),
        ("CON.txt", "entry \"CON.txt\" is refused: a reserved device name (CON, NUL, COM1...)"),
        ("lpt1", "entry \"lpt1\" is refused: a reserved device name (CON, NUL, COM1...)"),
        ("a?.txt", "entry \"a?.txt\" is refused: a character Windows does not allow in file names"),
        ("dot.", "entry \"dot.\" is refused: a name ending in `.` or a space"),
    ];
    for (name, expected) in cases {
        let bytes = zip_of(&[("fine.txt", b"x"), (name, b"evil")]);
        assert_eq!(refused(&bytes, Limits::default()), expected, "{name}");
    }
}

#[test]
fn links_are_refused() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer.add_symlink("link", "/etc/passwd", SimpleFileOptions::default()).unwrap();
    writer.start_file("link/x", SimpleFileOptions::default()).unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    assert_eq!(refused(&bytes, Limits::default()), "entry \"link\" is a link, and links are refused");
}

#[test]
fn encrypted_entries_are_refused() {
    // Sets bit 0 (encrypted) of the general-purpose flags in the local header (offset 6)
    // and in the central directory header (offset 8).
    let mut bytes = zip_of(&[("secret.txt", b"data")]);
    bytes[6] |= 1;
    let central = bytes.windows(4).position(|w| w == [0x50, 0x4b, 0x01, 0x02]).unwrap();
    bytes[central + 8] |= 1;
    assert_eq!(
        refused(&bytes, Limits::default()),
        "entry \"secret.txt\" is encrypted, and encrypted entries are refused"
    );
}

#[test]
fn truncated_and_garbage_archives_are_refused() {
    let bytes = zip_of(&[("setup.exe", &[7u8; 5000])]);
    for cut in [0, 10, bytes.len() / 2, bytes.len() - 10] {
        let message = refused(&bytes[..cut], Limits::default());
        assert!(message.contains("is not a readable zip archive"), "{cut}: {message}");
    }
    let message = refused(b"MZ this is an exe, not a zip", Limits::default());
    assert!(message.contains("is not a readable zip archive"), "{message}");
}

#[test]
fn names_windows_would_merge_are_refused() {
    let bytes = zip_of(&[("Setup.exe", b"1"), ("SETUP.EXE", b"2")]);
    assert_eq!(
        refused(&bytes, Limits::default()),
        "entries \"Setup.exe\" and \"SETUP.EXE\" name the same file on Windows"
    );
    let bytes = patched(zip_of(&[("aaaa.txt", b"1"), ("bbbb.txt", b"2")]), b"bbbb.txt", b"aaaa.txt");
    assert_eq!(
        refused(&bytes, Limits::default()),
        "entries \"aaaa.txt\" and \"aaaa.txt\" name the same file on Windows"
    );
    let bytes = zip_of(&[("doc", b"a file"), ("doc/x.txt", b"inside")]);
    assert_eq!(refused(&bytes, Limits::default()), "entries \"doc\" and \"doc/x.txt\" name the same file on Windows");
}

#[test]
fn bombs_are_refused() {
    // 64 MiB of zeros deflate to a few tens of KiB.
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("zeros.bin", SimpleFileOptions::default()).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..64 {
        writer.write_all(&chunk).unwrap();
    }
    let bytes = writer.finish().unwrap().into_inner();
    assert!(bytes.len() < 1 << 20);
    let limits = Limits { max_entries: 100, max_total_bytes: 16 << 20 };
    assert_eq!(refused(&bytes, limits), "the archive extracts to more than 16777216 bytes (a zip bomb?)");

    let many: Vec<(String, &[u8])> = (0..101).map(|i| (format!("f{i}"), &b""[..])).collect();
    let many: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    assert_eq!(refused(&zip_of(&many), limits), "the archive has 101 entries, more than the limit of 100");
}

#[test]
fn an_entry_larger_than_its_header_says_is_refused() {
    // Stored entry of 100 bytes whose headers claim 10: the reader sees more than declared.
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("liar.bin", options).unwrap();
    writer.write_all(&[b'x'; 100]).unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    // Uncompressed size is at offset 22 of the local header and 24 of the central header.
    let mut bytes = bytes;
    bytes[22..26].copy_from_slice(&10u32.to_le_bytes());
    let central = bytes.windows(4).position(|w| w == [0x50, 0x4b, 0x01, 0x02]).unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&10u32.to_le_bytes());
    // The zip reader notices first; `SizeMismatch` stays as a second line of defence.
    let message = refused(&bytes, Limits::default());
    assert!(message.ends_with("File is larger than its declared uncompressed size"), "{message}");
}

#[test]
fn an_existing_destination_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("module.zip");
    std::fs::write(&archive, zip_of(&[("a", b"1")])).unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("out/keep.txt"), b"mine").unwrap();
    let error = extract(&archive, &dir.path().join("out"), Limits::default()).unwrap_err();
    assert!(error.to_string().ends_with("exists already; extraction needs a new folder"), "{error}");
    assert_eq!(std::fs::read(dir.path().join("out/keep.txt")).unwrap(), b"mine");
}
