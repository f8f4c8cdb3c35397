#!/usr/bin/env bash
# The virt-v2v nightly, run by hand (docs/operations.md, "Guest conversion with virt-v2v"): builds two small real Debian 12
# guests with debootstrap (cached), converts each with the portal's VirtV2vGuestConverter through the xunit class
# VirtV2vNightlyTests (trait Category=V2vNightly, which scripts/test.sh leaves out), then boots the converted UUID guest
# under qemu TCG on virtio-blk and waits for the login prompt on its serial console. Prints the wall times.
#   - "uuid":   GRUB boots by UUID (Debian's default): must convert, pass the grub.cfg check, and boot.
#   - "devname": GRUB_DISABLE_LINUX_UUID=true and /dev/sda1 in fstab (a VMware guest configured by device name): the
#     converter must refuse it (grub-mkconfig inside virt-v2v's appliance writes root=/dev/sdb1).
# Needs root (debootstrap), network to a Debian mirror on the first run, and:
#   apt-get install virt-v2v libguestfs-tools nbdkit libnbd-bin linux-image-cloud-amd64 debootstrap qemu-system-x86
# Environment: MIGRATIONPORTAL_V2V_CACHE (default ~/.cache/migrationportal-v2v), MIGRATIONPORTAL_V2V_MIRROR,
# MIGRATIONPORTAL_V2V_BOOT_TIMEOUT (seconds, default 300), MIGRATIONPORTAL_V2V_TIMEOUT (one conversion, default 01:30:00:
# a loaded 2-core machine took over 30 min), MIGRATIONPORTAL_V2V_REBUILD=1 to rebuild the cached images.
# Usage: tests/lab/v2v/nightly.sh [--build-only]   (--build-only: build and cache the two guest disks, then stop)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cache="${MIGRATIONPORTAL_V2V_CACHE:-$HOME/.cache/migrationportal-v2v}"
mirror="${MIGRATIONPORTAL_V2V_MIRROR:-http://deb.debian.org/debian}"
boot_timeout="${MIGRATIONPORTAL_V2V_BOOT_TIMEOUT:-300}"
work="$(mktemp -d /tmp/mp-v2v-nightly.XXXXXX)"
qemu_pid=""
keep_work=0
cleanup() {
  if [ -n "$qemu_pid" ]; then kill "$qemu_pid" 2>/dev/null || true; fi
  if [ "$keep_work" = 1 ]; then rm -rf "$work/pool"; else rm -rf "$work"; fi
}
trap cleanup EXIT

log() { printf '[v2v-nightly %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
summary=()
record() { summary+=("$*"); log "$*"; }

for tool in virt-v2v-in-place guestfish debootstrap qemu-system-x86_64 dpkg-deb depmod dotnet; do
  command -v "$tool" >/dev/null || { log "missing $tool (see the apt-get line at the top of this script)"; exit 1; }
done
mkdir -p "$cache"

# --- The appliance's workarounds (../shared/LAB.md "VMware to KVM") ---------------------------------------------------
# /dev/kvm is listed but fails on these machines: force TCG, or the appliance hangs for 10 minutes.
backend_settings="${LIBGUESTFS_BACKEND_SETTINGS-force_tcg}"
# supermin needs a kernel it can read: the cloud kernel's package, extracted and depmod'ed into the cache.
kver="$(dpkg-query -W -f='${Depends}' linux-image-cloud-amd64 | sed -n 's/.*linux-image-\([^ ,]*cloud-amd64\).*/\1/p')"
[ -n "$kver" ] || { log "linux-image-cloud-amd64 is not installed"; exit 1; }
kdir="$cache/kernel-$kver"
if [ ! -f "$kdir/boot/vmlinuz-$kver" ]; then
  log "extracting the appliance kernel $kver into $kdir"
  rm -rf "$kdir" && mkdir -p "$kdir"
  (cd "$work" && apt-get download "linux-image-$kver" >/dev/null)
  dpkg-deb -x "$work"/linux-image-"$kver"_*.deb "$kdir"
  depmod -b "$kdir" "$kver"
fi
kmodules="$kdir/lib/modules/$kver"
[ -d "$kmodules" ] || kmodules="$kdir/usr/lib/modules/$kver"
mkdir -p /lib/modules # supermin wants it to exist
export LIBGUESTFS_BACKEND_SETTINGS="$backend_settings" SUPERMIN_KERNEL="$kdir/boot/vmlinuz-$kver" SUPERMIN_MODULES="$kmodules" SUPERMIN_KERNEL_VERSION="$kver"

# --- The guests: one debootstrap tree, two disks (cached) -------------------------------------------------------------
tree_tar="$cache/debian12-tree.tar"
if [ "${MIGRATIONPORTAL_V2V_REBUILD:-0}" = 1 ]; then rm -f "$tree_tar" "$cache"/debian12-*.raw; fi
if [ ! -f "$tree_tar" ]; then
  started="$(now)"
  tree="$work/tree"
  log "debootstrap bookworm (minbase + cloud kernel + grub) from $mirror"
  debootstrap --variant=minbase --include=linux-image-cloud-amd64,grub-pc,systemd-sysv,udev,initramfs-tools,kmod \
    bookworm "$tree" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log"; exit 1; }
  echo v2v-nightly >"$tree/etc/hostname"
  cat >"$tree/etc/default/grub" <<'EOF'
GRUB_DEFAULT=0
GRUB_TIMEOUT=1
GRUB_DISTRIBUTOR=Debian
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=ttyS0,115200n8"
GRUB_TERMINAL=serial
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
EOF
  chroot "$tree" apt-get clean
  tar -C "$tree" -cf "$tree_tar.part" . && mv "$tree_tar.part" "$tree_tar"
  rm -rf "$tree"
  record "debootstrap tree built in $(since "$started") s ($(du -h "$tree_tar" | cut -f1))"
fi

# build_disk NAME FSTAB_ROOT EXTRA_GRUB_LINE: a 2 GiB raw disk, one MBR partition, grub-install and update-grub run inside
# libguestfs's appliance, where the disk is /dev/sda as it was on VMware.
build_disk() {
  local name="$1" disk="$cache/debian12-$1.raw" uuid fstab_root extra="$3"
  [ -f "$disk" ] && return 0
  local started; started="$(now)"
  uuid="$(cat /proc/sys/kernel/random/uuid)"
  fstab_root="${2/@UUID@/$uuid}"
  log "building guest disk $name ($disk)"
  rm -f "$disk.part" && truncate -s 2G "$disk.part"
  guestfish --rw -a "$disk.part" >"$work/build-$name.log" 2>&1 <<EOF || { tail -30 "$work/build-$name.log"; exit 1; }
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 -1
part-set-bootable /dev/sda 1 true
mkfs ext4 /dev/sda1
set-uuid /dev/sda1 $uuid
mount /dev/sda1 /
tar-in $tree_tar /
write /etc/fstab "$fstab_root / ext4 errors=remount-ro 0 1\n"
write-append /etc/default/grub "$extra\n"
command "grub-install --target=i386-pc /dev/sda"
command "update-grub"
EOF
  mv "$disk.part" "$disk"
  record "guest disk $name built in $(since "$started") s; its kernel line: $(virt-cat -a "$disk" /boot/grub/grub.cfg | grep -m1 -E '^\s*linux\s' | sed 's/^\s*//')"
}
build_disk uuid "UUID=@UUID@" "# boots by UUID (Debian's default)"
build_disk devname "/dev/sda1" "GRUB_DISABLE_LINUX_UUID=true"
if [ "${1:-}" = "--build-only" ]; then log "images cached in $cache"; exit 0; fi

# --- Convert each copy with the portal's converter -------------------------------------------------------------------
pool="$work/pool"
mkdir -p "$pool"
for name in uuid devname; do cp --sparse=always "$cache/debian12-$name.raw" "$pool/$name.raw"; done

log "building the test project"
dotnet build "$root/tests/MigrationPortal.Application.Tests" -c Release -v q -nologo >"$work/build.log" 2>&1 || { grep -E "error" "$work/build.log" | head -20; exit 1; }

# The workarounds reach virt-v2v only through the portal's settings (Conversion:VirtV2v:Environment), as in production:
# the test process itself runs without them.
run_test() {
  local method="$1" started rc
  started="$(now)"
  set +e
  env -u LIBGUESTFS_BACKEND_SETTINGS -u SUPERMIN_KERNEL -u SUPERMIN_MODULES -u SUPERMIN_KERNEL_VERSION \
    MIGRATIONPORTAL_V2V_NIGHTLY=1 \
    MIGRATIONPORTAL_V2V_POOL="$pool" \
    Conversion__VirtV2v__Timeout="${MIGRATIONPORTAL_V2V_TIMEOUT:-01:30:00}" \
    Conversion__VirtV2v__Environment__LIBGUESTFS_BACKEND_SETTINGS="$backend_settings" \
    Conversion__VirtV2v__Environment__SUPERMIN_KERNEL="$SUPERMIN_KERNEL" \
    Conversion__VirtV2v__Environment__SUPERMIN_MODULES="$SUPERMIN_MODULES" \
    Conversion__VirtV2v__Environment__SUPERMIN_KERNEL_VERSION="$SUPERMIN_KERNEL_VERSION" \
    dotnet test "$root/tests/MigrationPortal.Application.Tests" -c Release --no-build -nologo \
    --filter "Category=V2vNightly&FullyQualifiedName~$method" --logger "console;verbosity=detailed" >"$work/$method.log" 2>&1
  rc=$?
  set -e
  grep -E "^\s*(Passed|Failed) |converter said|Error Message" -A3 "$work/$method.log" | head -30 || true
  record "$method: exit $rc in $(since "$started") s (dotnet test, including virt-v2v and the grub.cfg check)"
  return $rc
}
status=0
run_test ConvertAsync_ConvertsAndPassesTheGrubCheck_WhenTheGuestBootsByUuid || status=1
run_test ConvertAsync_RefusesTheGuest_WhenGrubBootsByDeviceName || status=1

# --- Boot the converted UUID guest on virtio-blk under TCG --------------------------------------------------------
serial="$work/serial.log"
: >"$serial"
started="$(now)"
qemu-system-x86_64 -machine pc,accel=tcg -m 1024 -smp 1 -nodefaults -display none -no-reboot -snapshot \
  -serial "file:$serial" -drive "file=$pool/uuid.raw,format=raw,if=virtio" &
qemu_pid=$!
booted=""
while [ "$(since "$started" | cut -d. -f1)" -lt "$boot_timeout" ] && kill -0 "$qemu_pid" 2>/dev/null; do
  if grep -q "login:" "$serial"; then booted="$(since "$started")"; break; fi
  sleep 1
done
kill "$qemu_pid" 2>/dev/null || true
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=""
if [ -n "$booted" ]; then
  record "converted uuid guest booted on virtio-blk (TCG) to 'login:' on its serial console in $booted s"
else
  record "converted uuid guest did NOT print 'login:' within $boot_timeout s; last serial lines:"
  tail -15 "$serial"
  status=1
fi

echo
log "summary (virt-v2v $(virt-v2v-in-place --version 2>/dev/null | awk '{print $2}'), appliance kernel $kver, $(nproc) cores):"
for line in "${summary[@]}"; do echo "  $line"; done
if [ $status -eq 0 ]; then log "PASSED"; else keep_work=1; log "FAILED: the logs are kept in $work"; fi
exit $status
