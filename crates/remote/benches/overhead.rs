//! Per-command overhead of a transport, without the command's own work: starting a process
//! through the `local` transport.
//! (`cargo bench -p remote`; the SSH figure comes from the loopback-sshd test's
//! "Commands: N run, X ms each" line.)

use std::time::Duration;

use remote::argv::Argv;
use remote::transport::Transport as _;
use remote::transport::local::LocalTransport;

fn main() {
    divan::main();
}

#[divan::bench]
fn local_transport_runs_true() {
    let argv = Argv::new("true");
    let output = LocalTransport::default().run(&argv, Duration::from_secs(10)).unwrap();
    divan::black_box(output);
}
