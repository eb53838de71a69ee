//! Where the runs of the next layer start, kept as fingerprints and counts, not as states:
//! a fault point is the run it is on, how many transitions that run had made there, and the
//! faults offered there (24 bytes and four per fault, against about a kilobyte for a copy
//! of the run). When the next layer's turn comes, each run is made again from its own start
//! up to its fault points, in order, and copied there once per fault: the system between
//! faults is deterministic, so the copy is the state the run was in.
//!
//! Runs of a layer are numbered by where their fault sits in the layer before it
//! ([`Level::faults`]), so a run of layer k is found again by making its parent run of layer
//! k - 1 to the fault point, and so on back to the run with no fault ([`Lineage`]). A layer's
//! runs are taken in the order of their numbers, and every layer's fault points are in the
//! order of the runs they are on, so each run is made again at most once per layer, one
//! machine per layer alive at a time.

use super::{Machine, Transition};
use procedure::event::Fault;

/// A fault point, as the next layer finds it again.
#[derive(Debug, Clone, Copy)]
struct Point {
    /// The number of the run it is on, among its layer's runs.
    run: u32,
    /// The transitions that run had made there ([`Machine::transitions`]).
    after: u32,
    /// The state there: a fault that leads back to it changes nothing.
    fingerprint: u64,
    /// Where its faults begin in [`Level::faults`].
    first: u32,
}

/// The fault points a layer's runs reached, in the order of the runs.
#[derive(Debug, Default)]
pub struct Level {
    points: Vec<Point>,
    /// Each fault point's faults in turn, as indices into the search's faults; a run of the
    /// next layer is numbered by its fault's place here.
    faults: Vec<u32>,
}

/// A fault point as a run finds it, before its run's number is known (a run made ahead on
/// another thread is numbered when it is merged).
#[derive(Debug, Clone)]
pub struct FaultPoint {
    after: u32,
    fingerprint: u64,
    faults: Vec<u32>,
}

impl FaultPoint {
    /// The fault point after `after` transitions of its run, in the state `fingerprint`, with
    /// the faults offered there (a subsequence of `all`, the search's faults, in their order);
    /// `None` if none is.
    pub fn new(after: u32, fingerprint: u64, offered: &[Fault], all: &[Fault]) -> Option<FaultPoint> {
        let faults = indices(offered, all);
        (!faults.is_empty()).then_some(FaultPoint { after, fingerprint, faults })
    }
}

/// The places of `offered` in `all`, which holds them in the same order.
fn indices(offered: &[Fault], all: &[Fault]) -> Vec<u32> {
    let mut from = 0;
    let mut places = Vec::with_capacity(offered.len());
    for fault in offered {
        let Some(place) = all[from..].iter().position(|f| f == fault) else { break };
        from += place + 1;
        places.extend(u32::try_from(from - 1));
    }
    places
}

impl Level {
    /// Keeps a fault point of run `run`, which must come after those kept so far.
    pub fn push(&mut self, run: u32, found: FaultPoint) {
        let first = u32::try_from(self.faults.len()).unwrap_or(u32::MAX);
        self.points.push(Point { run, after: found.after, fingerprint: found.fingerprint, first });
        self.faults.extend(found.faults);
    }

    /// How many runs the next layer has.
    pub fn runs(&self) -> usize {
        self.faults.len()
    }

    /// Where the faults of point `index` end in [`Level::faults`].
    fn end(&self, index: usize) -> usize {
        self.points.get(index + 1).map_or(self.faults.len(), |next| next.first as usize)
    }
}

/// The run with no fault and every layer's fault points so far: enough to make any run of
/// the next layer.
#[derive(Debug)]
pub struct Lineage {
    root: Box<Machine>,
    levels: Vec<Level>,
}

impl Lineage {
    /// The lineage of a search from `root` (the run with no fault, at its start).
    pub fn new(root: Box<Machine>) -> Lineage {
        Lineage { root, levels: Vec::new() }
    }

    /// Adds the fault points the last layer's runs reached.
    pub fn push(&mut self, level: Level) {
        self.levels.push(level);
    }

    /// The runs of the next layer, in the order of their numbers, with each one's number and
    /// the fingerprint it starts from; `keep` says by number which are wanted (the others
    /// are not made). A fault that changes nothing there leads back to its fault point, and
    /// makes no run.
    pub fn next_runs<'a>(
        &'a self,
        faults: &'a [Fault],
        keep: impl Fn(u32) -> bool + 'a,
    ) -> impl Iterator<Item = (u32, u64, Box<Machine>)> + 'a {
        let mut cursors: Vec<Cursor> = self.levels.iter().map(|_| Cursor::default()).collect();
        let top = self.levels.len();
        let count = self.levels.last().map_or(0, Level::runs);
        (0..count).filter_map(move |number| {
            let number = u32::try_from(number).ok()?;
            if !keep(number) {
                return None;
            }
            let (mut child, from) = self.make(&mut cursors, top, number, faults, true);
            let fingerprint = child.fingerprint();
            (fingerprint != from).then_some((number, fingerprint, child))
        })
    }

    /// The start of run `number` of layer `depth` (0: the run with no fault), and the
    /// fingerprint of the fault point it was made from (0 for the run with no fault). With
    /// `top`, the fault point's state is fingerprinted first, so that what its runs share
    /// is hashed once.
    fn make(
        &self,
        cursors: &mut [Cursor],
        depth: usize,
        number: u32,
        faults: &[Fault],
        top: bool,
    ) -> (Box<Machine>, u64) {
        let Some(index) = depth.checked_sub(1) else {
            return (self.root.clone(), 0);
        };
        let level = &self.levels[index];
        let Some((cursor, below)) = cursors[..depth].split_last_mut() else {
            return (self.root.clone(), 0);
        };
        while level.end(cursor.point) <= number as usize {
            cursor.point += 1;
        }
        let point = level.points[cursor.point];
        let mut machine = match cursor.machine.take() {
            Some((run, machine)) if run == point.run => machine,
            _ => self.make(below, index, point.run, faults, false).0,
        };
        while machine.transitions() < point.after {
            if machine.step() == Transition::Finished {
                break;
            }
        }
        debug_assert_eq!(machine.transitions(), point.after, "a run made again takes the same transitions");
        if top || cfg!(debug_assertions) {
            let again = machine.fingerprint();
            debug_assert_eq!(again, point.fingerprint, "a run made again reaches the same state");
        }
        // The last run made from this point, when the next point is on another run: the
        // machine itself becomes it.
        let last = number as usize + 1 == level.end(cursor.point)
            && level.points.get(cursor.point + 1).is_none_or(|next| next.run != point.run);
        let mut child = if last {
            machine
        } else {
            let child = machine.clone();
            cursor.machine = Some((point.run, machine));
            child
        };
        child.inject(faults[level.faults[number as usize] as usize]);
        (child, point.fingerprint)
    }
}

/// Where the runs of one layer are being made again.
#[derive(Debug, Default)]
struct Cursor {
    /// The fault point reached.
    point: usize,
    /// The run being made, by number.
    machine: Option<(u32, Box<Machine>)>,
}
