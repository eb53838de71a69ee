//! Every string the trainer shows, in English and Japanese, in one catalogue. A text with
//! `{}` holes is filled in order by [`Lang::fill`]. The cluster's events, the scenario's faults
//! and the cluster's refusals, texts built around names, are the catalogue's part in
//! [`events`](super::events).
//!
//! The product is sold as CLUSTERPRO in Japan, where most of its operators read Japanese; the
//! Japanese terms follow the product's Japanese screens where they are known (サスペンド,
//! リジューム, フェイルオーバ, モニタリソース).

use procedure::invariant::Invariant;

/// The page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

impl Lang {
    /// `en` or `ja`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// The language of a `lang` parameter or cookie.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim() {
            "en" => Some(Lang::En),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The first of English and Japanese that an `Accept-Language` header names, by its
    /// order of preference (q values); English when it names neither.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = if tag == "ja" || tag.starts_with("ja-") {
                Lang::Ja
            } else if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else {
                continue;
            };
            if best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, lang)| lang)
    }

    /// A text of the catalogue in this language.
    pub fn t(self, text: T) -> &'static str {
        let (en, ja) = text.pair();
        match self {
            Lang::En => en,
            Lang::Ja => ja,
        }
    }

    /// A text with its `{}` holes filled by `args`, in order.
    pub fn fill(self, text: T, args: &[&str]) -> String {
        filled(self.t(text), args)
    }

    /// What broke an invariant, in this language: in English the judge's own sentence
    /// (`english`); in Japanese a sentence of the same fact around the node it names.
    pub fn detail(self, invariant: Invariant, english: &str, node: Option<&str>) -> String {
        if self == Lang::En {
            return english.to_owned();
        }
        let on = node.map(|node| format!("{node} で")).unwrap_or_default();
        let of = node.map(|node| format!("{node} の")).unwrap_or_default();
        match invariant {
            Invariant::RebootWhileSuspended => format!("{on}クラスタのサスペンド中にサーバが再起動しました。"),
            Invariant::RegistrySyncStoppedDuringApply => {
                format!("{on}モジュールの適用中にレジストリ同期リソースが停止していました。")
            }
            Invariant::MonitoringDuringApply => format!("{on}インストール中に監視が有効なままでした。"),
            Invariant::FailoverDuringApply => format!("{on}モジュールの適用中にグループが起動しました。"),
            Invariant::InstallerInterrupted => format!("{of}インストーラが途中で中断されました。"),
            Invariant::RegistryRolledBack => format!("{on}インストーラが書き込んだレジストリ値が元に戻されました。"),
            Invariant::ModuleOnMirrorDrive => format!("{on}モジュールがミラーディスクに展開されました。"),
            Invariant::PartialUpdate => format!("{of}コンポーネントが更新モジュールの版になっていません。"),
            Invariant::PendingRestartSkipped => format!("{on}インストーラが求めた再起動が行われていません。"),
            Invariant::ClusterNotRestored => format!("{on}クラスタが作業前の状態に戻っていません。"),
            Invariant::FailoverNotVerified => "グループを待機系へ移動して戻す確認が行われていません。".to_owned(),
        }
    }

    /// A word of the timeline picture (its legend, a bar's hover text) in this language.
    pub fn timeline(self, english: &str) -> String {
        if self == Lang::En {
            return english.to_owned();
        }
        let ja = match english {
            "timeline" => "タイムライン",
            "cluster suspended" => "サスペンド中",
            "group online here" => "グループ起動済",
            "group starts here" | "group starting here" => "グループ起動開始",
            "installer" | "install" => "インストーラ",
            "install failed" => "インストール失敗",
            "install interrupted" => "インストール中断",
            "install (running)" => "インストール (実行中)",
            "down / rebooting" => "ダウン / 再起動中",
            "down" => "ダウン",
            "service stopped" => "サービス停止",
            "registry rolled back" => "レジストリ巻き戻り",
            // `"NAME" stopped`, a service's mark.
            other => {
                return other.strip_suffix(" stopped").map_or(other.to_owned(), |service| format!("{service} 停止"));
            }
        };
        ja.to_owned()
    }

    /// What an invariant protects, in plain words, and why it matters.
    pub fn why(self, invariant: Invariant) -> &'static str {
        let (en, ja) = match invariant {
            Invariant::RebootWhileSuspended => (
                "A node restarted while the cluster is suspended comes back with its cluster service running: it starts the group, and registry synchronization writes its old copy of the keys over what the installer wrote.",
                "クラスタのサスペンド中にサーバを再起動すると、クラスタサービスが起動してグループが起動し、レジストリ同期が古いキーをインストーラの書いた値の上に書き戻します。",
            ),
            Invariant::RegistrySyncStoppedDuringApply => (
                "A registry synchronization resource that is stopped while the module is applied does not capture the new keys; when it starts again it rolls them back.",
                "モジュール適用中にレジストリ同期リソースを停止すると、新しいキーが取り込まれず、次にリソースが起動したときに元の値へ戻されます。",
            ),
            Invariant::MonitoringDuringApply => (
                "A monitor or watch that is still active sees the installer stop a service and restarts it under the installer, which then fails or leaves files half replaced.",
                "監視が有効なままだと、インストーラが停止したサービスを監視が再起動してしまい、インストールが失敗したりファイルが中途半端に置き換わったりします。",
            ),
            Invariant::FailoverDuringApply => (
                "A group that moves or restarts while the module is applied starts services on a node in the middle of its update.",
                "モジュール適用中にグループが移動・再起動すると、更新途中のサーバでサービスが起動します。",
            ),
            Invariant::InstallerInterrupted => (
                "An installer cut short leaves the components half updated.",
                "インストーラが中断されると、コンポーネントが中途半端に更新されたままになります。",
            ),
            Invariant::RegistryRolledBack => (
                "Values the installer wrote were overwritten by registry synchronization's older copy: the update is silently undone.",
                "インストーラが書き込んだ値がレジストリ同期の古い値で上書きされ、更新が黙って取り消されました。",
            ),
            Invariant::ModuleOnMirrorDrive => (
                "The mirror drive can be read only on the node that holds the group: the other node cannot install from it.",
                "ミラーディスクはグループを持つサーバでしか読めないため、もう一方のサーバからはインストールできません。",
            ),
            Invariant::PartialUpdate => (
                "Every component must be updated on every node; a partly updated cluster is not supported.",
                "すべてのサーバのすべてのコンポーネントを更新する必要があります。一部だけの更新はサポートされません。",
            ),
            Invariant::PendingRestartSkipped => (
                "The installer asked for a restart; until the cluster is rebooted safely after the resume, the update is not complete.",
                "インストーラが再起動を求めました。リジューム後にクラスタを安全に再起動するまで、更新は完了していません。",
            ),
            Invariant::ClusterNotRestored => (
                "At the end the cluster must run as before: every node up, nothing suspended, everything monitored, the group online on the active node.",
                "最後には元どおり、全サーバが起動し、サスペンドも監視停止もなく、グループが現用系でオンラインである必要があります。",
            ),
            Invariant::FailoverNotVerified => (
                "Only moving the group to the standby and back proves that both nodes can run it after the update.",
                "グループを待機系へ移動して戻すことでのみ、更新後に両サーバでグループが動くことを確かめられます。",
            ),
        };
        match self {
            Lang::En => en,
            Lang::Ja => ja,
        }
    }
}

/// A text of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    AppTitle,
    Start,
    /// A session's page that is gone.
    Expired,
    StartIntro,
    ScenarioPrepared,
    NothingBrokenYet,
    FaultsOfScenario,
    Language,
    Clock,
    Checklist,
    ChecklistHint,
    NotNeeded,
    IfNeeded,
    NothingYet,
    ClusterManager,
    ServiceMenu,
    SuspendCluster,
    ResumeCluster,
    Servers,
    Group,
    MoveTo,
    Move,
    Monitors,
    Resource,
    StopClusterService,
    StartClusterService,
    TaskManager,
    StopMonitoring,
    StartMonitoring,
    Monitoring,
    NotMonitoring,
    ServicesPanel,
    StartService,
    StopService,
    Files,
    UnzipInto,
    Unzip,
    Unzipped,
    MirrorDrive,
    BackupRegistry,
    BackupFile,
    Installer,
    RunInstaller,
    InstallerIdle,
    InstallerRunning,
    InstallerFinished,
    RestartPrompt,
    Yes,
    No,
    Reboot,
    SuspendMonitor,
    ResumeMonitor,
    ImportRegistry,
    RebootCluster,
    Node,
    NodeDown,
    NodeBooting,
    Wait10s,
    Wait1m,
    WaitUntilDone,
    Busy,
    Quiet,
    Finish,
    GiveUp,
    Debrief,
    Refused,
    Invalid,
    SessionEnded,
    NoPromptOpen,
    Score,
    Passed,
    Violated,
    NotReached,
    Moment,
    Evidence,
    ProcedureSays,
    FirstMistake,
    CorrectNext,
    NoMistake,
    Timeline,
    SaveHtml,
    SaveJson,
    ActionLog,
    Finished,
    GaveUp,
    Again,
    Components,
    DuringStep,
    Nobody,
    AnswerNoThen,
    ReadFirst,
    StepText,
    Hint,
    HintTitle,
    OnTheScreens,
    AllDone,
    OutOfOrder,
    NothingLeft,
    NotSuspended,
    NotRecovering,
    NothingToBringBack,
    Alerts,
    ClearAlerts,
    LastError,
    OpenServices,
    CloseServices,
    Folder,
    Scenario,
    FullStop,
    HowScored,
    ScoreStart,
    ScoreBroken,
    ScoreHints,
    ScoreTime,
    ScoreUnfinished,
    OutOfOrderList,
    WaitSeconds,
    Cluster,
    Groups,
    Resources,
    Monitor,
    CurrentServer,
    TreeLabel,
    TreeHint,
    AlertLog,
    LogType,
    LogTime,
    LogMessage,
    SeverityError,
    SeverityWarning,
    SeverityInfo,
    Ok,
    Cancel,
    ConfirmTitle,
    ConfirmAct,
    MoveTitle,
    MoveChoose,
    RemoteDesktop,
    Actions,
    NoActions,
    ServiceNameColumn,
    MonitoringStatusColumn,
    NameColumn,
    StatusColumn,
}

impl T {
    fn pair(self) -> (&'static str, &'static str) {
        match self {
            T::AppTitle => ("clusterproc trainer", "clusterproc トレーナー"),
            T::Start => ("Start a training session", "トレーニングを開始"),
            T::Expired => {
                ("This session does not exist or has expired.", "このセッションは存在しないか、期限が切れています。")
            }
            T::StartIntro => (
                "A simulated cluster of your own, with nothing in your way: every action goes through the simulator as it would on the real cluster, mistakes included. The debrief at the end tells you what happened and why.",
                "あなた専用の模擬クラスタです。操作はすべて実機と同じようにシミュレータで実行され、誤った操作も止められません。終了後の振り返りで、何が起きたか、なぜかを説明します。",
            ),
            T::ScenarioPrepared => (
                "Your instructor has prepared this session: something may go wrong on the way.",
                "このセッションは講師が用意したものです。途中で何かが起きるかもしれません。",
            ),
            T::NothingBrokenYet => (
                "No invariant was broken, but the procedure was not finished: the invariants judged at the end were not reached.",
                "違反はありませんが、手順が完了していないため、最後に判定される条件は未到達です。",
            ),
            T::FaultsOfScenario => ("What the scenario made happen", "シナリオによって起きたこと"),
            T::Language => ("Language", "言語"),
            T::Clock => ("Time on the cluster", "クラスタの時刻"),
            T::Checklist => ("The procedure", "手順"),
            T::ChecklistHint => (
                "▶ the step the procedure expects now. ✓ once you have done everything the step does and seen its result on the screens (a check of services: in that server's Services panel); … done, not yet seen; – not needed for this module.",
                "▶ 手順書が今求めている手順。✓ 手順の操作をすべて行い、その結果を画面で確認したとき (サービスの確認は、そのサーバの「サービス」画面で)。… 操作済み・未確認。– このモジュールでは不要。",
            ),
            T::NotNeeded => ("not needed for this module", "このモジュールでは不要"),
            T::IfNeeded => ("only if something happens during the run", "実行中に特定の事象が起きた場合のみ"),
            T::NothingYet => ("Nothing has happened yet.", "まだ何も起きていません。"),
            T::ClusterManager => ("Cluster Manager", "Cluster Manager"),
            T::ServiceMenu => ("Service", "サービス"),
            T::SuspendCluster => ("Suspend Cluster", "クラスタサスペンド"),
            T::ResumeCluster => ("Resume Cluster", "クラスタリジューム"),
            T::Servers => ("Servers", "サーバ"),
            T::Group => ("Group", "グループ"),
            T::MoveTo => ("Move to", "移動先"),
            T::Move => ("Move", "移動"),
            T::Monitors => ("Monitors", "モニタリソース"),
            T::Resource => ("resource", "リソース"),
            T::StopClusterService => ("Stop cluster service", "クラスタサービス停止"),
            T::StartClusterService => ("Start cluster service", "クラスタサービス開始"),
            T::TaskManager => ("ExpressCluster Server Task Manager", "ExpressCluster Server タスクマネージャ"),
            T::StopMonitoring => ("Stop Monitoring", "監視停止"),
            T::StartMonitoring => ("Start Monitoring", "監視開始"),
            T::Monitoring => ("Monitoring", "監視中"),
            T::NotMonitoring => ("Not monitoring", "監視停止中"),
            T::ServicesPanel => ("Services", "サービス"),
            T::StartService => ("Start", "開始"),
            T::StopService => ("Stop", "停止"),
            T::Files => ("Files", "ファイル"),
            T::UnzipInto => ("Extract the module into", "モジュールの展開先"),
            T::Unzip => ("Extract All", "すべて展開"),
            T::Unzipped => ("Extracted into {}", "{} に展開済み"),
            T::MirrorDrive => ("mirror drive", "ミラーディスク"),
            T::BackupRegistry => ("Export the registry", "レジストリのエクスポート"),
            T::BackupFile => ("into", "保存先"),
            T::Installer => ("Update module installer", "更新モジュールのインストーラ"),
            T::RunInstaller => ("Run", "実行"),
            T::InstallerIdle => ("not started", "未実行"),
            T::InstallerRunning => ("running… this process takes a while", "実行中… しばらく時間がかかります"),
            T::InstallerFinished => ("finished", "完了"),
            T::RestartPrompt => (
                "The installation is complete. Restart the system now?",
                "インストールが完了しました。今すぐシステムを再起動しますか?",
            ),
            T::Yes => ("Yes", "はい"),
            T::No => ("No", "いいえ"),
            T::Reboot => ("Restart Windows", "Windows の再起動"),
            T::SuspendMonitor => ("Suspend", "一時停止"),
            T::ResumeMonitor => ("Resume", "再開"),
            T::ImportRegistry => ("Import the registry from", "レジストリのインポート元"),
            T::RebootCluster => ("Restart every server of the cluster", "クラスタ全体の再起動"),
            T::Node => ("Server", "サーバ"),
            T::NodeDown => ("down", "停止"),
            T::NodeBooting => ("starting Windows…", "Windows 起動中…"),
            T::Wait10s => ("Wait 10 s", "10 秒待つ"),
            T::Wait1m => ("Wait 1 min", "1 分待つ"),
            T::WaitUntilDone => ("Wait until this finishes", "完了まで待つ"),
            T::Busy => ("Something is still in progress.", "処理中の操作があります。"),
            T::Quiet => ("Nothing is in progress.", "処理中の操作はありません。"),
            T::Finish => ("I have finished the procedure", "手順を完了した"),
            T::GiveUp => ("Give up", "中止する"),
            T::Debrief => ("Debrief", "振り返り"),
            T::Refused => ("refused: {}", "拒否されました: {}"),
            T::SessionEnded => {
                ("This session has ended: see its debrief.", "このセッションは終了しました。振り返りを見てください。")
            }
            T::NoPromptOpen => (
                "The installer's restart prompt is no longer open.",
                "インストーラの再起動確認はもう表示されていません。",
            ),
            T::Invalid => ("not understood: {}", "実行できません: {}"),
            T::Score => ("Score", "スコア"),
            T::Passed => ("passed", "合格"),
            T::Violated => ("violated", "違反"),
            T::NotReached => ("not reached", "未到達"),
            T::Moment => ("at {} on {}", "{} ({})"),
            T::Evidence => ("What happened", "起きたこと"),
            T::ProcedureSays => ("The procedure says", "手順書の記載"),
            T::FirstMistake => ("First mistake", "最初の誤り"),
            T::CorrectNext => ("The correct next action would have been", "本来の次の操作"),
            T::NoMistake => ("No mistake: every invariant held.", "誤りはありません。すべての条件を満たしました。"),
            T::Timeline => ("Timeline", "タイムライン"),
            T::SaveHtml => ("Save this debrief (HTML)", "この振り返りを保存 (HTML)"),
            T::SaveJson => ("Save as JSON", "JSON で保存"),
            T::ActionLog => ("Action log (replayable)", "操作ログ (再生可能)"),
            T::Finished => ("You finished the procedure at {}.", "{} に手順を完了しました。"),
            T::GaveUp => ("You gave up at {}.", "{} に中止しました。"),
            T::Again => ("Start again", "もう一度"),
            T::Components => ("Components", "コンポーネント"),
            T::DuringStep => ("during step {}", "手順 {} の実行中"),
            T::Nobody => ("the cluster itself", "クラスタ自身"),
            T::ReadFirst => ("Read first", "最初にお読みください"),
            T::StepText => ("What to do", "操作の説明"),
            T::Hint => ("Hint (costs 5 points)", "ヒント (5 点減点)"),
            T::HintTitle => ("Hint: what the procedure expects now", "ヒント: 手順書が今求めていること"),
            T::OnTheScreens => ("On the screens", "画面での操作"),
            T::AllDone => (
                "Every step is done: say that you have finished the procedure.",
                "すべての手順が終わりました。「手順を完了した」を押してください。",
            ),
            T::OutOfOrder => (
                "Out of order: the procedure expects step “{}” now. This is noted for the debrief.",
                "手順の順序と異なります。手順書が今求めているのは手順「{}」です。この操作は振り返りに記録されます。",
            ),
            T::NothingLeft => (
                "Not in the procedure: every step is already done. This is noted for the debrief.",
                "手順書にない操作です。すべての手順はすでに終わっています。この操作は振り返りに記録されます。",
            ),
            T::NotSuspended => (
                "The cluster is not suspended: there is nothing to resume.",
                "クラスタはサスペンドされていないため、リジュームできません。",
            ),
            T::NotRecovering => ("No recovery is under way.", "復旧は行われていません。"),
            T::NothingToBringBack => (
                "{} is up and answers: there is nothing to bring back.",
                "{} は起動していて応答しています。復旧させるものはありません。",
            ),
            T::Alerts => ("Alerts", "アラート"),
            T::ClearAlerts => ("Acknowledge", "確認済みにする"),
            T::LastError => ("last error at {}", "最終異常 {}"),
            T::OpenServices => ("Open Services", "サービスを開く"),
            T::CloseServices => ("Close Services", "サービスを閉じる"),
            T::Folder => ("folder", "フォルダ"),
            T::Scenario => ("Scenario: {}", "シナリオ: {}"),
            T::FullStop => (".", "。"),
            T::HowScored => ("How the score was made", "スコアの内訳"),
            T::ScoreStart => ("Start", "持ち点"),
            T::ScoreBroken => ("Invariants broken: {}, 25 points each", "違反した条件 {} 件 (1 件につき 25 点)"),
            T::ScoreHints => ("Hints: {}, 5 points each", "ヒント {} 回 (1 回につき 5 点)"),
            T::ScoreTime => (
                "Time beyond the reference run's {}: 1 point per 10 minutes, at most 10",
                "基準時間 {} を超えた時間 (10 分につき 1 点、最大 10 点)",
            ),
            T::ScoreUnfinished => {
                ("The procedure was not finished: no score", "手順を完了していないため、スコアは 0 点です")
            }
            T::OutOfOrderList => ("Actions out of the procedure's order", "手順書の順序と異なる操作"),
            T::WaitSeconds => ("Wait {} s", "{} 秒待つ"),
            T::Cluster => ("Cluster", "クラスタ"),
            T::Groups => ("Groups", "グループ"),
            T::Resources => ("Resources", "リソース"),
            T::Monitor => ("Monitor", "モニタリソース"),
            T::CurrentServer => ("Current server", "現在のサーバ"),
            T::TreeLabel => ("Cluster tree", "クラスタツリー"),
            T::TreeHint => (
                "Choose an item in the tree to see its status here; right-click it (or press the menu key) for its actions.",
                "ツリーで項目を選ぶと、その状態をここに表示します。右クリック (またはメニューキー) で操作を選べます。",
            ),
            T::AlertLog => ("Alert log", "アラートログ"),
            T::LogType => ("Type", "種別"),
            T::LogTime => ("Time", "時刻"),
            T::LogMessage => ("Message", "メッセージ"),
            T::SeverityError => ("Error", "エラー"),
            T::SeverityWarning => ("Warning", "警告"),
            T::SeverityInfo => ("Info", "情報"),
            T::Ok => ("OK", "OK"),
            T::Cancel => ("Cancel", "キャンセル"),
            T::ConfirmTitle => ("Confirm", "確認"),
            T::ConfirmAct => (
                "{}: {}? Click [OK] to go on, or [Cancel] to leave it as it is.",
                "{}: 「{}」を実行しますか？ 実行するには [OK]、やめるには [キャンセル] をクリックしてください。",
            ),
            T::MoveTitle => ("Move group {}", "グループ {} の移動"),
            T::MoveChoose => (
                "Choose the server to move the group to, then click [OK].",
                "移動先のサーバを選んで [OK] をクリックしてください。",
            ),
            T::RemoteDesktop => ("Remote Desktop: {}", "リモートデスクトップ: {}"),
            T::Actions => ("Actions", "操作"),
            T::NoActions => ("Nothing to do on this item.", "この項目に対する操作はありません。"),
            T::ServiceNameColumn => ("Application / Service Name", "アプリケーション / サービス名"),
            T::MonitoringStatusColumn => ("Monitoring Status", "監視状態"),
            T::NameColumn => ("Name", "名前"),
            T::StatusColumn => ("Status", "状態"),
            T::AnswerNoThen => (
                "Answer No at the installer's restart prompt (the restart is done after the resume), then: {}",
                "インストーラの再起動確認には「いいえ」と答え (再起動はリジューム後に行う)、次に: {}",
            ),
        }
    }
}

/// `template` with its `{}` holes filled by `args`, in order (a hole with no argument left
/// stays empty).
pub fn filled(template: &str, args: &[&str]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut rest = template;
    while let Some(hole) = rest.find("{}") {
        out.push_str(&rest[..hole]);
        out.push_str(args.next().copied().unwrap_or(""));
        rest = &rest[hole + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_takes_the_preferred_of_english_and_japanese() {
        assert_eq!(Lang::from_accept_language("ja,en-US;q=0.8"), Lang::Ja);
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,ja;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr-FR, ja;q=0.5"), Lang::Ja);
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn holes_are_filled_in_order() {
        assert_eq!(Lang::En.fill(T::Moment, &["00:01:02", "ssc-node1"]), "at 00:01:02 on ssc-node1");
        assert_eq!(Lang::Ja.fill(T::Unzipped, &["C:\\Temp"]), "C:\\Temp に展開済み");
    }

    #[test]
    fn every_invariant_says_why_it_matters_in_both_languages() {
        for invariant in Invariant::ALL {
            assert!(!Lang::Ja.why(invariant).is_empty() && Lang::Ja.why(invariant) != Lang::En.why(invariant));
        }
    }
}
