//! `sim-node`: clusterproc playing one node of a simulated cluster. Installed (linked) under
//! the names of the real commands (`clpstat`, `clpcl`, `clpgrp`, `clpmonctrl`, `clprsc`,
//! `clpstdn`, `sc.exe`, `reg`, `shutdown`, `certutil`, `fsutil`, the installer), it sends its
//! argv to the simulator session in `CLUSTERPROC_SIM` as node `CLUSTERPROC_NODE`, prints the
//! answer and exits with its code: the real backend cannot tell it from a real node.
//!
//! `certutil -hashfile` and `fsutil volume diskfree` are answered here, on the node's own
//! files, because the simulator keeps no files.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// The command names a link may have to reach `sim-node`.
pub const COMMANDS: [&str; 13] = [
    "clpstat",
    "clpcl",
    "clpgrp",
    "clpmonctrl",
    "clprsc",
    "clpstdn",
    "sc.exe",
    "sc",
    "reg",
    "shutdown",
    "certutil",
    "fsutil",
    "taskwatch",
];

/// Whether this process was started under a command's name (argv[0] dispatch).
pub fn invoked_as_command(argv0: &str) -> bool {
    let name = Path::new(argv0).file_name().and_then(|n| n.to_str()).unwrap_or(argv0);
    COMMANDS.contains(&name) || name.contains('\\')
}

pub fn main(argv: Vec<String>) -> ExitCode {
    let name = Path::new(&argv[0]).file_name().and_then(|n| n.to_str()).unwrap_or(&argv[0]).to_owned();
    let mut argv = argv;
    argv[0] = name;
    let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    match (argv[0].as_str(), args.as_slice()) {
        ("certutil", ["-hashfile", file, "SHA256"]) => return certutil(file),
        ("fsutil", ["volume", "diskfree", _drive]) => {
            // The simulated node's drives: 100 GiB free, printed as Windows 10 and later do.
            let _ = write!(std::io::stdout(), "Total free bytes                : 107,374,182,400 (100.0 GB)\r\n");
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let (Ok(session), Ok(node)) = (std::env::var("CLUSTERPROC_SIM"), std::env::var("CLUSTERPROC_NODE")) else {
        let _ = writeln!(
            std::io::stderr(),
            "sim-node: CLUSTERPROC_SIM (the session URL) and CLUSTERPROC_NODE (this node's name) must be set"
        );
        return ExitCode::from(2);
    };
    let body = serde_json::json!({ "node": node, "argv": argv });
    let reply = match sim_server::client::post(&format!("{session}/exec"), &body) {
        Ok(reply) => reply,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "sim-node: {error}");
            return ExitCode::from(2);
        }
    };
    if reply["unreachable"] == true {
        // A node that is down answers nothing. Over SSH, exit code 255 is what the client
        // gives when it cannot reach a host, so the transport reports the node unreachable;
        // a `local` node cannot be down while clusterproc runs on it.
        let _ = writeln!(std::io::stderr(), "sim-node: {node} is down");
        return ExitCode::from(255);
    }
    let _ = std::io::stdout().write_all(reply["stdout"].as_str().unwrap_or("").as_bytes());
    let _ = std::io::stderr().write_all(reply["stderr"].as_str().unwrap_or("").as_bytes());
    let code = reply["code"].as_i64().unwrap_or(1);
    // Windows exit codes are 32 bits; a process here has 8, which is also what a caller may
    // see of sc's (research/domain.md §7.1).
    ExitCode::from((code & 0xFF) as u8)
}

fn certutil(file: &str) -> ExitCode {
    match remote::archive::sha256_file(Path::new(file)) {
        Ok(hash) => {
            let _ = write!(
                std::io::stdout(),
                "SHA256 hash of {file}:\r\n{hash}\r\nCertUtil: -hashfile command completed successfully.\r\n"
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            let _ = write!(
                std::io::stdout(),
                "CertUtil: -hashfile command FAILED: 0x80070002 (WIN32: 2 ERROR_FILE_NOT_FOUND)\r\nCertUtil: {error}\r\n"
            );
            ExitCode::from(2)
        }
    }
}
