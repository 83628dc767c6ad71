#!/usr/bin/env bash
# Configures (once) and builds libinstance into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
# rustup installs cargo under ~/.cargo/bin, which non-login shells may not have on PATH.
[ -d "$HOME/.cargo/bin" ] && export PATH="$PATH:$HOME/.cargo/bin"
if [ ! -f build/build.ninja ]; then
  meson setup build
fi
ninja -C build
