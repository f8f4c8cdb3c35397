#!/usr/bin/env bash
# vSphere benchmarks (inventory sync at 10,000 VMs / 200 hosts, orchestration overhead with 2 s tasks) against the lab
# simulator. Builds the simulator and the govmomi relocate-client (tests/lab/vcsim/build.sh, cached Go build), then runs
# bench/MigrationPortal.VSphere.Bench. Arguments: [clusters=20] [hostsPerCluster=10] [vmsPerCluster=500] [rounds=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${XDG_CACHE_HOME:-$HOME/.cache}/migrationportal-vcsim/bin"
mkdir -p "$bin"
if [ -z "${VCSIM_BIN:-}" ] || [ -z "${RELOCATE_CLIENT_BIN:-}" ]; then
    bash "$root/tests/lab/vcsim/build.sh" "$bin/vcsim-lab" "$bin/relocate-client" >&2
    export VCSIM_BIN="$bin/vcsim-lab" RELOCATE_CLIENT_BIN="$bin/relocate-client"
fi
exec dotnet run -c Release --project "$root/bench/MigrationPortal.VSphere.Bench" -- "$@"
