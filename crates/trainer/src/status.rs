//! Status words as the product's screens show them, in the page's language, each with the
//! colour of its badge.
//!
//! English follows the seed and the product's English screens: a suspended cluster reads
//! "Suspended" (the seed: "check that the left pane shows Suspended"), groups and resources
//! Online / Offline, monitors Normal / Error, services as the Services panel says them. The
//! Japanese words follow CLUSTERPRO's Japanese screens where known (起動済, 停止済, 正常,
//! 異常, サスペンド) and Windows' Japanese Services panel (実行中, 停止); the pending and
//! failure words are inferred.

use procedure::backend::{ClusterService, GroupStatus, MonitorStatus, Power, ResourceStatus, ServiceStatus, Watch};
use run_report::escape;

use super::text::Lang;

/// One status word in both languages and its badge's colour class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// `ok`, `suspend`, `error`, `pending` or `off`.
    pub colour: &'static str,
    /// English.
    pub en: &'static str,
    /// Japanese.
    pub ja: &'static str,
}

impl Word {
    /// The word in `lang`.
    pub fn text(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ja => self.ja,
        }
    }

    /// The badge.
    pub fn badge(&self, lang: Lang) -> String {
        format!("<span class=\"st st-{}\">{}</span>", self.colour, escape(self.text(lang)))
    }
}

const fn word(colour: &'static str, en: &'static str, ja: &'static str) -> Word {
    Word { colour, en, ja }
}

/// A server in the cluster tree.
pub fn server(power: Power, cluster: ClusterService) -> Word {
    match (power, cluster) {
        (Power::Down, _) => word("error", "Down", "ダウン"),
        (Power::Booting, _) => word("pending", "Booting", "起動中"),
        (Power::Up, ClusterService::Running) => word("ok", "Online", "オンライン"),
        (Power::Up, ClusterService::Suspended) => word("suspend", "Suspended", "サスペンド"),
        (Power::Up, ClusterService::Suspending) => word("suspend", "Suspending", "サスペンド処理中"),
        (Power::Up, ClusterService::Resuming) => word("suspend", "Resuming", "リジューム処理中"),
        (Power::Up, ClusterService::Stopped) => word("off", "Offline", "オフライン"),
    }
}

/// A group.
pub fn group(status: GroupStatus) -> Word {
    match status {
        GroupStatus::Online => word("ok", "Online", "起動済"),
        GroupStatus::Offline => word("off", "Offline", "停止済"),
        GroupStatus::OnlinePending => word("pending", "Online Pending", "起動処理中"),
        GroupStatus::OfflinePending => word("pending", "Offline Pending", "停止処理中"),
        GroupStatus::OnlineFailure => word("error", "Online Failure", "起動異常"),
    }
}

/// A group resource.
pub fn resource(status: ResourceStatus) -> Word {
    match status {
        ResourceStatus::Online => word("ok", "Online", "起動済"),
        ResourceStatus::Offline => word("off", "Offline", "停止済"),
        ResourceStatus::OnlinePending => word("pending", "Online Pending", "起動処理中"),
        ResourceStatus::OfflinePending => word("pending", "Offline Pending", "停止処理中"),
        ResourceStatus::OnlineFailure => word("error", "Online Failure", "起動異常"),
    }
}

/// A monitor on a server.
pub fn monitor(status: MonitorStatus) -> Word {
    match status {
        MonitorStatus::Normal => word("ok", "Normal", "正常"),
        MonitorStatus::Error => word("error", "Error", "異常"),
        MonitorStatus::Suspended => word("suspend", "Suspended", "一時停止"),
        MonitorStatus::Offline => word("off", "Offline", "停止済"),
    }
}

/// A Windows service in the Services panel.
pub fn service(status: ServiceStatus) -> Word {
    match status {
        ServiceStatus::Running => word("ok", "Running", "実行中"),
        ServiceStatus::Stopped => word("off", "Stopped", "停止"),
        ServiceStatus::StartPending => word("pending", "Starting", "開始中"),
        ServiceStatus::StopPending => word("pending", "Stopping", "停止中"),
    }
}

/// A service's watch in the Task Manager (`None`: not in its list).
pub fn watch(watch: Watch) -> Option<Word> {
    match watch {
        Watch::Absent => None,
        Watch::Monitoring => Some(word("ok", "Monitoring", "監視中")),
        Watch::NotMonitoring => Some(word("suspend", "Not monitoring", "監視停止中")),
    }
}
