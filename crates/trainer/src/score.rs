//! How a session is scored, so that the debrief can show its sum: 100 points to start with,
//! 25 for each invariant broken, 5 for each hint, and 1 for each started 10 minutes of
//! virtual time beyond the reference run's (at most 10); after a recovery exercise also 25
//! for each invariant the recovery broke, 5 for each recovery plan shown, and 20 when the
//! cluster does not end serving; never below 0. A session not carried
//! to its end scores 0: what it did not reach, it did not break, and doing nothing must not
//! score. Three invariants broken leave at most 25 points: well below half.

use std::fmt::Write as _;
use std::time::Duration;

use procedure::duration::clock;
use serde::Serialize;

use super::classroom_text::C;
use super::text::{Lang, T};

/// Points taken for each invariant broken.
pub const PER_INVARIANT: u32 = 25;
/// Points taken for each hint.
pub const PER_HINT: u32 = 5;
/// Virtual time beyond the reference run that costs a point.
pub const TIME_STEP: Duration = Duration::from_secs(600);
/// The most points time takes.
pub const MAX_TIME_POINTS: u32 = 10;
/// Points taken when a recovery leaves the cluster short of serving.
pub const NOT_SERVING: u32 = 20;

/// What a recovery exercise adds to the sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RecoveryPoints {
    /// Invariants the recovery broke (each as an invariant broken).
    pub broken: u32,
    /// Recovery plans shown (each as a hint).
    pub plans: u32,
    /// The cluster ends serving.
    pub serving: bool,
}

impl RecoveryPoints {
    fn taken(self) -> u32 {
        let short = if self.serving { 0 } else { NOT_SERVING };
        self.broken
            .saturating_mul(PER_INVARIANT)
            .saturating_add(self.plans.saturating_mul(PER_HINT))
            .saturating_add(short)
    }
}

/// A score and its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Score {
    /// The session was finished (else the score is 0).
    pub finished: bool,
    /// Invariants broken.
    pub broken: u32,
    /// Hints asked for.
    pub hints: u32,
    /// Points taken for time.
    pub time_points: u32,
    /// The reference run's time, ms.
    pub reference_ms: u64,
    /// The recovery exercise's part, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery: Option<RecoveryPoints>,
    /// The total, 0 to 100.
    pub total: u32,
}

impl Score {
    /// The score of a session that broke `broken` invariants, took `hints` hints and `took`
    /// of virtual time where the reference run took `reference`.
    pub fn new(finished: bool, broken: u32, hints: u32, took: Duration, reference: Duration) -> Score {
        let beyond = took.saturating_sub(reference);
        let steps = beyond.as_millis().div_ceil(TIME_STEP.as_millis());
        let time_points = u32::try_from(steps).unwrap_or(u32::MAX).min(MAX_TIME_POINTS);
        let taken = broken.saturating_mul(PER_INVARIANT).saturating_add(hints.saturating_mul(PER_HINT)) + time_points;
        let total = if finished { 100u32.saturating_sub(taken) } else { 0 };
        Score {
            finished,
            broken,
            hints,
            time_points,
            reference_ms: reference.as_millis() as u64,
            recovery: None,
            total,
        }
    }

    /// The same score with a recovery exercise's part taken too.
    pub fn with_recovery(mut self, recovery: RecoveryPoints) -> Score {
        self.recovery = Some(recovery);
        if self.finished {
            self.total = self.total.saturating_sub(recovery.taken());
        }
        self
    }

    /// The sum as a table, in `lang`.
    pub fn render(&self, out: &mut String, lang: Lang) {
        let _ = write!(out, "<section id=\"score-parts\"><h2>{}</h2><table>", lang.t(T::HowScored));
        if !self.finished {
            let _ = write!(out, "<tr><td>{}</td><td class=\"points\">0</td></tr>", lang.t(T::ScoreUnfinished));
            out.push_str("</table></section>\n");
            return;
        }
        let reference = clock(Duration::from_millis(self.reference_ms));
        let rows = [
            (lang.t(T::ScoreStart).to_owned(), "+100".to_owned()),
            (lang.fill(T::ScoreBroken, &[&self.broken.to_string()]), format!("−{}", self.broken * PER_INVARIANT)),
            (lang.fill(T::ScoreHints, &[&self.hints.to_string()]), format!("−{}", self.hints * PER_HINT)),
            (lang.fill(T::ScoreTime, &[&reference]), format!("−{}", self.time_points)),
        ];
        let mut rows = rows.to_vec();
        if let Some(recovery) = self.recovery {
            rows.push((
                lang.c_fill(C::ScoreRecoveryBroken, &[&recovery.broken.to_string()]),
                format!("−{}", recovery.broken * PER_INVARIANT),
            ));
            rows.push((
                lang.c_fill(C::ScorePlans, &[&recovery.plans.to_string()]),
                format!("−{}", recovery.plans * PER_HINT),
            ));
            if !recovery.serving {
                rows.push((lang.c(C::ScoreNotServing).to_owned(), format!("−{NOT_SERVING}")));
            }
        }
        for (what, points) in rows {
            let _ = write!(out, "<tr><td>{what}</td><td class=\"points\">{points}</td></tr>");
        }
        let _ = write!(
            out,
            "<tr class=\"total\"><td>{}</td><td class=\"points\">{}</td></tr>",
            lang.t(T::Score),
            self.total
        );
        out.push_str("</table></section>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_clean_run_in_the_reference_time_scores_100() {
        assert_eq!(Score::new(true, 0, 0, HOUR, HOUR).total, 100);
    }

    #[test]
    fn three_invariants_broken_score_well_below_half() {
        assert_eq!(Score::new(true, 3, 0, HOUR, HOUR).total, 25);
    }

    #[test]
    fn hints_and_time_cost_points_and_time_costs_at_most_ten() {
        assert_eq!(Score::new(true, 0, 2, HOUR + Duration::from_secs(601), HOUR).total, 100 - 10 - 2);
        assert_eq!(Score::new(true, 0, 0, 20 * HOUR, HOUR).total, 90);
    }

    #[test]
    fn a_recovery_costs_its_mistakes_its_plans_and_an_end_short_of_serving() {
        let score = Score::new(true, 1, 0, HOUR, HOUR);
        assert_eq!(score.with_recovery(RecoveryPoints { broken: 0, plans: 0, serving: true }).total, 75);
        assert_eq!(score.with_recovery(RecoveryPoints { broken: 0, plans: 2, serving: true }).total, 65);
        assert_eq!(score.with_recovery(RecoveryPoints { broken: 1, plans: 0, serving: false }).total, 30);
        assert_eq!(
            Score::new(false, 0, 0, HOUR, HOUR)
                .with_recovery(RecoveryPoints { broken: 0, plans: 0, serving: true })
                .total,
            0
        );
    }

    #[test]
    fn an_unfinished_session_scores_nothing_and_the_score_never_goes_below_zero() {
        assert_eq!(Score::new(false, 0, 0, HOUR, HOUR).total, 0);
        assert_eq!(Score::new(true, 11, 9, 20 * HOUR, HOUR).total, 0);
    }
}
