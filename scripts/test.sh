#!/usr/bin/env bash
# Quick start 2: install what is missing, build in build/, run the whole test suite through ctest.
# Usage: scripts/test.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-"$root/build"}
shift || true
"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$dir" "$@"
cd "$dir"
ctest --output-on-failure -j "$(nproc)"
