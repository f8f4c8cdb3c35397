#!/usr/bin/env bash
# Builds the lab vCenter simulator (and optionally the relocate benchmark
# client) from Debian's Go and govmomi packages, offline, in GOPATH mode.
#
#   tests/lab/vcsim/build.sh OUTPUT [RELOCATE_CLIENT_OUTPUT]
#
# Installs golang-go and golang-github-vmware-govmomi-dev with apt when they
# are missing (apt-get update only if the first install attempt fails).
# The Go build cache lives in ${XDG_CACHE_HOME:-$HOME/.cache}/migrationportal-vcsim
# (override with VCSIM_CACHE_DIR): a cold build takes about 40-100 s, a warm
# one about 1 s, and an up-to-date output is not rebuilt at all (FORCE=1 to
# rebuild anyway).
set -euo pipefail

usage() { echo "usage: $0 OUTPUT [RELOCATE_CLIENT_OUTPUT]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
out="$(abspath "$1")"
client_out=""
[ $# -eq 2 ] && client_out="$(abspath "$2")"

govmomi=/usr/share/gocode/src/github.com/vmware/govmomi

have_deps() {
    command -v go >/dev/null 2>&1 && [ -d "$govmomi/simulator" ] && [ -d "$govmomi/vapi/simulator" ]
}

if ! have_deps; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "build.sh: need root (or sudo) to install golang-go and golang-github-vmware-govmomi-dev" >&2; exit 1; }
        sudo="sudo"
    fi
    pkgs=(golang-go golang-github-vmware-govmomi-dev)
    echo "build.sh: installing ${pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! $sudo apt-get install -y --no-install-recommends "${pkgs[@]}" >&2; then
        $sudo apt-get update >&2
        $sudo apt-get install -y --no-install-recommends "${pkgs[@]}" >&2
    fi
    have_deps || { echo "build.sh: Go or govmomi still missing after apt-get install" >&2; exit 1; }
fi

cache="${VCSIM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/migrationportal-vcsim}"
mkdir -p "$cache/gopath" "$cache/gocache"
export GO111MODULE=off
export GOPATH="$cache/gopath:/usr/share/gocode"
export GOCACHE="$cache/gocache"
export GOFLAGS="${GOFLAGS:-}"
export CGO_ENABLED=0

# up_to_date OUTPUT DIR: the output exists and is newer than the sources in
# DIR (only *.go directly inside it) and this script.
up_to_date() {
    local o="$1" d="$2"
    [ "${FORCE:-0}" = 1 ] && return 1
    [ -x "$o" ] || return 1
    [ -z "$(find "$d" -maxdepth 1 -name '*.go' -newer "$o" -print -quit)" ] || return 1
    [ "$here/build.sh" -ot "$o" ] || return 1
    return 0
}

build() {
    local dir="$1" o="$2"
    if up_to_date "$o" "$dir"; then
        echo "build.sh: $o is up to date" >&2
        return 0
    fi
    mkdir -p "$(dirname "$o")"
    local start=$SECONDS
    (cd "$dir" && nice -n 10 go build -o "$o.tmp.$$" .)
    mv -f "$o.tmp.$$" "$o"
    echo "build.sh: built $o in $((SECONDS - start)) s" >&2
}

build "$here" "$out"
if [ -n "$client_out" ]; then
    build "$here/relocate-client" "$client_out"
fi
