//! Minimised reproducers of the bugs the fuzz harness (`crates/fuzz`) found, below the CLI
//! checks that now keep such input out, so the code behind them stays robust on its own.
//! (The CLI-level reproducers are in `damaged_journals`.)

use std::sync::Arc;
use std::time::Duration;

use procedure::backend::Backend as _;
use procedure::driver::{Unattended, drive};
use procedure::engine::{Engine, EngineConfig};
use procedure::setup::Setup;
use sim_cluster::sim::Builder;

use crate::support::{default_cluster, procedure};

/// Journal target, with the journal's range checks switched off: a resume at `at_ms` near
/// `u64::MAX` put the simulator's clock beyond `u64::MAX` ms; scheduling a monitor poll cut
/// the clock's milliseconds to 64 bits, landed in the past, and panicked with "overflow when
/// subtracting durations" (sim.rs, `schedule_monitor_poll`).
#[test]
fn a_clock_beyond_u64_max_milliseconds_still_schedules_monitor_polls() {
    let setup = Arc::new(Setup::new(default_cluster(), procedure("procedures/ssc0307-0006.toml")));
    let mut sim = Builder::new(Arc::clone(&setup)).seed(1).build();
    sim.advance(Duration::from_millis(u64::MAX));
    sim.advance(Duration::from_millis(u64::MAX));
    let start = sim.now();
    let mut engine = Engine::new(setup, EngineConfig::standard());
    drive(&mut engine, &mut sim, None, &mut Unattended).expect("the cluster answers");
    assert!(sim.now() > start, "virtual time went on");
}
