//! Names as the trainer's pages write them: each node, service, group and resource name
//! escaped for HTML and made into an element id once per course, not on every render.

use run_report::escape;

/// Names as the page writes them, made once per course: escaped for HTML, and as the slug
/// that element ids use. A page holds over a hundred service rows; escaping and slugging each
/// name on every render was most of a page's cost.
#[derive(Debug)]
pub struct Names {
    /// By `NodeId`.
    pub nodes: Vec<Name>,
    /// By `ServiceId`.
    pub services: Vec<Name>,
    /// By `GroupId`.
    pub groups: Vec<Name>,
    /// By `ResourceId`.
    pub resources: Vec<Name>,
}

/// One name as the page writes it.
#[derive(Debug)]
pub struct Name {
    /// Escaped for HTML text and attributes.
    pub html: String,
    /// For element ids.
    pub slug: String,
}

impl Names {
    /// The names of `setup`'s nodes, services, groups and resources.
    pub fn new(setup: &procedure::setup::Setup) -> Names {
        let name = |text: &str| Name { html: escape(text), slug: slug(text) };
        Names {
            nodes: setup.cluster.nodes.iter().map(|n| name(&n.name)).collect(),
            services: setup.cluster.services.iter().map(|s| name(&s.name)).collect(),
            groups: setup.cluster.groups.iter().map(|g| name(&g.name)).collect(),
            resources: setup.cluster.resources.iter().map(|r| name(&r.name)).collect(),
        }
    }
}

/// An id-safe form of a name.
fn slug(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}
