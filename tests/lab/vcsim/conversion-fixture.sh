#!/usr/bin/env bash
# Builds the disk images of the conversion fixture VM "conv-vm" (VMware -> KVM tests), cached:
#
#   tests/lab/vcsim/conversion-fixture.sh [--check] [--print-env]
#
#   disk 0 (boot): a BIOS-bootable FAT "superfloppy" (mkfs.fat on a file, mcopy, syslinux --install; no loop
#                  devices, no root needed beyond apt) holding the Debian cloud kernel, a busybox initramfs and
#                  syslinux.cfg (console=ttyS0). The guest mounts the data disk read-only and prints on ttyS0:
#                      MIGRATIONPORTAL-MARKER <marker>
#                      PAYLOAD-SHA256 <sha256 of /payload.bin>
#                      conv-vm login:
#                  and then stays up.
#   disk 1 (data): ext4 made with mke2fs -d (no mount) holding /marker.txt (random per build) and /payload.bin
#                  (random bytes).
#
# Output directory (printed, and in fixture.env): conv-vm.vmdk + conv-vm-flat.vmdk (boot, monolithicFlat
# descriptor + raw extent), conv-vm_1.vmdk + conv-vm_1-flat.vmdk (data), marker.txt, payload.sha256,
# fixture.env (KEY=VALUE: MARKER, PAYLOAD_SHA256, BOOT_IMG, DATA_IMG, sizes, the VM's UUID and MAC).
# vcsim-lab -conversion-fixture DIR serves these as the disks of conv-vm.
#
# Environment:
#   CONV_FIXTURE_CACHE   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/migrationportal-vcsim/conversion-fixture)
#   CONV_BOOT_MB         boot disk size in MiB (default 64)
#   CONV_DATA_MB         data disk virtual size in MiB (default 1024)
#   CONV_PAYLOAD_MB      payload.bin size in MiB (default 200)
#   LIBVIRT_LAB_CACHE    where tests/lab/libvirt/lab.sh build-guest keeps the kernel (default /var/cache/mp-libvirt-lab);
#                        used when there, else the kernel is downloaded the same way into CONV_FIXTURE_CACHE/kernel
#   CONV_CHECK_TIMEOUT   --check: seconds to wait for the serial lines (default 180)
#
# --check boots the two raw images in qemu-system-x86_64 (TCG, virtio disks, serial to a file) and verifies the
# serial log shows the marker, the payload's sha256 and the login line. Prints the build and boot times.
# The images are rebuilt only when the sizes, the guest's init or syslinux.cfg, the kernel or busybox change (stamp).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
check=0 print_env=0
for a in "$@"; do
    case "$a" in
        --check) check=1 ;;
        --print-env) print_env=1 ;;
        *) echo "usage: $0 [--check] [--print-env]" >&2; exit 2 ;;
    esac
done
log() { echo "conversion-fixture: $*" >&2; }
die() { log "$*"; exit 1; }

BOOT_MB=${CONV_BOOT_MB:-64}
DATA_MB=${CONV_DATA_MB:-1024}
PAYLOAD_MB=${CONV_PAYLOAD_MB:-200}
[ "$PAYLOAD_MB" -lt "$DATA_MB" ] || die "CONV_PAYLOAD_MB ($PAYLOAD_MB) must be below CONV_DATA_MB ($DATA_MB)"
CACHE=${CONV_FIXTURE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migrationportal-vcsim/conversion-fixture}
KCACHE=${LIBVIRT_LAB_CACHE:-/var/cache/mp-libvirt-lab}/guest
OUT="$CACHE/boot${BOOT_MB}-data${DATA_MB}-payload${PAYLOAD_MB}"
# The identity of the VM, fixed so tests can assert that the converted domain keeps it.
VM_UUID=42302a5c-6d2e-4c8f-9a1b-c0aa00000001
VM_MAC=00:50:56:aa:c0:01

NICE=(nice -n 10)
need() { command -v "$1" >/dev/null 2>&1 || die "missing $1 (apt-get install $2)"; }
need mkfs.fat dosfstools; need mcopy mtools; need syslinux syslinux; need mke2fs e2fsprogs
need qemu-img qemu-utils; need cpio cpio; need busybox busybox-static
[ -f /usr/lib/syslinux/modules/bios/ldlinux.c32 ] || die "missing syslinux-common"

# ------------------------------------------------------------------ kernel (lab.sh's cache)
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk"
# fetch_kernel: what lab.sh build-guest does for the kernel (apt-get download, extract vmlinuz and the virtio
# modules), into this script's own cache, for machines without the libvirt lab's tools.
fetch_kernel() {
    local kver dl pkg m f
    kver=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{sub("linux-image-","",$2); print $2; exit}') || true
    if [ -z "$kver" ]; then
        apt-get update -qq >&2 || true
        kver=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-[0-9]/{sub("linux-image-","",$2); print $2; exit}')
    fi
    [ -n "$kver" ] || die "cannot resolve linux-image-*-cloud-amd64"
    log "downloading kernel linux-image-$kver"
    mkdir -p "$KCACHE"
    dl=$(mktemp -d "$CACHE/dl.XXXXXX"); chmod 755 "$dl"
    ( cd "$dl" && apt-get download -qq "linux-image-$kver" 2>&1 | grep -v unsandboxed >&2 || true )
    pkg=$(ls "$dl"/linux-image-*.deb 2>/dev/null | head -1)
    [ -n "$pkg" ] || die "apt-get download linux-image-$kver failed"
    dpkg-deb -x "$pkg" "$dl/x"
    rm -rf "$KCACHE/modules"; mkdir -p "$KCACHE/modules"
    for m in $MODULES; do
        f=$(find "$dl/x/lib/modules" -name "$m.ko*" | head -1)
        [ -n "$f" ] || die "module $m not in the kernel package"
        case $f in
            *.ko.xz) xz -dc "$f" > "$KCACHE/modules/$m.ko" ;;
            *.ko.zst) zstd -qdc "$f" > "$KCACHE/modules/$m.ko" ;;
            *) cp "$f" "$KCACHE/modules/$m.ko" ;;
        esac
    done
    cp "$dl"/x/boot/vmlinuz-* "$KCACHE/vmlinuz"
    echo "$kver" > "$KCACHE/kernel-version"
    rm -rf "$dl"
}
if [ ! -f "$KCACHE/vmlinuz" ] || [ ! -d "$KCACHE/modules" ]; then
    KCACHE="$CACHE/kernel"
    mkdir -p "$CACHE"
    [ -f "$KCACHE/vmlinuz" ] && [ -f "$KCACHE/kernel-version" ] || fetch_kernel
fi
KVER=$(cat "$KCACHE/kernel-version" 2>/dev/null || echo unknown)
for m in $MODULES; do [ -f "$KCACHE/modules/$m.ko" ] || die "module $m.ko missing in $KCACHE/modules"; done

guest_init() {
    cat <<'EOF'
#!/bin/busybox sh
# conv-vm init: load virtio, find the data disk, print the marker and the payload's sha256, then stay up.
/bin/busybox mkdir -p /proc /sys /dev /mnt /tmp
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
echo 1 > /proc/sys/kernel/printk
for m in $(cat /modules.order); do insmod "/lib/modules/$m.ko" 2>/dev/null; done
found=""
i=0
while [ -z "$found" ] && [ $i -lt 100 ]; do
  for d in /dev/vdb /dev/vdc /dev/vda /dev/sdb /dev/sda; do
    [ -b "$d" ] || continue
    if mount -t ext4 -o ro "$d" /mnt 2>/dev/null; then
      if [ -f /mnt/marker.txt ]; then found=$d; break; fi
      umount /mnt
    fi
  done
  [ -n "$found" ] || { usleep 100000; i=$((i+1)); }
done
# start on a fresh line: the firmware's and bootloader's screen escapes precede this on the console
echo ""
if [ -n "$found" ]; then
  echo "MIGRATIONPORTAL-MARKER $(cat /mnt/marker.txt)"
  echo "PAYLOAD-SHA256 $(sha256sum /mnt/payload.bin | cut -d' ' -f1)"
  umount /mnt
else
  echo "MIGRATIONPORTAL-NODATA"
fi
echo ""
echo "conv-vm login: "
while :; do sleep 3600; done
EOF
}

syslinux_cfg() {
    printf 'DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL vmlinuz\n  APPEND initrd=initrd.img console=ttyS0 quiet loglevel=1 panic=-1\n'
}

stamp=$( { guest_init; syslinux_cfg; echo "$BOOT_MB $DATA_MB $PAYLOAD_MB $KVER $MODULES v1"; sha256sum /bin/busybox "$KCACHE/vmlinuz"; } | sha256sum | cut -c1-16)

build() {
    local t0=$SECONDS tmp
    mkdir -p "$CACHE"
    tmp=$(mktemp -d "$CACHE/build.XXXXXX")
    # initramfs
    local root="$tmp/initrd"
    mkdir -p "$root"/{bin,dev,proc,sys,mnt,tmp,lib/modules}
    cp /bin/busybox "$root/bin/busybox"
    for m in $MODULES; do cp "$KCACHE/modules/$m.ko" "$root/lib/modules/"; done
    echo "$MODULES" | tr ' ' '\n' > "$root/modules.order"
    guest_init > "$root/init"; chmod 755 "$root/init"
    ( cd "$root" && find . | cpio -o -H newc --quiet | "${NICE[@]}" gzip -6 ) > "$tmp/initrd.img"
    # boot disk: FAT superfloppy + syslinux
    syslinux_cfg > "$tmp/syslinux.cfg"
    truncate -s "${BOOT_MB}M" "$tmp/conv-vm-flat.vmdk"
    mkfs.fat -n CONVBOOT "$tmp/conv-vm-flat.vmdk" >/dev/null
    MTOOLS_SKIP_CHECK=1 mcopy -i "$tmp/conv-vm-flat.vmdk" "$KCACHE/vmlinuz" ::vmlinuz
    MTOOLS_SKIP_CHECK=1 mcopy -i "$tmp/conv-vm-flat.vmdk" "$tmp/initrd.img" ::initrd.img
    MTOOLS_SKIP_CHECK=1 mcopy -i "$tmp/conv-vm-flat.vmdk" "$tmp/syslinux.cfg" ::syslinux.cfg
    syslinux --install "$tmp/conv-vm-flat.vmdk"
    # data disk: ext4 from a directory
    mkdir -p "$tmp/data"
    echo "conv-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$tmp/data/marker.txt"
    head -c "$((PAYLOAD_MB * 1024 * 1024))" /dev/urandom > "$tmp/data/payload.bin"
    sha256sum "$tmp/data/payload.bin" | cut -d' ' -f1 > "$tmp/payload.sha256"
    cp "$tmp/data/marker.txt" "$tmp/marker.txt"
    "${NICE[@]}" mke2fs -q -F -t ext4 -L convdata -E root_owner=0:0 -d "$tmp/data" "$tmp/conv-vm_1-flat.vmdk" "${DATA_MB}M" >&2
    rm -rf "$tmp/data" "$root" "$tmp/initrd.img" "$tmp/syslinux.cfg"
    # monolithicFlat descriptors naming those extents (qemu-img writes descriptor + empty extent; keep the descriptor)
    local n
    for n in conv-vm conv-vm_1; do
        mkdir -p "$tmp/desc"
        qemu-img create -q -f vmdk -o subformat=monolithicFlat,adapter_type=lsilogic "$tmp/desc/$n.vmdk" "$(stat -c %s "$tmp/$n-flat.vmdk")"
        mv "$tmp/desc/$n.vmdk" "$tmp/$n.vmdk"; rm -rf "$tmp/desc"
    done
    qemu-img info "$tmp/conv-vm_1.vmdk" >/dev/null || die "descriptor unreadable"
    {
        echo "MARKER=$(cat "$tmp/marker.txt")"
        echo "PAYLOAD_SHA256=$(cat "$tmp/payload.sha256")"
        echo "BOOT_IMG=$OUT/conv-vm-flat.vmdk"
        echo "DATA_IMG=$OUT/conv-vm_1-flat.vmdk"
        echo "BOOT_BYTES=$(stat -c %s "$tmp/conv-vm-flat.vmdk")"
        echo "DATA_BYTES=$(stat -c %s "$tmp/conv-vm_1-flat.vmdk")"
        echo "PAYLOAD_BYTES=$((PAYLOAD_MB * 1024 * 1024))"
        echo "VM_NAME=conv-vm"
        echo "VM_UUID=$VM_UUID"
        echo "VM_MAC=$VM_MAC"
        echo "GUEST_ID=debian12_64Guest"
        echo "KERNEL_VERSION=$KVER"
    } > "$tmp/fixture.env"
    echo "$stamp" > "$tmp/stamp"
    rm -rf "$OUT"; mv "$tmp" "$OUT"; chmod -R a+rX "$OUT"
    log "built $OUT in $((SECONDS - t0)) s"
}

if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$stamp" ]; then
    log "cached: $OUT"
else
    build
fi

if [ "$print_env" = 1 ]; then
    echo "VCSIM_CONVERSION_FIXTURE=$OUT"
    cat "$OUT/fixture.env"
else
    echo "$OUT"
    log "marker $(cat "$OUT/marker.txt"), payload sha256 $(cat "$OUT/payload.sha256")"
fi

if [ "$check" = 1 ]; then
    need qemu-system-x86_64 qemu-system-x86
    w=$(mktemp -d "${TMPDIR:-/tmp}/conv-check.XXXXXX")
    # boot from copies-on-write overlays so the cached images stay untouched
    qemu-img create -q -f qcow2 -F raw -b "$OUT/conv-vm-flat.vmdk" "$w/boot.qcow2"
    qemu-img create -q -f qcow2 -F raw -b "$OUT/conv-vm_1-flat.vmdk" "$w/data.qcow2"
    t0=$(date +%s%N)
    "${NICE[@]}" qemu-system-x86_64 -machine pc,accel=tcg -m 256 -smp 1 -nographic -no-reboot \
        -drive file="$w/boot.qcow2",format=qcow2,if=virtio \
        -drive file="$w/data.qcow2",format=qcow2,if=virtio \
        -serial file:"$w/serial.log" -monitor none -display none -net none >"$w/qemu.out" 2>&1 &
    qpid=$!
    want_m="MIGRATIONPORTAL-MARKER $(cat "$OUT/marker.txt")"
    want_s="PAYLOAD-SHA256 $(cat "$OUT/payload.sha256")"
    okay=0
    while kill -0 "$qpid" 2>/dev/null; do
        if grep -q "conv-vm login:" "$w/serial.log" 2>/dev/null; then okay=1; break; fi
        [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt "${CONV_CHECK_TIMEOUT:-180}" ] || break
        sleep 0.2
    done
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    kill "$qpid" 2>/dev/null || true; wait "$qpid" 2>/dev/null || true
    if [ "$okay" = 1 ] && grep -qxF "$want_m" <(tr -d '\r' < "$w/serial.log") && grep -qxF "$want_s" <(tr -d '\r' < "$w/serial.log") && [ "$(grep -c '^MIGRATIONPORTAL-MARKER ' "$w/serial.log")" = 1 ]; then
        log "check: booted under TCG, serial shows the marker, the payload sha256 and the login line after ${ms} ms"
        rm -rf "$w"
    else
        log "check FAILED after ${ms} ms; serial log:"; tr -d '\r' < "$w/serial.log" | tail -n 30 >&2; cat "$w/qemu.out" >&2
        rm -rf "$w"; exit 1
    fi
fi
