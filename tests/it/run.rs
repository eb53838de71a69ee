//! `clusterproc run` through the CLI: the README's first command, the restart rule, guards,
//! resume and its refusals, manual steps without a terminal, and the HTML report.

use std::path::Path;

use crate::support::{Run, clusterproc, root};

const SEED: &str = "procedures/ssc0307-0006.toml";
const EXAMPLE: &str = "procedures/examples/registry-changing-module.toml";

/// Runs `clusterproc run ARGS --journal DIR`, with DIR shown as `[journal]` in the output.
fn run_in(journal: &Path, args: &[&str]) -> Run {
    let journal_arg = journal.display().to_string();
    let mut all: Vec<&str> = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--journal", &journal_arg]);
    let mut run = clusterproc(&all);
    run.stdout = run.stdout.replace(&journal_arg, "[journal]");
    run
}

#[test]
fn the_seed_procedure_completes_on_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &[SEED]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    insta::assert_snapshot!("run_seed", run.stdout);
    let journal = std::fs::read_to_string(dir.path().join("run/journal.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = journal.lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines[0]["kind"], "run-started");
    assert_eq!(lines.last().unwrap()["kind"], "finished");
    let intents = lines.iter().filter(|l| l["kind"] == "intent").count();
    let outcomes = lines.iter().filter(|l| l["kind"] == "outcome").count();
    assert_eq!(intents, outcomes, "every intent has its outcome");
    assert!(intents >= 10);
}

#[test]
fn the_first_readme_command_works_without_a_journal_argument() {
    let dir = tempfile::tempdir().unwrap();
    let run = crate::support::clusterproc_in(dir.path(), &["run", &root().join(SEED).display().to_string()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(dir.path().join("runs/SSC0307-0006-1/journal.jsonl").exists());
    let again = crate::support::clusterproc_in(dir.path(), &["run", &root().join(SEED).display().to_string()]);
    assert_eq!(again.code, 0);
    assert!(dir.path().join("runs/SSC0307-0006-2/journal.jsonl").exists(), "a second run gets a new directory");
}

#[test]
fn a_restart_request_is_declined_and_the_cluster_rebooted_after_resume() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &[EXAMPLE, "--scenario", "scenarios/run-restart-request.toml"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let resume = run.stdout.find("resume-cluster").expect("resume ran");
    let reboot = run.stdout.find("restart rule: cluster-safe reboot").expect("the reboot ran");
    assert!(reboot > resume, "the reboot follows the resume:\n{}", run.stdout);
    assert!(run.stdout.contains("ok          registry-rolled-back"), "{}", run.stdout);
    assert!(run.stdout.contains("ok          pending-restart-skipped"), "{}", run.stdout);
}

#[test]
fn a_reboot_at_the_installer_prompt_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &["tests/data/unsafe/reboot-at-prompt.toml"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("Refused at step 6 install-active: answering Restart at the installer's prompt on ssc-node1")
            && run.stdout.contains("[reboot-while-suspended]"),
        "{}",
        run.stdout
    );
    for safety in ["reboot-while-suspended", "registry-rolled-back", "registry-sync-stopped-during-apply"] {
        assert!(
            !run.stdout.contains(&format!("VIOLATED    {safety}")),
            "the guard stopped it before anything broke:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains("VIOLATED    partial-update"),
        "a stopped run leaves the update partial:\n{}",
        run.stdout
    );
}

#[test]
fn stopping_registry_sync_during_the_apply_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &["tests/data/unsafe/stop-registry-sync.toml"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("Refused at step #7 stop-registry-sync: stopping regsync stops registry sync regsync")
            && run.stdout.contains("[registry-sync-stopped-during-apply]"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_stopped_run_resumes_once_the_fault_is_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run");
    let first = run_in(&journal, &[SEED, "--scenario", "scenarios/run-standby-unreachable.toml"]);
    assert_eq!(first.code, 1, "{}\n{}", first.stdout, first.stderr);
    assert!(first.stdout.contains("Stopped at step 8 install-standby: ssc-node2 does not answer"), "{}", first.stdout);
    assert!(first.stdout.contains("suspended since"), "{}", first.stdout);

    let resumed = run_in(&journal, &[SEED, "--scenario", "scenarios/run-standby-unreachable.toml", "--resume"]);
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    assert!(
        resumed.stdout.contains("Resuming [journal]/journal.jsonl at step 8 install-standby"),
        "{}",
        resumed.stdout
    );
    assert!(resumed.stdout.contains("done in the earlier run"), "{}", resumed.stdout);
    assert!(!resumed.stdout.contains("VIOLATED"), "{}", resumed.stdout);

    let again = run_in(&journal, &[SEED, "--scenario", "scenarios/run-standby-unreachable.toml", "--resume"]);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("already completed"), "{}", again.stdout);
}

/// A run that stopped at step 8, in a fresh directory, with its own copy of the procedure.
fn stopped_run(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let procedure = dir.join("procedure.toml");
    std::fs::copy(root().join(SEED), &procedure).unwrap();
    let journal = dir.join("run");
    let scenario = root().join("scenarios/run-standby-unreachable.toml");
    let run = run_in(&journal, &[&procedure.display().to_string(), "--scenario", &scenario.display().to_string()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    (procedure, journal)
}

#[test]
fn resume_refuses_an_edited_procedure() {
    let dir = tempfile::tempdir().unwrap();
    let (procedure, journal) = stopped_run(dir.path());
    let text = std::fs::read_to_string(&procedure).unwrap().replace("Unzip the software", "Unzip the module");
    std::fs::write(&procedure, text).unwrap();
    let scenario = root().join("scenarios/run-standby-unreachable.toml");
    let run = run_in(
        &journal,
        &[&procedure.display().to_string(), "--scenario", &scenario.display().to_string(), "--resume"],
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("refusing to resume: the procedure file changed since the run began"),
        "{}",
        run.stderr
    );
}

#[test]
fn resume_refuses_a_different_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let (procedure, journal) = stopped_run(dir.path());
    let other = dir.path().join("other-cluster.toml");
    let text = std::fs::read_to_string(root().join("scenarios/cluster/ssc-two-node.toml")).unwrap();
    std::fs::write(&other, text.replace("name = \"ssc-cluster\"", "name = \"other-cluster\"")).unwrap();
    let run =
        run_in(&journal, &[&procedure.display().to_string(), "--cluster", &other.display().to_string(), "--resume"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("refusing to resume: it was written for cluster"), "{}", run.stderr);
}

#[test]
fn resume_refuses_a_truncated_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let (procedure, journal) = stopped_run(dir.path());
    let file = journal.join("journal.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, &text[..text.len() - 20]).unwrap();
    let scenario = root().join("scenarios/run-standby-unreachable.toml");
    let run = run_in(
        &journal,
        &[&procedure.display().to_string(), "--scenario", &scenario.display().to_string(), "--resume"],
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("the last journal line is incomplete"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing ran: {}", run.stdout);
}

#[test]
fn a_second_run_on_the_same_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run");
    assert_eq!(run_in(&journal, &[SEED]).code, 0);
    let run = run_in(&journal, &[SEED]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("already holds a journal"), "{}", run.stderr);
}

#[test]
fn manual_steps_without_a_terminal_fail_at_once_unless_yes() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("a"), &["tests/data/manual-step.toml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("there is no terminal to ask on"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let run = run_in(&dir.path().join("b"), &["tests/data/manual-step.toml", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("clear-browser-cache"), "{}", run.stdout);
}

#[test]
fn the_html_and_json_reports_describe_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("run.html");
    let json = dir.path().join("run.json");
    let run = run_in(
        &dir.path().join("run"),
        &[SEED, "--report", &html.display().to_string(), "--report", &json.display().to_string()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    assert!(page.contains("<p class=\"summary result-completed\" id=\"result\"><strong>completed</strong>"));
    let svg = &page[page.find("<svg id=\"timeline\"").expect("a timeline")..page.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<g class=\"lane\"").count(), 2, "one lane per node");
    assert!(svg.contains("data-node=\"ssc-node1\"") && svg.contains("data-node=\"ssc-node2\""));
    for kind in ["suspended", "install", "group-online", "failover", "service-stop"] {
        assert!(svg.contains(&format!("<rect class=\"{kind}\"")), "the timeline shows {kind}");
    }
    let invariants = &page[page.find("<table id=\"invariants\">").unwrap()..];
    assert_eq!(invariants[..invariants.find("</table>").unwrap()].matches("<tr class=\"ok\">").count(), 11);

    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["result"], "completed");
    assert_eq!(report["steps"].as_array().unwrap().len(), 15);
    assert_eq!(report["invariants"].as_array().unwrap().len(), 11);
    let lanes = report["timeline"].as_array().unwrap();
    let installs: usize = lanes
        .iter()
        .map(|lane| lane["items"].as_array().unwrap().iter().filter(|i| i["kind"] == "install").count())
        .sum();
    assert_eq!(installs, 2, "one install per node");
}

#[test]
fn a_report_needs_a_known_extension() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &[SEED, "--report", "report.pdf"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("name the file .html or .json"), "{}", run.stderr);
}

/// See: review finding — a watch left on PVMService (which the installer needs stopped)
/// restarted it mid-install and nothing noticed.
#[test]
fn installing_while_a_needed_stopped_service_is_watched_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &["tests/data/unsafe/pvmservice-still-watched.toml"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "Refused at step 6 install-active: the Task Manager watch of \"PVMService\" on ssc-node1 is Monitoring"
        ) && run.stdout.contains("[monitoring-during-apply]"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_failed_installer_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &["tests/data/broken/no-stop-services.toml"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("the installer failed on ssc-node1: \"PVMService\" is running and holds files it replaces"),
        "{}",
        run.stdout
    );
}

#[test]
fn windows_paths_compare_without_case() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &["tests/data/install-folder-other-case.toml"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn an_unwritable_report_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run");
    let run = run_in(&journal, &[SEED, "--report", "/nonexistent-dir/run.json"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("cannot write the report /nonexistent-dir/run.json"), "{}", run.stderr);
    assert!(!journal.exists(), "nothing ran");
}

#[test]
fn run_refuses_a_scenario_that_schedules_its_own_operations() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &[SEED, "--scenario", "scenarios/skip-stop-monitoring.toml"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("schedules its own operations"), "{}", run.stderr);
}

#[test]
fn resume_refuses_a_journal_whose_roles_do_not_fit_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let (procedure, journal) = stopped_run(dir.path());
    let file = journal.join("journal.jsonl");
    let text = std::fs::read_to_string(&file).unwrap().replace("\"standbys\":[\"ssc-node2\"]", "\"standbys\":[]");
    std::fs::write(&file, text).unwrap();
    let scenario = root().join("scenarios/run-standby-unreachable.toml");
    let run = run_in(
        &journal,
        &[&procedure.display().to_string(), "--scenario", &scenario.display().to_string(), "--resume"],
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("its roles do not name every node"), "{}", run.stderr);
}

#[test]
fn without_guards_the_run_does_what_the_procedure_says_and_shows_the_consequence() {
    let dir = tempfile::tempdir().unwrap();
    let unsafe_procedure = "tests/data/unsafe/reboot-at-prompt.toml";
    let scenario = "scenarios/run-as-written-restart-at-prompt.toml";
    // Guarded, the install is refused before it starts.
    let guarded = run_in(&dir.path().join("guarded"), &[unsafe_procedure, "--scenario", scenario, "--guards", "on"]);
    assert_eq!(guarded.code, 1, "{}\n{}", guarded.stdout, guarded.stderr);
    // The scenario asks for the run as written; --guards off says the same.
    let run = run_in(&dir.path().join("as-written"), &[unsafe_procedure, "--scenario", scenario, "--guards", "off"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("guards   off"), "{}", run.stdout);
    assert!(run.stdout.contains("VIOLATED    reboot-while-suspended"), "{}", run.stdout);
    assert!(run.stdout.contains("VIOLATED    registry-rolled-back"), "{}", run.stdout);
    let next = run.stdout.find("What happens next if nobody acts").expect("the aftermath is told");
    assert!(run.stdout[next..].contains("lost \"3.7.0001\" written by the installer"), "{}", run.stdout);
}

#[test]
fn guards_off_exists_only_on_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &[SEED, "--guards", "off", "--backend", "expresscluster"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("--guards off exists only on the simulator"), "{}", run.stderr);
}

#[test]
fn a_stop_is_judged_on_what_happens_next() {
    // The active node crashes while suspended after the installs: the run stops at once,
    // and when the node boots by itself registry sync rolls the module's values back.
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&dir.path().join("run"), &[EXAMPLE, "--scenario", "scenarios/run-crash-while-suspended.toml"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Stopped at step 10 resume-cluster: ssc-node1 is down"), "{}", run.stdout);
    assert!(run.stdout.contains("VIOLATED    registry-rolled-back"), "{}", run.stdout);
    let next = run.stdout.find("What happens next if nobody acts").expect("the aftermath is told");
    let after = &run.stdout[next..];
    let boot = after.find("ssc-node1  node booted").expect("the node boots");
    let lost = after.find("lost \"3.7.0001\" written by the installer").expect("the values are lost");
    assert!(boot < lost, "{after}");
    // What the operator restores them from: the exports of steps 7 and 9, made after the
    // installs.
    assert!(after.contains("The installer's registry values were rolled back on ssc-node1."), "{after}");
    assert!(after.contains("step 7 backup-registry-active"), "{after}");
}

/// See: user report — `--connection` without `--backend expresscluster` was ignored and the
/// run went to the simulator, exit 0.
#[test]
fn a_connection_file_without_the_real_backend_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run");
    let run = run_in(&journal, &[SEED, "--connection", "site.toml"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("--connection site.toml needs --backend expresscluster"), "{}", run.stderr);
    assert!(!journal.exists(), "nothing ran");
}

/// See: user report — a scenario written for another procedure ran with the one given, its
/// `guards` and `[expect]` silently applied or ignored.
#[test]
fn a_scenario_says_what_it_changes_and_refuses_another_procedure() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "scenarios/run-as-written-restart-at-prompt.toml";
    let other = run_in(&dir.path().join("other"), &[SEED, "--scenario", scenario]);
    assert_eq!(other.code, 2, "{}\n{}", other.stdout, other.stderr);
    assert!(
        other.stderr.contains(&format!(
            "{scenario} is written for the procedure scenarios/../tests/data/unsafe/reboot-at-prompt.toml, not {SEED}"
        )),
        "{}",
        other.stderr
    );
    assert!(!dir.path().join("other").exists(), "nothing ran");

    let unsafe_procedure = "tests/data/unsafe/reboot-at-prompt.toml";
    let as_written = run_in(&dir.path().join("as-written"), &[unsafe_procedure, "--scenario", scenario]);
    assert_eq!(as_written.code, 1, "{}\n{}", as_written.stdout, as_written.stderr);
    assert!(as_written.stdout.contains("guards   off (the scenario's `guards = false`)"), "{}", as_written.stdout);
    assert!(as_written.stderr.contains("[expect] table is not checked by `run`"), "{}", as_written.stderr);
    // --guards on wins over the scenario: the install is refused before it starts.
    let guarded = run_in(&dir.path().join("guarded"), &[unsafe_procedure, "--scenario", scenario, "--guards", "on"]);
    assert_eq!(guarded.code, 1, "{}\n{}", guarded.stdout, guarded.stderr);
    assert!(!guarded.stdout.contains("guards   off"), "{}", guarded.stdout);
    assert!(guarded.stdout.contains("Refused at step 6 install-active"), "{}", guarded.stdout);
}

#[test]
fn one_step_done_is_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("crash-before-suspend.toml");
    std::fs::write(
        &scenario,
        format!(
            "version = 1\ntitle = \"the standby crashes before the suspend\"\ncluster = {:?}\nprocedure = {:?}\n\
             seed = 12\n\n[[fault]]\nbefore-step = \"suspend-cluster\"\nfault = \"crash\"\nnode = \"ssc-node2\"\n",
            root().join("scenarios/cluster/ssc-two-node.toml").display().to_string(),
            root().join(SEED).display().to_string(),
        ),
    )
    .unwrap();
    let run = run_in(&dir.path().join("run"), &[SEED, "--scenario", &scenario.display().to_string()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("ssc-node2 is down. 1 step done, 1 skipped."), "{}", run.stdout);
}
