//! The page as the operator's tools, rendered without a browser: the manager's tree names
//! every server, group, resource and monitor with its status; the buttons the manager asks
//! about carry their question in the page's language; the Move Group dialog offers the other
//! server first; the alert log gives each line its type and time. (The script that uses these
//! is driven in Chromium by `tests/browser/webui.mjs`.)

use std::sync::Arc;

use super::{correct_acts, play, seed_course};
use crate::act::Act;
use crate::page;
use crate::session::Training;
use crate::text::Lang;

#[test]
fn the_tree_names_every_server_group_resource_and_monitor_with_its_status() {
    let course = seed_course();
    let training = Training::new(Arc::clone(&course));
    let page = page::session(&training, "s", Lang::En);
    let cluster = &course.setup.cluster;
    for node in &course.names.nodes {
        assert!(page.contains(&format!("data-pane=\"pane-server-{}\"", node.slug)), "{page}");
    }
    for group in &course.names.groups {
        assert!(
            page.contains(&format!(
                "data-menu=\"move-{0}\">{0}</a> <span class=\"st st-ok\">Online</span>",
                group.slug
            ))
        );
    }
    for resource in &course.names.resources {
        assert!(page.contains(&format!("data-menu=\"stop-resource-{}\"", resource.slug)), "{}", resource.slug);
    }
    for m in 0..cluster.monitors.len() {
        assert!(page.contains(&format!("id=\"pane-monitor-{m}\"")));
    }
    assert!(
        page.contains(
            "data-menu=\"suspend-cluster resume-cluster\">Cluster</a> <span class=\"st st-ok\">Online</span>"
        )
    );
}

#[test]
fn the_manager_asks_before_acting_in_the_page_s_language_and_move_offers_the_other_server() {
    let training = Training::new(seed_course());
    let en = page::session(&training, "s", Lang::En);
    assert!(
        en.contains("id=\"suspend-cluster\" data-confirm=\"Cluster: Suspend Cluster? Click [OK] to go on, or [Cancel] to leave it as it is.\">"),
        "{en}"
    );
    assert!(en.contains("id=\"stop-resource-regsync\" data-confirm=\"regsync: Stop?"), "{en}");
    assert!(en.contains("id=\"move-failover\" data-move-dialog=\"move-dialog-failover\">Move</button>"), "{en}");
    assert!(en.contains("value=\"ssc-node2\" checked>"), "the server the group is not on is offered first");
    assert!(!en.contains("value=\"ssc-node1\" checked>"));
    // Windows' own tools ask nothing: Stop Monitoring and Stop act at once.
    assert!(!en.contains("id=\"stopmon-ssc-node1-pvmservice\" data-confirm"));
    let ja = page::session(&training, "s", Lang::Ja);
    assert!(ja.contains("data-confirm=\"クラスタ: 「クラスタサスペンド」を実行しますか？ 実行するには [OK]、やめるには [キャンセル] をクリックしてください。\""), "{ja}");
    assert!(ja.contains("<button type=\"button\" class=\"cancel\" id=\"confirm-cancel\">キャンセル</button>"), "{ja}");
}

#[test]
fn the_alert_log_gives_each_line_its_type_and_time_and_highlights_alerts() {
    let course = seed_course();
    // Careless: no Stop Monitoring, so the watch cuts the installer short.
    let acts: Vec<Act> = correct_acts(&course)
        .into_iter()
        .filter(|act| !matches!(act, Act::StopMonitoring { .. }))
        .take_while(|act| !matches!(act, Act::ResumeCluster))
        .collect();
    let training = play(&course, &acts);
    let page = page::session(&training, "s", Lang::En);
    let log = &page[page.find("<table id=\"events\">").expect("the alert log has lines")..];
    let log = &log[..log.find("</table>").expect("its end")];
    assert!(log.contains("<th>Type</th><th>Time</th><th>Server</th><th>Message</th>"), "{log}");
    assert!(
        log.contains("<tr class=\"sev-info\" data-severity=\"info\"><td><span class=\"sev\">Info</span></td><td>00:"),
        "{log}"
    );
    let error = log.find("data-severity=\"error\"").expect("an Error line");
    assert!(log[error..].contains("<mark class=\"alert-line\">installer interrupted"), "{log}");
    let ja = page::session(&training, "s", Lang::Ja);
    assert!(ja.contains("<span class=\"sev\">エラー</span>") && ja.contains("<th>種別</th><th>時刻</th>"), "{ja}");
}
