#!/usr/bin/env bash
# Runs every test of MigrationPortal on a fresh Debian machine: installs what the tests need, starts the servers
# (a private PostgreSQL cluster), runs each test project, and ends with one line "N passed, N failed".
# Exits non-zero when any test fails or a project cannot run. With CI=true a missing server fails the tests, never skips them.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work="$(mktemp -d /tmp/migrationportal-test.XXXXXX)"
chmod 755 "$work"
pg_port="${MIGRATIONPORTAL_TEST_PG_PORT:-55432}"
pg_home="$work/pg"
pg_data="$pg_home/data"
pg_bin=""

log() { printf '[test.sh] %s\n' "$*"; }

# Teardown commands registered by the labs (run in reverse order on exit).
on_exit_cmds=()
on_exit() { on_exit_cmds+=("$*"); }

cleanup() {
  for ((i = ${#on_exit_cmds[@]} - 1; i >= 0; i--)); do eval "${on_exit_cmds[$i]}" >/dev/null 2>&1 || true; done
  if [ -n "$pg_bin" ] && [ -d "$pg_data" ]; then
    su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D '$pg_data' -m immediate stop" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated -eq 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; return 1; }
}

# --- PostgreSQL: Debian's server, a throwaway cluster on loopback ---------------------------------------------
apt_install postgresql || { echo "0 passed, 1 failed"; exit 1; }
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
mkdir -p "$pg_home" && chown postgres:postgres "$pg_home"
su postgres -s /bin/sh -c "$pg_bin/initdb -D '$pg_data' -A trust -U postgres" >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log"; echo "0 passed, 1 failed"; exit 1; }
su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D '$pg_data' -l '$pg_home/pg.log' -o \"-h 127.0.0.1 -p $pg_port -k '$pg_home' -c fsync=off -c max_connections=200\" -w start" >/dev/null \
  || { cat "$pg_home/pg.log"; echo "0 passed, 1 failed"; exit 1; }
export MIGRATIONPORTAL_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres;Include Error Detail=true"
log "PostgreSQL running on 127.0.0.1:$pg_port"

# --- qemu-img: the disk converter's tests run the real one (Debian's qemu-utils) -------------------------------
apt_install qemu-utils || { echo "0 passed, 1 failed"; exit 1; }

# --- Browser: Debian's Chromium for the Playwright journeys (never Playwright's own download) -------------------
apt_install chromium || { echo "0 passed, 1 failed"; exit 1; }

# --- curl and jq: the README's API walk-through (docs/examples/api-walkthrough.sh) is run as written ----------------
apt_install curl jq || { echo "0 passed, 1 failed"; exit 1; }

# --- Prometheus: Debian's server, started by the telemetry test itself on loopback (never as a service) -----------
apt_install prometheus || { echo "0 passed, 1 failed"; exit 1; }

# --- Labs: each tests/lab/<name>/ci-setup.sh installs, builds and starts its lab and exports what its tests read -----
# The files are sourced so they can use apt_install, log, on_exit and $work. A lab that cannot start fails the run.
for setup in tests/lab/*/ci-setup.sh; do
  [ -f "$setup" ] || continue
  log "lab: $setup"
  # shellcheck disable=SC1090
  if ! source "$setup"; then log "lab $setup failed to start"; echo "0 passed, 1 failed"; exit 1; fi
done

# --- .NET tools and build ----------------------------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
log "building"
if ! dotnet build MigrationPortal.sln -c Release -v q -nologo >"$work/build.log" 2>&1; then
  grep -E "error" "$work/build.log" | sort -u | head -50
  echo "0 passed, 1 failed"
  exit 1
fi

# --- server databases: MIGRATIONPORTAL_TEST_DATABASES=local|containers (unset: containers when a Docker engine answers) ---
# SQL Server exists only as a container (Testcontainers); with the local PostgreSQL its tests (Category=SqlServer) are
# left out here and run by scripts/test-databases.sh where Docker runs. The tests make the same choice (TestDatabaseServers).
docker_answers() {
  local host="${DOCKER_HOST:-unix:///var/run/docker.sock}"
  case "$host" in
    unix://*) curl -sf --max-time 3 --unix-socket "${host#unix://}" -o /dev/null http://docker/_ping 2>/dev/null ;;
    tcp://*) curl -sf --max-time 3 -o /dev/null "http://${host#tcp://}/_ping" 2>/dev/null ;;
    *) return 1 ;;
  esac
}
db_filter="&Category!=SqlServer"
case "${MIGRATIONPORTAL_TEST_DATABASES:-auto}" in
  containers) db_filter="" ;;
  local) ;;
  *) if docker_answers; then db_filter=""; fi ;;
esac
log "server databases: ${db_filter:+the local PostgreSQL; SQL Server not tested (no Docker engine, or local chosen)}${db_filter:-containers (PostgreSQL and SQL Server)}"

# --- every test project ------------------------------------------------------------------------------------
passed=0; failed=0; status=0
# No single test may take this long without finishing (the longest, a converted guest's first boot, takes ~4 min).
hang_timeout="${MIGRATIONPORTAL_TEST_HANG_TIMEOUT:-12m}"
project_timeout="${MIGRATIONPORTAL_TEST_PROJECT_TIMEOUT:-30m}"
for project in tests/*/*.Tests.csproj; do
  name="$(basename "$project" .csproj)"
  log "running $name"
  trx_dir="$work/results/$name"
  # Category=V2vNightly (real virt-v2v, minutes under TCG) is not CI: it runs by hand with tests/lab/v2v/nightly.sh.
  # A test that hangs must fail the run with its name, not eat CI's 90 minutes: the blame collector stops the
  # test host after $hang_timeout without a finished test and names the tests that were running (no dump).
  # And a project whose host hangs outside any test (a fixture's clean-up) is stopped after $project_timeout.
  timeout -k 30s "$project_timeout" dotnet test "$project" -c Release --no-build -v q -nologo --filter "Category!=V2vNightly$db_filter" \
    --blame-hang-timeout "$hang_timeout" --blame-hang-dump-type none --blame-crash --blame-crash-dump-type mini \
    --logger "trx;LogFileName=results.trx" --results-directory "$trx_dir" >"$work/$name.log" 2>&1
  rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then log "$name: stopped after $project_timeout"; fi
  if grep -q "hang\|aborted" "$work/$name.log"; then
    log "$name: the test host hung or crashed; the tests it was running:"
    grep -iE "hang|aborted|running when|was running" "$work/$name.log" | head -20
    # What a crash leaves to go on: the runtime's own last words (an unhandled exception's stack, a fatal error), the
    # kernel's (a segfault names the library, the OOM killer names the process), and the last tests the host started.
    grep -iE -A25 "unhandled exception|fatal error|stack overflow|Process terminated" "$work/$name.log" | head -60
    dmesg 2>/dev/null | grep -iE "segfault|general protection|killed process|out of memory" | tail -5
    # A crash of native code (libvirt's client, under P/Invoke) leaves no managed stack: the dump blame took does.
    dump="$(find "$trx_dir" -name '*.dmp' 2>/dev/null | head -n 1)"
    if [ -n "$dump" ]; then
      keep="/var/tmp/migrationportal-crash/$name-$(date -u +%Y%m%dT%H%M%S).dmp"
      mkdir -p "$(dirname "$keep")" && cp "$dump" "$keep" && log "$name: crash dump kept at $keep"
      if apt_install gdb >/dev/null 2>&1; then
        log "$name: native stack of the crashing thread:"
        gdb -batch -ex "bt 25" "$(command -v dotnet)" "$dump" 2>/dev/null | grep -E "^#|signal" | head -30
      fi
    fi
    sequence="$(find "$trx_dir" -name 'Sequence_*.xml' 2>/dev/null | head -n 1)"
    if [ -n "$sequence" ]; then
      log "$name: the last tests the host started (blame sequence):"
      grep -o 'Name="[^"]*"' "$sequence" | tail -5 | sed 's/^/  /'
    fi
  fi
  trx="$(ls "$trx_dir"/*.trx 2>/dev/null | head -n 1)"
  if [ -z "$trx" ]; then
    cat "$work/$name.log" | tail -40
    failed=$((failed + 1)); status=1
    continue
  fi
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  e="$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")"
  n="$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0} + ${n:-0}))
  log "$name: ${p:-0} passed, $(( ${f:-0} + ${e:-0} )) failed, ${n:-0} not executed"
  # A host that hung or crashed counts as a failure even when every result it did write passed.
  if [ $rc -ne 0 ] && [ "${f:-0}" = 0 ] && [ "${e:-0}" = 0 ]; then failed=$((failed + 1)); fi
  if [ $rc -ne 0 ] || [ "${f:-0}" != 0 ] || [ "${e:-0}" != 0 ]; then
    status=1
    grep -E "^\s+(Failed|X) |Error Message|Assert" "$work/$name.log" | head -60
    # The names and messages of the failed tests, from the TRX (the console log at -v q holds neither).
    grep -o 'testName="[^"]*"[^>]*outcome="Failed"' "$trx" | sed 's/testName="\([^"]*\)".*/  FAILED: \1/' | head -20
    sed -n '/<Message>/,/<\/Message>/p' "$trx" | head -40
  fi
done

if [ $((passed + failed)) -eq 0 ]; then status=1; fi
echo "$passed passed, $failed failed"
exit $status
