//! JSON Schemas of the TOML file formats, for editors (taplo, Even Better TOML): generated
//! from the very serde types that read each file (`schemars` derives beside `Deserialize`),
//! so a schema cannot say other than what is read. Draft-07, which editors' validators read.
//! A schema checks a file's shape (fields, types, `version`) and the words of a vocabulary
//! (action keywords, roles, fault kinds, final actions), taken from where the vocabulary is
//! defined; what a field must name (a service the cluster has, a step that exists) the loader
//! checks with the file's line and column.

use schemars::generate::SchemaSettings;
use schemars::transform::transform_subschemas;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::safe_text::FileKind;

/// The schema of the file that `T` reads, titled with the kind's name.
pub fn of<T: JsonSchema>(kind: FileKind) -> Schema {
    let mut settings = SchemaSettings::draft07();
    settings.transforms.push(Box::new(no_null));
    let mut schema = settings.into_generator().into_root_schema_for::<T>();
    schema.insert("title".to_owned(), format!("clusterproc {}", kind.name()).into());
    schema
}

/// TOML has no null: an optional field is left out, never written as null, so `null` is
/// taken out of every schema's types and defaults (where `Option` put it).
fn no_null(schema: &mut Schema) {
    transform_subschemas(&mut no_null, schema);
    let Some(object) = schema.as_object_mut() else { return };
    if object.get("default").is_some_and(Value::is_null) {
        object.remove("default");
    }
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|kind| kind != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            object.insert("type".to_owned(), only);
        }
    }
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(choices)) = object.get_mut(key) else { continue };
        choices.retain(|choice| choice.get("type").is_none_or(|kind| kind != "null"));
        if let [only] = choices.as_slice() {
            let only = only.clone();
            object.remove(key);
            if let Value::Object(only) = only {
                object.extend(only);
            }
        }
    }
}

/// `version`: the one version of the formats this build reads.
pub fn version(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "The version of the file format.",
        "type": "integer",
        "const": FileKind::VERSION,
    })
}

/// A string that is one of `words`.
pub fn one_of<'a>(words: impl IntoIterator<Item = &'a str>) -> Schema {
    let words: Vec<&str> = words.into_iter().collect();
    json_schema!({ "type": "string", "enum": words })
}
