#!/usr/bin/env bash
# Time to interactive of every main page at 10,000 VMs and 10,000 requests, with a 50-VM/50-request baseline run in the
# same script; prints per page the median and p95 and their ratios to the baseline (about 10 minutes on 2 cores):
#   bench/page-tti.sh [vms=10000] [requests=10000] [loads=10] [baseline=50]
# Builds the portal (src/MigrationPortal.Web, Release) and starts it as its own process on a seeded SQLite database;
# drives Debian's /usr/bin/chromium with Playwright. The definition of "interactive": docs/benchmarks.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build -c Release -nologo -v q "$root/src/MigrationPortal.Web/MigrationPortal.Web.csproj"
dotnet run -c Release --project "$root/bench/MigrationPortal.PageBench" -- tti "$@"
