//! The command builders: each command line exactly, and hostile names kept as one argument.

use super::*;

fn check(argv: Result<Argv, NameError>, expected: &[&str]) {
    let argv = argv.unwrap();
    let mut found = vec![argv.program.as_str()];
    found.extend(argv.args.iter().map(String::as_str));
    assert_eq!(found, expected);
}

#[test]
fn each_command_line() {
    check(Ok(suspend_cluster()), &["clpcl", "--suspend"]);
    check(Ok(resume_cluster()), &["clpcl", "--resume"]);
    check(start_cluster_service("ssc-node1"), &["clpcl", "-s", "-h", "ssc-node1"]);
    check(stop_cluster_service("ssc-node1"), &["clpcl", "-t", "-h", "ssc-node1"]);
    check(move_group("failover", Some("ssc-node2")), &["clpgrp", "-m", "failover", "-a", "ssc-node2"]);
    check(move_group("failover", None), &["clpgrp", "-m", "failover"]);
    check(group_owner("failover"), &["clpgrp", "-n", "failover"]);
    check(suspend_monitor("ssc-node1", "servicew-pvm"), &["clpmonctrl", "-s", "-h", "ssc-node1", "-m", "servicew-pvm"]);
    check(resume_monitor("ssc-node2", "mdw"), &["clpmonctrl", "-r", "-h", "ssc-node2", "-m", "mdw"]);
    check(stop_resource("regsync", "ssc-node1"), &["clprsc", "-t", "regsync", "-f", "-h", "ssc-node1"]);
    check(start_resource("regsync", "ssc-node1"), &["clprsc", "-s", "regsync", "-h", "ssc-node1"]);
    check(Ok(cluster_status(false)), &["clpstat"]);
    check(Ok(cluster_status(true)), &["clpstat", "--long"]);
    check(Ok(reboot_cluster()), &["clpstdn", "-r"]);
    check(Ok(reboot_node()), &["shutdown", "/r", "/t", "0"]);
    check(query_service("PVMService"), &["sc.exe", "query", "PVMService"]);
    check(Ok(list_services()), &["sc.exe", "query", "type=", "service", "state=", "all"]);
    check(stop_service("PVMService"), &["sc.exe", "stop", "PVMService"]);
    check(start_service("PVMService"), &["sc.exe", "start", "PVMService"]);
    let key = r"HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\NEC\PVM";
    check(query_registry(key), &["reg", "query", key, "/s"]);
    check(export_registry(key, r"C:\Temp\pvm.reg"), &["reg", "export", key, r"C:\Temp\pvm.reg", "/y"]);
    check(import_registry(r"C:\Temp\pvm.reg"), &["reg", "import", r"C:\Temp\pvm.reg"]);
    check(hash_file(r"C:\Temp\m\setup.exe"), &["certutil", "-hashfile", r"C:\Temp\m\setup.exe", "SHA256"]);
    check(
        install_module(r"C:\Temp\SSC0307-0006\", "setup.exe", &["/s".to_owned(), "/norestart".to_owned()]),
        &[r"C:\Temp\SSC0307-0006\setup.exe", "/s", "/norestart"],
    );
}

/// Names no shell would survive pass through as one argument each, byte for byte.
#[test]
fn hostile_names_stay_one_argument_each() {
    let hostile = [
        "a\"b",
        "x & del /q C:\\*",
        "x | format C:",
        "%PATH%",
        "$(reboot)",
        "`whoami`",
        "line1\nline2",
        "line1\r\nline2",
        "サービス",
        "'quoted'",
        "a;b",
        "a > b",
        "  spaced  ",
        "trailing\\",
    ];
    for name in hostile {
        check(query_service(name), &["sc.exe", "query", name]);
        check(stop_service(name), &["sc.exe", "stop", name]);
        check(move_group(name, Some(name)), &["clpgrp", "-m", name, "-a", name]);
        check(group_owner(name), &["clpgrp", "-n", name]);
        check(suspend_monitor(name, name), &["clpmonctrl", "-s", "-h", name, "-m", name]);
        check(stop_resource(name, name), &["clprsc", "-t", name, "-f", "-h", name]);
        check(start_cluster_service(name), &["clpcl", "-s", "-h", name]);
        check(export_registry(name, name), &["reg", "export", name, name, "/y"]);
        check(import_registry(name), &["reg", "import", name]);
        check(query_registry(name), &["reg", "query", name, "/s"]);
        check(hash_file(name), &["certutil", "-hashfile", name, "SHA256"]);
        let program = format!("{}\\setup.exe", name.trim_end_matches('\\'));
        check(install_module(name, "setup.exe", &[]), &[program.as_str()]);
    }
}

#[test]
fn names_that_read_as_options_are_refused() {
    assert_eq!(
        move_group("-t", None).unwrap_err().to_string(),
        r#"the group name "-t" begins with '-', which the command would read as an option"#
    );
    assert_eq!(
        query_service("/?").unwrap_err().to_string(),
        r#"the service name "/?" begins with '/', which the command would read as an option"#
    );
    assert_eq!(stop_resource("", "n").unwrap_err().to_string(), "the resource name is empty");
    assert_eq!(
        suspend_monitor("n", "a\0b").unwrap_err().to_string(),
        r#"the monitor name "a\0b" contains a NUL character"#
    );
}
