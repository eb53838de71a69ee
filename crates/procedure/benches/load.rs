//! Benchmarks of loading procedure files: the seed procedure, and generated procedures of
//! 10,000 and 100,000 steps (the target is linear time, at most 1 s for 100,000 steps).
//! Run with `cargo bench -p procedure`.

use std::path::Path;

use procedure::cluster::Cluster;
use procedure::diagnostic::SourceFile;

fn main() {
    divan::main();
}

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cluster() -> Cluster {
    let source = SourceFile::read(&root().join("scenarios/cluster/ssc-two-node.toml")).expect("readable");
    procedure::cluster::load(&source).expect("the default cluster")
}

/// The seed procedure's header (module, notes) followed by `steps` check steps, each with a
/// line of text, as a long procedure would have.
fn generated(steps: usize) -> SourceFile {
    let seed = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).expect("readable");
    let mut text = seed[..seed.find("[[step]]").expect("the seed has steps")].to_owned();
    for i in 0..steps {
        text.push_str(&format!(
            "[[step]]\nid = \"check-{i}\"\ntitle = \"Check the services, round {i}\"\non = \"active\"\n\
             action = \"check-services\"\nservices = [\"PVMService\"]\ntext = \"Check that PVMService runs.\"\n\n"
        ));
    }
    SourceFile::new("generated.toml", &text)
}

#[divan::bench]
fn seed_procedure(bencher: divan::Bencher<'_, '_>) {
    let cluster = cluster();
    let source = SourceFile::read(&root().join("procedures/ssc0307-0006.toml")).expect("readable");
    bencher.bench_local(|| procedure::procedure::load(&source, &cluster).expect("valid"));
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3, sample_size = 1)]
fn generated_steps(bencher: divan::Bencher<'_, '_>, steps: usize) {
    let cluster = cluster();
    let source = generated(steps);
    bencher.bench_local(|| procedure::procedure::load(&source, &cluster).expect("valid"));
}

/// The share of loading spent parsing the TOML text and checking every key and string for
/// unsafe characters, before the procedure is built.
#[divan::bench(args = [100_000], sample_count = 3, sample_size = 1)]
fn parse_and_name_check(bencher: divan::Bencher<'_, '_>, steps: usize) {
    let source = generated(steps);
    bencher.bench_local(|| procedure::safe_text::check_document(&source).expect("safe"));
}
