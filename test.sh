#!/usr/bin/env bash
# The tests, on a fresh Debian machine as on a developer's: installs what they need that
# cargo cannot (a real OpenSSH server and client for the SSH transport tests, which start
# sshd on 127.0.0.1), then runs every test of the workspace. Extra arguments go to cargo.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v ssh-keygen >/dev/null || ! command -v ssh >/dev/null || [ ! -x /usr/sbin/sshd ]; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openssh-client openssh-server
fi

cargo test --workspace --locked "$@"
