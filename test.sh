#!/usr/bin/env bash
# The tests, on a fresh Debian machine as on a developer's: installs what they need that
# cargo cannot (a real OpenSSH server and client for the SSH transport tests, which start
# sshd on 127.0.0.1; Chromium, the CJK fonts for its Japanese screenshots, and
# playwright-core for the machine's Node, for the trainer's browser tests in
# tests/browser/), then runs every test of the workspace. Extra arguments go to cargo.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
UPDATED=""
apt_install() {
    if [ -z "$UPDATED" ]; then
        $SUDO apt-get update -qq
        UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}

if ! command -v ssh-keygen >/dev/null || ! command -v ssh >/dev/null || [ ! -x /usr/sbin/sshd ]; then
    apt_install openssh-client openssh-server
fi

# The browser tests (tests/it/train_browser.rs): Debian's Chromium, with fonts for the
# Latin, Japanese and emoji glyphs that the screenshots show, driven from Node by the
# playwright-core that tests/browser/package-lock.json pins (no browser download: it uses
# /usr/bin/chromium).
BROWSER_PACKAGES=(chromium fonts-liberation fonts-noto-cjk fonts-noto-color-emoji)
if [ ! -x /usr/bin/chromium ] || ! dpkg -s "${BROWSER_PACKAGES[@]}" >/dev/null 2>&1; then
    apt_install --no-install-recommends "${BROWSER_PACKAGES[@]}"
fi
if [ ! -f tests/browser/node_modules/playwright-core/package.json ]; then
    if command -v npm >/dev/null; then
        npm ci --prefix tests/browser --no-audit --no-fund
    else
        # The machines come with Node.js 20 and npm (Debian's own nodejs is too old for
        # playwright-core); the browser tests fail and say what is missing.
        echo "test.sh: no npm on this machine: the browser tests (tests/browser/) will fail" >&2
    fi
fi

cargo test --workspace --locked "$@"
