//! The judgements, one case per line, on the words NEC's status panel lists.

use super::*;

fn words(list: &[(&str, &str)]) -> Vec<Seen> {
    list.iter()
        .map(|(source, word)| {
            let source = match source.split_once(':') {
                Some(("server", name)) => Source::RestServer(name.to_owned()),
                Some(("view", name)) => Source::NodeView(name.to_owned()),
                _ => Source::RestCluster,
            };
            Seen::new(source, *word)
        })
        .collect()
}

fn check(target: Target, list: &[(&str, &str)], expected: &str) {
    let got = match judge(target, &words(list)) {
        Agreement::Confirmed(how) => format!("confirmed: {how}"),
        Agreement::NotYet => "not yet".to_owned(),
        Agreement::Unknown(what) => format!("unknown: {what}"),
    };
    assert_eq!(got, expected, "{list:?}");
}

#[test]
fn a_suspend_is_confirmed_by_what_the_sources_agree_on() {
    use Target::Suspended as S;
    check(
        S,
        &[("cluster", "Suspend"), ("server:n1", "Suspend"), ("server:n2", "Suspend")],
        "confirmed: REST cluster and every server agree",
    );
    // Servers that stay Online (no NEC client shows them otherwise) do not hold it back.
    check(
        S,
        &[("cluster", "Suspend"), ("server:n1", "Online"), ("server:n2", "Online"), ("view:n1", "Suspend")],
        "confirmed: REST cluster, clpstat on n1 agree; the servers still show Online, as no NEC client shows them otherwise",
    );
    check(S, &[("view:n1", "Suspend"), ("view:n2", "Suspend")], "confirmed: clpstat on n1, clpstat on n2 agree");
    // A stopped server takes no part.
    check(
        S,
        &[("cluster", "Suspend"), ("server:n1", "Suspend"), ("server:n2", "Offline")],
        "confirmed: REST cluster and every server agree",
    );
    check(S, &[("server:n1", "Suspend"), ("server:n2", "Suspend")], "confirmed: every server shows Suspend");
    check(S, &[("cluster", "Online"), ("server:n1", "Online")], "not yet");
    check(S, &[("cluster", "Suspend"), ("view:n2", "Online")], "not yet");
    check(S, &[("cluster", "Suspend"), ("server:n1", "Suspend"), ("server:n2", "Online")], "not yet");
    check(S, &[], "not yet");
    check(
        S,
        &[("cluster", "Paused"), ("server:n1", "Online")],
        "unknown: REST cluster shows \"Paused\", which is not one of EXPRESSCLUSTER's status words; seen: REST cluster Paused, REST server n1 Online",
    );
    check(
        S,
        &[("cluster", "Suspend"), ("server:n1", "Online Failure")],
        "unknown: REST server n1 shows Online Failure; seen: REST cluster Suspend, REST server n1 Online Failure",
    );
}

#[test]
fn a_resume_is_confirmed_when_nothing_shows_suspend() {
    use Target::Running as R;
    check(
        R,
        &[("cluster", "Online"), ("server:n1", "Online"), ("view:n1", "Caution")],
        "confirmed: REST cluster, clpstat on n1 and every server agree",
    );
    check(R, &[("cluster", "Online"), ("server:n1", "Suspend")], "not yet");
    check(R, &[("cluster", "Suspend"), ("server:n1", "Online")], "not yet");
}

#[test]
fn a_refusal_is_suspended_only_when_its_shape_and_the_state_agree() {
    let exit = |code: i32, message: &str| Failed::Exit { code: Some(code), message: message.to_owned() };
    let rest = |status: u16, code: i64, message: &str| Failed::Rest { status, code, message: message.to_owned() };
    // Any wording, when the cluster was seen suspended and the command failed as NEC's callers test it.
    assert_eq!(refused(&exit(1, "Command failed."), true), RefusalCause::Suspended);
    assert_eq!(refused(&rest(200, 5, ""), true), RefusalCause::Suspended);
    assert_eq!(refused(&rest(409, -1, "busy"), true), RefusalCause::Suspended);
    // The word alone decides nothing.
    assert_eq!(
        refused(&exit(1, "The cluster is suspended."), false),
        RefusalCause::Unknown(
            "refused (exit code Some(1), \"The cluster is suspended.\"): the message names a suspend, but the cluster was last seen running"
                .to_owned()
        )
    );
    assert_eq!(
        refused(&exit(1, "Invalid group name."), false),
        RefusalCause::Unknown("refused (exit code Some(1), \"Invalid group name.\")".to_owned())
    );
    // A success-shaped answer that still failed is a shape not known.
    assert_eq!(
        refused(&rest(200, 0, ""), true),
        RefusalCause::Unknown("an answer of a shape not known (HTTP 200, result code 0, \"\")".to_owned())
    );
    assert_eq!(
        refused(&Failed::Exit { code: None, message: String::new() }, true),
        RefusalCause::Unknown("an answer of a shape not known (exit code None, \"\")".to_owned())
    );
}
