//! Loading a command's procedure and cluster description: the files named on the command
//! line, or the built-in two-node SSC cluster and seed procedure.

use std::path::Path;
use std::sync::Arc;

use procedure::diagnostic::SourceFile;
use procedure::setup::Setup;

use crate::failure::Failure;

/// The cluster description used when no --cluster is given.
pub const DEFAULT_CLUSTER: &str = include_str!("../../../scenarios/cluster/ssc-two-node.toml");
pub const DEFAULT_CLUSTER_NAME: &str = "<built-in ssc-two-node cluster>";

/// The procedure of `serve`'s sessions and `train`'s default course: the seed.
const DEFAULT_PROCEDURE: &str = include_str!("../../../procedures/ssc0307-0006.toml");

/// The text of the cluster description named on the command line, or of the built-in one.
pub fn cluster_source(path: Option<&Path>) -> Result<SourceFile, Failure> {
    Ok(match path {
        Some(path) => SourceFile::read(path)?,
        None => SourceFile::new(DEFAULT_CLUSTER_NAME, DEFAULT_CLUSTER),
    })
}

/// A procedure resolved against its cluster description, and that description's identity.
#[derive(Debug)]
pub struct Loaded {
    /// The procedure and the cluster.
    pub setup: Arc<Setup>,
    /// The cluster file as given, `None` for the built-in one.
    pub cluster_path: Option<String>,
    /// Hash of the cluster description's text.
    pub cluster_hash: String,
}

/// Loads a procedure file and validates it against the cluster description named (or the
/// built-in one).
pub fn load(procedure: &Path, cluster: Option<&Path>) -> Result<Loaded, Failure> {
    let source = cluster_source(cluster)?;
    let cluster_value = procedure::cluster::load(&source)?;
    let procedure_value = procedure::procedure::load(&SourceFile::read(procedure)?, &cluster_value)?;
    Ok(Loaded {
        setup: Arc::new(Setup::new(cluster_value, procedure_value)),
        cluster_path: cluster.map(|p| p.display().to_string()),
        cluster_hash: source.content_hash(),
    })
}

/// The built-in seed procedure on the built-in cluster.
pub(crate) fn default_setup() -> Result<Arc<Setup>, Failure> {
    let cluster = procedure::cluster::load(&cluster_source(None)?)?;
    let procedure =
        procedure::procedure::load(&SourceFile::new("<built-in SSC0307-0006 procedure>", DEFAULT_PROCEDURE), &cluster)?;
    Ok(Arc::new(Setup::new(cluster, procedure)))
}
