#!/usr/bin/env bash
# Every benchmark in one command (as root on Debian; about 30 minutes on a 2-core machine):
#   bench/run-all.sh            audit export (1,000,000 events), inventory grid (10,000 VMs), a 1,000-VM wave from CSV,
#                               vSphere sync and orchestration overhead, KVM migration against virsh,
#                               time to interactive of every page at 10,000 VMs and 10,000 requests (bench/page-tti.sh)
#   bench/run-all.sh quick      smaller sizes (100,000 events, a 1,000-VM vSphere model, 3 KVM rounds, 5 page loads), about 8 minutes
# Installs what the labs need (Go and Debian's govmomi for the simulator, the libvirt lab's packages), runs each
# benchmark with its output in bench/results/<name>.log, and ends with the closing lines of each (its table and
# ratios), which are the figures docs/benchmarks.md reports. Each ratio is against a baseline run in the same process or script.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results"
mkdir -p "$out"
quick=0
[ "${1:-}" = quick ] && quick=1

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    log "installing the labs' packages"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go golang-github-vmware-govmomi-dev >"$out/apt.log" 2>&1
    "$root/tests/lab/libvirt/lab.sh" install >>"$out/apt.log" 2>&1
fi

run() {
    local name=$1; shift
    log "$name: $*"
    if ! "$@" >"$out/$name.log" 2>&1; then
        log "$name FAILED; last lines of $out/$name.log:"
        tail -20 "$out/$name.log" >&2
        return 1
    fi
}

failed=0
if [ $quick = 1 ]; then
    run audit-export dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- 100000 || failed=1
    run inventory-grid dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- inventory 10000 || failed=1
    run wave dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- wave 1000 || failed=1
    run vsphere bash "$root/bench/vsphere.sh" 4 5 250 3 || failed=1
    run libvirt bash "$root/bench/libvirt.sh" 3 MaxDowntimeMs=100 AutoConverge=true || failed=1
    run page-tti bash "$root/bench/page-tti.sh" 10000 10000 5 || failed=1
else
    run audit-export dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- 1000000 || failed=1
    run inventory-grid dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- inventory 10000 || failed=1
    run wave dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- wave 1000 || failed=1
    run vsphere bash "$root/bench/vsphere.sh" || failed=1
    run libvirt bash "$root/bench/libvirt.sh" 5 MaxDowntimeMs=100 AutoConverge=true || failed=1
    run page-tti bash "$root/bench/page-tti.sh" || failed=1
fi

echo
echo "== Ratios (full output in $out/) =="
for name in audit-export inventory-grid wave vsphere libvirt page-tti; do
    [ -f "$out/$name.log" ] || continue
    echo "-- $name"
    grep -v -E '^\s*$|warn|Building|Restore|Determining' "$out/$name.log" | tail -n 16
done
exit $failed
