# Sourced by scripts/test.sh (which provides apt_install, log, on_exit and $work): starts the two-host libvirt lab
# for tests/MigrationPortal.Libvirt.Tests and exports the LIBVIRT_LAB_* variables those tests read.
# --netns puts the hosts in network namespaces joined by a veth pair, so the tests can throttle and cut the link.
# tcp_retries2=3 inside the namespaces lets a cut link fail a migration in seconds (the kernel default takes ~15 min,
# and libvirt's NBD cancel waits on the dead connection); the link is a veth on one machine, so nothing is lost otherwise.

libvirt_lab="$root/tests/lab/libvirt/lab.sh"
log "libvirt lab: installing packages, building the guest, starting hosts A and B"
"$libvirt_lab" install >"$work/libvirt-lab-install.log" 2>&1 || { cat "$work/libvirt-lab-install.log"; return 1; }
"$libvirt_lab" build-guest >"$work/libvirt-lab-guest.log" 2>&1 || { cat "$work/libvirt-lab-guest.log"; return 1; }
on_exit "'$libvirt_lab' down"
LIBVIRT_LAB_TCP_RETRIES2=3 "$libvirt_lab" up --netns --storage local >"$work/libvirt-lab-up.log" 2>&1 || { tail -40 "$work/libvirt-lab-up.log"; return 1; }
eval "$("$libvirt_lab" env)" || return 1
log "libvirt lab up: guest $LIBVIRT_LAB_GUEST on A, hosts in namespaces $LIBVIRT_LAB_A_NETNS/$LIBVIRT_LAB_B_NETNS"
