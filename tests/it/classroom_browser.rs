//! Issue 24 (a classroom) and issue 21 (recovery in the trainer): `clusterproc train
//! --classroom` on a free port, its instructor's page and a trainee's page in Debian's
//! Chromium (`tests/browser/classroom.mjs`), and the instructor's routes over HTTP on the
//! real socket. Screenshots go to `target/browser-artifacts/classroom-*.png`.
//!
//! Node, Chromium and playwright-core are what `bash test.sh` installs; without them the
//! browser cases fail and say so rather than pass without having looked at a page.

use std::time::Duration;

use crate::train_browser::{Trainer, browser_script};

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().expect("a client")
}

#[test]
fn without_classroom_there_is_no_instructor_page_and_no_password() {
    let trainer = Trainer::start(&[]);
    assert_eq!(trainer.password, None, "{:?}", trainer.printed);
    let answer = client().get(format!("{}instructor", trainer.url)).send().expect("an answer");
    assert_eq!(answer.status().as_u16(), 404);
}

#[test]
fn the_classroom_prints_its_password_once_and_asks_for_it() {
    let trainer = Trainer::start(&["--classroom"]);
    let password = trainer.password.clone().expect("a password is printed");
    assert!(password.len() >= 16, "{password}");
    assert_eq!(trainer.printed.iter().filter(|line| line.contains(&password)).count(), 1, "{:?}", trainer.printed);
    let url = format!("{}instructor/results.csv", trainer.url);
    assert_eq!(client().get(&url).send().expect("an answer").status().as_u16(), 401);
    let wrong = client().get(&url).basic_auth("teacher", Some("not-it")).send().expect("an answer");
    assert_eq!(wrong.status().as_u16(), 401);
    let right = client().get(&url).basic_auth("teacher", Some(&password)).send().expect("an answer");
    assert_eq!(right.status().as_u16(), 200);
    assert!(right.text().expect("a body").starts_with("session,name,state,"));
    // A second trainer draws another password.
    let other = Trainer::start(&["--classroom"]);
    assert_ne!(other.password, Some(password));
}

/// Runs a case of `tests/browser/classroom.mjs` against a classroom, one browser at a time
/// with the other browser tests.
fn browser_case(case: &str) {
    browser_script("classroom.mjs", case, &["--classroom"]);
}

#[test]
fn the_instructor_sees_trainees_live_injects_a_fault_pauses_and_exports_the_results() {
    browser_case("instructor");
}

#[test]
fn a_recovery_after_a_mistake_played_to_a_serving_cluster_is_judged_in_the_debrief() {
    browser_case("recovery");
}
