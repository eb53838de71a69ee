//! Every `scenarios/*.toml` on the simulator: schedules of operations are played as they
//! are, scenarios without a schedule are run by the engine. The expected events appear, the
//! unexpected ones do not, runs end and violate as expected, and the whole trace is
//! snapshotted.

use sim_cluster::scenario::Scenario;

#[test]
fn scenarios() {
    insta::glob!("../../scenarios", "*.toml", |path| {
        let scenario = Scenario::load(path).unwrap_or_else(|error| panic!("{}", error.render_plain()));
        let renderer = procedure::event::Renderer::new(&scenario.setup);
        let (trace, summary) = if scenario.is_engine_run() {
            let run = scenario.run_engine();
            let ids: Vec<&str> = run.violations.iter().map(|v| v.invariant.id()).collect();
            if let Some(ending) = &scenario.expect_ending {
                assert_eq!(&run.ending_text(), ending, "{}: {:?}", path.display(), run.engine.ending());
            }
            if let Some(expected) = &scenario.expect_violations {
                assert_eq!(&ids, expected, "{}: {:?}", path.display(), run.violations);
            }
            (
                renderer.trace(run.backend.sim.trace()),
                format!("# ending: {}\n# violations: {ids:?}\n", run.ending_text()),
            )
        } else {
            let played = scenario.play();
            (scenario.render(&played), format!("# refused: {:?}\n", played.refusals))
        };
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
        insta::assert_snapshot!(format!("# {}\n# seed {}\n{summary}{trace}", scenario.title, scenario.seed));
    });
}
