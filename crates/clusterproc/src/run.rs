//! `clusterproc run`: the procedure, one verified step at a time, on the simulated cluster or
//! on real nodes.

mod real;
pub(crate) mod simulated;
