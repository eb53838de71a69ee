//! What reading a command's output costs the real backend: the `clpstat --long` parser.
//! (`cargo bench -p real-backend`; starting a process through a transport is measured by
//! `cargo bench -p remote`.)

use real_backend::parse::clpstat;
use remote::output::Output;

fn main() {
    divan::main();
}

#[divan::bench]
fn parse_clpstat_long(bencher: divan::Bencher) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/clpstat/ssc-long-running-crlf-3space-constructed.txt");
    let output = Output { stdout: std::fs::read(path).unwrap(), stderr: Vec::new(), code: Some(0) };
    bencher.bench(|| clpstat::parse(divan::black_box(&output)).unwrap());
}
