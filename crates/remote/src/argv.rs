//! A command as data: the program and its arguments, never a shell string.
//!
//! Every name that reaches an argument (node, group, resource, monitor, service, key, folder)
//! is kept verbatim in its own element. The only check here is the one argv cannot do for
//! us: a name that begins like an option (`-x`, `/y`) would be read as one by the command, so
//! it is refused. How an argv crosses to a node (a process spawn, a PowerShell command over
//! SSH) is the transport's business; see `transport::encode`.

use std::fmt;

/// A program and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argv {
    /// The program, as found on the node's PATH or as a full path.
    pub program: String,
    /// Its arguments, one element each.
    pub args: Vec<String>,
}

/// A name that cannot be passed as an argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty names select "everything" or nothing in most commands.
    #[error("the {what} name is empty")]
    Empty {
        /// What the name names.
        what: &'static str,
    },
    /// The command would read it as an option.
    #[error("the {what} name {name:?} begins with {first:?}, which the command would read as an option")]
    LooksLikeOption {
        /// What the name names.
        what: &'static str,
        /// The name.
        name: String,
        /// Its first character.
        first: char,
    },
    /// No operating system passes a NUL inside an argument.
    #[error("the {what} name {name:?} contains a NUL character")]
    Nul {
        /// What the name names.
        what: &'static str,
        /// The name.
        name: String,
    },
}

impl Argv {
    /// A program with no arguments yet.
    pub fn new(program: &str) -> Argv {
        Argv { program: program.to_owned(), args: Vec::new() }
    }

    /// Adds a fixed argument (an option the builder chose).
    pub fn arg(mut self, arg: &str) -> Argv {
        self.args.push(arg.to_owned());
        self
    }

    /// Adds a name given by a file or the cluster, after checking it.
    pub fn name(mut self, what: &'static str, name: &str) -> Result<Argv, NameError> {
        check_name(what, name)?;
        self.args.push(name.to_owned());
        Ok(self)
    }
}

/// Refuses names that cannot be passed verbatim as one argument.
pub fn check_name(what: &'static str, name: &str) -> Result<(), NameError> {
    match name.chars().next() {
        None => Err(NameError::Empty { what }),
        Some(first @ ('-' | '/')) => Err(NameError::LooksLikeOption { what, name: name.to_owned(), first }),
        Some(_) if name.contains('\0') => Err(NameError::Nul { what, name: name.to_owned() }),
        Some(_) => Ok(()),
    }
}

impl fmt::Display for Argv {
    /// For people and journals: each element in the quotes of a Rust string literal, so
    /// nothing is ambiguous; never for a shell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.program)?;
        for arg in &self.args {
            if !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:\\=/".contains(c)) {
                write!(f, " {arg}")?;
            } else {
                write!(f, " {arg:?}")?;
            }
        }
        Ok(())
    }
}
