#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs. Idempotent: installs only what is missing.
set -euo pipefail
pkgs=(cmake g++ make pkg-config ninja-build libsystemc-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
      zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev verilator yosys dataset-fashion-mnist)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
