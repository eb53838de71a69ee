//! The way back a stopped or broken run advises: rolled-back registry values are put back
//! from the export each node took after its install and before the rollback, never from the
//! export taken before the install (it holds the very values the rollback restored).

use crate::support::clusterproc;

/// Runs a procedure with a scenario, its journal in a folder of its own (two runs of one
/// module at once would otherwise race for the next default folder).
fn run_with(procedure: &str, scenario: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run").display().to_string();
    let run = clusterproc(&["run", procedure, "--scenario", scenario, "--journal", &journal]);
    format!("{}{}", run.stdout, run.stderr)
}

#[test]
fn rolled_back_keys_are_restored_from_the_export_taken_after_the_install_on_that_node() {
    let output =
        run_with("procedures/examples/registry-changing-module.toml", "scenarios/run-crash-while-suspended.toml");
    assert!(output.contains("The installer's registry values were rolled back on ssc-node1."), "{output}");
    let advice = output.split("rolled back on ssc-node1.").nth(1).unwrap_or_default();
    assert!(
        advice.contains(
            "ssc-node1: once the cluster runs again with the group and registry sync online, import on ssc-node1 \
             the export of step 7 backup-registry-active (C:\\Temp\\EXAMPLE-0001\\registry-backup-registry-active.reg)"
        ),
        "{advice}"
    );
    assert!(!advice.contains("backup-registry-standby.reg"), "the standby's export is not ssc-node1's: {advice}");
    assert!(
        advice.contains("Do not import the export of step 2 backup-registry: it was taken before the install"),
        "{advice}"
    );
}

#[test]
fn keys_rolled_back_before_any_export_call_for_the_installer_again() {
    let output = run_with("tests/data/unsafe/reboot-at-prompt.toml", "scenarios/run-as-written-restart-at-prompt.toml");
    let advice = output.split("rolled back on ssc-node1.").nth(1).unwrap_or_else(|| panic!("no advice:\n{output}"));
    assert!(
        advice.contains("ssc-node1: no export of this run holds them")
            && advice.contains("install the module on ssc-node1 again"),
        "the export of step 7 was taken after the rollback and holds the old values: {advice}"
    );
    assert!(!advice.contains("import on ssc-node1"), "{advice}");
}
