//! `clusterproc plan`: the procedure resolved against a cluster — each step, the concrete
//! node(s), what it will do, what it verifies afterwards, and which steps are skipped and
//! why — rendered as text for people, JSON for tools, or a Mermaid flow diagram.
//!
//! The plan is static: roles resolve to the nodes that hold them in the cluster description
//! (the first node of the first group's policy is the active server). At run time the engine
//! resolves roles again from observation.

use serde::Serialize;

use crate::action::kind::{Milestone, PlanText};
use crate::cluster::{Cluster, NodeId, ServiceId};
use crate::procedure::{Condition, Procedure, Role, Step};
use crate::roles::Roles;
use crate::text::{and_list, one_line};

/// A resolved plan; serializes to the `--format json` output.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The procedure's title.
    pub title: String,
    /// The modules applied, in order.
    pub modules: Vec<PlannedModule>,
    /// The cluster planned against.
    pub cluster: PlannedCluster,
    /// Steps in order.
    pub steps: Vec<PlannedStep>,
    /// Procedure-wide notes.
    pub notes: Vec<PlannedNote>,
}

/// The module section of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedModule {
    /// Module id.
    pub id: String,
    /// Archive name.
    pub archive: String,
    /// Components with their version change.
    pub components: Vec<PlannedComponent>,
    /// Whether the module writes registry values.
    pub writes_registry: bool,
    /// Whether its installer asks for a restart.
    pub asks_for_restart: bool,
}

/// A component the module updates.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedComponent {
    /// Component name.
    pub name: String,
    /// Version installed now.
    pub from: String,
    /// Version the module installs.
    pub to: String,
    /// Services the installer stops and restarts.
    pub services: Vec<String>,
    /// Registry values it writes, `key\value = data`.
    pub registry: Vec<String>,
}

/// The cluster section of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedCluster {
    /// Cluster name.
    pub name: String,
    /// Clustering product.
    pub product: String,
    /// The active server.
    pub active: String,
    /// The standby servers.
    pub standbys: Vec<String>,
}

/// A procedure note.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedNote {
    /// Note id.
    pub id: String,
    /// Text.
    pub text: String,
}

/// One step of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedStep {
    /// Vendor step number.
    pub number: Option<u32>,
    /// The vendor's number, `6`, or for an unnumbered step its place, `#3`.
    pub tag: String,
    /// Step id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Action keyword.
    pub action: String,
    /// Role keyword.
    pub role: String,
    /// The nodes the step runs on, in order.
    pub nodes: Vec<String>,
    /// `run`, `skipped` or `conditional`.
    pub status: StepStatus,
    /// Why it is skipped, or when it runs.
    pub reason: Option<String>,
    /// What it will do.
    pub does: Vec<String>,
    /// What it checks afterwards.
    pub verifies: Vec<String>,
    /// Hazards this step has in this cluster.
    pub warnings: Vec<String>,
    /// What happens after this step under a rule of the engine.
    pub then: Option<String>,
    /// The step's notes.
    pub notes: Vec<String>,
}

/// Whether a planned step will run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    /// It runs.
    Run,
    /// It never runs for this module.
    Skipped,
    /// It runs only if something happens during the run.
    Conditional,
}

impl Plan {
    /// Resolves `procedure` against `cluster`.
    pub fn new(cluster: &Cluster, procedure: &Procedure) -> Plan {
        let roles = Roles::initial(cluster);
        let planner = Planner { cluster, procedure, roles };
        let planned = |module: &crate::module::Module| PlannedModule {
            id: module.id.clone(),
            archive: module.archive.clone(),
            components: module
                .components
                .iter()
                .map(|component| PlannedComponent {
                    name: cluster.components[component.component.index()].name.clone(),
                    from: cluster.components[component.component.index()].version.clone(),
                    to: component.version.clone(),
                    services: component.services.iter().map(|&s| planner.service(s)).collect(),
                    registry: component
                        .registry
                        .iter()
                        .map(|v| format!("{}\\{} = {}", v.key, v.value, v.data))
                        .collect(),
                })
                .collect(),
            writes_registry: module.writes_registry(),
            asks_for_restart: module.asks_for_restart,
        };
        Plan {
            title: procedure.title.clone(),
            modules: procedure.modules.iter().map(planned).collect(),
            cluster: PlannedCluster {
                name: cluster.name.clone(),
                product: cluster.product.clone(),
                active: planner.node(planner.roles.active),
                standbys: planner.roles.standbys.iter().map(|&n| planner.node(n)).collect(),
            },
            steps: procedure.steps.iter().map(|step| planner.step(step)).collect(),
            notes: procedure
                .notes
                .iter()
                .map(|note| PlannedNote { id: note.id.clone(), text: one_line(&note.text) })
                .collect(),
        }
    }

    /// Text for people.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let run = self.steps.iter().filter(|s| s.status == StepStatus::Run).count();
        let skipped = self.steps.iter().filter(|s| s.status == StepStatus::Skipped).count();
        let conditional = self.steps.len() - run - skipped;
        out.push_str(&format!("Plan: {}\n", self.title));
        for module in &self.modules {
            out.push_str(&format!("  module   {} ({})\n", module.id, module.archive));
            for component in &module.components {
                out.push_str(&format!("           {} {} -> {}\n", component.name, component.from, component.to));
            }
            out.push_str(&format!(
                "           registry: {}; restart request: {}\n",
                if module.writes_registry { "writes values" } else { "writes no values" },
                if module.asks_for_restart { "the installer asks" } else { "not expected" }
            ));
        }
        out.push_str(&format!("  cluster  {} ({})\n", self.cluster.name, self.cluster.product));
        out.push_str(&format!(
            "           active {}, standby {}\n",
            self.cluster.active,
            and_list(&self.cluster.standbys)
        ));
        let mut counts = format!("  steps    {} in all: {run} run, {skipped} skipped", self.steps.len());
        if conditional > 0 {
            counts.push_str(&format!(", {conditional} conditional"));
        }
        out.push_str(&counts);
        out.push_str("\n\n");
        // Columns as wide as their widest entry (`#10`, `start-cluster-service`), so that every
        // column lines up.
        let widest = |of: fn(&PlannedStep) -> &str, least: usize| {
            self.steps.iter().map(|step| of(step).chars().count()).max().unwrap_or(0).max(least)
        };
        let width = widest(|step| &step.tag, 3);
        let id_width = widest(|step| &step.id, 24);
        let action_width = widest(|step| &step.action, 18);
        let indent = " ".repeat(width + 2);
        for step in &self.steps {
            let number = &step.tag;
            let place = match step.status {
                StepStatus::Skipped => "skipped".to_owned(),
                _ => step.nodes.join(", "),
            };
            out.push_str(&format!(
                "{number:>width$}  {:<id_width$} {:<action_width$} {}\n",
                step.id, step.action, place
            ));
            out.push_str(&format!("{indent}{}\n", step.title));
            if let Some(reason) = &step.reason {
                let head = if step.status == StepStatus::Skipped { "skipped:" } else { "only if:" };
                out.push_str(&format!("{indent}{head} {reason}\n"));
            }
            if step.status != StepStatus::Skipped {
                for line in &step.does {
                    out.push_str(&format!("{indent}does:     {line}\n"));
                }
                for line in &step.verifies {
                    out.push_str(&format!("{indent}verifies: {line}\n"));
                }
                for line in &step.warnings {
                    out.push_str(&format!("{indent}WARNING:  {line}\n"));
                }
                for note in &step.notes {
                    out.push_str(&format!("{indent}note:     {note}\n"));
                }
            }
            if let Some(then) = &step.then {
                out.push_str(&format!("{indent}then:     {then}\n"));
            }
            out.push('\n');
        }
        if !self.notes.is_empty() {
            out.push_str("Notes\n");
            for note in &self.notes {
                out.push_str(&format!("  {}: {}\n", note.id, note.text));
            }
        }
        out
    }

    /// Pretty JSON for tools.
    pub fn render_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a plan is plain data");
        text.push('\n');
        text
    }

    /// A Mermaid flowchart: one subgraph per node, steps in run order, skipped steps dashed.
    pub fn render_mermaid(&self) -> String {
        let mut nodes: Vec<(String, String)> = vec![(self.cluster.active.clone(), "active".to_owned())];
        nodes.extend(self.cluster.standbys.iter().map(|n| (n.clone(), "standby".to_owned())));
        let mut out = String::from("flowchart TB\n");
        let mut order: Vec<String> = Vec::new();
        let mut skipped: Vec<String> = Vec::new();
        let mut conditional: Vec<String> = Vec::new();
        // Per node, the boxes in that node's lane.
        let mut lanes: Vec<Vec<String>> = vec![Vec::new(); nodes.len()];
        for (index, step) in self.steps.iter().enumerate() {
            let label = match step.number {
                Some(number) => format!("{number}. {}", step.title),
                None => step.title.clone(),
            };
            let label = mermaid_escape(&label);
            let targets: Vec<String> =
                if step.nodes.is_empty() { vec![self.cluster.active.clone()] } else { step.nodes.clone() };
            for node in &targets {
                let lane = nodes.iter().position(|(name, _)| name == node).unwrap_or(0);
                let id = format!("s{index}_n{lane}");
                let suffix = match step.status {
                    StepStatus::Run => String::new(),
                    StepStatus::Skipped => "<br/><i>skipped</i>".to_owned(),
                    StepStatus::Conditional => "<br/><i>only if needed</i>".to_owned(),
                };
                lanes[lane].push(format!("    {id}[\"{label}{suffix}\"]"));
                match step.status {
                    StepStatus::Run => {}
                    StepStatus::Skipped => skipped.push(id.clone()),
                    StepStatus::Conditional => conditional.push(id.clone()),
                }
                order.push(id);
            }
        }
        for (lane, (name, role)) in nodes.iter().enumerate() {
            out.push_str(&format!("  subgraph lane{lane}[\"{} ({role})\"]\n", mermaid_escape(name)));
            out.push_str("    direction TB\n");
            for line in &lanes[lane] {
                out.push_str(line);
                out.push('\n');
            }
            out.push_str("  end\n");
        }
        for pair in order.windows(2) {
            out.push_str(&format!("  {} --> {}\n", pair[0], pair[1]));
        }
        out.push_str("  classDef skipped stroke-dasharray: 5 5,color:#888\n");
        out.push_str("  classDef conditional stroke-dasharray: 2 2\n");
        if !skipped.is_empty() {
            out.push_str(&format!("  class {} skipped\n", skipped.join(",")));
        }
        if !conditional.is_empty() {
            out.push_str(&format!("  class {} conditional\n", conditional.join(",")));
        }
        out
    }
}

/// Text for a quoted Mermaid label: quotes and markup as Mermaid's `#name;` entities (the
/// label is rendered as HTML), line breaks and other control characters as spaces.
fn mermaid_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

struct Planner<'a> {
    cluster: &'a Cluster,
    procedure: &'a Procedure,
    roles: Roles,
}

impl Planner<'_> {
    fn node(&self, node: NodeId) -> String {
        self.cluster.nodes[node.index()].name.clone()
    }

    fn service(&self, service: ServiceId) -> String {
        self.cluster.services[service.index()].name.clone()
    }

    fn nodes_of(&self, role: Role) -> Vec<NodeId> {
        self.roles.nodes(role)
    }

    fn step(&self, step: &Step) -> PlannedStep {
        let module = self.procedure.module_of(step);
        let (status, reason) = match step.condition {
            None => (StepStatus::Run, None),
            Some(Condition::ModuleWritesRegistry) if module.writes_registry() => (StepStatus::Run, None),
            Some(Condition::ModuleWritesRegistry) if self.procedure.modules.len() == 1 => {
                (StepStatus::Skipped, Some("the module writes no registry values".to_owned()))
            }
            Some(Condition::ModuleWritesRegistry) => {
                (StepStatus::Skipped, Some(format!("{} writes no registry values", module.id)))
            }
            Some(Condition::RestartRequested) => {
                (StepStatus::Conditional, Some("an installer asked for a restart that has not happened yet".to_owned()))
            }
        };
        let nodes = self.nodes_of(step.role);
        let (does, verifies, warnings) = self.describe(step, &nodes);
        let then = match step.action.milestone() {
            Some(Milestone::ResumesCluster) => Some(
                "if an installer asked for a restart, reboot the cluster the cluster-safe way \
                 (clpstdn -r), then check that every node, the group and its services come back"
                    .to_owned(),
            ),
            _ => None,
        };
        PlannedStep {
            number: step.number,
            tag: step.tag(),
            id: step.id.clone(),
            title: step.title.clone(),
            action: step.action.keyword().to_owned(),
            role: step.role.keyword().to_owned(),
            nodes: nodes.iter().map(|&n| self.node(n)).collect(),
            status,
            reason,
            does,
            verifies,
            warnings,
            then,
            notes: step.notes.clone(),
        }
    }

    fn describe(&self, step: &Step, nodes: &[NodeId]) -> (Vec<String>, Vec<String>, Vec<String>) {
        let mut text = PlanText {
            cluster: self.cluster,
            module: self.procedure.module_of(step),
            roles: &self.roles,
            nodes,
            on: and_list(&nodes.iter().map(|&n| self.node(n)).collect::<Vec<_>>()),
            does: Vec::new(),
            verifies: Vec::new(),
            warnings: Vec::new(),
        };
        step.action.plan(&mut text);
        (text.does, text.verifies, text.warnings)
    }
}
