//! How SARIF names the procedure file: a relative path as given, under `%SRCROOT%`, or a
//! `file` URI; every byte a URI path cannot hold as it is, percent-encoded.

use super::Artifact;

fn check(path: &str, uri: &str, relative: bool) {
    let artifact = Artifact::new(path);
    assert_eq!((artifact.uri.as_str(), artifact.relative), (uri, relative), "{path}");
}

#[test]
fn paths_become_uris() {
    check("procedures/ssc0307-0006.toml", "procedures/ssc0307-0006.toml", true);
    check("./procedures/a.toml", "procedures/a.toml", true);
    check(".//./a.toml", "a.toml", true);
    check("../other/a.toml", "../other/a.toml", true);
    check("my procs/a b#1?.toml", "my%20procs/a%20b%231%3F.toml", true);
    check("c:d.toml", "c%3Ad.toml", true);
    check("手順.toml", "%E6%89%8B%E9%A0%86.toml", true);
    check("/work/p/a 1.toml", "file:///work/p/a%201.toml", false);
    check(r"C:\procs\a.toml", "file:///C:/procs/a.toml", false);
    check(r"procs\a.toml", "procs/a.toml", true);
}
