//! One target per input kind. Each takes mutated bytes, loads them the way the command line
//! does, and when they load, goes on as a command would (plans, runs, replays, resumes), so
//! that a value that passes validation but breaks later code is found too.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use procedure::cluster::Cluster;
use procedure::diagnostic::SourceFile;
use procedure::driver::{Unattended, drive};
use procedure::engine::{Engine, EngineConfig};
use procedure::journal::{Resumption, cluster_identity};
use procedure::plan::Plan;
use procedure::setup::Setup;
use sim_cluster::explore::Explorer;
use sim_cluster::scenario::Scenario;
use sim_cluster::sim::Builder;
use sim_cluster::staged::StagedSim;

/// The kinds of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Procedure files.
    Procedure,
    /// Cluster descriptions.
    Cluster,
    /// Scenario files.
    Scenario,
    /// Run journals, resumed.
    Journal,
    /// Counterexample files, replayed.
    Counterexample,
    /// The command line: arguments parsed by clap, the files they name loaded.
    Cli,
}

impl Target {
    /// Every target, in the order they run.
    pub const ALL: [Target; 6] =
        [Target::Procedure, Target::Cluster, Target::Scenario, Target::Journal, Target::Counterexample, Target::Cli];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::Procedure => "procedure",
            Target::Cluster => "cluster",
            Target::Scenario => "scenario",
            Target::Journal => "journal",
            Target::Counterexample => "counterexample",
            Target::Cli => "cli",
        }
    }

    /// The project's own files of this kind, relative to the workspace root: the seeds.
    pub fn seed_files(self, root: &Path) -> Vec<PathBuf> {
        let in_dir = |dir: &str, ext: &str| -> Vec<PathBuf> {
            let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
                .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            files.retain(|p| p.extension().is_some_and(|e| e == ext));
            files.sort();
            files
        };
        match self {
            Target::Procedure => {
                [in_dir("procedures", "toml"), in_dir("procedures/examples", "toml"), in_dir("tests/data", "toml")]
                    .concat()
                    .into_iter()
                    .chain(in_dir("tests/data/unsafe", "toml"))
                    .chain(in_dir("tests/data/broken", "toml"))
                    .collect()
            }
            Target::Cluster => in_dir("scenarios/cluster", "toml"),
            Target::Scenario => in_dir("scenarios", "toml"),
            Target::Journal => in_dir("crates/fuzz/seeds/journal", "jsonl"),
            Target::Counterexample => in_dir("crates/fuzz/seeds/counterexample", "json"),
            Target::Cli => in_dir("crates/fuzz/seeds/cli", "args"),
        }
    }
}

/// What the targets share: the workspace, the default cluster and seed procedure, and a
/// work directory laid out like the workspace for files that name other files.
#[derive(Debug)]
pub struct Fixture {
    root: PathBuf,
    cluster: Cluster,
    setup: Arc<Setup>,
    procedure_text: String,
    identity: String,
    work: PathBuf,
}

impl Fixture {
    /// Loads the committed files and prepares `target/fuzz/work-<pid>`.
    pub fn new(root: &Path) -> std::io::Result<Fixture> {
        let cluster_source = SourceFile::read(&root.join("scenarios/cluster/ssc-two-node.toml")).map_err(other)?;
        let cluster = procedure::cluster::load(&cluster_source).map_err(other)?;
        let procedure_source = SourceFile::read(&root.join("procedures/ssc0307-0006.toml")).map_err(other)?;
        let procedure = procedure::procedure::load(&procedure_source, &cluster).map_err(other)?;
        let setup = Arc::new(Setup::new(cluster.clone(), procedure));
        let identity = cluster_identity(&setup, &cluster_source.content_hash());
        // target/fuzz/work-<pid>/<dir> sits as deep as crates/fuzz/seeds/<dir>, so relative paths
        // in the seeds reach the workspace's files from there too.
        // One per process, so that a long run by hand and a CI run do not share files.
        let work = root.join("target/fuzz").join(format!("work-{}", std::process::id()));
        for dir in ["scenarios/cluster", "procedures/examples", "counterexample"] {
            std::fs::create_dir_all(work.join(dir))?;
        }
        for file in [
            "scenarios/cluster/ssc-two-node.toml",
            "procedures/ssc0307-0006.toml",
            "procedures/examples/registry-changing-module.toml",
        ] {
            std::fs::copy(root.join(file), work.join(file))?;
        }
        let procedure_text = procedure_source.text().to_owned();
        Ok(Fixture { root: root.to_path_buf(), cluster, setup, procedure_text, identity, work })
    }

    /// Runs `target` on `input`; whether the input loaded. A panic is the only failure;
    /// errors are expected.
    pub fn exec(&self, target: Target, input: &[u8]) -> bool {
        match target {
            Target::Procedure => self.procedure(input),
            Target::Cluster => self.cluster(input),
            Target::Scenario => self.scenario(input),
            Target::Journal => self.journal(input),
            Target::Counterexample => self.counterexample(input),
            Target::Cli => self.cli(input),
        }
    }

    fn procedure(&self, input: &[u8]) -> bool {
        let source = SourceFile::new("fuzz.toml", &String::from_utf8_lossy(input));
        let Ok(procedure) = procedure::procedure::load(&source, &self.cluster) else { return false };
        let plan = Plan::new(&self.cluster, &procedure);
        let _ = (plan.render_text(), plan.render_json(), plan.render_mermaid());
        let setup = Arc::new(Setup::new(self.cluster.clone(), procedure));
        let explorer = Explorer::new(setup, 1);
        let (_, sim) = explorer.run(&[]);
        let _ = explorer.story(sim.trace());
        true
    }

    fn cluster(&self, input: &[u8]) -> bool {
        let source = SourceFile::new("fuzz.toml", &String::from_utf8_lossy(input));
        let Ok(cluster) = procedure::cluster::load(&source) else { return false };
        let procedure_source = SourceFile::new("seed.toml", &self.procedure_text);
        let Ok(procedure) = procedure::procedure::load(&procedure_source, &cluster) else { return false };
        let explorer = Explorer::new(Arc::new(Setup::new(cluster, procedure)), 1);
        let _ = explorer.baseline();
        true
    }

    fn scenario(&self, input: &[u8]) -> bool {
        let path = self.work.join("scenarios/fuzz.toml");
        if std::fs::write(&path, input).is_err() {
            return false;
        }
        let Ok(scenario) = Scenario::load(&path) else { return false };
        if scenario.is_engine_run() {
            let run = scenario.run_engine();
            let _ = run.ending_text();
        } else {
            let played = scenario.play();
            let _ = scenario.render(&played);
        }
        true
    }

    /// Resumes the seed procedure from the journal as `run --resume` does.
    fn journal(&self, input: &[u8]) -> bool {
        let text = String::from_utf8_lossy(input);
        let path = Path::new("runs/fuzz/journal.jsonl");
        let Ok(resumption) = Resumption::parse(path, &text, &self.setup, &self.identity) else { return false };
        let sim = Builder::new(Arc::clone(&self.setup)).seed(resumption.seed.unwrap_or(1)).build();
        let mut backend = StagedSim::new(sim, Vec::new()).replay(&self.setup, &resumption.records, resumption.last_at);
        let Ok(observation) = procedure::backend::Backend::observe(&mut backend) else { return false };
        if resumption.check_against(path, &self.setup, observation).is_err() {
            return false;
        }
        let mut engine = Engine::resumed(Arc::clone(&self.setup), EngineConfig::standard(), &resumption);
        let _ = drive(&mut engine, &mut backend, None, &mut Unattended);
        true
    }

    fn counterexample(&self, input: &[u8]) -> bool {
        let path = self.work.join("counterexample/fuzz.json");
        if std::fs::write(&path, input).is_err() {
            return false;
        }
        let Ok(replayable) = clusterproc::counterexample::read(&path) else { return false };
        let (_, sim) = replayable.explorer.run_schedule(&replayable.faults);
        let _ = replayable.explorer.render(sim.trace());
        true
    }

    /// Arguments, one per line; parsed and their files loaded, from the workspace root.
    fn cli(&self, input: &[u8]) -> bool {
        let text = String::from_utf8_lossy(input);
        let mut argv: Vec<OsString> = vec![OsString::from("clusterproc")];
        argv.extend(text.lines().map(|arg| {
            let path = Path::new(arg);
            // Relative paths are the workspace's, whatever directory the harness runs in.
            if path.is_relative() && self.root.join(path).exists() {
                self.root.join(path).into_os_string()
            } else {
                OsString::from(arg)
            }
        }));
        clusterproc::cli::load_inputs(&argv).is_ok()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

fn other(error: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(error.to_string())
}
