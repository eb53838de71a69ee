//! Simulated-cluster sessions on loopback, answering exactly as real nodes' command lines
//! do: `clpstat`, `clpcl`, `clpgrp`, `clpmonctrl`, `clprsc`, `clpstdn`, `sc.exe`, `reg`,
//! `shutdown` and the module installer print what they print on EXPRESSCLUSTER X for
//! Windows, in the formats the real backend's parsers are tested on.
//!
//! `clusterproc sim-node` is the client: installed under those command names on a PATH, it
//! sends its argv here and prints the answer, so the real backend drives the simulator
//! through the same command line (and the same transports) as a real node.

pub mod client;
pub mod exec;
pub mod render;
pub mod rest;
pub mod server;
