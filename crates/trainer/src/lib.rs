//! The web trainer on the simulator. Operators rehearse the procedure on screens like their
//! own tools, with no guards between them and the simulated cluster, and get a debrief judged
//! by the same invariants as `run` and `check`.
//!
//! - [`course`]: what every session shares, and the reference run it is compared with;
//! - [`act`]: what a trainee can do; [`session`]: one session's simulator, judge and log;
//! - [`names`]: the cluster's names as the pages write them, made once per course;
//! - [`page`] and [`debrief`]: the HTML (and the debrief's JSON); the page's parts: the
//!   cluster's manager ([`webui`]), each server's desktop ([`desktop`]), the one-button forms
//!   ([`forms`]), the style and script ([`assets`]); [`text`]: every string, in
//!   English and Japanese, and [`events`], its part for the cluster's events, faults and
//!   refusals;
//! - [`guide`]: the procedure beside the screens (the next step, its text and notes, the
//!   hint); [`status`]: the status words as the product shows them; [`alerts`]: which events
//!   are raised as alerts;
//! - [`words`]: actions and operations in the words of the screens;
//! - [`practice`]: recovery practice after a mistake or a stop, and [`practice_page`], its
//!   panel, plan and debrief section;
//! - [`classroom`]: the instructor's routes (`--classroom`), [`instructor_page`] their page,
//!   [`inject`] the instructor's faults, [`results`] the CSV and JUnit exports,
//!   [`classroom_text`] their part of the catalogue;
//! - [`server`]: sessions behind HTTP.

pub mod act;
pub mod alerts;
pub mod assets;
pub mod classroom;
pub mod classroom_text;
pub mod course;
pub mod debrief;
pub mod desktop;
pub mod events;
pub mod forms;
pub mod guide;
pub mod inject;
pub mod instructor_page;
pub mod names;
pub mod page;
pub mod practice;
pub mod practice_page;
pub mod results;
pub mod score;
pub mod server;
pub mod session;
pub mod status;
pub mod text;
pub mod webui;
pub mod words;

#[cfg(test)]
mod tests;
