# Sourced by scripts/test.sh (uses its apt_install, log and $work): installs Go and Debian's govmomi sources, builds the
# lab vCenter simulator and the relocate benchmark client, and exports their paths for the tests:
#   VCSIM_BIN            the simulator (tests/MigrationPortal.VSphere.Tests start one process per test with their own model)
#   RELOCATE_CLIENT_BIN  the govmomi relocate client (bench/)
#   VCSIM_CONVERSION_FIXTURE  the conversion fixture's images (conversion-fixture.sh, default sizes: 64 MiB boot,
#                        1 GiB data with 200 MiB payload); start the simulator with -conversion-fixture "$VCSIM_CONVERSION_FIXTURE"
#                        for the VM conv-vm; its fixture.env holds MARKER, PAYLOAD_SHA256, VM_UUID, VM_MAC ...
#   VCSIM_EXPORT_CACHE   where ExportVm caches the streamOptimized VMDKs (outside the clone, kept between runs)
# The Go build cache lives outside the clone (/var/cache/migrationportal/vcsim, or ~/.cache when that is not writable),
# so a warm CI run rebuilds in a few seconds instead of about a minute. Returns non-zero on failure (sourced: no exit).

vcsim_setup() {
    local here="tests/lab/vcsim"
    apt_install golang-go golang-github-vmware-govmomi-dev || { log "vcsim: apt install of golang-go golang-github-vmware-govmomi-dev failed"; return 1; }
    local cache="/var/cache/migrationportal/vcsim"
    if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then cache="${XDG_CACHE_HOME:-$HOME/.cache}/migrationportal-vcsim"; fi
    mkdir -p "$work/vcsim"
    local started=$SECONDS
    if ! VCSIM_CACHE_DIR="$cache" bash "$here/build.sh" "$work/vcsim/vcsim-lab" "$work/vcsim/relocate-client" >"$work/vcsim/build.log" 2>&1; then
        cat "$work/vcsim/build.log"
        return 1
    fi
    export VCSIM_BIN="$work/vcsim/vcsim-lab"
    export RELOCATE_CLIENT_BIN="$work/vcsim/relocate-client"
    log "vcsim: simulator built in $((SECONDS - started)) s (Go cache $cache); VCSIM_BIN=$VCSIM_BIN"

    # The conversion fixture (VMware -> KVM): real boot and data images for conv-vm, cached by a stamp. The
    # kernel comes from the libvirt lab's cache (its ci-setup.sh runs first), else it is downloaded.
    apt_install syslinux syslinux-common mtools dosfstools qemu-utils busybox-static cpio e2fsprogs xz-utils zstd ||
        { log "vcsim: apt install of the conversion fixture's tools failed"; return 1; }
    started=$SECONDS
    local fixture
    if ! fixture="$(CONV_FIXTURE_CACHE="$cache/conversion-fixture" bash "$here/conversion-fixture.sh" 2>"$work/vcsim/fixture.log")"; then
        cat "$work/vcsim/fixture.log"
        return 1
    fi
    export VCSIM_CONVERSION_FIXTURE="$fixture"
    export VCSIM_EXPORT_CACHE="$cache/export"
    # ExportVm serves streamOptimized VMDKs made with qemu-img; make conv-vm's now (cached, about 10-25 s the first
    # time for the 200 MiB payload), so a test's lease is ready at once instead of after that conversion.
    mkdir -p "$VCSIM_EXPORT_CACHE"
    find "$VCSIM_EXPORT_CACHE" -name '*.vmdk' -mtime +14 -delete 2>/dev/null || true
    if ! "$VCSIM_BIN" -conversion-fixture "$fixture" -warm-export-cache -export-cache "$VCSIM_EXPORT_CACHE" >"$work/vcsim/warm-export.log" 2>&1; then
        cat "$work/vcsim/warm-export.log"
        return 1
    fi
    log "vcsim: conversion fixture ready in $((SECONDS - started)) s: VCSIM_CONVERSION_FIXTURE=$fixture ($(grep -E '^(MARKER|PAYLOAD_SHA256)=' "$fixture/fixture.env" | tr '\n' ' '))"
}

vcsim_setup
