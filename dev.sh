#!/usr/bin/env bash
# Taskdeck's two commands on Linux and macOS (Windows: see README.md):
#
#   ./dev.sh run    install what is missing, build the app and launch it
#   ./dev.sh test   install what is missing, then run every check CI runs
#
# It makes sure a C toolchain and Rust (rustup) exist, then hands over to
# `cargo xtask`, which installs the rest (system packages, the wasm target,
# the pinned trunk / wasm-bindgen-cli / tauri-driver) and skips what is there.
set -euo pipefail
cd "$(dirname "$0")"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# A fresh Debian/Ubuntu has no C compiler, which linking any Rust program needs.
if ! command -v cc >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential pkg-config curl ca-certificates
fi

# Rust, through rustup; rust-toolchain.toml then pins the exact toolchain.
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
  export PATH="$HOME/.cargo/bin:$PATH"
fi

# One cargo target directory outside the clone, reused by every checkout on
# this machine (CI clones afresh each run; compiled dependencies stay warm).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"

case "${1:-}" in
  run) exec cargo xtask run ;;
  test) exec cargo xtask test ;;
  *) exec cargo xtask "$@" ;;
esac
