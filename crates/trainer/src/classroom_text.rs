//! The catalogue's part for the classroom and recovery practice, in English and Japanese:
//! the instructor's page, the pause, the recovery panel and plan, the debrief's recovery
//! section, and what a cluster lacks of serving (`Shortfall`), a sentence around names.

use procedure::recovery::serving::Shortfall;
use procedure::setup::Setup;

use super::text::Lang;

/// A text of this part of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum C {
    RecoveryTitle,
    StopAndRecover,
    StopAndRecoverNote,
    AfterStop,
    AskPlan,
    PlanTitle,
    PlanLacks,
    PlanFirstByHand,
    PlanSteps,
    PlanNothing,
    PlanStillLacks,
    ServingAgain,
    BringBack,
    Paused,
    YourName,
    Recovery,
    BeganAfterStop,
    PlansAsked,
    RecoveryClean,
    RecoveryMistakes,
    EndsServing,
    EndsShort,
    ScoreRecoveryBroken,
    ScorePlans,
    ScoreNotServing,
    InstructorTitle,
    Sessions,
    ColSession,
    ColTrainee,
    ColStep,
    ColDone,
    ColMistakes,
    ColOutOfOrder,
    ColHints,
    ColScore,
    ColState,
    Anonymous,
    Running,
    PausedState,
    Recovering,
    FinishedState,
    GaveUpState,
    AllStepsDone,
    InjectTitle,
    FaultKind,
    Server,
    Service,
    Monitor,
    Group,
    Resource,
    When,
    AtOnce,
    BeforeStep,
    Inject,
    PauseTitle,
    Reason,
    Pause,
    Resume,
    Export,
    NoSessions,
    Live,
    Sent,
    None,
}

impl C {
    fn pair(self) -> (&'static str, &'static str) {
        match self {
            C::RecoveryTitle => ("Bring the cluster back", "クラスタの復旧"),
            C::StopAndRecover => ("Stop and recover", "中止して復旧"),
            C::StopAndRecoverNote => (
                "Stop the procedure here and bring the cluster back to serving instead.",
                "ここで手順を中止し、代わりにクラスタを運用状態に戻します。",
            ),
            C::AfterStop => (
                "You stopped the procedure at {}. Bring the cluster back to serving: by hand, or with the recovery plan.",
                "{} に手順を中止しました。手作業で、または復旧計画に従って、クラスタを運用状態に戻してください。",
            ),
            C::AskPlan => ("Show the recovery plan (−{} points)", "復旧計画を表示（−{} 点）"),
            C::PlanTitle => ("Recovery plan", "復旧計画"),
            C::PlanLacks => ("What the cluster lacks of serving", "運用状態に足りないもの"),
            C::PlanFirstByHand => ("First, by hand", "まず手作業で"),
            C::PlanSteps => ("Then, on the screens", "続いて画面で"),
            C::PlanNothing => ("Nothing: the cluster is serving.", "ありません。クラスタは運用状態です。"),
            C::PlanStillLacks => (
                "The plan does not bring back everything; after it the cluster still lacks",
                "計画を実行しても、次のものが残ります",
            ),
            C::ServingAgain => {
                ("The cluster is serving again (since {}).", "クラスタは運用状態に戻りました（{} から）。")
            }
            C::BringBack => ("Bring {} back (power on, reconnect)", "{} を復帰させる（電源投入・再接続）"),
            C::Paused => ("Your instructor has paused this session.", "講師がこのセッションを一時停止しました。"),
            C::YourName => ("Your name (optional: leave it empty to stay anonymous)", "名前（任意。空欄なら匿名）"),
            C::Recovery => ("Recovery", "復旧"),
            C::BeganAfterStop => {
                ("It began at {}, when you stopped the procedure.", "{} に手順を中止して始まりました。")
            }
            C::PlansAsked => ("Recovery plans shown: {}.", "復旧計画の表示：{} 回。"),
            C::RecoveryClean => ("The recovery broke no invariant.", "復旧中に違反した条件はありません。"),
            C::RecoveryMistakes => ("Mistakes of the recovery (invariants it broke)", "復旧中の誤り（違反した条件）"),
            C::EndsServing => ("The cluster ends serving (since {}).", "クラスタは運用状態で終わりました（{} から）。"),
            C::EndsShort => {
                ("The cluster does not end serving. It lacks", "クラスタは運用状態で終わっていません。足りないもの")
            }
            C::ScoreRecoveryBroken => ("Invariants the recovery broke: {}", "復旧中の違反：{} 件"),
            C::ScorePlans => ("Recovery plans shown: {}", "復旧計画の表示：{} 回"),
            C::ScoreNotServing => ("The cluster does not end serving", "クラスタが運用状態で終わっていない"),
            C::InstructorTitle => ("Classroom: instructor", "教室：講師用"),
            C::Sessions => ("Sessions", "セッション一覧"),
            C::ColSession => ("Session", "セッション"),
            C::ColTrainee => ("Trainee", "受講者"),
            C::ColStep => ("Step", "ステップ"),
            C::ColDone => ("Done", "完了"),
            C::ColMistakes => ("Mistakes", "違反"),
            C::ColOutOfOrder => ("Out of order", "順序違い"),
            C::ColHints => ("Hints", "ヒント"),
            C::ColScore => ("Score", "スコア"),
            C::ColState => ("State", "状態"),
            C::Anonymous => ("anonymous", "匿名"),
            C::Running => ("running", "実施中"),
            C::PausedState => ("paused", "一時停止中"),
            C::Recovering => ("recovering", "復旧中"),
            C::FinishedState => ("finished", "完了"),
            C::GaveUpState => ("gave up", "中止"),
            C::AllStepsDone => ("all steps done", "全ステップ完了"),
            C::InjectTitle => ("Inject a fault", "障害の発生"),
            C::FaultKind => ("Fault", "障害"),
            C::Server => ("Server", "サーバ"),
            C::Service => ("Service", "サービス"),
            C::Monitor => ("Monitor", "モニタ"),
            C::Group => ("Group", "グループ"),
            C::Resource => ("Resource", "リソース"),
            C::When => ("When", "タイミング"),
            C::AtOnce => ("at once", "すぐに"),
            C::BeforeStep => ("before step {}", "ステップ {} の前"),
            C::Inject => ("Inject", "発生させる"),
            C::PauseTitle => ("Pause a session", "セッションの一時停止"),
            C::Reason => ("Reason shown to the trainee", "受講者に表示する理由"),
            C::Pause => ("Pause", "一時停止"),
            C::Resume => ("Resume", "再開"),
            C::Export => ("Export the results", "結果の書き出し"),
            C::NoSessions => ("No session yet.", "セッションはまだありません。"),
            C::Live => ("Updated live.", "自動で更新されます。"),
            C::Sent => ("Done.", "実行しました。"),
            C::None => ("(none)", "（なし）"),
        }
    }
}

impl Lang {
    /// A text of the classroom's part of the catalogue.
    pub fn c(self, text: C) -> &'static str {
        let (en, ja) = text.pair();
        match self {
            Lang::En => en,
            Lang::Ja => ja,
        }
    }

    /// The same with its `{}` holes filled by `args`, in order.
    pub fn c_fill(self, text: C, args: &[&str]) -> String {
        crate::text::filled(self.c(text), args)
    }
}

/// A shortfall of serving in `lang`, around the cluster's names.
pub fn shortfall(setup: &Setup, shortfall: &Shortfall, lang: Lang) -> String {
    if lang == Lang::En {
        return shortfall.describe(setup);
    }
    let node = |node: &procedure::cluster::NodeId| setup.node_name(*node).to_owned();
    let module = |m: &procedure::module::ModuleId| setup.procedure.module(*m).id.clone();
    match shortfall {
        Shortfall::Unreachable(n) => format!("{} が応答しません", node(n)),
        Shortfall::Down(n) => format!("{} が停止しています", node(n)),
        Shortfall::InstallerRunning(n) => format!("{} でモジュールのインストーラが実行中です", node(n)),
        Shortfall::ClusterServiceStopped(n) => format!("{} でクラスタサービスが停止しています", node(n)),
        Shortfall::Suspended(n) => format!("{} でクラスタがサスペンドされています", node(n)),
        Shortfall::ModuleMissing(n, m) => format!("{} に {} が適用されていません", node(n), module(m)),
        Shortfall::ValuesRolledBack(n, m) => {
            format!("{} では {} が書き込んだレジストリ値が元に戻されています", node(n), module(m))
        }
        Shortfall::GroupNotOnActive { group, owner } => {
            let group = setup.group_name(*group);
            match owner {
                Some(owner) => {
                    format!("グループ {group} が現用系で全リソースとともに起動していません（現在は {}）", node(owner))
                }
                None => format!("グループ {group} がどのサーバでも起動していません"),
            }
        }
        Shortfall::MonitorsSuspended(n) => format!("{} でモニタリソースが一時停止しています", node(n)),
        Shortfall::NotMonitoring(n) => format!("{} のタスクマネージャに監視していないサービスがあります", node(n)),
    }
}

/// "It began at TIME after INVARIANT broke", in `lang`.
pub fn began_after_mistake(lang: Lang, at: &str, invariant: &str) -> String {
    match lang {
        Lang::En => format!("It began at {at}, after {invariant} broke, with the cluster short of serving."),
        Lang::Ja => format!("{invariant} の違反後、クラスタが運用状態でないため {at} に始まりました。"),
    }
}

/// What the recovery panel asks after a mistake, in `lang`.
pub fn asked_after_mistake(lang: Lang, at: &str, invariant: &str) -> String {
    match lang {
        Lang::En => format!(
            "{invariant} broke at {at}, and the cluster is not serving. Bring it back to serving: by hand, or with the recovery plan."
        ),
        Lang::Ja => format!(
            "{at} に {invariant} に違反し、クラスタは運用状態ではありません。手作業で、または復旧計画に従って、運用状態に戻してください。"
        ),
    }
}
