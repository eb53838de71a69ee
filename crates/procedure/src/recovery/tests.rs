//! Unit tests of the recovery planner, on hand-built observations of the seed's cluster.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::cluster::{MonitorId, NodeId};
use crate::diagnostic::SourceFile;
use crate::journal::{OperationRecord, Record, Resumption};
use crate::observation::{
    ClusterService, GroupState, GroupStatus, Installer, MonitorStatus, NodeState, Observation, Power, ResourceState,
    ResourceStatus, ServiceStatus, Watch,
};
use crate::operation::{Operation, RestartAnswer};
use crate::setup::Setup;
use crate::shared::Shared;

use super::planner::plan;

fn setup() -> Setup {
    setup_of("procedures/ssc0307-0006.toml")
}

/// The procedure at `path` (from the workspace root) on the built-in two-node cluster.
fn setup_of(path: &str) -> Setup {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cluster =
        crate::cluster::load(&SourceFile::read(&root.join("scenarios/cluster/ssc-two-node.toml")).unwrap()).unwrap();
    let procedure = crate::procedure::load(&SourceFile::read(&root.join(path)).unwrap(), &cluster).unwrap();
    Setup::new(cluster, procedure)
}

/// The cluster serving after the update: the group online on the first node, its services
/// running and watched there, the module installed on both nodes.
fn serving(setup: &Setup) -> Observation {
    let cluster = &setup.cluster;
    let active = cluster.initial_active();
    let mut versions: Vec<Arc<str>> = cluster.components.iter().map(|c| Arc::from(c.version.as_str())).collect();
    for component in &setup.procedure.module.components {
        versions[component.component.index()] = Arc::from(component.version.as_str());
    }
    let mut registry: Vec<_> = setup.registry.iter().map(|slot| slot.baseline).collect();
    for (slot, data) in setup.module_writes.iter().flat_map(|c| c.writes.iter()) {
        registry[slot.index()] = Some(*data);
    }
    let node = NodeState {
        reachable: true,
        power: Power::Up,
        cluster: ClusterService::Running,
        services: vec![ServiceStatus::Stopped; cluster.services.len()],
        watches: vec![Watch::Absent; cluster.services.len()],
        monitors: vec![MonitorStatus::Normal; cluster.monitors.len()],
        components: versions,
        registry,
        unzipped: None,
        registry_backups: Vec::new(),
        installer: Installer::Finished { restart_requested: false },
        boots: 1,
    };
    let mut nodes = vec![node; cluster.nodes.len()];
    for &service in &setup.standalone_services {
        for node in &mut nodes {
            node.services[service.index()] = ServiceStatus::Running;
        }
    }
    for (s, service) in cluster.services.iter().enumerate() {
        nodes[active.index()].services[s] = ServiceStatus::Running;
        if service.watched {
            nodes[active.index()].watches[s] = Watch::Monitoring;
        }
    }
    Observation {
        at: Duration::from_secs(600),
        nodes: nodes.into_iter().map(Shared::new).collect(),
        groups: vec![GroupState { status: GroupStatus::Online, owner: Some(active) }; cluster.groups.len()],
        resources: vec![ResourceState { status: ResourceStatus::Online, node: Some(active) }; cluster.resources.len()]
            .into(),
        mirror_unzipped: None,
    }
}

fn node(observation: &mut Observation, node: NodeId) -> &mut NodeState {
    Shared::make_mut(&mut observation.nodes[node.index()])
}

/// The planned steps, one line each: `on action: title`.
fn check(setup: &Setup, observation: &Observation, expect: &[&str]) {
    let recovery = plan(setup, None, observation);
    let got: Vec<String> = recovery
        .steps
        .iter()
        .map(|step| format!("{} {}: {}", step.role.keyword(), step.action.keyword(), step.title))
        .collect();
    assert_eq!(got, expect, "shortfalls: {:?}", recovery.shortfalls);
}

/// The module's first component and its version before the update.
fn old_version(setup: &Setup) -> (crate::cluster::ComponentId, Arc<str>) {
    let component = setup.procedure.module.components[0].component;
    (component, Arc::from(setup.cluster.components[component.index()].version.as_str()))
}

const ACTIVE: NodeId = NodeId(0);
const STANDBY: NodeId = NodeId(1);

#[test]
fn a_serving_cluster_needs_nothing() {
    let setup = setup();
    check(&setup, &serving(&setup), &[]);
}

#[test]
fn a_node_that_is_down_is_powered_on_by_the_operator_first_and_nothing_else_is_guessed() {
    let setup = setup();
    let mut observation = serving(&setup);
    node(&mut observation, STANDBY).power = Power::Down;
    node(&mut observation, ACTIVE).cluster = ClusterService::Suspended;
    check(&setup, &observation, &["standby manual: ssc-node2 is down: power on ssc-node2, then confirm"]);
    assert!(plan(&setup, None, &observation).needs_operator_first);
}

#[test]
fn suspended_with_the_standby_missing_the_module_finishes_the_window_then_resumes() {
    let setup = setup();
    let mut observation = serving(&setup);
    let (component, old) = old_version(&setup);
    for n in [ACTIVE, STANDBY] {
        node(&mut observation, n).cluster = ClusterService::Suspended;
        node(&mut observation, n).monitors.fill(MonitorStatus::Suspended);
    }
    let standby = node(&mut observation, STANDBY);
    standby.components[component.index()] = old;
    standby.installer = Installer::Failed(crate::observation::InstallerFailure::Fault);
    for watch in &mut node(&mut observation, ACTIVE).watches {
        if *watch == Watch::Monitoring {
            *watch = Watch::NotMonitoring;
        }
    }
    check(
        &setup,
        &observation,
        &[
            "standby install-module: Install SSC0307-0006 on ssc-node2: the module is not installed there",
            "active resume-cluster: Resume the cluster: the module is on every node now",
            "active start-monitoring: Start monitoring on ssc-node1: its Task Manager watches must read Monitoring",
        ],
    );
    let recovery = plan(&setup, None, &observation);
    assert!(recovery.apply_started, "an installer ran while suspended: the apply window is open");
}

#[test]
fn a_partial_module_on_a_running_cluster_gets_a_whole_window() {
    let setup = setup();
    let mut observation = serving(&setup);
    let (component, old) = old_version(&setup);
    node(&mut observation, STANDBY).components[component.index()] = old;
    check(
        &setup,
        &observation,
        &[
            "active suspend-cluster: Suspend the cluster: the module is to be put back on ssc-node2, with monitors frozen",
            "standby install-module: Install SSC0307-0006 on ssc-node2: the module is not installed there",
            "active resume-cluster: Resume the cluster: the module is on every node now",
        ],
    );
    assert!(!plan(&setup, None, &observation).apply_started);
}

#[test]
fn a_missing_module_on_the_active_node_stops_its_watches_and_services_first() {
    let setup = setup();
    let mut observation = serving(&setup);
    let (component, old) = old_version(&setup);
    node(&mut observation, ACTIVE).components[component.index()] = old;
    let recovery = plan(&setup, None, &observation);
    let keywords: Vec<&str> = recovery.steps.iter().map(|s| s.action.keyword()).collect();
    assert_eq!(
        keywords,
        [
            "suspend-cluster",
            "stop-monitoring",
            "stop-services",
            "install-module",
            "start-services",
            "resume-cluster",
            "start-monitoring"
        ]
    );
}

/// A run stopped after the operator stopped PVMService on the active node for the install:
/// the recovery starts it again before the resume, where the group holds its resource (and
/// not on the standby, where the group does not run it).
#[test]
fn services_stopped_for_the_install_are_started_before_the_resume() {
    let setup = setup();
    let mut observation = serving(&setup);
    let pvm = setup.cluster.services.iter().position(|s| s.name == "PVMService").expect("PVMService");
    for n in [ACTIVE, STANDBY] {
        node(&mut observation, n).cluster = ClusterService::Suspended;
        node(&mut observation, n).monitors.fill(MonitorStatus::Suspended);
    }
    node(&mut observation, ACTIVE).services[pvm] = ServiceStatus::Stopped;
    check(
        &setup,
        &observation,
        &[
            "active start-services: Start PVMService on ssc-node1: stopped for the install, its monitor would find it stopped at the resume",
            "active resume-cluster: Resume the cluster: the cluster is suspended",
        ],
    );
}

#[test]
fn a_stopped_cluster_service_a_moved_group_and_suspended_monitors() {
    let setup = setup();
    let mut observation = serving(&setup);
    node(&mut observation, STANDBY).cluster = ClusterService::Stopped;
    observation.groups[0] = GroupState { status: GroupStatus::Online, owner: Some(STANDBY) };
    node(&mut observation, ACTIVE).monitors[MonitorId(0).index()] = MonitorStatus::Suspended;
    check(
        &setup,
        &observation,
        &[
            "standby start-cluster-service: Start the cluster service on ssc-node2: it is stopped",
            "active move-group: Move group failover back to ssc-node1: it is on ssc-node2",
            "active resume-monitor: Resume the monitors on ssc-node1: they are suspended",
        ],
    );
}

#[test]
fn a_group_online_nowhere_is_started_by_the_operator_with_a_check() {
    let setup = setup();
    let mut observation = serving(&setup);
    observation.groups[0] = GroupState { status: GroupStatus::Offline, owner: None };
    let recovery = plan(&setup, None, &observation);
    assert_eq!(recovery.steps.len(), 1);
    assert_eq!(
        recovery.steps[0].action.manual_instruction(),
        Some("start group failover on ssc-node1 (Cluster Manager: Start), then confirm")
    );
}

#[test]
fn the_recovery_procedure_hash_follows_its_steps() {
    let setup = setup();
    let mut observation = serving(&setup);
    let empty = plan(&setup, None, &observation).procedure(&setup).content_hash;
    node(&mut observation, STANDBY).cluster = ClusterService::Stopped;
    let one = plan(&setup, None, &observation).procedure(&setup).content_hash;
    assert_ne!(empty, one);
    assert_eq!(one, plan(&setup, None, &observation).procedure(&setup).content_hash);
}

#[test]
fn rolled_back_values_are_reinstalled_unless_the_installer_reports_it_finished() {
    let setup = setup_of("procedures/examples/registry-changing-module.toml");
    assert!(setup.procedure.module.writes_registry());
    let mut observation = serving(&setup);
    let (slot, _) = setup.module_writes[0].writes[0];
    for n in [ACTIVE, STANDBY] {
        node(&mut observation, n).cluster = ClusterService::Suspended;
    }
    let active = node(&mut observation, ACTIVE);
    active.registry[slot.index()] = setup.registry[slot.index()].baseline;
    active.registry_backups = vec![Arc::from(r"C:\Temp\after-install.reg")];
    // Without a journal (the model checker's recovery), an export on the node that no step
    // before the install takes is imported once the cluster runs.
    let recovery = plan(&setup, None, &observation);
    let keywords: Vec<&str> = recovery.steps.iter().map(|s| s.action.keyword()).collect();
    assert_eq!(keywords, ["resume-cluster", "import-registry"], "{:?}", recovery.shortfalls);
    assert!(recovery.steps[1].title.contains(r"C:\Temp\after-install.reg"), "{}", recovery.steps[1].title);
    // With no export on the node, the installer is run there again.
    node(&mut observation, ACTIVE).registry_backups.clear();
    let recovery = plan(&setup, None, &observation);
    let keywords: Vec<&str> = recovery.steps.iter().map(|s| s.action.keyword()).collect();
    assert_eq!(keywords, ["stop-monitoring", "install-module", "resume-cluster", "start-monitoring"]);

    // An installer that did not finish is run again by install-module.
    node(&mut observation, ACTIVE).installer = Installer::Failed(crate::observation::InstallerFailure::Fault);
    let recovery = plan(&setup, None, &observation);
    let keywords: Vec<&str> = recovery.steps.iter().map(|s| s.action.keyword()).collect();
    // This module needs no service stopped first: no stop-services.
    assert_eq!(keywords, ["stop-monitoring", "install-module", "resume-cluster", "start-monitoring"]);
}

/// A journal of the registry example in which `done` operations were carried out, in order
/// (each its intent and an ok outcome, one step each as numbered), with `resumed_after` the
/// number of them after which the run stopped and was resumed.
fn journal(setup: &Setup, done: &[(usize, Operation)], resumed_after: Option<usize>) -> Resumption {
    let mut records = Vec::new();
    for (op, (step, operation)) in done.iter().enumerate() {
        if resumed_after == Some(op) {
            records.push(Record::Resumed { at_ms: op as u64 * 1000 });
        }
        let operation = OperationRecord::from_operation(setup, operation);
        let at_ms = op as u64 * 1000 + 1;
        records.push(Record::Intent { op: op as u64, step: *step, task: 0, operation, boots: vec![1, 1], at_ms });
        records.push(Record::Outcome { op: op as u64, result: "ok".to_owned(), at_ms });
    }
    Resumption {
        roles: None,
        next_step: 9,
        apply_started: true,
        resumed: false,
        restart_pending: false,
        completed_operations: Vec::new(),
        unfinished: None,
        finished: None,
        last_at: Duration::from_secs(600),
        seed: None,
        scenario: None,
        records,
    }
}

const BEFORE: &str = r"C:\Temp\EXAMPLE-0001\registry-backup-registry.reg";
const AFTER_ACTIVE: &str = r"C:\Temp\EXAMPLE-0001\registry-backup-registry-active.reg";
const AFTER_STANDBY: &str = r"C:\Temp\EXAMPLE-0001\registry-backup-registry-standby.reg";

/// The registry example's journal to step 9: exports before the installs (step 2), then each
/// node's install (steps 6 and 8) followed by its export (steps 7 and 9).
fn the_example_run(setup: &Setup, resumed_after: Option<usize>) -> Resumption {
    let folder: Arc<str> = Arc::from(r"C:\Temp\EXAMPLE-0001");
    let install =
        |node| Operation::InstallModule { node, folder: Arc::clone(&folder), restart_answer: RestartAnswer::Decline };
    let export = |node, file: &str| Operation::BackupRegistry { node, file: Arc::from(file) };
    let done = [
        (1, export(ACTIVE, BEFORE)),
        (1, export(STANDBY, BEFORE)),
        (5, install(ACTIVE)),
        (6, export(ACTIVE, AFTER_ACTIVE)),
        (7, install(STANDBY)),
        (8, export(STANDBY, AFTER_STANDBY)),
    ];
    journal(setup, &done, resumed_after)
}

/// The registry example after the run above: the exports on their nodes, `rolled_back`'s
/// values rolled back, the cluster suspended or not.
fn after_the_example(setup: &Setup, rolled_back: NodeId, suspended: bool) -> Observation {
    let mut observation = serving(setup);
    for (n, after) in [(ACTIVE, AFTER_ACTIVE), (STANDBY, AFTER_STANDBY)] {
        node(&mut observation, n).registry_backups = vec![Arc::from(BEFORE), Arc::from(after)];
        if suspended {
            node(&mut observation, n).cluster = ClusterService::Suspended;
        }
    }
    let (slot, _) = setup.module_writes[0].writes[0];
    node(&mut observation, rolled_back).registry[slot.index()] = setup.registry[slot.index()].baseline;
    observation
}

fn planned(setup: &Setup, resumption: &Resumption, observation: &Observation) -> Vec<String> {
    plan(setup, Some(resumption), observation)
        .steps
        .iter()
        .map(|step| {
            let file = match &step.action {
                crate::action::Action::ImportRegistry(import) => format!(" {}", import.file),
                _ => String::new(),
            };
            format!("{} {}{file}", step.role.keyword(), step.action.keyword())
        })
        .collect()
}

#[test]
fn rolled_back_values_on_the_group_s_node_are_imported_after_the_resume_from_its_post_install_export() {
    let setup = setup_of("procedures/examples/registry-changing-module.toml");
    let run = the_example_run(&setup, None);
    let observation = after_the_example(&setup, ACTIVE, true);
    assert_eq!(
        planned(&setup, &run, &observation),
        ["active resume-cluster".to_owned(), format!("active import-registry {AFTER_ACTIVE}")]
    );
    // The same on a running cluster: no window, the import alone.
    let observation = after_the_example(&setup, ACTIVE, false);
    assert_eq!(planned(&setup, &run, &observation), [format!("active import-registry {AFTER_ACTIVE}")]);
    assert!(!plan(&setup, Some(&run), &observation).needs_operator_first);
}

#[test]
fn an_export_the_node_no_longer_has_or_taken_after_a_stop_is_not_imported() {
    let setup = setup_of("procedures/examples/registry-changing-module.toml");
    // The file is gone from the node: only the export before the install is there.
    let mut observation = after_the_example(&setup, ACTIVE, true);
    node(&mut observation, ACTIVE).registry_backups = vec![Arc::from(BEFORE)];
    // The installer is run there again instead.
    let reinstall =
        ["active stop-monitoring", "active install-module", "active resume-cluster", "active start-monitoring"];
    let keywords = planned(&setup, &the_example_run(&setup, None), &observation);
    assert_eq!(keywords, reinstall);
    // The run stopped and resumed between the active node's install and its export (op 3):
    // the node may have been rolled back before the export, which may hold the old values.
    let observation = after_the_example(&setup, ACTIVE, true);
    let keywords = planned(&setup, &the_example_run(&setup, Some(3)), &observation);
    assert_eq!(keywords, reinstall);
    // A stop after the export leaves it good.
    let keywords = planned(&setup, &the_example_run(&setup, Some(4)), &observation);
    assert_eq!(keywords, ["active resume-cluster".to_owned(), format!("active import-registry {AFTER_ACTIVE}")]);
}

#[test]
fn a_standby_s_values_are_imported_with_the_group_moved_to_it_and_back() {
    let setup = setup_of("procedures/examples/registry-changing-module.toml");
    let observation = after_the_example(&setup, STANDBY, false);
    assert_eq!(
        planned(&setup, &the_example_run(&setup, None), &observation),
        [
            "active move-group".to_owned(),
            format!("standby import-registry {AFTER_STANDBY}"),
            "active move-group".to_owned(),
        ]
    );
    // Where the group already is on the standby, it is imported there before the move back.
    let mut observation = after_the_example(&setup, STANDBY, false);
    observation.groups[0] = GroupState { status: GroupStatus::Online, owner: Some(STANDBY) };
    assert_eq!(
        planned(&setup, &the_example_run(&setup, None), &observation),
        [format!("standby import-registry {AFTER_STANDBY}"), "active move-group".to_owned()]
    );
}
