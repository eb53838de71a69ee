//! The modules of a procedure file: one `[module]` table or `[[module]]` tables, each
//! module's components checked against the cluster, ids unique, and no component updated by
//! two modules.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use toml::Spanned;

use crate::cluster::RegistryValue;
use crate::diagnostic::{FileError, FileErrorKind};
use crate::module::{Module, ModuleComponent};

use super::Loader;

/// The modules a procedure applies: one `[module]` table, or `[[module]]` tables in the
/// order they are applied. The two TOML forms are told apart by shape (a table or an array),
/// which a plain visitor sees; nothing is guessed.
pub(super) struct ModuleList {
    pub(super) modules: Vec<ModuleFile>,
}

impl<'de> Deserialize<'de> for ModuleList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Tables;
        impl<'de> serde::de::Visitor<'de> for Tables {
            type Value = ModuleList;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a [module] table or [[module]] tables")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<ModuleList, A::Error> {
                let module = ModuleFile::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(ModuleList { modules: vec![module] })
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ModuleList, A::Error> {
                let mut modules = Vec::new();
                while let Some(module) = seq.next_element::<ModuleFile>()? {
                    modules.push(module);
                }
                Ok(ModuleList { modules })
            }
        }
        deserializer.deserialize_any(Tables)
    }
}

/// `module`: one module's table, or a list of them.
pub(super) fn module_list(generator: &mut SchemaGenerator) -> Schema {
    let one = generator.subschema_for::<ModuleFile>();
    schemars::json_schema!({
        "anyOf": [
            one,
            { "type": "array", "items": one, "minItems": 1 }
        ]
    })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct ModuleFile {
    #[schemars(with = "String")]
    pub(super) id: Spanned<String>,
    pub(super) archive: String,
    #[serde(default)]
    pub(super) asks_for_restart: bool,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) requires_stopped: Vec<Spanned<String>>,
    #[schemars(with = "Vec<ComponentFile>")]
    pub(super) component: Spanned<Vec<ComponentFile>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct ComponentFile {
    #[schemars(with = "String")]
    pub(super) name: Spanned<String>,
    pub(super) version: String,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) services: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) registry: Vec<RegistryFile>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RegistryFile {
    pub(super) key: String,
    pub(super) value: String,
    pub(super) data: String,
}

impl Loader<'_> {
    pub(super) fn modules(&self, list: ModuleList) -> Result<Vec<Module>, FileError> {
        if list.modules.is_empty() {
            let span = 0..self.source.text().find('\n').unwrap_or(0);
            return Err(self
                .err(FileErrorKind::Empty, "the procedure applies no module".to_owned(), span, "no module")
                .with_help("give a [module] table, or one [[module]] table per module"));
        }
        if list.modules.len() > usize::from(u8::MAX) {
            let span = list.modules[usize::from(u8::MAX)].id.span();
            return Err(self.err(
                FileErrorKind::InvalidValue,
                format!("a procedure applies at most {} modules", u8::MAX),
                span,
                "one module too many",
            ));
        }
        let mut modules: Vec<Module> = Vec::with_capacity(list.modules.len());
        for file in list.modules {
            if let Some(first) = modules.iter().position(|known| known.id == *file.id.get_ref()) {
                return Err(self
                    .err(
                        FileErrorKind::Duplicate,
                        format!("module `{}` is listed twice", file.id.get_ref()),
                        file.id.span(),
                        "second entry",
                    )
                    .with_help(format!("it is module {} of the list already", first + 1)));
            }
            let id_span = file.id.span();
            let module = self.module(file)?;
            // Each component is judged against one module's version; two modules updating
            // one component would make every earlier one read as missing.
            for component in &module.components {
                if let Some(other) =
                    modules.iter().find(|m| m.components.iter().any(|c| c.component == component.component))
                {
                    let name = &self.cluster.components[component.component.index()].name;
                    return Err(self
                        .err(
                            FileErrorKind::Duplicate,
                            format!("modules `{}` and `{}` both update `{name}`", other.id, module.id),
                            id_span,
                            "second module to update it",
                        )
                        .with_help("a procedure applies each component's update once: keep the later module only"));
                }
            }
            modules.push(module);
        }
        Ok(modules)
    }

    fn module(&self, file: ModuleFile) -> Result<Module, FileError> {
        let span = file.component.span();
        let components_file = file.component.into_inner();
        if components_file.is_empty() {
            return Err(self.err(FileErrorKind::Empty, "the module updates no component".to_owned(), span, "empty"));
        }
        let mut components: Vec<ModuleComponent> = Vec::new();
        for component in components_file {
            let id = self.cluster.component_by_name(component.name.get_ref()).ok_or_else(|| {
                self.err(
                    FileErrorKind::UnknownName,
                    format!("the cluster has no component `{}`", component.name.get_ref()),
                    component.name.span(),
                    "unknown component",
                )
                .with_help(format!(
                    "the cluster's components: {}",
                    self.names.list(self.cluster.components.iter().map(|c| &c.name))
                ))
            })?;
            if components.iter().any(|known| known.component == id) {
                return Err(self.err(
                    FileErrorKind::Duplicate,
                    format!("component `{}` is listed twice", component.name.get_ref()),
                    component.name.span(),
                    "second entry",
                ));
            }
            let services =
                component.services.iter().map(|name| self.names.service(name)).collect::<Result<Vec<_>, _>>()?;
            let registry = component
                .registry
                .into_iter()
                .map(|value| RegistryValue { key: value.key, value: value.value, data: value.data })
                .collect();
            components.push(ModuleComponent { component: id, version: component.version, services, registry });
        }
        let requires_stopped =
            file.requires_stopped.iter().map(|name| self.names.service(name)).collect::<Result<Vec<_>, _>>()?;
        Ok(Module {
            id: file.id.into_inner(),
            archive: file.archive,
            asks_for_restart: file.asks_for_restart,
            components,
            requires_stopped,
        })
    }
}
