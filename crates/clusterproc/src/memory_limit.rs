//! `check --memory-limit`: a search that would outgrow the machine stops between two runs, as
//! Ctrl-C stops it, and reports what it found so far, instead of being killed for lack of
//! memory with nothing reported. Each more fault multiplies a search's memory by about 3.5,
//! so `--faults N` takes any N and this is what keeps a deep one safe.
//!
//! The process's resident memory is read from Linux's `/proc/self/status` by a thread, 50
//! times a second; where there is no `/proc` (macOS, Windows) there is no limit.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use sim_cluster::control::{Control, Stop};

/// The exit code of a check that stopped at its memory limit before it was complete.
pub const EXIT_CODE: u8 = 4;

/// How often the thread looks at the process's memory.
const EVERY: Duration = Duration::from_millis(20);

/// What `--memory-limit` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryLimit {
    /// Three quarters of the memory available when the check starts, or of the memory limit
    /// of its control group (a container's) if that is less.
    Auto,
    /// No limit.
    None,
    /// This many bytes.
    Bytes(u64),
}

impl MemoryLimit {
    /// The limit in bytes, if there is one here.
    pub fn bytes(self) -> Option<u64> {
        match self {
            MemoryLimit::Auto => available().map(|bytes| bytes / 4 * 3),
            MemoryLimit::None => None,
            MemoryLimit::Bytes(bytes) => Some(bytes),
        }
    }
}

/// Parses `auto`, `none`, or a size: a number with an optional unit, `K`, `M`, `G` or `T`
/// with or without `iB` or `B` (all powers of 1024): `512MiB`, `2G`, `1.5GiB`.
pub fn parse(text: &str) -> Result<MemoryLimit, String> {
    let trimmed = text.trim();
    match trimmed.to_ascii_lowercase().as_str() {
        "auto" => return Ok(MemoryLimit::Auto),
        "none" => return Ok(MemoryLimit::None),
        _ => {}
    }
    let split = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(format!("{text:?} is not a size: expected auto, none, or a size like 512MiB or 2GiB")),
    };
    let value: f64 = number.parse().map_err(|_| format!("{text:?} is not a size: expected a number, like 512MiB"))?;
    let bytes = value * f64::from(1u32 << (shift / 2)) * f64::from(1u32 << (shift - shift / 2));
    if !bytes.is_finite() || bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(format!("{text:?} is not a size a process can have"));
    }
    Ok(MemoryLimit::Bytes(bytes as u64))
}

/// How far a search that its memory `limit` stopped got, `how_far` being what the progress
/// says of any stopped search.
pub fn reached(limit: u64, how_far: &str) -> String {
    format!("the process reached its memory limit of {} (--memory-limit): {how_far}", describe(limit))
}

/// A size for people: `40 MiB`, `1.5 GiB`, and below a MiB `512 KiB` or `100 bytes`.
pub fn describe(bytes: u64) -> String {
    const GIB: u64 = 1 << 30;
    const MIB: u64 = 1 << 20;
    if bytes >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB as f64)
    } else if bytes >= MIB {
        format!("{} MiB", bytes.div_ceil(MIB))
    } else if bytes >= 1024 {
        format!("{} KiB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} bytes")
    }
}

/// Watches the process's memory until dropped or [`Guard::finish`]ed, and stops `watch` once
/// it holds more than `limit` bytes.
#[derive(Debug)]
pub struct Guard {
    limit: Option<u64>,
    watch: Arc<Control>,
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Guard {
    /// Starts watching (nothing to watch without a limit, or without `/proc`: a limit given
    /// that cannot be kept is said on stderr).
    pub fn start(watch: &Arc<Control>, limit: MemoryLimit) -> Guard {
        let done = Arc::new(AtomicBool::new(false));
        let bytes = limit.bytes();
        let looked = bytes.filter(|_| resident().is_some()).and_then(|limit| {
            let (watch, done) = (Arc::clone(watch), Arc::clone(&done));
            let looking = move || {
                while !done.load(Ordering::SeqCst) && watch.stop_asked().is_none() {
                    if resident().is_some_and(|bytes| bytes > limit) {
                        watch.stop_for(Stop::MemoryLimit);
                    }
                    // Woken at once when the check ends.
                    std::thread::park_timeout(EVERY);
                }
            };
            std::thread::Builder::new().name("memory-limit".to_owned()).spawn(looking).ok()
        });
        if looked.is_none()
            && let MemoryLimit::Bytes(bytes) = limit
        {
            let _ = writeln!(
                crate::output::stderr(),
                "warning: --memory-limit {} cannot be kept here (no /proc/self/status to read the memory from)",
                describe(bytes)
            );
        }
        Guard { limit: bytes, watch: Arc::clone(watch), done, thread: looked }
    }

    /// Stops watching, as soon as the search is over: the limit of memory that cut the
    /// search short, if one did.
    pub fn finish(mut self) -> Option<u64> {
        self.stop_looking();
        let cut = self.watch.stop_asked() == Some(Stop::MemoryLimit) && self.watch.cut_short();
        cut.then(|| self.limit.unwrap_or_default())
    }

    fn stop_looking(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop_looking();
    }
}

/// The process's resident memory in bytes (Linux).
fn resident() -> Option<u64> {
    kibibytes(&std::fs::read_to_string("/proc/self/status").ok()?, "VmRSS:")
}

/// The memory available to start new work in bytes (Linux): the machine's, or the memory
/// limit of the process's control group (a container's, with cgroup v2) if that is less.
fn available() -> Option<u64> {
    let machine = kibibytes(&std::fs::read_to_string("/proc/meminfo").ok()?, "MemAvailable:")?;
    let group = std::fs::read_to_string("/proc/self/cgroup").ok().and_then(|cgroups| group_limit(&cgroups));
    Some(group.map_or(machine, |group| group.min(machine)))
}

/// The `memory.max` of the process's cgroup v2 group (`0::/path` in `/proc/self/cgroup`),
/// looked for where the group is, then at the root of what the process sees (in a container
/// with its own cgroup namespace the two are the same); `None` without a limit.
fn group_limit(cgroups: &str) -> Option<u64> {
    let path = cgroups.lines().find_map(|line| line.strip_prefix("0::"))?.trim().trim_start_matches('/');
    [Path::new("/sys/fs/cgroup").join(path), Path::new("/sys/fs/cgroup").to_path_buf()]
        .iter()
        .find_map(|group| std::fs::read_to_string(group.join("memory.max")).ok())
        .and_then(|max| limit_of(&max))
}

/// A `memory.max`: a number of bytes, or `max` for none.
fn limit_of(max: &str) -> Option<u64> {
    max.trim().parse().ok()
}

/// The value of the line starting with `field`, in kB, as bytes.
fn kibibytes(text: &str, field: &str) -> Option<u64> {
    let line = text.lines().find_map(|line| line.strip_prefix(field))?;
    let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    kib.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_powers_of_1024() {
        assert_eq!(parse("512MiB"), Ok(MemoryLimit::Bytes(512 << 20)));
        assert_eq!(parse("2G"), Ok(MemoryLimit::Bytes(2 << 30)));
        assert_eq!(parse("1.5 GiB"), Ok(MemoryLimit::Bytes(3 << 29)));
        assert_eq!(parse("4096"), Ok(MemoryLimit::Bytes(4096)));
        assert_eq!(parse("64kb"), Ok(MemoryLimit::Bytes(64 << 10)));
        assert_eq!(parse("None"), Ok(MemoryLimit::None));
        assert_eq!(parse("auto"), Ok(MemoryLimit::Auto));
        for bad in ["", "lots", "12 parsecs", "0", "-1G", "1e30T", "1.2.3M"] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn proc_fields_read_as_bytes() {
        let status = "Name:\tclusterproc\nVmPeak:\t  20000 kB\nVmRSS:\t   12345 kB\n";
        assert_eq!(kibibytes(status, "VmRSS:"), Some(12345 * 1024));
        assert_eq!(kibibytes(status, "VmSwap:"), None);
        assert_eq!(kibibytes("VmRSS: lots", "VmRSS:"), None);
    }

    #[test]
    fn a_control_group_limit_is_read_as_bytes() {
        assert_eq!(limit_of("1073741824\n"), Some(1 << 30));
        assert_eq!(limit_of("max\n"), None);
        assert_eq!(group_limit("1:name=systemd:/\n"), None, "cgroup v1 only: no v2 line");
    }

    #[test]
    fn sizes_read_for_people() {
        assert_eq!(describe(40 << 20), "40 MiB");
        assert_eq!(describe(1024), "1 KiB");
        assert_eq!(describe(100), "100 bytes");
        assert_eq!(describe(3 << 29), "1.5 GiB");
    }
}
