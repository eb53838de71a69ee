//! Running commands on remote Windows nodes, knowing nothing of what runs there.
//!
//! A command is data ([`argv::Argv`]); a [`transport::Transport`] carries it to a node
//! (`local`, `ssh`, `openssh`, `winrm`) and brings back its [`output::Output`], and copies
//! files there. [`text`] decodes what Windows tools print; [`archive`] extracts a zip
//! archive safely and describes it by a manifest of hashes. What to run, and how to read
//! its answer, is the caller's business.

pub mod archive;
pub mod argv;
pub mod output;
pub mod text;
pub mod transport;
