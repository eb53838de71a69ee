//! Every `scenarios/*.toml` played on the simulator: the expected events appear, the
//! unexpected ones do not, and the whole trace is snapshotted.

use sim_cluster::scenario::Scenario;

#[test]
fn scenarios() {
    insta::glob!("../../scenarios", "*.toml", |path| {
        let scenario =
            Scenario::load(path).unwrap_or_else(|error| panic!("{}", error.render_plain()));
        let played = scenario.play();
        let trace = scenario.render(&played);
        for expected in &scenario.expect_events {
            assert!(
                trace.contains(expected.as_str()),
                "{}: expected {expected:?} in the trace:\n{trace}",
                path.display()
            );
        }
        for unexpected in &scenario.expect_absent {
            assert!(
                !trace.contains(unexpected.as_str()),
                "{}: did not expect {unexpected:?} in the trace:\n{trace}",
                path.display()
            );
        }
        insta::assert_snapshot!(format!(
            "# {}\n# seed {}\n{trace}",
            scenario.title, scenario.seed
        ));
    });
}
