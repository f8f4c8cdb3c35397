#!/usr/bin/env bash
# Migration waves from CSV (issue 14 §4): validate, dry-run and submit a wave of N rows (default 1,000) against a
# baseline of N/100 rows in the same process, on 1,000-odd demo VMs in a temporary SQLite file. Prints seconds and the
# per-row ratio of each step, and whether N rows validate in under 5 s. Argument: [rows=1000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- wave "${1:-1000}"
