//! Per-command overhead of the real backend, without the command's own work: starting a
//! process through the `local` transport, and reading a `clpstat --long` output.
//! (`cargo bench -p real-backend`; the SSH figure comes from the loopback-sshd test's
//! "Commands: N run, X ms each" line.)

use std::time::Duration;

use real_backend::argv::Argv;
use real_backend::parse::{Output, clpstat};
use real_backend::transport::Transport as _;
use real_backend::transport::local::LocalTransport;

fn main() {
    divan::main();
}

#[divan::bench]
fn local_transport_runs_true() {
    let argv = Argv::new("true");
    let output = LocalTransport::default().run(&argv, Duration::from_secs(10)).unwrap();
    divan::black_box(output);
}

#[divan::bench]
fn parse_clpstat_long(bencher: divan::Bencher) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/clpstat/ssc-long-running-crlf-3space-constructed.txt");
    let output = Output { stdout: std::fs::read(path).unwrap(), stderr: Vec::new(), code: Some(0) };
    bencher.bench(|| clpstat::parse(divan::black_box(&output)).unwrap());
}
