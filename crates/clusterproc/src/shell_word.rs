//! Paths and arguments shown as words of a shell command line that a person can paste (the
//! command that resumes a run, the one that replays a counterexample). For display only:
//! nothing here runs a command.

/// `word` as one word of a POSIX shell command line: as it is when every character is plain,
/// else quoted as the SSH transport quotes its argv ([`posix_quote`]). For display only:
/// nothing here runs a command.
///
/// [`posix_quote`]: remote::transport::encode::posix_quote
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_owned();
    }
    remote::transport::encode::posix_quote(word)
}
