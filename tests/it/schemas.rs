//! The JSON Schemas in `schemas/`, one per TOML file kind: each is what the types that read
//! that kind generate (`UPDATE_SCHEMAS=1` rewrites them, never under CI); `.taplo.toml` maps
//! every procedure, scenario, cluster description and connection example the repository
//! ships to its schema, each validates against it, and the schemas refuse what is not a file
//! of their kind.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::root;

/// Each schema file and what generates it.
fn generated() -> [(&'static str, Value); 5] {
    [
        ("schemas/accept.schema.json", procedure::accept::schema().to_value()),
        ("schemas/procedure.schema.json", procedure::procedure::schema().to_value()),
        ("schemas/cluster.schema.json", procedure::cluster::schema().to_value()),
        ("schemas/scenario.schema.json", sim_cluster::scenario::schema().to_value()),
        ("schemas/connection.schema.json", real_backend::connection::schema().to_value()),
    ]
}

#[test]
fn the_schemas_are_what_the_types_generate() {
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some_and(|v| v == "1") && std::env::var_os("CI").is_none();
    let mut drifted = Vec::new();
    for (file, schema) in generated() {
        let mut text = serde_json::to_string_pretty(&schema).unwrap();
        text.push('\n');
        let path = root().join(file);
        if update {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            drifted.push(file);
        }
    }
    assert!(
        drifted.is_empty(),
        "{drifted:?} differ from what the file types generate: regenerate them with \
         `UPDATE_SCHEMAS=1 cargo test -p tests --test it schemas` and review the diff"
    );
}

/// A TOML file as the JSON a schema validates.
fn as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn validator(schema: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(root().join(schema)).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{schema}: {e}"))
}

fn errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator.iter_errors(document).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

/// `.taplo.toml`'s rules: the files each covers and its schema.
fn rules() -> Vec<(globset::GlobSet, globset::GlobSet, String)> {
    let config: toml::Table = toml::from_str(&std::fs::read_to_string(root().join(".taplo.toml")).unwrap()).unwrap();
    let rules = config["rule"].as_array().expect("[[rule]]");
    rules
        .iter()
        .map(|rule| {
            let mut globs = globset::GlobSetBuilder::new();
            for pattern in rule["include"].as_array().unwrap() {
                let glob = globset::GlobBuilder::new(pattern.as_str().unwrap()).literal_separator(true).build();
                globs.add(glob.unwrap());
            }
            let schema = rule["schema"]["path"].as_str().unwrap().trim_start_matches("./").to_owned();
            let mut excluded = globset::GlobSetBuilder::new();
            for pattern in rule.get("exclude").and_then(|e| e.as_array()).into_iter().flatten() {
                let glob = globset::GlobBuilder::new(pattern.as_str().unwrap()).literal_separator(true).build();
                excluded.add(glob.unwrap());
            }
            (globs.build().unwrap(), excluded.build().unwrap(), schema)
        })
        .collect()
}

fn toml_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            toml_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "toml") {
            found.push(path);
        }
    }
}

#[test]
fn every_shipped_file_validates_against_its_schema() {
    let rules = rules();
    let mut files = Vec::new();
    for dir in ["procedures", "scenarios", "tests/data/connection"] {
        toml_files(&root().join(dir), &mut files);
    }
    files.sort();
    let mut validated = std::collections::BTreeMap::<&str, usize>::new();
    for path in &files {
        let relative = path.strip_prefix(root()).unwrap();
        let covering: Vec<&String> = rules
            .iter()
            .filter(|(globs, excluded, _)| globs.is_match(relative) && !excluded.is_match(relative))
            .map(|(_, _, schema)| schema)
            .collect();
        let [schema] = covering.as_slice() else {
            panic!("{}: .taplo.toml gives it {} schemas, not one: {covering:?}", relative.display(), covering.len())
        };
        let problems = errors(&validator(schema), &as_json(path));
        assert!(problems.is_empty(), "{} against {schema}:\n{}", relative.display(), problems.join("\n"));
        *validated.entry(schema.as_str()).or_default() += 1;
    }
    // Every schema is used, and the folders hold what they are known to.
    let schemas: Vec<&str> = validated.keys().copied().collect();
    assert_eq!(
        schemas,
        [
            "schemas/accept.schema.json",
            "schemas/cluster.schema.json",
            "schemas/connection.schema.json",
            "schemas/procedure.schema.json",
            "schemas/scenario.schema.json"
        ]
    );
    assert!(validated["schemas/scenario.schema.json"] >= 10, "{validated:?}");
}

/// The schemas are no rubber stamp: each refuses a field its kind does not have, a word
/// outside its vocabulary, a version this build does not read, and a file of another kind.
#[test]
fn the_schemas_refuse_what_is_not_a_file_of_their_kind() {
    let procedure = validator("schemas/procedure.schema.json");
    let scenario = validator("schemas/scenario.schema.json");
    let cluster = validator("schemas/cluster.schema.json");
    let connection = validator("schemas/connection.schema.json");
    let seed = as_json(&root().join("procedures/ssc0307-0006.toml"));
    assert!(procedure.is_valid(&seed));
    let changed = |change: &dyn Fn(&mut Value)| {
        let mut document = seed.clone();
        change(&mut document);
        document
    };
    let refused = [
        ("a field steps do not have", changed(&|d| d["step"][0]["colour"] = "red".into())),
        ("an action outside the vocabulary", changed(&|d| d["step"][0]["action"] = "unzip".into())),
        ("a role that does not exist", changed(&|d| d["step"][0]["on"] = "primary".into())),
        ("a version this build does not read", changed(&|d| d["version"] = 2.into())),
        ("a step without an action", changed(&|d| _ = d["step"][0].as_object_mut().unwrap().remove("action"))),
        ("a list where a string goes", changed(&|d| d["title"] = Value::from(vec!["a", "b"]))),
    ];
    for (what, document) in refused {
        assert!(!errors(&procedure, &document).is_empty(), "the procedure schema takes {what}");
    }
    // Every action keyword and every role is taken.
    for keyword in procedure::action::KEYWORDS {
        assert!(procedure.is_valid(&changed(&|d| d["step"][0]["action"] = (*keyword).into())), "{keyword}");
    }
    for role in procedure::procedure::Role::ALL {
        assert!(procedure.is_valid(&changed(&|d| d["step"][0]["on"] = role.keyword().into())), "{role:?}");
    }

    let mut crash = as_json(&root().join("scenarios/crash-while-suspended-then-restart.toml"));
    assert!(scenario.is_valid(&crash));
    let step = crash["step"].as_array_mut().unwrap().iter_mut().find(|s| s.get("fault").is_some()).unwrap();
    step["fault"] = "meteor".into();
    assert!(!scenario.is_valid(&crash), "a fault kind that does not exist");

    let mut two_nodes = as_json(&root().join("scenarios/cluster/ssc-two-node.toml"));
    assert!(cluster.is_valid(&two_nodes));
    assert!(!cluster.is_valid(&seed) && !scenario.is_valid(&seed) && !connection.is_valid(&seed), "another kind");
    two_nodes["monitor"][0]["final-action"] = "panic".into();
    assert!(!cluster.is_valid(&two_nodes), "a final action that does not exist");

    let mut site = as_json(&root().join("tests/data/connection/site-example.toml"));
    assert!(connection.is_valid(&site));
    site["node"][0]["password"] = "secret".into();
    assert!(!connection.is_valid(&site), "a password in the file itself");
}

/// The accepted-risks schema takes the shipped example and refuses an entry without its
/// reviewer, a fault kind that does not exist, an unknown invariant and an empty schedule.
#[test]
fn the_accept_schema_refuses_what_the_loader_refuses() {
    let accept = validator("schemas/accept.schema.json");
    let example = as_json(&root().join("procedures/examples/ssc0307-0006-reviewed.accept.toml"));
    assert!(accept.is_valid(&example), "{:?}", errors(&accept, &example));
    let changed = |change: &dyn Fn(&mut Value)| {
        let mut document = example.clone();
        change(&mut document);
        document
    };
    let refused = [
        ("an entry without a reviewer", changed(&|d| _ = d["accept"][0].as_object_mut().unwrap().remove("reviewer"))),
        ("a fault kind that does not exist", changed(&|d| d["accept"][0]["faults"][0] = "meteor".into())),
        ("an unknown invariant", changed(&|d| d["accept"][0]["invariant"] = "all-fine".into())),
        ("an empty schedule", changed(&|d| d["accept"][0]["faults"] = Value::Array(Vec::new()))),
        ("a way that does not exist", changed(&|d| d["accept"][0]["way"] = "sideways".into())),
    ];
    for (what, document) in refused {
        assert!(!errors(&accept, &document).is_empty(), "the accept schema takes {what}");
    }
    let procedure = validator("schemas/procedure.schema.json");
    assert!(!procedure.is_valid(&example), "an accepted-risks file is no procedure");
}
