#!/usr/bin/env bash
# The main job, embedded (no daemon): install, build, build the busybox image, launch a container
# from it, run commands inside, print their output, delete it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-debian.sh
tools/build.sh
inst=build/tools/inst/inst
export LIBINSTANCE_DIR="${LIBINSTANCE_DIR:-/var/lib/libinstance}"
"$inst" image build busybox --alias busybox
"$inst" delete --force demo >/dev/null 2>&1 || true
"$inst" launch busybox demo
"$inst" exec demo -- uname -a
"$inst" exec demo -- cat /etc/hostname
"$inst" list
"$inst" delete --force demo
