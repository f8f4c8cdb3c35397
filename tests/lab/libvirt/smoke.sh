#!/usr/bin/env bash
# Smoke test of the two-host libvirt lab: live p2p TLS migrations A -> B that must not reboot the guest.
#
#   smoke.sh [--netns]      (SMOKE_KEEP=1 leaves the lab up after the last case)
#
# Case "copy-storage": guest with a local qcow2 disk in A's pool "images",
#   virsh migrate --live --p2p --tls --persistent --undefinesource --copy-storage-all mp-guest qemu+tls://127.0.0.3/system
# Case "shared-storage": guest whose disk is an NBD export both hosts reach (libvirt counts it as shared),
#   virsh migrate --live --p2p --tls --persistent --undefinesource mp-guest qemu+tls://127.0.0.3/system
# Each case checks: guest running and persistent on B, gone from A, same boot, counter still increasing,
# disk marker read again on B, metadata kept, completed-job downtime on B. Exits non-zero on failure.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
LAB="$HERE/lab.sh"
UP_OPTS=()
for a in "$@"; do
  case $a in
    --netns) UP_OPTS+=(--netns) ;;
    *) echo "usage: $0 [--netns]" >&2; exit 2 ;;
  esac
done

passed=0 failed=0
RESULTS=()
CURRENT=""

say() { printf '[smoke %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

diagnose() {
  say "--- diagnostics ---"
  "$LAB" status 2>&1 | sed 's/^/  /' || true
  if [ -n "${LIBVIRT_LAB_DIR:-}" ]; then
    say "serial log tail:"; tail -8 "$LIBVIRT_LAB_SERIAL_LOG" 2>/dev/null | sed 's/^/  /' || true
    for h in a b; do
      say "libvirtd $h log tail:"
      grep -v -e 'getaddrinfo' -e 'dmidecode' -e 'udevGetDMIData' -e '/dev/mem' -e '/dev/kvm' -e 'DBus' \
        "$LIBVIRT_LAB_DIR/hosts/$h/log/libvirtd.log" 2>/dev/null | tail -5 | sed 's/^/  /' || true
    done
  fi
}

fail() {
  say "FAIL [$CURRENT]: $*"
  diagnose
  failed=$((failed+1))
  RESULTS+=("FAIL $CURRENT: $*")
  finish
}

finish() {
  if [ "${SMOKE_KEEP:-0}" != 1 ] || [ $failed -gt 0 ]; then "$LAB" down >/dev/null 2>&1 || true; fi
  say "=== results ==="
  local r; for r in "${RESULTS[@]}"; do say "$r"; done
  echo "smoke: $passed passed, $failed failed"
  [ $failed -eq 0 ] && exit 0 || exit 1
}

on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && [ -n "$CURRENT" ] && [ $failed -eq 0 ]; then trap - EXIT; fail "aborted (exit $rc)"; fi
}
trap on_exit EXIT

counter() { grep -a -o 'MP-COUNTER [0-9]*' "$LIBVIRT_LAB_SERIAL_LOG" | tail -1 | awk '{print $2}'; }

wait_counter_above() {  # wait_counter_above N SECONDS
  local n=$1 t=$2 i=0 c
  while :; do
    c=$(counter); c=${c:-0}
    [ "$c" -gt "$n" ] && { echo "$c"; return 0; }
    i=$((i+1)); [ $i -gt $((t*5)) ] && { echo "$c"; return 1; }
    sleep 0.2
  done
}

check_no_reboot() {
  local boots ids
  boots=$(grep -a -c '^MP-BOOT ' "$LIBVIRT_LAB_SERIAL_LOG" || true)
  [ "$boots" = 1 ] || fail "guest booted $boots times"
  ids=$(grep -a -o 'MP-COUNTER [0-9]* boot=[0-9a-f]*' "$LIBVIRT_LAB_SERIAL_LOG" | awk '{print $3}' | sort -u | wc -l)
  [ "$ids" = 1 ] || fail "counter lines carry $ids different boot ids"
  # the counter must be strictly increasing across the switch-over; report any gap
  grep -a -o 'MP-COUNTER [0-9]*' "$LIBVIRT_LAB_SERIAL_LOG" | awk '
    { n=$2; if (NR>1 && n<=p) { print "BACKWARDS " p " -> " n; bad=1 } if (NR>1 && n>p+1) gaps=gaps" "p"->"n; p=n }
    END { if (gaps!="") print "gaps:" gaps; exit bad }' > "$LIBVIRT_LAB_DIR/counter-check.txt" \
    || fail "counter went backwards: $(cat "$LIBVIRT_LAB_DIR/counter-check.txt")"
  [ -s "$LIBVIRT_LAB_DIR/counter-check.txt" ] && say "note: counter $(cat "$LIBVIRT_LAB_DIR/counter-check.txt")"
  return 0
}

run_case() {  # run_case NAME STORAGE [extra migrate flags...]
  CURRENT=$1; local storage=$2; shift 2
  local t0 up_s mig_s c_before c_mid c_after lines_after_mig downtime total st
  say "=== case $CURRENT: up --storage $storage ${UP_OPTS[*]:-}"
  t0=$(now)
  "$LAB" up --storage "$storage" "${UP_OPTS[@]}" || fail "lab up failed"
  up_s=$(elapsed "$t0")
  eval "$("$LAB" env)"
  local A=$LIBVIRT_LAB_A_URI B=$LIBVIRT_LAB_B_URI G=$LIBVIRT_LAB_GUEST

  c_before=$(wait_counter_above 2 60) || fail "guest counter did not start on A (at ${c_before})"
  [ "$(virsh -q -c "$A" domstate "$G")" = running ] || fail "guest not running on A"
  say "guest counting on A (counter $c_before); migrating to $LIBVIRT_LAB_B_TLS_URI"

  local cmd=(virsh -c "$A" migrate --live --p2p --tls --persistent --undefinesource "$@" "$G" "$LIBVIRT_LAB_B_TLS_URI")
  say "+ ${cmd[*]}"
  t0=$(now)
  "${cmd[@]}" || fail "migration failed"
  mig_s=$(elapsed "$t0")
  lines_after_mig=$(wc -l < "$LIBVIRT_LAB_SERIAL_LOG")
  c_mid=$(counter)

  st=$(virsh -q -c "$B" domstate "$G" 2>&1) || fail "guest not found on B: $st"
  [ "$st" = running ] || fail "guest on B is '$st', not running"
  # (capture first: grep -q closing the pipe early would trip pipefail)
  local info meta
  info=$(virsh -q -c "$B" dominfo "$G")
  grep -q '^Persistent: *yes' <<<"$info" || fail "guest not persistent on B"
  if virsh -q -c "$A" dominfo "$G" >/dev/null 2>&1; then fail "guest still defined on A"; fi
  [ -z "$(virsh -q -c "$A" list --all --name)" ] || fail "A still lists domains: $(virsh -q -c "$A" list --all --name)"
  meta=$(virsh -q -c "$B" metadata "$G" "$LIBVIRT_LAB_GUEST_APP_NS" 2>&1) || true
  grep -q ">$LIBVIRT_LAB_GUEST_APP<" <<<"$meta" || fail "application metadata lost on B: $meta"

  local job; job=$(virsh -q -c "$B" domjobinfo --completed "$G") || fail "no completed job info on B"
  downtime=$(echo "$job" | awk -F: '/^Total downtime/{gsub(/[^0-9]/,"",$2); print $2}')
  total=$(echo "$job" | awk -F: '/^Time elapsed:/{gsub(/[^0-9]/,"",$2); print $2}')
  [ -n "$downtime" ] || fail "no downtime in domjobinfo --completed: $job"

  c_after=$(wait_counter_above $((c_mid + 2)) 20) || fail "counter stopped after migration (at $c_after, was $c_mid)"
  # the guest re-reads its disk every 10 ticks: a marker line after the switch-over comes from B's disk
  local i=0
  until tail -n +"$((lines_after_mig + 1))" "$LIBVIRT_LAB_SERIAL_LOG" | grep -a -c "^MP-MARKER $LIBVIRT_LAB_MARKER" >/dev/null; do
    i=$((i+1)); [ $i -gt 75 ] && fail "guest did not read its disk marker on B"
    sleep 0.2
  done
  if [ "$storage" = local ]; then
    [ -f "$LIBVIRT_LAB_B_IMAGES_DIR/$(basename "$LIBVIRT_LAB_GUEST_DISK")" ] || fail "disk image not copied to B's pool"
  fi
  check_no_reboot

  say "PASS $CURRENT: up ${up_s}s, migrate ${mig_s}s (job ${total} ms), downtime ${downtime} ms, counter $c_before -> $c_mid -> $c_after"
  RESULTS+=("PASS $CURRENT: up ${up_s}s, migrate ${mig_s}s (job ${total} ms), downtime ${downtime} ms")
  passed=$((passed+1))
  CURRENT=""
}

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
"$LAB" install
run_case copy-storage local --copy-storage-all
run_case shared-storage shared
trap - EXIT
finish
