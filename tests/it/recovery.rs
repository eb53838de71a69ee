//! The way back a stopped or broken run advises: rolled-back registry values are put back
//! from the export each node took after its install and before the rollback, never from the
//! export taken before the install (it holds the very values the rollback restored).

use crate::support::clusterproc;

#[test]
fn rolled_back_keys_are_restored_from_the_export_taken_after_the_install_on_that_node() {
    let run = clusterproc(&[
        "run",
        "procedures/examples/registry-changing-module.toml",
        "--scenario",
        "scenarios/run-crash-while-suspended.toml",
    ]);
    let output = format!("{}{}", run.stdout, run.stderr);
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
    let run = clusterproc(&[
        "run",
        "tests/data/unsafe/reboot-at-prompt.toml",
        "--scenario",
        "scenarios/run-as-written-restart-at-prompt.toml",
    ]);
    let output = format!("{}{}", run.stdout, run.stderr);
    let advice = output.split("rolled back on ssc-node1.").nth(1).expect("the advice");
    assert!(
        advice.contains("ssc-node1: no export of this run holds them")
            && advice.contains("install the module on ssc-node1 again"),
        "the export of step 7 was taken after the rollback and holds the old values: {advice}"
    );
    assert!(!advice.contains("import on ssc-node1"), "{advice}");
}
