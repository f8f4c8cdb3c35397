#!/usr/bin/env bash
# Screenshots of every main page on the labelled demo inventory, light, dark and mobile (390x844), into docs/screenshots/
# as <page>-light.png, <page>-dark.png and <page>-mobile.png (about 3 minutes):
#   bench/screenshots.sh [folder=docs/screenshots]
# Builds the portal (src/MigrationPortal.Web, Release), starts it on a temporary SQLite database with the demo inventory
# and ten demo requests in different states, and drives Debian's /usr/bin/chromium with Playwright.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build -c Release -nologo -v q "$root/src/MigrationPortal.Web/MigrationPortal.Web.csproj"
dotnet run -c Release --project "$root/bench/MigrationPortal.PageBench" -- screenshots "$@"
