//! What a node can be asked, as the probe before a run found it (`RealBackend::probe`):
//! whether `clpstat --long` is accepted (else plain `clpstat`, else no clpstat at all),
//! whether clpmonctrl takes the `-h` option the monitor commands need, what product answers,
//! and which status words the REST API uses; and how the findings read for people.

use std::collections::BTreeSet;

/// How a node answers clpstat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClpstatForm {
    /// `clpstat --long` answered with a view.
    Long,
    /// `--long` was refused (or not asked) and plain `clpstat` answered.
    Plain,
    /// Neither answered with a view: why.
    Missing(String),
}

/// What one node showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCapabilities {
    /// The node's name.
    pub name: String,
    /// Its clpstat.
    pub clpstat: ClpstatForm,
    /// `Ok` when `clpmonctrl -v -h NODE` exited 0; else what it answered. `None` where it
    /// is not needed (the REST API suspends monitors).
    pub monitor_host: Option<Result<(), String>>,
}

/// What the probe found, for the whole cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Per node, in the cluster description's order.
    pub nodes: Vec<NodeCapabilities>,
    /// The product and what is known of its version.
    pub product: String,
    /// Every status word the REST API showed, when it is used.
    pub rest_words: Option<BTreeSet<String>>,
}

impl Capabilities {
    /// One line per finding, for the run's header and its report.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!("product: {}", self.product)];
        for node in &self.nodes {
            let clpstat = match &node.clpstat {
                ClpstatForm::Long => "`clpstat --long` accepted".to_owned(),
                ClpstatForm::Plain => "`clpstat --long` refused, plain `clpstat` used".to_owned(),
                ClpstatForm::Missing(why) => format!("no clpstat ({why})"),
            };
            let monitors = match &node.monitor_host {
                None => "monitors through the REST API".to_owned(),
                Some(Ok(())) => "`clpmonctrl -h` accepted".to_owned(),
                Some(Err(why)) => format!("`clpmonctrl -h` refused ({why}): monitor steps will be refused"),
            };
            lines.push(format!("{}: {clpstat}; {monitors}", node.name));
        }
        if let Some(words) = &self.rest_words {
            lines.push(format!("REST status words: {}", words.iter().cloned().collect::<Vec<_>>().join(", ")));
        }
        lines
    }
}
