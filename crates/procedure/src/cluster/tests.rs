//! Unit tests of the cluster description helpers.

use super::{drive_of, key_is_under};

#[test]
fn drive_of_a_path() {
    assert_eq!(drive_of(r"C:\Temp\x"), "C:");
    assert_eq!(drive_of("E:"), "E:");
    assert_eq!(drive_of("nodrive"), "nodrive");
}

#[test]
fn registry_keys_nest_at_backslashes_only() {
    let prefix = r"HKEY_LOCAL_MACHINE\SOFTWARE\NEC\PVM";
    assert!(key_is_under(r"HKEY_LOCAL_MACHINE\SOFTWARE\NEC\PVM", prefix));
    assert!(key_is_under(r"hkey_local_machine\software\nec\pvm\Sub", prefix));
    assert!(!key_is_under(r"HKEY_LOCAL_MACHINE\SOFTWARE\NEC\PVMX", prefix));
    assert!(!key_is_under(r"HKEY_LOCAL_MACHINE\SOFTWARE\NEC", prefix));
}
