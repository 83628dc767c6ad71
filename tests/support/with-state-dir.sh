#!/bin/sh
# Runs "$@ STATE_DIR" with a fresh state directory that unprivileged containers can traverse
# (under /tmp, mode 0711, wherever the build tree is), removed afterwards.
set -eu
dir=$(mktemp -d /tmp/li-example-XXXXXX)
chmod 0711 "$dir"
trap 'rm -rf "$dir"' EXIT
"$@" "$dir"
