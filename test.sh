#!/usr/bin/env bash
# The tests, on a fresh Debian machine as on a developer's: installs what they need that
# cargo cannot (a real OpenSSH server and client for the SSH transport tests, which start
# sshd on 127.0.0.1; Chromium, the CJK fonts for its Japanese screenshots, and
# playwright-core for the machine's Node, for the trainer's browser tests in
# tests/browser/), then runs every test of the workspace. Extra arguments go to cargo.
set -euo pipefail
cd "$(dirname "$0")"

bash .ci/install-test-deps

cargo test --workspace --locked "$@"
