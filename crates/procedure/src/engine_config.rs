//! How patient the engine is: its polling and timeouts, whether guards refuse unsafe
//! operations, whether it keeps the record of its steps.

use std::time::Duration;

/// How patient the engine is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// The first wait before observing again while a postcondition does not hold yet; each
    /// further wait doubles, up to `poll_max`.
    pub poll_interval: Duration,
    /// The longest wait between two observations.
    pub poll_max: Duration,
    /// Longest wait for an install to finish.
    pub install_timeout: Duration,
    /// Longest wait for a reboot of the cluster.
    pub reboot_timeout: Duration,
    /// Longest wait for a group move.
    pub move_timeout: Duration,
    /// Longest wait for any other step.
    pub step_timeout: Duration,
    /// Longest wait for a check step to see what it wants.
    pub check_timeout: Duration,
    /// Whether guards refuse unsafe operations. Off, the engine does what the procedure
    /// says, as an operator reading the text would: the run "as written".
    pub guards: bool,
    /// Whether the engine keeps the record of its steps for reports; a model checker that
    /// visits millions of states does without.
    pub record: bool,
}

impl EngineConfig {
    /// Timeouts suited to the SSC procedure: installs take about 30 minutes.
    pub fn standard() -> EngineConfig {
        EngineConfig {
            poll_interval: Duration::from_secs(5),
            poll_max: Duration::from_secs(120),
            install_timeout: Duration::from_secs(90 * 60),
            reboot_timeout: Duration::from_secs(30 * 60),
            move_timeout: Duration::from_secs(15 * 60),
            step_timeout: Duration::from_secs(10 * 60),
            check_timeout: Duration::from_secs(3 * 60),
            guards: true,
            record: true,
        }
    }

    /// The same, with guards on or off.
    pub fn with_guards(mut self, guards: bool) -> EngineConfig {
        self.guards = guards;
        self
    }
}
