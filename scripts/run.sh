#!/usr/bin/env bash
# Quick start 1: install what is missing, build in build/, run the default simulation.
# Extra arguments go to minconv-sim (see build/minconv-sim --help).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$root/build"
exec "$root/build/minconv-sim" "$@"
