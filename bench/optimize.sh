#!/usr/bin/env bash
# Optimizer benchmark, one command (no lab, no database):
#   bench/optimize.sh [hosts=200] [vms=10000] [seed=15] [skew=0.5]   (skew: host pull falls as 1/rank^skew)
# Plans balance and consolidation on a seeded demo-like model with skewed load; prints the coefficient of variation of host
# load before/after and the moves, then hosts freed and VMs moved by CP-SAT, the greedy plan and first-fit-decreasing from
# scratch (the baseline, same run), the solver's bound and gap, and each planning time. Figures: docs/benchmarks.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- optimize "$@"
