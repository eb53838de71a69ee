//! The dependency rules of ARCHITECTURE.md, checked on the crates' manifests.

use crate::support::root;

/// The workspace crates a crate depends on (normal dependencies only).
fn workspace_dependencies(krate: &str) -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&manifest).unwrap();
    let members: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut found: Vec<String> = manifest
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map(|table| table.keys().filter(|name| members.contains(name)).cloned().collect())
        .unwrap_or_default();
    found.sort();
    found
}

#[test]
fn crates_depend_only_as_the_architecture_says() {
    assert_eq!(workspace_dependencies("procedure"), Vec::<String>::new());
    assert_eq!(workspace_dependencies("sim-cluster"), ["procedure"]);
    assert_eq!(workspace_dependencies("remote"), Vec::<String>::new());
    assert_eq!(workspace_dependencies("real-backend"), ["procedure", "remote"]);
    assert_eq!(workspace_dependencies("sim-server"), ["procedure", "sim-cluster"]);
    assert_eq!(workspace_dependencies("run-report"), ["procedure"]);
    assert_eq!(workspace_dependencies("trainer"), ["procedure", "run-report", "sim-cluster", "sim-server"]);
    assert_eq!(
        workspace_dependencies("clusterproc"),
        ["procedure", "real-backend", "remote", "run-report", "sim-cluster", "sim-server", "trainer"]
    );
}

/// `remote` depends on no workspace crate, so it keeps its own copy of the engine's duration
/// text; a timeout must still read the same in a transport's error as everywhere else.
#[test]
fn remote_says_a_timeout_as_the_engine_does() {
    use std::time::Duration;

    use remote::transport::TransportError;

    let lengths = [0, 1, 250, 999, 1_000, 1_500, 59_000, 60_000, 90_000, 3_600_000, 3_661_000, 86_400_000];
    for after in lengths.map(Duration::from_millis) {
        let human = procedure::duration::human(after);
        assert_eq!(TransportError::Timeout { after }.to_string(), format!("no answer within {human}"));
        assert_eq!(
            TransportError::ConnectTimeout { after }.to_string(),
            format!("no connection within {human} (the connect timeout)")
        );
    }
}

/// The files that may name the folder beside the checkout that holds the capture corpus:
/// the one function that finds it (and skips it when it is not there, or when told
/// `CLUSTERPROC_CAPTURES=none`), and CI, which points that function at it explicitly.
const MAY_NAME_THE_CORPUS: [&str; 2] = ["crates/real-backend/tests/corpus/mod.rs", ".ci/run"];

/// Every file of code the repository holds (tests, benchmarks, build scripts, sources,
/// scripts), as paths relative to the checkout.
fn code_files(dir: &std::path::Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !["target", "node_modules", ".git"].contains(&name.as_str()) {
                code_files(&path, found);
            }
        } else if [".rs", ".sh", ".js", ".mjs", ".toml"].iter().any(|ext| name.ends_with(ext))
            || path.parent().and_then(|parent| parent.file_name()).is_some_and(|folder| folder == ".ci")
        {
            found.push(path.strip_prefix(root()).unwrap().to_string_lossy().into_owned());
        }
    }
}

/// How code names that folder, written in pieces so that this file does not name it.
const FOLDER_BESIDE: [&str; 3] = [concat!("shar", "ed/"), concat!("\"shar", "ed\""), concat!("'shar", "ed'")];

/// A line that only explains: a Rust comment or a shell/TOML comment.
fn is_comment(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("//") || line.starts_with('#') || line.starts_with("* ")
}

/// A fresh clone has nothing beside it: no test, benchmark or build script may need the
/// `shared/` folder that developers and CI have next to the checkout. Only the corpus
/// locator names it (doc comments may too), and it skips the corpus when it is absent.
#[test]
fn nothing_but_the_corpus_locator_reads_beside_the_checkout() {
    let mut files = Vec::new();
    code_files(&root(), &mut files);
    assert!(files.iter().any(|file| file == "crates/real-backend/tests/parsers.rs"), "{files:?}");
    let mut offenders = Vec::new();
    for file in &files {
        if MAY_NAME_THE_CORPUS.contains(&file.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(root().join(file)).unwrap_or_default();
        for (number, line) in text.lines().enumerate() {
            let names_it = FOLDER_BESIDE.iter().any(|needle| line.contains(needle));
            if names_it && !is_comment(line) {
                offenders.push(format!("{file}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "code that reads beside the checkout, not through the corpus locator:\n{}",
        offenders.join("\n")
    );
    let locator = std::fs::read_to_string(root().join(MAY_NAME_THE_CORPUS[0])).unwrap();
    assert!(
        locator.contains("\"none\"") && locator.contains("is_dir()"),
        "the corpus locator must honour `none` and skip a missing corpus"
    );
}

/// Every crate of the workspace, by folder under `crates/`.
fn crates() -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| root().join("crates").join(name).join("src").is_dir())
        .collect();
    found.sort();
    found
}

/// The most lines a source file of those crates may have.
const MAX_LINES: usize = 700;

/// A crate's module files, by module path (`run/skeleton.rs` is `["run", "skeleton"]`; the
/// crate root is `[]`), with their text; test modules left out.
fn module_files(src: &std::path::Path) -> std::collections::BTreeMap<Vec<String>, String> {
    fn walk(dir: &std::path::Path, prefix: &[String], found: &mut std::collections::BTreeMap<Vec<String>, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let mut module = prefix.to_vec();
            if path.is_dir() {
                module.push(name);
                walk(&path, &module, found);
            } else if let Some(stem) = name.strip_suffix(".rs") {
                if stem == "tests" {
                    continue;
                }
                if !(prefix.is_empty() && ["lib", "main"].contains(&stem)) && stem != "mod" {
                    module.push(stem.to_owned());
                }
                found.insert(module, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut found = std::collections::BTreeMap::new();
    walk(src, &[], &mut found);
    found
}

/// The code of a module file without its comments and its inline test module.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or_default();
    text.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The modules a module file names: through `crate::` and `super::` paths (braced groups
/// included) and its own child modules' names.
fn imports(
    module: &[String],
    code: &str,
    modules: &std::collections::BTreeMap<Vec<String>, String>,
) -> std::collections::BTreeSet<Vec<String>> {
    // The deepest module that `base` followed by `path` names.
    let resolve = |base: &[String], path: &str| {
        let mut at = base.to_vec();
        for segment in path.split("::").map(str::trim) {
            let mut next = at.clone();
            next.push(segment.to_owned());
            if !modules.contains_key(&next) {
                break;
            }
            at = next;
        }
        at
    };
    let path_at = |rest: &str| rest.chars().take_while(|&c| is_ident(c) || c == ':').collect::<String>();
    let mut found = std::collections::BTreeSet::new();
    for (keyword, base) in [("crate::", Vec::new()), ("super::", module[..module.len().saturating_sub(1)].to_vec())] {
        for (at, _) in code.match_indices(keyword) {
            if code[..at].chars().next_back().is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            let rest = &code[at + keyword.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut item_start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            found.insert(resolve(&base, &path_at(group[item_start..i].trim_start())));
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            found.insert(resolve(&base, &path_at(group[item_start..i].trim_start())));
                            item_start = i + 1;
                        }
                        _ => {}
                    }
                }
            } else {
                found.insert(resolve(&base, &path_at(rest)));
            }
        }
    }
    // A child module named by a relative path (`skeleton::run`, `use args::RunArgs`).
    for (at, _) in code.match_indices("::") {
        let before = &code[..at];
        let name: String =
            before.chars().rev().take_while(|&c| is_ident(c)).collect::<Vec<_>>().into_iter().rev().collect();
        let start = at - name.len();
        if name.is_empty() || code[..start].ends_with(':') {
            continue;
        }
        let mut child = module.to_vec();
        child.push(name);
        if modules.contains_key(&child) {
            found.insert(child);
        }
    }
    found.remove(module);
    found.remove(&Vec::new());
    found
}

/// A circle of imports among `graph`'s modules, if there is one.
fn circle(
    graph: &std::collections::BTreeMap<Vec<String>, std::collections::BTreeSet<Vec<String>>>,
) -> Option<Vec<String>> {
    fn visit(
        module: &Vec<String>,
        graph: &std::collections::BTreeMap<Vec<String>, std::collections::BTreeSet<Vec<String>>>,
        done: &mut std::collections::BTreeSet<Vec<String>>,
        path: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == module) {
            return Some(path[start..].iter().chain([module]).map(|m| m.join("/")).collect());
        }
        if !done.insert(module.clone()) {
            return None;
        }
        path.push(module.clone());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(found) = visit(next, graph, done, path) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = std::collections::BTreeSet::new();
    graph.keys().find_map(|module| visit(module, graph, &mut done, &mut Vec::new()))
}

/// Each source file does one thing, small enough to read whole, and says which in its first
/// line (`//!`). Test files are left out.
#[test]
fn source_files_stay_small_and_say_what_they_are() {
    let mut long = Vec::new();
    let mut unnamed = Vec::new();
    for krate in crates() {
        let src = root().join("crates").join(krate).join("src");
        let mut files = Vec::new();
        code_files(&src, &mut files);
        for file in files.into_iter().filter(|file| !is_test_file(file)) {
            let text = std::fs::read_to_string(root().join(&file)).unwrap();
            let lines = text.lines().count();
            if lines > MAX_LINES {
                long.push(format!("{file}: {lines} lines"));
            }
            if !text.starts_with("//!") {
                unnamed.push(file);
            }
        }
    }
    assert!(long.is_empty(), "files over {MAX_LINES} lines (split them by mechanism):\n{}", long.join("\n"));
    assert!(
        unnamed.is_empty(),
        "files whose first line is not a `//!` naming their mechanism:\n{}",
        unnamed.join("\n")
    );
}

/// No module imports one that imports it back, and in the command line the modules that
/// commands share import no command: a command is added or changed without touching the rest.
#[test]
fn modules_import_one_way() {
    const COMMANDS: [&str; 10] =
        ["check", "plan", "preflight", "recover", "replay", "run", "serve", "sim_node", "survey", "train"];
    const DISPATCHERS: [&str; 1] = ["cli"];
    for krate in crates() {
        let modules = module_files(&root().join("crates").join(&krate).join("src"));
        let graph: std::collections::BTreeMap<_, _> =
            modules.iter().map(|(module, text)| (module.clone(), imports(module, &code_of(text), &modules))).collect();
        if let Some(circle) = circle(&graph) {
            panic!("an import circle in {krate}: {}", circle.join(" -> "));
        }
        if krate != "clusterproc" {
            continue;
        }
        let mut offenders = Vec::new();
        for (module, imported) in &graph {
            if !module.is_empty() && imported.contains(&vec!["cli".to_owned()]) {
                offenders.push(format!("{} imports the dispatcher", module.join("/")));
            }
        }
        for (module, imported) in &graph {
            let Some(top) = module.first() else { continue };
            if COMMANDS.contains(&top.as_str()) || DISPATCHERS.contains(&top.as_str()) {
                continue;
            }
            for command in imported.iter().filter_map(|m| m.first()).filter(|m| COMMANDS.contains(&m.as_str())) {
                offenders.push(format!("{} imports the command {command}", module.join("/")));
            }
        }
        assert!(offenders.is_empty(), "what commands share imports no command:\n{}", offenders.join("\n"));
    }
    // The checker sees circles: the command line's first shape had one of 21 files.
    let modules: std::collections::BTreeMap<Vec<String>, String> = [
        (vec!["a".to_owned()], "use crate::b::B;".to_owned()),
        (vec!["b".to_owned()], "pub fn f() { super::a::g() }".to_owned()),
    ]
    .into_iter()
    .collect();
    let graph = modules.iter().map(|(module, text)| (module.clone(), imports(module, text, &modules))).collect();
    assert_eq!(circle(&graph), Some(vec!["a".to_owned(), "b".to_owned(), "a".to_owned()]));
}

/// A test file: a `tests.rs` beside the code, or a file under a `tests/` or `benches/` folder.
fn is_test_file(file: &str) -> bool {
    file.ends_with("/tests.rs") || file.contains("/tests/") || file.contains("/benches/")
}

/// The code of every non-test source file of the workspace, by path, without comments and
/// inline test modules.
fn source_code() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for krate in crates() {
        code_files(&root().join("crates").join(krate).join("src"), &mut files);
    }
    files
        .into_iter()
        .filter(|file| file.ends_with(".rs") && !is_test_file(file))
        .map(|file| {
            let code = code_of(&std::fs::read_to_string(root().join(&file)).unwrap());
            (file, code)
        })
        .collect()
}

/// The files whose code names a variant of the enum `name` (`Action::MoveGroup`): a whole
/// word, `::`, then a CamelCase name. Functions and constants of the enum (`Action::read`,
/// `Action::KEYWORDS`) ask the enum, they do not match on its kinds.
fn files_naming_variants(name: &str) -> Vec<String> {
    let needle = format!("{name}::");
    source_code()
        .into_iter()
        .filter(|(_, code)| {
            code.match_indices(&needle).any(|(at, _)| {
                let rest = &code[at + needle.len()..];
                let mut chars = rest.chars();
                let camel = chars.next().is_some_and(|c| c.is_ascii_uppercase())
                    && chars.next().is_some_and(|c| c.is_ascii_lowercase());
                camel && !code[..at].chars().next_back().is_some_and(is_ident)
            })
        })
        .map(|(file, _)| file)
        .collect()
}

/// One action, one place: the engine, plan, loader, checker, runs and trainer ask an action
/// what it is and does; they do not match on its kind. The same for faults.
#[test]
fn actions_and_faults_are_matched_on_in_few_files() {
    // The step actions: only their vocabulary names the enum's paths, variants or functions.
    let actions: Vec<String> = source_code()
        .into_iter()
        .filter(|(_, code)| {
            code.match_indices("Action::").any(|(at, _)| !code[..at].chars().next_back().is_some_and(is_ident))
        })
        .map(|(file, _)| file)
        .collect();
    assert_eq!(actions, ["crates/procedure/src/action.rs"], "files naming `Action::`");
    // Any `…Action::` at all (a monitor's `FinalAction` too): its home (cluster/types.rs), its
    // effects in the simulator, and the trainer's words for it.
    let any: Vec<String> =
        source_code().into_iter().filter(|(_, code)| code.contains("Action::")).map(|(file, _)| file).collect();
    assert!(any.len() <= 4, "{} files name `Action::`: {any:?}", any.len());
    let faults = files_naming_variants("Fault");
    assert!(faults.len() <= 4, "{} files name variants of `Fault`: {faults:?}", faults.len());
}

/// The action kinds: each file under `crates/procedure/src/action/` but the two that
/// describe every kind, with its struct's name and keyword.
fn action_kinds() -> Vec<(String, String, String)> {
    let folder = root().join("crates/procedure/src/action");
    let mut kinds = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let module = path.file_stem().unwrap().to_string_lossy().into_owned();
        if ["args", "kind"].contains(&module.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = text.split("impl Kind for ").nth(1).and_then(|rest| rest.split_whitespace().next());
        let keyword = text.split("const KEYWORD: &'static str = \"").nth(1).and_then(|rest| rest.split('"').next());
        let (Some(name), Some(keyword)) = (name, keyword) else { panic!("{module}.rs describes no action kind") };
        kinds.push((module, name.to_owned(), keyword.to_owned()));
    }
    kinds.sort();
    kinds
}

/// "How to add an action" in ARCHITECTURE.md, kept true: every kind's file is in the
/// vocabulary list and the list names no other; a kind's keyword is written only in its own
/// file; and the last action added, `verify-cluster`, is named in exactly two source files:
/// its own and the vocabulary's line.
#[test]
fn an_action_is_one_file_and_one_line_of_the_vocabulary() {
    let vocabulary = std::fs::read_to_string(root().join("crates/procedure/src/action.rs")).unwrap();
    let listed: Vec<&str> = vocabulary
        .split("vocabulary! {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("the vocabulary list")
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    let kinds = action_kinds();
    let files: Vec<String> = kinds.iter().map(|(module, name, _)| format!("{module}::{name}")).collect();
    let mut sorted_listed: Vec<String> = listed.iter().map(|entry| (*entry).to_owned()).collect();
    sorted_listed.sort();
    assert_eq!(sorted_listed, files, "the vocabulary and the files under action/ differ");
    let code = source_code();
    // Words of other vocabularies that some keywords share: the operations' verbs, and the
    // acts of the trainer's console (its `Act` variants, in kebab-case).
    let operation_verbs = std::fs::read_to_string(root().join("crates/procedure/src/operation.rs")).unwrap();
    let acts = std::fs::read_to_string(root().join("crates/trainer/src/act.rs")).unwrap();
    let act_names: Vec<String> = acts
        .split("pub enum Act {")
        .nth(1)
        .and_then(|rest| rest.split("\n}\n").next())
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.strip_prefix("    ").filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase())))
        .map(|line| {
            let name: String = line.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            let mut kebab = String::new();
            for (i, c) in name.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    kebab.push('-');
                }
                kebab.push(c.to_ascii_lowercase());
            }
            kebab
        })
        .collect();
    assert!(act_names.iter().any(|act| act == "stop-monitoring"), "{act_names:?}");
    for (module, _, keyword) in &kinds {
        if operation_verbs.contains(&format!("\"{keyword}\"")) || act_names.contains(keyword) {
            continue; // also a word of another vocabulary
        }
        let own = format!("crates/procedure/src/action/{module}.rs");
        let naming: Vec<&String> = code
            .iter()
            .filter(|(file, text)| *file != own && text.contains(&format!("\"{keyword}\"")))
            .map(|(file, _)| file)
            .collect();
        assert!(naming.is_empty(), "`{keyword}` is written outside its action's file: {naming:?}");
    }
    let touched: Vec<&String> = code
        .iter()
        .filter(|(_, text)| text.contains("VerifyCluster") || text.contains("verify-cluster"))
        .map(|(file, _)| file)
        .collect();
    assert_eq!(
        touched,
        ["crates/procedure/src/action.rs", "crates/procedure/src/action/verify_cluster.rs"],
        "adding verify-cluster touched more than its file and its vocabulary line"
    );
}

/// "How to add a fault" in ARCHITECTURE.md, kept true: a fault's name is written in one
/// source file, its description's.
#[test]
fn a_fault_is_named_in_one_place() {
    let faults = std::fs::read_to_string(root().join("crates/procedure/src/fault.rs")).unwrap();
    let table = faults.split("kinds! {").nth(1).expect("the table of fault kinds");
    let names: Vec<&str> = table.lines().filter_map(|line| line.split('"').nth(1)).collect();
    assert!(names.len() >= 13, "{names:?}");
    let code = source_code();
    for name in names {
        // A one-word name (`crash`, `restart`, `unreachable`) is also a plain word of traces,
        // answers and JSON fields; the hyphenated names are the faults' own.
        if !name.contains('-') {
            continue;
        }
        let naming: Vec<&String> = code
            .iter()
            .filter(|(file, text)| {
                // The fuzz harness's dictionary of tokens holds words of every vocabulary.
                file.as_str() != "crates/procedure/src/fault.rs"
                    && !file.starts_with("crates/fuzz/")
                    // A procedure note's id may read the same (`note("restart-request")`).
                    && text.replace(&format!("note(\"{name}\")"), "").contains(&format!("\"{name}\""))
            })
            .map(|(file, _)| file)
            .collect();
        assert!(naming.is_empty(), "fault `{name}` is named outside fault.rs: {naming:?}");
    }
}

/// The "How to add" sections of ARCHITECTURE.md name files that exist: a move that leaves
/// them behind fails here.
#[test]
fn the_how_to_sections_name_files_that_exist() {
    let architecture = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut named = 0;
    for section in ["## How to add an action", "## How to add a fault", "## How to add a command"] {
        let text = architecture.split(section).nth(1).expect(section);
        let text = text.split("\n## ").next().unwrap_or_default();
        for path in text.split('`').skip(1).step_by(2) {
            let is_path = (path.starts_with("crates/") || path.starts_with("tests/")) && !path.contains("NAME");
            if is_path {
                named += 1;
                assert!(root().join(path).exists(), "{section} names {path}, which does not exist");
            }
        }
    }
    assert!(named >= 10, "only {named} paths named");
}
