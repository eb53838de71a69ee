//! The catalogue's part for events: the cluster's events, the scenario's faults and the
//! cluster's refusals as the trainer shows them, in the page's language. [`text`](super::text)
//! holds the trainer's fixed strings; this module holds the Japanese texts that are built
//! around names (nodes, services, groups, resources, monitors, versions, folders, registry
//! values, which stay as they are).
//!
//! In English every text is exactly what [`Renderer`] (and the errors' `Display`) says: the
//! English lives once, in `procedure`. In Japanese each event kind, fault and refusal has its
//! own text, matched exhaustively, so that a new kind does not compile until it is translated.
//! The terms follow the product's Japanese screens: クラスタ, サーバ, サスペンド, リジューム,
//! フェイルオーバ, グループ, リソース, モニタリソース, レジストリ同期, 回復動作, 最終動作.

use std::fmt::Write as _;
use std::time::Duration;

use procedure::backend::{BackendError, Refusal};
use procedure::cluster::{FinalAction, MonitorId};
use procedure::duration::clock;
use procedure::event::{
    Actor, DownCause, Event, EventKind, Fault, InstallerFailure, Interruption, Recovery, Renderer, is_routine,
};
use procedure::fault::FaultKind;
use procedure::procedure::RestartAnswer;
use procedure::setup::{DataId, Setup};

use super::text::{Lang, T};

/// Virtual time as the page's clock shows it.
pub fn clock_text(at: Duration) -> String {
    clock(at).split('.').next().unwrap_or_default().to_owned()
}

/// One event as a line, `hh:mm:ss  node  what`, in the layout of [`Renderer::line`].
pub fn line(setup: &Setup, event: &Event, lang: Lang) -> String {
    match lang {
        Lang::En => Renderer::new(setup).line(event),
        Lang::Ja => procedure::event::line(setup, event, &describe(setup, &event.kind, lang)),
    }
}

/// The trainee's event log: the last `count` lines of the story, oldest first, without the
/// scenario's faults (the trainee meets a fault by its consequences, as on a real cluster;
/// the debrief names it).
pub fn trainee_tail(setup: &Setup, events: &[Event], count: usize, lang: Lang) -> Vec<String> {
    let mut lines: Vec<String> = events
        .iter()
        .rev()
        .filter(|e| !is_routine(&e.kind) && !matches!(e.kind, EventKind::FaultInjected { .. }))
        .take(count)
        .map(|e| line(setup, e, lang))
        .collect();
    lines.reverse();
    lines
}

/// What an event says, without time and node.
pub fn describe(setup: &Setup, kind: &EventKind, lang: Lang) -> String {
    match lang {
        Lang::En => Renderer::new(setup).describe(kind),
        Lang::Ja => Ja { setup }.describe(kind),
    }
}

/// A fault of the scenario in words.
pub fn fault(setup: &Setup, fault: &Fault, lang: Lang) -> String {
    match lang {
        Lang::En => Renderer::new(setup).fault(fault),
        Lang::Ja => Ja { setup }.fault(fault),
    }
}

/// Why the cluster refused an operation.
pub fn refusal(reason: Refusal, lang: Lang) -> String {
    match lang {
        Lang::En => reason.to_string(),
        Lang::Ja => refusal_ja(reason).to_owned(),
    }
}

/// What an operation's error says, for the page's `refused: {}`: a refusal is its reason
/// alone (the page says that it was refused); another error, its own text.
pub fn error(setup: &Setup, error: &BackendError, lang: Lang) -> String {
    match (error, lang) {
        (BackendError::Refused { reason, .. }, _) => refusal(*reason, lang),
        (other, Lang::En) => other.to_string(),
        (BackendError::Unreachable { node }, Lang::Ja) => format!("サーバ {} が応答しません", setup.node_name(*node)),
        (BackendError::Failed { message, .. }, Lang::Ja) => format!("失敗しました: {message}"),
    }
}

fn refusal_ja(reason: Refusal) -> &'static str {
    match reason {
        Refusal::ClusterSuspended => "クラスタがサスペンド中です",
        Refusal::ClusterNotRunning => "このサーバではクラスタサービスが起動していません",
        Refusal::NodeDown => "サーバが停止しています",
        Refusal::InstallerRunning => "このサーバではインストーラがすでに実行中です",
        Refusal::DriveNotAccessible => "このサーバからはドライブにアクセスできません",
        Refusal::NotWatched => "このサーバではこのサービスは監視対象ではありません",
        Refusal::TargetUnavailable => "移動先のサーバはグループを起動できません",
        Refusal::Busy => "同じ対象への別の操作がまだ完了していません",
    }
}

/// Who did something to a service, as the agent of a passive sentence (「…によって」).
fn actor_ja(actor: Actor) -> &'static str {
    match actor {
        Actor::Operator => "オペレータ",
        Actor::Installer => "インストーラ",
        Actor::Cluster => "クラスタ",
        Actor::Watch => "タスクマネージャの監視",
        Actor::Monitor => "モニタリソースの回復動作",
        Actor::Shutdown => "シャットダウン",
        Actor::Fault => "障害 (異常終了)",
    }
}

fn down_cause_ja(cause: DownCause) -> &'static str {
    match cause {
        DownCause::Reboot => "再起動",
        DownCause::InstallerPrompt => "インストーラの確認で再起動を選択",
        DownCause::ClusterReboot => "クラスタシャットダウンリブート",
        DownCause::Crash => "クラッシュ",
        DownCause::NetworkPartition => "ハートビート途絶で孤立: 緊急シャットダウン",
        DownCause::FinalAction => "モニタリソースの最終動作",
    }
}

fn final_action_ja(action: FinalAction) -> &'static str {
    match action {
        FinalAction::NoOperation => "何もしない",
        FinalAction::StopGroup => "グループ停止",
        FinalAction::StopClusterService => "クラスタサービス停止",
        FinalAction::StopClusterServiceAndShutdown => "クラスタサービス停止と OS シャットダウン",
        FinalAction::StopClusterServiceAndReboot => "クラスタサービス停止と OS 再起動",
    }
}

/// The Japanese texts, over `setup`'s names.
struct Ja<'a> {
    setup: &'a Setup,
}

impl<'a> Ja<'a> {
    fn data(&self, data: Option<DataId>) -> String {
        match data {
            Some(data) => format!("{:?}", self.setup.data_text(data)),
            None => "(値なし)".to_owned(),
        }
    }

    fn watchers(&self, watch_active: bool, monitor_active: Option<MonitorId>) -> String {
        match (watch_active, monitor_active) {
            (false, None) => String::new(),
            (true, None) => " [監視中: タスクマネージャ]".to_owned(),
            (false, Some(monitor)) => format!(" [監視中: モニタリソース {}]", self.setup.monitor_name(monitor)),
            (true, Some(monitor)) => {
                format!(" [監視中: タスクマネージャ, モニタリソース {}]", self.setup.monitor_name(monitor))
            }
        }
    }

    fn describe(&self, kind: &EventKind) -> String {
        use EventKind::*;
        match kind {
            StepStarted { step } => {
                let step = &self.setup.procedure.steps[usize::from(*step)];
                format!("== 手順 {} ({})", step.label(), step.action.keyword())
            }
            FaultInjected { fault } => format!("!! 障害: {}", self.fault(fault)),
            RunStopped => "== 実行を停止しました。ここからはだれもクラスタを操作しません".to_owned(),
            RecoveryStarted { round, steps } => {
                format!("== 復旧 {round}: 現在のクラスタの状態から {steps} 個の手順を計画しました")
            }
            RecoveryStep { step, title } => format!("== 復旧手順 {}: {title}", step + 1),
            RecoveryStopped { reason } => format!("== 復旧が止まりました: {reason}"),
            RecoveryEnded { serving: true, .. } => "== 復旧が終わりました。クラスタは稼働しています".to_owned(),
            RecoveryEnded { serving: false, detail } => format!("== 復旧は稼働状態に届きませんでした: {detail}"),
            OperationRefused { operation, reason, .. } => {
                format!("{operation} が拒否されました: {}", refusal_ja(*reason))
            }
            ClusterSuspending { .. } => "クラスタをサスペンドしています".to_owned(),
            ClusterSuspended { .. } => "クラスタをサスペンドしました".to_owned(),
            ClusterResuming { .. } => "クラスタをリジュームしています".to_owned(),
            ClusterResumed { .. } => "クラスタをリジュームしました".to_owned(),
            ClusterServiceStarted { .. } => "クラスタサービスが起動しました".to_owned(),
            ClusterServiceStopped { .. } => "クラスタサービスが停止しました".to_owned(),
            NodeDown { cause, cluster_suspended, .. } => {
                let suspended = if *cluster_suspended { "クラスタのサスペンド中に" } else { "" };
                format!("{suspended}サーバダウン ({})", down_cause_ja(*cause))
            }
            NodeBooted { .. } => "サーバが起動しました".to_owned(),
            NodeUnreachable { .. } => "サーバが応答しません".to_owned(),
            NodeReachable { .. } => "サーバが再び応答しています".to_owned(),
            ServiceStopped { service, by, watch_active, monitor_active, .. } => format!(
                "サービス {:?} が{}によって停止されました{}",
                self.setup.service_name(*service),
                actor_ja(*by),
                self.watchers(*watch_active, *monitor_active)
            ),
            ServiceStarted { service, by, watch_active, monitor_active, .. } => format!(
                "サービス {:?} が{}によって開始されました{}",
                self.setup.service_name(*service),
                actor_ja(*by),
                self.watchers(*watch_active, *monitor_active)
            ),
            ServiceStartFailed { service, .. } => {
                format!("サービス {:?} の開始に失敗しました", self.setup.service_name(*service))
            }
            WatchSet { service, monitoring, .. } => format!(
                "{:?} の監視を「{}」に設定しました",
                self.setup.service_name(*service),
                if *monitoring { Lang::Ja.t(T::Monitoring) } else { Lang::Ja.t(T::NotMonitoring) }
            ),
            MonitorSuspended { monitor, .. } => {
                format!("モニタリソース {} を一時停止しました", self.setup.monitor_name(*monitor))
            }
            MonitorResumed { monitor, .. } => {
                format!("モニタリソース {} を再開しました", self.setup.monitor_name(*monitor))
            }
            MonitorError { monitor, false_alarm, .. } => format!(
                "モニタリソース {} が異常を検出しました{}",
                self.setup.monitor_name(*monitor),
                if *false_alarm { " (誤検出)" } else { "" }
            ),
            MonitorRecovery { monitor, action, .. } => {
                let action = match action {
                    Recovery::Restart => "回復対象を再活性化します".to_owned(),
                    Recovery::Failover => "グループをフェイルオーバします".to_owned(),
                    Recovery::FinalAction(final_action) => {
                        format!("最終動作「{}」を実行します", final_action_ja(*final_action))
                    }
                };
                format!("モニタリソース {} の回復動作: {action}", self.setup.monitor_name(*monitor))
            }
            ResourceOnline { resource, .. } => {
                format!("リソース {} が起動しました", self.setup.resource_name(*resource))
            }
            ResourceOffline { resource, .. } => {
                format!("リソース {} が停止しました", self.setup.resource_name(*resource))
            }
            ResourceFailed { resource, .. } => {
                format!("リソース {} の起動に失敗しました", self.setup.resource_name(*resource))
            }
            GroupStarting { group, .. } => format!("グループ {} を起動しています", self.setup.group_name(*group)),
            GroupOnline { group, .. } => format!("グループ {} が起動しました", self.setup.group_name(*group)),
            GroupStopping { group, .. } => format!("グループ {} を停止しています", self.setup.group_name(*group)),
            GroupOffline { group, .. } => format!("グループ {} が停止しました", self.setup.group_name(*group)),
            GroupMoveFailed { group, .. } => {
                format!(
                    "グループ {} はこのサーバで起動できませんでした。元のサーバへ戻します",
                    self.setup.group_name(*group)
                )
            }
            RegistryCaptured { resource, changed, .. } => format!(
                "レジストリ同期リソース {} がキーを取り込みました (変更された値: {changed} 個)",
                self.setup.resource_name(*resource)
            ),
            RegistryRestored { resource, overwritten, .. } => {
                let mut text =
                    format!("レジストリ同期リソース {} がイメージを復元しました", self.setup.resource_name(*resource));
                if overwritten.is_empty() {
                    text.push_str(" (変更された値なし)");
                }
                for overwrite in overwritten {
                    let slot = self.setup.slot_name(overwrite.slot);
                    let by =
                        if overwrite.installer_write { " (インストーラが書き込んだもの)" } else { "" };
                    let _ = match (overwrite.lost, overwrite.restored) {
                        (Some(_), Some(_)) | (None, None) => write!(
                            text,
                            "。{slot} の値 {}{by} が失われ、{} に戻りました",
                            self.data(overwrite.lost),
                            self.data(overwrite.restored)
                        ),
                        (Some(_), None) => {
                            write!(text, "。{slot} の値 {}{by} が失われ、値が削除されました", self.data(overwrite.lost))
                        }
                        (None, Some(_)) => {
                            write!(
                                text,
                                "。{slot} には値がありませんでしたが、{} に戻りました",
                                self.data(overwrite.restored)
                            )
                        }
                    };
                }
                text
            }
            RegistryWritten { slot, data, .. } => {
                format!("インストーラが {} = {} を書き込みました", self.setup.slot_name(*slot), self.data(Some(*data)))
            }
            ModuleUnzipped { on_mirror, .. } => {
                format!("モジュールを{}展開しました", if *on_mirror { "ミラーディスクに" } else { "" })
            }
            RegistryBackedUp { .. } => "レジストリキーをエクスポートしました".to_owned(),
            RegistryImported { changed, .. } => {
                format!("レジストリのエクスポートをインポートしました (変更された値: {changed} 個)")
            }
            InstallerStarted { from_mirror, .. } => {
                format!("{}インストーラを開始しました", if *from_mirror { "ミラーディスクから" } else { "" })
            }
            InstallerPrompt { answer, .. } => format!(
                "インストーラが再起動を求めました。回答: {}",
                match answer {
                    RestartAnswer::Decline => "いいえ (再起動は保留)",
                    RestartAnswer::Restart => "はい",
                }
            ),
            ComponentUpdated { component, .. } => {
                let name = &self.setup.cluster.components[component.index()].name;
                format!("{name} を {} に更新しました", self.setup.module_version(*component).unwrap_or("?"))
            }
            InstallerFinished { restart_requested, files_only, .. } => format!(
                "インストーラが完了しました{}{}",
                if *files_only {
                    " (ファイルのみ: このサーバにはデータベースがありません)"
                } else {
                    ""
                },
                if *restart_requested { "。再起動が保留されています" } else { "" }
            ),
            InstallerFailed { reason, .. } => match reason {
                InstallerFailure::ModuleNotFound => {
                    "インストーラが失敗しました: このサーバからはモジュールのファイルを読み取れません".to_owned()
                }
                InstallerFailure::Fault => "インストーラが途中で失敗しました".to_owned(),
                InstallerFailure::ServiceInUse { service } => format!(
                    "インストーラが失敗しました: {:?} が実行中で、置き換えるファイルを使用しています",
                    self.setup.service_name(*service)
                ),
                InstallerFailure::ServiceDidNotStart { service } => {
                    format!(
                        "インストーラが失敗しました: {:?} を再び開始できませんでした",
                        self.setup.service_name(*service)
                    )
                }
            },
            InstallerInterrupted { cause, .. } => match cause {
                Interruption::ServiceRestarted { service, by } => format!(
                    "インストーラが中断されました: インストール中に {:?} が{}によって再起動されました",
                    self.setup.service_name(*service),
                    actor_ja(*by)
                ),
                Interruption::GroupLeft { group } => {
                    format!(
                        "インストーラが中断されました: グループ {} がこのサーバを離れました",
                        self.setup.group_name(*group)
                    )
                }
                Interruption::NodeDown { cause: DownCause::Crash } => {
                    "インストーラが中断されました: サーバがクラッシュしました".to_owned()
                }
                Interruption::NodeDown { .. } => "インストーラが中断されました: サーバがダウンしました".to_owned(),
            },
            ClusterRebootStarted { .. } => "全サーバのクラスタシャットダウンリブート (clpstdn -r)".to_owned(),
        }
    }

    /// A fault in Japanese, from its kind and what it strikes.
    fn fault(&self, fault: &Fault) -> String {
        let struck = fault.targets();
        let setup = self.setup;
        let node = struck.node.map_or("?", |n| setup.node_name(n));
        let service = struck.service.map_or("?", |s| setup.service_name(s));
        match fault.kind() {
            FaultKind::Crash => format!("{node} がクラッシュする"),
            FaultKind::Restart => format!("{node} が再起動する"),
            FaultKind::InstallerFails => format!("{node} で次に実行するインストーラが失敗する"),
            FaultKind::RestartRequest => format!("{node} で次に実行するインストーラが再起動を求める"),
            FaultKind::ServiceFailsToStart => format!("{node} で次の {service:?} の開始が失敗する"),
            FaultKind::GroupMoveFails => {
                format!("グループ {} の次の移動が失敗する", struck.group.map_or("?", |g| setup.group_name(g)))
            }
            FaultKind::MonitorFalseAlarm => {
                let monitor = struck.monitor.map_or("?", |m| setup.monitor_name(m));
                format!("モニタリソース {monitor} が {node} で誤検出する")
            }
            FaultKind::Unreachable => format!("{node} が応答しなくなる"),
            FaultKind::Reachable => format!("{node} が再び応答する"),
            FaultKind::InstallerHangs => format!("{node} で次に実行するインストーラがハングする"),
            FaultKind::ServiceDies => format!("{node} で {service:?} が異常終了する"),
            FaultKind::ResourceFails => {
                let resource = struck.resource.map_or("?", |r| setup.resource_name(r));
                format!("リソース {resource} の次の起動が失敗する")
            }
            FaultKind::HeartbeatLoss => format!("{node} が他のサーバとのハートビートを失う"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use procedure::cluster::{ComponentId, GroupId, NodeId, ResourceId, ServiceId};
    use procedure::event::Overwrite;
    use procedure::setup::SlotId;

    use super::*;

    /// One of every event kind, every cause and every fault (the traces of the trainer's tests
    /// do not reach them all).
    fn every_kind() -> Vec<EventKind> {
        use EventKind::*;
        let (node, service, monitor) = (NodeId(0), ServiceId(0), MonitorId(0));
        let (resource, group, slot) = (ResourceId(0), GroupId(0), SlotId(0));
        let overwrite = |lost, restored, installer_write| Overwrite { slot, lost, restored, installer_write };
        let mut kinds = vec![
            StepStarted { step: 0 },
            RunStopped,
            ClusterSuspending { node },
            ClusterSuspended { node },
            ClusterResuming { node },
            ClusterResumed { node },
            ClusterServiceStarted { node },
            ClusterServiceStopped { node },
            NodeBooted { node },
            NodeUnreachable { node },
            NodeReachable { node },
            ServiceStartFailed { node, service },
            WatchSet { node, service, monitoring: true },
            WatchSet { node, service, monitoring: false },
            MonitorSuspended { node, monitor },
            MonitorResumed { node, monitor },
            MonitorError { node, monitor, false_alarm: false },
            MonitorError { node, monitor, false_alarm: true },
            MonitorRecovery { node, monitor, action: Recovery::Restart },
            MonitorRecovery { node, monitor, action: Recovery::Failover },
            ResourceOnline { node, resource },
            ResourceOffline { node, resource, orderly: true },
            ResourceFailed { node, resource },
            GroupStarting { group, node },
            GroupOnline { group, node },
            GroupStopping { group, node },
            GroupOffline { group, node },
            GroupMoveFailed { group, node },
            RegistryCaptured { resource, node, changed: 2 },
            RegistryRestored { resource, node, overwritten: Vec::new() },
            RegistryRestored {
                resource,
                node,
                overwritten: vec![
                    overwrite(Some(DataId(1)), Some(DataId(0)), true),
                    overwrite(Some(DataId(1)), None, false),
                    overwrite(None, Some(DataId(0)), false),
                ],
            },
            RegistryWritten { node, slot, data: DataId(0) },
            ModuleUnzipped { node, on_mirror: false },
            ModuleUnzipped { node, on_mirror: true },
            RegistryBackedUp { node },
            RegistryImported { node, changed: 2 },
            InstallerStarted { node, from_mirror: false },
            InstallerStarted { node, from_mirror: true },
            InstallerPrompt { node, answer: RestartAnswer::Decline },
            InstallerPrompt { node, answer: RestartAnswer::Restart },
            ComponentUpdated { node, component: ComponentId(0) },
            InstallerFinished { node, restart_requested: true, files_only: true },
            InstallerFinished { node, restart_requested: false, files_only: false },
            ClusterRebootStarted { via: node },
        ];
        for action in [
            FinalAction::NoOperation,
            FinalAction::StopGroup,
            FinalAction::StopClusterService,
            FinalAction::StopClusterServiceAndShutdown,
            FinalAction::StopClusterServiceAndReboot,
        ] {
            kinds.push(MonitorRecovery { node, monitor, action: Recovery::FinalAction(action) });
        }
        for cause in [
            DownCause::Reboot,
            DownCause::InstallerPrompt,
            DownCause::ClusterReboot,
            DownCause::Crash,
            DownCause::NetworkPartition,
            DownCause::FinalAction,
        ] {
            kinds.push(NodeDown { node, cause, cluster_suspended: false });
            kinds.push(NodeDown { node, cause, cluster_suspended: true });
            kinds.push(InstallerInterrupted { node, cause: Interruption::NodeDown { cause } });
        }
        for by in [
            Actor::Operator,
            Actor::Installer,
            Actor::Cluster,
            Actor::Watch,
            Actor::Monitor,
            Actor::Shutdown,
            Actor::Fault,
        ] {
            kinds.push(ServiceStopped { node, service, by, watch_active: false, monitor_active: None });
            kinds.push(ServiceStarted { node, service, by, watch_active: true, monitor_active: Some(monitor) });
            kinds.push(InstallerInterrupted { node, cause: Interruption::ServiceRestarted { service, by } });
        }
        kinds.push(ServiceStopped { node, service, by: Actor::Installer, watch_active: true, monitor_active: None });
        kinds.push(ServiceStarted {
            node,
            service,
            by: Actor::Watch,
            watch_active: false,
            monitor_active: Some(monitor),
        });
        kinds.push(InstallerInterrupted { node, cause: Interruption::GroupLeft { group } });
        for reason in [
            InstallerFailure::ModuleNotFound,
            InstallerFailure::Fault,
            InstallerFailure::ServiceInUse { service },
            InstallerFailure::ServiceDidNotStart { service },
        ] {
            kinds.push(InstallerFailed { node, reason });
        }
        for operation in ["move-group", "suspend-cluster"] {
            for reason in REFUSALS {
                kinds.push(OperationRefused { node, operation, reason });
            }
        }
        // Every kind of fault, so that a new one cannot go untranslated.
        let mut struck = procedure::fault::Struck {
            node: Some(node),
            service: Some(service),
            monitor: Some(monitor),
            group: Some(group),
            resource: Some(resource),
        };
        for kind in FaultKind::ALL {
            kinds.push(FaultInjected { fault: kind.build(&mut struck).expect("every target is given") });
        }
        kinds
    }

    const REFUSALS: [Refusal; 8] = [
        Refusal::ClusterSuspended,
        Refusal::ClusterNotRunning,
        Refusal::NodeDown,
        Refusal::InstallerRunning,
        Refusal::DriveNotAccessible,
        Refusal::NotWatched,
        Refusal::TargetUnavailable,
        Refusal::Busy,
    ];

    fn setup() -> std::sync::Arc<Setup> {
        // A module that writes registry values, so that every kind has names to show.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/run-restart-request.toml");
        sim_cluster::scenario::Scenario::load(&path).expect("the scenario loads").setup
    }

    fn has_japanese(text: &str) -> bool {
        text.chars().any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
    }

    #[test]
    fn every_event_kind_reads_as_the_renderer_says_in_english_and_has_its_own_japanese() {
        let setup = setup();
        let renderer = Renderer::new(&setup);
        // Japanese text → the English it translates: two kinds read the same only when they
        // do in English.
        let mut japanese = std::collections::HashMap::new();
        for kind in every_kind() {
            let event = Event { at: Duration::from_millis(61_500), kind };
            assert_eq!(line(&setup, &event, Lang::En), renderer.line(&event));
            let english = renderer.describe(&event.kind);
            let text = describe(&setup, &event.kind, Lang::Ja);
            assert!(text != english && has_japanese(&text), "{event:?}: {text}");
            let before = japanese.insert(text.clone(), english.clone());
            assert!(before.is_none_or(|before| before == english), "two kinds read the same: {text}");
            assert!(line(&setup, &event, Lang::Ja).starts_with("00:01:01.500 "), "{text}");
        }
        let fault = Fault::Crash { node: NodeId(1) };
        assert_eq!(super::fault(&setup, &fault, Lang::En), renderer.fault(&fault));
        assert_eq!(super::fault(&setup, &fault, Lang::Ja), "ssc-node2 がクラッシュする");
    }

    #[test]
    fn a_refusal_reads_as_its_reason_in_both_languages() {
        let setup = setup();
        for reason in REFUSALS {
            let error = BackendError::Refused { node: NodeId(0), reason };
            assert_eq!(refusal(reason, Lang::En), reason.to_string());
            // The page says "refused:" itself.
            assert_eq!(super::error(&setup, &error, Lang::En), reason.to_string());
            assert_eq!(error.to_string(), format!("refused: {reason}"));
            assert_eq!(super::error(&setup, &error, Lang::Ja), refusal(reason, Lang::Ja));
            assert!(has_japanese(&refusal(reason, Lang::Ja)));
        }
        let unreachable = BackendError::Unreachable { node: NodeId(1) };
        assert_eq!(super::error(&setup, &unreachable, Lang::En), "node 1 is unreachable");
        assert_eq!(super::error(&setup, &unreachable, Lang::Ja), "サーバ ssc-node2 が応答しません");
        let failed = BackendError::Failed { node: NodeId(0), message: "exit 5".into() };
        assert_eq!(super::error(&setup, &failed, Lang::Ja), "失敗しました: exit 5");
    }
}
