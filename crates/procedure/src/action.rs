//! The action vocabulary of procedure files. Each kind of action is described once, in its
//! own file under `action/`: how a step gives it (its keyword and fields), what the plan
//! says of it, the operations it issues, its postcondition, and what the engine, mutations
//! and the checker need to know of it ([`kind::Kind`], [`kind::Behaviour`]). This file only
//! lists the kinds: [`Action`] is one of them, and hands every question to it.
//!
//! To add an action: write its file (a struct, `Kind` and `Behaviour`), and add one line to
//! the `vocabulary!` list below. See ARCHITECTURE.md, "How to add an action".

pub mod args;
pub mod kind;

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, Milestone, Patience, PlanText};
use crate::cluster::Cluster;
use crate::diagnostic::FileError;
use crate::operation::Operation;
use crate::postcondition::Verdict;

/// Declares the kinds: their modules, the [`Action`] enum with one variant per kind (named
/// as its struct), `From` each kind, and the two dispatchers every other method goes through.
macro_rules! vocabulary {
    ($($module:ident :: $kind:ident),* $(,)?) => {
        $(mod $module;)*
        $(pub use crate::action::$module::$kind;)*

        /// A typed action with its arguments: one of the kinds.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Action {
            $(
                #[doc = concat!("See [`", stringify!($kind), "`].")]
                $kind($kind),
            )*
        }

        $(
            impl From<$kind> for Action {
                fn from(kind: $kind) -> Action {
                    Action::$kind(kind)
                }
            }
        )*

        /// Every action keyword, in the order of the vocabulary, for help texts.
        pub const KEYWORDS: &[&str] = &[$(<$kind as Kind>::KEYWORD),*];

        /// The fields beside `action` that the action of `keyword` reads; `None` for an
        /// unknown keyword.
        pub fn takes(keyword: &str) -> Option<&'static [&'static str]> {
            $(if keyword == <$kind as Kind>::KEYWORD {
                return Some(<$kind as Kind>::TAKES);
            })*
            None
        }

        /// Reads the action of `args.keyword` from its step's fields; `None` for an unknown
        /// keyword.
        pub fn read(args: &Args<'_>) -> Option<Result<Action, FileError>> {
            $(if args.keyword == <$kind as Kind>::KEYWORD {
                return Some(<$kind as Kind>::read(args).map(Action::$kind));
            })*
            None
        }

        /// The actions `check --suggest` tries inserting: one of each kind that offers
        /// itself ([`Kind::candidate`]), in the order of the vocabulary.
        pub fn candidates(cluster: &Cluster) -> Vec<Action> {
            let mut found = Vec::new();
            $(if let Some(kind) = <$kind as Kind>::candidate(cluster) {
                found.push(Action::$kind(kind));
            })*
            found
        }

        impl Action {
            /// The keyword used in procedure files.
            pub fn keyword(&self) -> &'static str {
                match self {
                    $(Action::$kind(_) => <$kind as Kind>::KEYWORD,)*
                }
            }

            /// What the action is and does.
            pub fn behaviour(&self) -> &dyn Behaviour {
                match self {
                    $(Action::$kind(kind) => kind,)*
                }
            }

            fn behaviour_mut(&mut self) -> &mut dyn Behaviour {
                match self {
                    $(Action::$kind(kind) => kind,)*
                }
            }
        }
    };
}

vocabulary! {
    unzip_module::UnzipModule,
    backup_registry::BackupRegistry,
    import_registry::ImportRegistry,
    suspend_cluster::SuspendCluster,
    stop_monitoring::StopMonitoring,
    stop_services::StopServices,
    start_services::StartServices,
    install_module::InstallModule,
    resume_cluster::ResumeCluster,
    start_monitoring::StartMonitoring,
    move_group::MoveGroup,
    check_resources::CheckResources,
    check_services::CheckServices,
    reboot_cluster::RebootCluster,
    stop_resource::StopResource,
    start_resource::StartResource,
    stop_cluster_service::StopClusterService,
    start_cluster_service::StartClusterService,
    reboot_node::RebootNode,
    suspend_monitor::SuspendMonitor,
    resume_monitor::ResumeMonitor,
    manual::Manual,
    verify_cluster::VerifyCluster,
}

pub use crate::action::manual::ManualCheck;

/// The services a check-services step requires (the action's old name).
pub type ServiceCheck = CheckServices;

impl Action {
    /// See [`Behaviour::plan`].
    pub fn plan(&self, plan: &mut PlanText<'_>) {
        self.behaviour().plan(plan);
    }

    /// See [`Behaviour::operations`].
    pub fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        self.behaviour().operations(at)
    }

    /// See [`Behaviour::verify`].
    pub fn verify(&self, at: &At<'_>) -> Verdict {
        self.behaviour().verify(at)
    }

    /// See [`Behaviour::is_cluster_wide`].
    pub fn is_cluster_wide(&self) -> bool {
        self.behaviour().is_cluster_wide()
    }

    /// See [`Behaviour::same_from_any_node`].
    pub fn same_from_any_node(&self) -> bool {
        self.behaviour().same_from_any_node()
    }

    /// See [`Behaviour::milestone`].
    pub fn milestone(&self) -> Option<Milestone> {
        self.behaviour().milestone()
    }

    /// Whether the action is at `milestone`.
    pub fn is(&self, milestone: Milestone) -> bool {
        self.milestone() == Some(milestone)
    }

    /// See [`Behaviour::patience`].
    pub fn patience(&self) -> Patience {
        self.behaviour().patience()
    }

    /// See [`Behaviour::reboots`].
    pub fn reboots(&self) -> bool {
        self.behaviour().reboots()
    }

    /// See [`Behaviour::changes_nothing`].
    pub fn changes_nothing(&self) -> bool {
        self.behaviour().changes_nothing()
    }

    /// See [`Behaviour::manual_instruction`].
    pub fn manual_instruction(&self) -> Option<&str> {
        self.behaviour().manual_instruction()
    }

    /// See [`Behaviour::working_folder`].
    pub fn working_folder(&self) -> Option<&str> {
        self.behaviour().working_folder()
    }

    /// See [`Behaviour::registry_export`].
    pub fn registry_export(&self) -> Option<&str> {
        self.behaviour().registry_export()
    }

    /// See [`Behaviour::optional_services`].
    pub fn optional_services(&self) -> &[String] {
        self.behaviour().optional_services()
    }

    /// See [`Behaviour::move_to_other_node`].
    pub fn move_to_other_node(&mut self) {
        self.behaviour_mut().move_to_other_node();
    }

    /// See [`Behaviour::may_restart_at_prompt`].
    pub fn may_restart_at_prompt(&self) -> bool {
        self.behaviour().may_restart_at_prompt()
    }

    /// See [`Behaviour::fields`].
    pub fn fields(&self, cluster: &Cluster) -> Vec<(&'static str, String)> {
        self.behaviour().fields(cluster)
    }

    /// See [`Behaviour::decline_restart`].
    pub fn decline_restart(&mut self) {
        self.behaviour_mut().decline_restart();
    }

    /// See [`Behaviour::reapply`].
    pub fn reapply(&mut self) {
        self.behaviour_mut().reapply();
    }

    /// See [`Behaviour::restart_at_prompt`].
    pub fn restart_at_prompt(&mut self) {
        self.behaviour_mut().restart_at_prompt();
    }
}
