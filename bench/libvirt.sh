#!/usr/bin/env bash
# KVM/libvirt benchmark, one command (as root, on a machine with the lab's Debian packages or network access to apt):
#   bench/libvirt.sh [rounds=5] [tuned settings, e.g. MaxDowntimeMs=100 AutoConverge=true]
# Starts the two-host lab (tests/lab/libvirt) unless one is already up, runs the portal-driven migration and
# `virsh migrate --live --p2p --tls` alternately, prints the table and ratios, and stops the lab it started.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lab="$root/tests/lab/libvirt/lab.sh"
started=0
if ! "$lab" status >/dev/null 2>&1; then
  "$lab" install >/dev/null
  "$lab" up --netns --storage local
  started=1
fi
trap '[ $started = 1 ] && "$lab" down >/dev/null 2>&1 || true' EXIT
eval "$("$lab" env)"
dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- libvirt "$@"
