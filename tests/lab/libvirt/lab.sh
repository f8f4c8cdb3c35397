#!/usr/bin/env bash
# Two-host libvirt/QEMU lab on one machine, for the KVM connector tests. See README.md.
#
#   lab.sh install             apt-get the Debian packages the lab needs (idempotent)
#   lab.sh build-guest         build the tiny guest (Debian cloud kernel + busybox initramfs), cached
#   lab.sh up [--netns] [--storage local|shared|none] [--no-wait]
#                              start libvirtd "host" A (127.0.0.2) and B (127.0.0.3), each in its own
#                              mount/UTS namespace, and start guest "mp-guest" on A; cleans stale state first
#                                --storage local   qcow2 disk in A's pool "images" (default; migrate it
#                                                  with --copy-storage-all)
#                                --storage shared  disk served by qemu-nbd on a unix socket both hosts
#                                                  reach (libvirt counts it as shared: plain migration)
#                                --storage none    no disk
#                                --netns           hosts in network namespaces joined by a veth pair
#                                --no-wait         do not wait for the guest's first counter line
#   lab.sh env                 print shell exports for tests: eval "$(lab.sh env)"
#   lab.sh status              daemons, domains, pools, link, guest counter
#   lab.sh down                stop everything by PID, delete the namespaces and the lab state
#   lab.sh throttle RATE       (--netns) shape both directions of the link with tbf, e.g. 8mbit
#   lab.sh unthrottle          (--netns) remove the shaping
#   lab.sh cut-link            (--netns) take both veth ends down
#   lab.sh restore-link        (--netns) bring them up again (a throttle stays as it was)
#
# Settings (environment):
#   LIBVIRT_LAB_DIR           lab state, removed by `down`  (default /var/tmp/mp-libvirt-lab)
#   LIBVIRT_LAB_CACHE         kernel, initramfs, QEMU capability cache, kept (default /var/cache/mp-libvirt-lab)
#   LIBVIRT_LAB_TCP_RETRIES2  net.ipv4.tcp_retries2 inside the --netns namespaces (default 6; kernel: 15)
#
# Only loopback addresses (127.0.0.2, 127.0.0.3) are used; with --netns they live on a veth pair
# between two network namespaces that this script creates and deletes itself.
set -euo pipefail

LAB_DIR=${LIBVIRT_LAB_DIR:-/var/tmp/mp-libvirt-lab}
CACHE_DIR=${LIBVIRT_LAB_CACHE:-/var/cache/mp-libvirt-lab}
GUEST_DIR=$CACHE_DIR/guest
CAPS_CACHE=$CACHE_DIR/qemu-capabilities

GUEST_NAME="mp-guest"
GUEST_UUID=4d504c41-6775-4573-8000-000000000001
GUEST_APP_NS=urn:migrationportal:1
GUEST_APP=payments
GUEST_DISK_NAME="mp-guest.qcow2"
# Paths as the daemons see them (inside their own mount namespaces): same path on both hosts,
# backed by a different directory per host -- what storage copy needs.
POOL_IMAGES_PATH=/var/lib/libvirt/images
POOL_FAST_PATH=/var/lib/libvirt/fast
GUEST_DISK_PATH=$POOL_IMAGES_PATH/$GUEST_DISK_NAME

A_IP=127.0.0.2
B_IP=127.0.0.3
NS_A="mp-lab-a"
NS_B="mp-lab-b"
VETH_A=mplab-a
VETH_B=mplab-b

# --netns: TCP gives up on a dead connection after ~25 s instead of ~15 min (kernel default 15),
# so a cut link fails a storage-copy migration in about half a minute
TCP_RETRIES2=${LIBVIRT_LAB_TCP_RETRIES2:-6}

NICE=(nice -n 10)
BIND_DIRS=(/etc/libvirt /var/lib/libvirt /run/libvirt /var/log/libvirt /var/cache/libvirt /etc/pki)
PACKAGES=(qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients gnutls-bin cpio
          busybox-static iproute2 e2fsprogs tcpdump socat ovmf)

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

host_dir() { echo "$LAB_DIR/hosts/$1"; }
host_ip() { [ "$1" = a ] && echo "$A_IP" || echo "$B_IP"; }
host_uri() { echo "qemu+unix:///system?socket=$(host_dir "$1")/run/libvirt-sock"; }
host_uuid() { [ "$1" = a ] && echo 4d504c41-686f-4000-8000-00000000000a || echo 4d504c41-686f-4000-8000-00000000000b; }
vsh() { local h=$1; shift; virsh -q -c "$(host_uri "$h")" "$@"; }
netns_mode() { [ -f "$LAB_DIR/netns" ]; }

# ------------------------------------------------------------------ install
pkg_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

cmd_install() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then log "packages already installed"; return 0; fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
    "${NICE[@]}" apt-get update -qq
  fi
  "${NICE[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { "${NICE[@]}" apt-get update -qq && "${NICE[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  log "installed"
}

require_tools() {
  local t
  for t in virsh libvirtd qemu-system-x86_64 qemu-img certtool cpio mke2fs unshare ip socat; do
    command -v "$t" >/dev/null || die "$t missing: run '$0 install' first"
  done
  [ -x /bin/busybox ] || die "busybox missing: run '$0 install' first"
}

# ------------------------------------------------------------------ guest
GUEST_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk"

guest_init_script() {
  cat <<'EOF'
#!/bin/busybox sh
# mp-guest init: load virtio, read the marker from the virtio disk, count forever.
/bin/busybox mkdir -p /proc /sys /dev /mnt /tmp
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
echo 1 > /proc/sys/kernel/printk
for m in $(cat /modules.order); do
  insmod "/lib/modules/$m.ko" || echo "MP-WARN insmod $m failed"
done
BOOT=$(cut -c1-8 /proc/sys/kernel/random/boot_id)
echo "MP-BOOT $BOOT"
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do usleep 100000; i=$((i+1)); done
marker() {
  if [ ! -b /dev/vda ]; then echo "MP-NODISK"; return; fi
  sync; echo 3 > /proc/sys/vm/drop_caches
  if mount -t ext2 -o ro /dev/vda /mnt 2>/dev/null || mount -o ro /dev/vda /mnt 2>/dev/null; then
    if [ -f /mnt/marker.txt ]; then echo "MP-MARKER $(cat /mnt/marker.txt)"; else echo "MP-MARKER-MISSING"; fi
    umount /mnt
  else
    # not a filesystem: the marker is the first line of the raw device
    echo "MP-MARKER $(head -c 512 /dev/vda | head -n 1)"
  fi
}
marker
n=0
while :; do
  n=$((n+1))
  echo "MP-COUNTER $n boot=$BOOT"
  [ $((n % 10)) -eq 0 ] && marker
  sleep 1
done
EOF
}

cmd_build_guest() {
  require_tools
  mkdir -p "$GUEST_DIR"
  local kver pkg
  kver=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{sub("linux-image-","",$2); print $2; exit}') || true
  if [ -z "$kver" ] && [ ! -f "$GUEST_DIR/kernel-version" ]; then
    "${NICE[@]}" apt-get update -qq
    kver=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-[0-9]/{sub("linux-image-","",$2); print $2; exit}')
  fi
  # keep whatever kernel is cached if the archive moved on or cannot be asked
  if [ -f "$GUEST_DIR/kernel-version" ] && [ -f "$GUEST_DIR/vmlinuz" ] && [ -d "$GUEST_DIR/modules" ]; then
    kver=$(cat "$GUEST_DIR/kernel-version")
  fi
  [ -n "$kver" ] || die "cannot resolve linux-image-*-cloud-amd64"

  if [ ! -f "$GUEST_DIR/vmlinuz" ] || [ "$(cat "$GUEST_DIR/kernel-version" 2>/dev/null)" != "$kver" ]; then
    log "downloading kernel linux-image-$kver"
    local dl; dl=$(mktemp -d "$CACHE_DIR/dl.XXXXXX"); chmod 755 "$dl"
    ( cd "$dl" && "${NICE[@]}" apt-get download -qq "linux-image-$kver" 2>&1 | grep -v 'unsandboxed' || true )
    pkg=$(ls "$dl"/linux-image-*.deb 2>/dev/null | head -1)
    [ -n "$pkg" ] || die "apt-get download linux-image-$kver failed"
    "${NICE[@]}" dpkg-deb -x "$pkg" "$dl/x"
    rm -rf "$GUEST_DIR/modules"; mkdir -p "$GUEST_DIR/modules"
    local m f
    for m in $GUEST_MODULES; do
      f=$(find "$dl/x/lib/modules" -name "$m.ko*" | head -1)
      [ -n "$f" ] || die "module $m not in kernel package"
      case $f in
        *.ko.xz) xz -dc "$f" > "$GUEST_DIR/modules/$m.ko" ;;
        *.ko.zst) zstd -qdc "$f" > "$GUEST_DIR/modules/$m.ko" ;;
        *) cp "$f" "$GUEST_DIR/modules/$m.ko" ;;
      esac
    done
    cp "$dl"/x/boot/vmlinuz-* "$GUEST_DIR/vmlinuz"
    echo "$kver" > "$GUEST_DIR/kernel-version"
    rm -rf "$dl" "$GUEST_DIR/initrd.img"
  fi

  local stamp
  stamp=$( { guest_init_script; echo "$kver $GUEST_MODULES"; sha256sum /bin/busybox; } | sha256sum | cut -c1-16)
  if [ -f "$GUEST_DIR/initrd.img" ] && [ "$(cat "$GUEST_DIR/initrd.stamp" 2>/dev/null)" = "$stamp" ]; then
    log "guest cached: $GUEST_DIR (kernel $kver)"
    return 0
  fi
  log "building initramfs"
  local root; root=$(mktemp -d "$CACHE_DIR/initrd.XXXXXX")
  mkdir -p "$root"/{bin,dev,proc,sys,mnt,tmp,lib/modules}
  cp /bin/busybox "$root/bin/busybox"
  cp "$GUEST_DIR"/modules/*.ko "$root/lib/modules/"
  echo "$GUEST_MODULES" | tr ' ' '\n' > "$root/modules.order"
  guest_init_script > "$root/init"; chmod 755 "$root/init"
  ( cd "$root" && find . | "${NICE[@]}" cpio -o -H newc --quiet | "${NICE[@]}" gzip -6 ) > "$GUEST_DIR/initrd.img.tmp"
  mv "$GUEST_DIR/initrd.img.tmp" "$GUEST_DIR/initrd.img"
  echo "$stamp" > "$GUEST_DIR/initrd.stamp"
  rm -rf "$root"
  chmod -R a+rX "$CACHE_DIR"
  log "guest built: $GUEST_DIR (kernel $kver)"
}

# ------------------------------------------------------------------ certificates
make_pki() {
  local pki=$LAB_DIR/pki tmpl
  mkdir -p "$pki"
  ( umask 077
    certtool --generate-privkey --key-type rsa --bits 2048 --outfile "$pki/ca-key.pem" 2>/dev/null
    tmpl=$pki/ca.info
    printf 'cn = MigrationPortal libvirt lab CA\norganization = MigrationPortal lab\nca\ncert_signing_key\nexpiration_days = 3650\n' > "$tmpl"
    certtool --generate-self-signed --load-privkey "$pki/ca-key.pem" --template "$tmpl" --outfile "$pki/ca-cert.pem" >/dev/null 2>&1
    local h ip name
    for h in a b; do
      ip=$(host_ip $h); name=lab-$h
      certtool --generate-privkey --key-type rsa --bits 2048 --outfile "$pki/$h-key.pem" 2>/dev/null
      printf 'organization = MigrationPortal lab\ncn = %s\ndns_name = %s\nip_address = %s\ntls_www_server\ntls_www_client\nencryption_key\nsigning_key\nexpiration_days = 3650\n' \
        "$ip" "$name" "$ip" > "$pki/$h.info"
      certtool --generate-certificate --load-privkey "$pki/$h-key.pem" --load-ca-certificate "$pki/ca-cert.pem" \
        --load-ca-privkey "$pki/ca-key.pem" --template "$pki/$h.info" --outfile "$pki/$h-cert.pem" >/dev/null 2>&1
    done
    # client certificate for tests (pkipath layout: cacert.pem clientcert.pem clientkey.pem)
    mkdir -p "$pki/client"
    certtool --generate-privkey --key-type rsa --bits 2048 --outfile "$pki/client/clientkey.pem" 2>/dev/null
    printf 'organization = MigrationPortal lab\ncn = mp-test-client\ntls_www_client\nencryption_key\nsigning_key\nexpiration_days = 3650\n' > "$pki/client.info"
    certtool --generate-certificate --load-privkey "$pki/client/clientkey.pem" --load-ca-certificate "$pki/ca-cert.pem" \
      --load-ca-privkey "$pki/ca-key.pem" --template "$pki/client.info" --outfile "$pki/client/clientcert.pem" >/dev/null 2>&1
    cp "$pki/ca-cert.pem" "$pki/client/cacert.pem"
  )
  [ -s "$pki/client/clientcert.pem" ] || die "certificate generation failed"
  chmod 755 "$pki" "$pki/client"; chmod 644 "$pki"/*.pem "$pki/client"/*.pem
}

# ------------------------------------------------------------------ host layout
prepare_host() {
  local h=$1 d ip uuid pki=$LAB_DIR/pki
  d=$(host_dir "$h"); ip=$(host_ip "$h"); uuid=$(host_uuid "$h")
  mkdir -p "$d"/{etc,lib,run,log,cache,pki}
  # own /etc/hosts: the lab host names resolve locally (no DNS query ever leaves the machine)
  printf '127.0.0.1 localhost\n%s lab-a\n%s lab-b\n' "$A_IP" "$B_IP" > "$d/hosts"
  cp -a /etc/libvirt/. "$d/etc/"
  # no default NAT network (it would bring up virbr0 with a 192.168.122.x address)
  rm -f "$d/etc/qemu/networks/autostart/"*.xml "$d/etc/qemu/networks/"*.xml "$d/etc/qemu/"*.xml "$d/etc/storage/"*.xml \
        "$d/etc/storage/autostart/"*.xml 2>/dev/null || true
  cat > "$d/etc/libvirtd.conf" <<EOF
# mp libvirt lab, host $h
listen_tls = 1
listen_tcp = 0
listen_addr = "$ip"
auth_tls = "none"
auth_unix_ro = "none"
auth_unix_rw = "none"
unix_sock_group = "root"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0770"
ca_file = "/etc/pki/CA/cacert.pem"
cert_file = "/etc/pki/libvirt/servercert.pem"
key_file = "/etc/pki/libvirt/private/serverkey.pem"
host_uuid = "$uuid"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  cat > "$d/etc/qemu.conf" <<EOF
# mp libvirt lab, host $h
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
migration_address = "$ip"
migration_host = "$ip"
default_tls_x509_cert_dir = "/etc/pki/qemu"
default_tls_x509_verify = 1
EOF
  # /etc/pki inside the namespace: libvirtd server + client (for p2p) and QEMU's TLS dir
  local p=$d/pki
  mkdir -p "$p/CA" "$p/libvirt/private" "$p/qemu"
  cp "$pki/ca-cert.pem" "$p/CA/cacert.pem"
  cp "$pki/$h-cert.pem" "$p/libvirt/servercert.pem"; cp "$pki/$h-key.pem" "$p/libvirt/private/serverkey.pem"
  cp "$pki/$h-cert.pem" "$p/libvirt/clientcert.pem"; cp "$pki/$h-key.pem" "$p/libvirt/private/clientkey.pem"
  cp "$pki/ca-cert.pem" "$p/qemu/ca-cert.pem"
  cp "$pki/$h-cert.pem" "$p/qemu/server-cert.pem"; cp "$pki/$h-key.pem" "$p/qemu/server-key.pem"
  cp "$pki/$h-cert.pem" "$p/qemu/client-cert.pem"; cp "$pki/$h-key.pem" "$p/qemu/client-key.pem"
  chmod 600 "$p"/libvirt/private/*.pem "$p"/qemu/*-key.pem
  # seed QEMU capabilities (saves ~8 s of probing per daemon)
  if [ -d "$CAPS_CACHE" ] && ls "$CAPS_CACHE"/*.xml >/dev/null 2>&1; then
    mkdir -p "$d/cache/qemu/capabilities"; cp "$CAPS_CACHE"/*.xml "$d/cache/qemu/capabilities/"
  fi
}

# ------------------------------------------------------------------ network namespaces
netns_setup() {
  ip netns add "$NS_A"; ip netns add "$NS_B"
  ip link add "$VETH_A" type veth peer name "$VETH_B"
  ip link set "$VETH_A" netns "$NS_A"; ip link set "$VETH_B" netns "$NS_B"
  local ns dev ip
  for ns in "$NS_A" "$NS_B"; do
    if [ "$ns" = "$NS_A" ]; then dev=$VETH_A; ip=$A_IP; else dev=$VETH_B; ip=$B_IP; fi
    ip -n "$ns" link set lo up
    # 127.0.0.0/8 would all be "local": keep only 127.0.0.1 on lo so the peer is routed over the veth
    ip -n "$ns" addr del 127.0.0.1/8 dev lo 2>/dev/null || true
    ip -n "$ns" addr add 127.0.0.1/32 dev lo
    ip netns exec "$ns" sh -c "for c in all default lo $dev; do echo 1 > /proc/sys/net/ipv4/conf/\$c/route_localnet; done
                               for c in all default lo $dev; do echo 0 > /proc/sys/net/ipv4/conf/\$c/rp_filter; done
                               echo $TCP_RETRIES2 > /proc/sys/net/ipv4/tcp_retries2"
    ip -n "$ns" addr add "$ip/32" dev "$dev"
    ip -n "$ns" link set "$dev" up
  done
  netns_routes
  touch "$LAB_DIR/netns"
}

netns_routes() {
  local mac_a mac_b
  mac_a=$(ip -n "$NS_A" -br link show "$VETH_A" | awk '{print $3}')
  mac_b=$(ip -n "$NS_B" -br link show "$VETH_B" | awk '{print $3}')
  ip -n "$NS_A" route replace "$B_IP/32" dev "$VETH_A" src "$A_IP"
  ip -n "$NS_B" route replace "$A_IP/32" dev "$VETH_B" src "$B_IP"
  ip -n "$NS_A" neigh replace "$B_IP" lladdr "$mac_b" dev "$VETH_A" nud permanent
  ip -n "$NS_B" neigh replace "$A_IP" lladdr "$mac_a" dev "$VETH_B" nud permanent
}

# With --netns the daemons' TLS ports (A_IP/B_IP:16514) exist only inside the namespaces. Forward them to the same
# address and port in the root namespace, so the portal's own qemu+tls:// client (its pkipath, CA, client certificate
# and the server certificate's IP check) is exercised against the lab: root socat on A_IP:16514 -> unix socket ->
# socat inside the namespace -> libvirtd. Migration traffic between the hosts still crosses the veth pair.
tls_forward_start() {
  local h ip ns sock
  for h in a b; do
    ip=$(host_ip "$h"); [ "$h" = a ] && ns=$NS_A || ns=$NS_B
    sock=$LAB_DIR/tls-forward-$h.sock
    ip netns exec "$ns" socat UNIX-LISTEN:"$sock",fork,unlink-early TCP:"$ip":16514 </dev/null >/dev/null 2>&1 &
    echo $! > "$LAB_DIR/tls-forward-$h-ns.pid"
    socat TCP-LISTEN:16514,bind="$ip",reuseaddr,fork UNIX-CONNECT:"$sock" </dev/null >/dev/null 2>&1 &
    echo $! > "$LAB_DIR/tls-forward-$h-root.pid"
  done
  local i=0
  until [ -S "$LAB_DIR/tls-forward-a.sock" ] && [ -S "$LAB_DIR/tls-forward-b.sock" ]; do
    i=$((i+1)); [ $i -gt 50 ] && die "TLS port forwarders did not start"
    sleep 0.1
  done
}

netns_teardown() {
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  ip link del "$VETH_A" 2>/dev/null || true
}

# ------------------------------------------------------------------ daemons
start_daemon() {
  local h=$1 d mp cmd
  d=$(host_dir "$h")
  for mp in "${BIND_DIRS[@]}"; do mkdir -p "$mp"; done
  cmd="hostname lab-$h
mount --bind '$d/etc' /etc/libvirt
mount --bind '$d/lib' /var/lib/libvirt
mount --bind '$d/run' /run/libvirt
mount --bind '$d/log' /var/log/libvirt
mount --bind '$d/cache' /var/cache/libvirt
mount --bind '$d/pki' /etc/pki
mount --bind '$d/hosts' /etc/hosts
exec libvirtd --listen --pid-file /run/libvirt/libvirtd.pid"
  local pre=()
  netns_mode && pre=(ip netns exec "$( [ "$h" = a ] && echo "$NS_A" || echo "$NS_B")")
  # setsid + nice + ip netns exec + unshare + sh all exec in place: $! is libvirtd's PID
  setsid "${NICE[@]}" "${pre[@]}" unshare --mount --uts --propagation private sh -c "$cmd" \
    </dev/null >"$d/libvirtd.out" 2>&1 &
  echo $! > "$d/libvirtd.pid"
}

wait_daemon() {
  local h=$1 t=${2:-60} i=0 pid
  pid=$(cat "$(host_dir "$h")/libvirtd.pid")
  while ! vsh "$h" version >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$(host_dir "$h")/libvirtd.out" >&2; die "libvirtd $h exited"; }
    i=$((i+1)); [ $i -gt $((t*5)) ] && die "libvirtd $h did not answer within ${t}s"
    sleep 0.2
  done
}

save_caps_cache() {
  local src; src=$(host_dir "$1")/cache/qemu/capabilities
  ls "$src"/*.xml >/dev/null 2>&1 || return 0
  mkdir -p "$CAPS_CACHE"; cp "$src"/*.xml "$CAPS_CACHE/"
}

define_pool() {
  local h=$1 name=$2 path=$3 f
  f=$(mktemp)
  printf "<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>\n" "$name" "$path" > "$f"
  vsh "$h" pool-define "$f" >/dev/null
  rm -f "$f"
  vsh "$h" pool-build "$name" >/dev/null
  vsh "$h" pool-start "$name" >/dev/null
  vsh "$h" pool-autostart "$name" >/dev/null
}

# ------------------------------------------------------------------ guest domain
guest_disk_xml() {
  case $1 in
    local) cat <<EOF
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$GUEST_DISK_PATH'/>
      <target dev='vda' bus='virtio'/>
    </disk>
EOF
    ;;
    shared) cat <<EOF
    <disk type='network' device='disk'>
      <driver name='qemu' type='raw'/>
      <source protocol='nbd' name='$GUEST_NAME'>
        <host transport='unix' socket='$LAB_DIR/shared/nbd.sock'/>
      </source>
      <target dev='vda' bus='virtio'/>
    </disk>
EOF
    ;;
    none) ;;
  esac
}

guest_xml() {
  local storage=$1
  cat <<EOF
<domain type='qemu'>
  <name>$GUEST_NAME</name>
  <uuid>$GUEST_UUID</uuid>
  <title>MigrationPortal lab guest</title>
  <metadata>
    <mp:app xmlns:mp="$GUEST_APP_NS">$GUEST_APP</mp:app>
  </metadata>
  <memory unit='MiB'>128</memory>
  <currentMemory unit='MiB'>128</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$GUEST_DIR/vmlinuz</kernel>
    <initrd>$GUEST_DIR/initrd.img</initrd>
    <cmdline>console=ttyS0 quiet loglevel=1 panic=-1 mitigations=off</cmdline>
  </os>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
$(guest_disk_xml "$storage")
    <controller type='usb' model='none'/>
    <serial type='file'>
      <source path='$LAB_DIR/serial/$GUEST_NAME.log' append='on'/>
      <target port='0'/>
    </serial>
    <console type='file'>
      <source path='$LAB_DIR/serial/$GUEST_NAME.log' append='on'/>
      <target type='serial' port='0'/>
    </console>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

make_guest_disk() {
  local marker=$1 out=$2 tmp
  tmp=$(mktemp -d)
  mkdir -p "$tmp/root"
  printf '%s\n' "$marker" > "$tmp/root/marker.txt"
  mke2fs -q -F -t ext2 -L mpmarker -d "$tmp/root" "$tmp/disk.raw" 16M >/dev/null 2>&1
  qemu-img convert -q -f raw -O qcow2 "$tmp/disk.raw" "$out"
  rm -rf "$tmp"
}

serial_log() { echo "$LAB_DIR/serial/$GUEST_NAME.log"; }
last_counter() { grep -a -o 'MP-COUNTER [0-9]*' "$(serial_log)" 2>/dev/null | tail -1 | awk '{print $2}'; }

# ------------------------------------------------------------------ up / down
cmd_up() {
  local use_netns=0 wait_guest=1 storage=local t0
  while [ $# -gt 0 ]; do
    case $1 in
      --netns) use_netns=1 ;;
      --no-wait) wait_guest=0 ;;
      --storage) storage=${2:-}; shift ;;
      --storage=*) storage=${1#--storage=} ;;
      *) die "up: unknown option $1" ;;
    esac
    shift
  done
  case $storage in local|shared|none) ;; *) die "up: --storage must be local, shared or none" ;; esac
  t0=$(date +%s.%N)
  require_tools
  cmd_build_guest   # cheap when cached; rebuilds when the init script changed
  if [ -d "$LAB_DIR" ] || [ -e "/run/netns/$NS_A" ] || [ -e "/run/netns/$NS_B" ] || [ -n "$(lab_ns_pids)" ]; then
    log "cleaning stale lab state"; cmd_down >/dev/null 2>&1 || true
  fi
  mkdir -p "$LAB_DIR/serial"
  log "certificates"
  make_pki
  prepare_host a; prepare_host b
  [ $use_netns = 1 ] && { log "network namespaces $NS_A/$NS_B (veth $VETH_A<->$VETH_B)"; netns_setup; }
  local seeded=0
  ls "$CAPS_CACHE"/*.xml >/dev/null 2>&1 && seeded=1
  log "starting libvirtd A ($A_IP) and B ($B_IP)"
  start_daemon a
  if [ $seeded = 1 ]; then start_daemon b; wait_daemon a 90; wait_daemon b 90
  else
    wait_daemon a 120; save_caps_cache a
    mkdir -p "$(host_dir b)/cache/qemu/capabilities"
    cp "$CAPS_CACHE"/*.xml "$(host_dir b)/cache/qemu/capabilities/" 2>/dev/null || true
    start_daemon b; wait_daemon b 120
  fi
  save_caps_cache a
  [ $use_netns = 1 ] && { log "forwarding the TLS ports to the root namespace"; tls_forward_start; }
  log "storage pools"
  define_pool a images "$POOL_IMAGES_PATH"
  define_pool a fast "$POOL_FAST_PATH"
  define_pool b images "$POOL_IMAGES_PATH"
  define_pool b fast "$POOL_FAST_PATH"
  local marker
  marker="mp-lab-marker $(cut -c1-8 /proc/sys/kernel/random/uuid)"
  printf '%s\n' "$marker" > "$LAB_DIR/marker.txt"
  echo "$storage" > "$LAB_DIR/storage"
  case $storage in
    local)
      make_guest_disk "$marker" "$(host_dir a)/lib/images/$GUEST_DISK_NAME"
      vsh a pool-refresh images >/dev/null ;;
    shared)
      # "shared storage": one qcow2 served by qemu-nbd on a unix socket both hosts reach;
      # libvirt treats a network disk as shared, so plain live migration is allowed
      mkdir -p "$LAB_DIR/shared"
      make_guest_disk "$marker" "$LAB_DIR/shared/$GUEST_DISK_NAME"
      "${NICE[@]}" qemu-nbd --fork --persistent --shared=8 --format=qcow2 --export-name="$GUEST_NAME" \
        --socket="$LAB_DIR/shared/nbd.sock" --pid-file="$LAB_DIR/shared/qemu-nbd.pid" \
        "$LAB_DIR/shared/$GUEST_DISK_NAME" ;;
  esac
  guest_xml "$storage" > "$LAB_DIR/$GUEST_NAME.xml"
  : > "$(serial_log)"
  vsh a define "$LAB_DIR/$GUEST_NAME.xml" >/dev/null
  vsh a start "$GUEST_NAME" >/dev/null
  log "guest $GUEST_NAME started on A"
  if [ $wait_guest = 1 ]; then
    local i=0
    until [ -n "$(last_counter)" ]; do
      i=$((i+1)); [ $i -gt 600 ] && { tail -20 "$(serial_log)" >&2; die "guest printed no counter within 120 s"; }
      sleep 0.2
    done
    if [ "$storage" != none ]; then
      grep -a -q "MP-MARKER $marker" "$(serial_log)" || { tail -20 "$(serial_log)" >&2; die "guest did not print the disk marker"; }
      log "guest counting, marker read from its $storage disk"
    else
      log "guest counting (no disk)"
    fi
  fi
  log "lab up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s; eval \"\$($0 env)\" for the exports"
}

# TERM the given "PID:pattern" entries that are still the processes we think they are,
# wait up to 5 s for all of them, then KILL what is left
kill_pids() {
  local e pid pattern cmd live=() i
  for e in "$@"; do
    pid=${e%%:*}; pattern=${e#*:}
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || continue
    cmd=$(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline") || continue
    [[ $cmd == *"$pattern"* ]] || continue
    kill -TERM "$pid" 2>/dev/null && live+=("$pid")
  done
  for i in $(seq 1 25); do
    [ ${#live[@]} -eq 0 ] && return 0
    local still=()
    for pid in "${live[@]}"; do [ -d "/proc/$pid" ] && still+=("$pid"); done
    live=("${still[@]+"${still[@]}"}")
    [ ${#live[@]} -eq 0 ] && return 0
    sleep 0.2
  done
  for pid in "${live[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

lab_ns_pids() {
  # libvirtd and QEMU processes of this lab, even when its PID files are gone: they live in one of
  # its mount namespaces, whose bind mounts come from $LAB_DIR/hosts/ (seen in /proc/PID/mountinfo)
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=; read -r -d '' cmd 2>/dev/null < "$p/cmdline" || true   # argv[0], no fork per process
    [[ $cmd == *qemu-system* || $cmd == *libvirtd ]] || continue
    grep -q -F "$LAB_DIR/hosts/" "$p/mountinfo" 2>/dev/null && echo "${p#/proc/}"
  done
  return 0
}

cmd_down() {
  local h d f pid victims=()
  for h in a b; do
    d=$(host_dir "$h")
    [ -f "$d/libvirtd.pid" ] && victims+=("$(cat "$d/libvirtd.pid"):libvirtd")
    for f in "$d"/run/qemu/*.pid; do [ -f "$f" ] && victims+=("$(cat "$f"):qemu-system"); done
  done
  for pid in $(lab_ns_pids); do victims+=("$pid:"); done
  [ -f "$LAB_DIR/shared/qemu-nbd.pid" ] && victims+=("$(cat "$LAB_DIR/shared/qemu-nbd.pid"):qemu-nbd")
  for f in "$LAB_DIR"/tls-forward-*.pid; do [ -f "$f" ] && victims+=("$(cat "$f"):socat"); done
  kill_pids "${victims[@]+"${victims[@]}"}"
  netns_teardown
  rm -rf "$LAB_DIR"
  log "lab down"
}

# ------------------------------------------------------------------ env / status
cmd_env() {
  [ -f "$LAB_DIR/marker.txt" ] || die "lab is not up ($LAB_DIR); run '$0 up'"
  local pki=$LAB_DIR/pki
  cat <<EOF
export LIBVIRT_LAB_DIR='$LAB_DIR'
export LIBVIRT_LAB_NETNS='$(netns_mode && echo 1 || echo 0)'
export LIBVIRT_LAB_A_URI='$(host_uri a)'
export LIBVIRT_LAB_B_URI='$(host_uri b)'
export LIBVIRT_LAB_A_IP='$A_IP'
export LIBVIRT_LAB_B_IP='$B_IP'
export LIBVIRT_LAB_A_TLS_URI='qemu+tls://$A_IP/system'
export LIBVIRT_LAB_B_TLS_URI='qemu+tls://$B_IP/system'
export LIBVIRT_LAB_A_TLS_URI_PKI='qemu+tls://$A_IP/system?pkipath=$pki/client'
export LIBVIRT_LAB_B_TLS_URI_PKI='qemu+tls://$B_IP/system?pkipath=$pki/client'
export LIBVIRT_LAB_PKI_DIR='$pki/client'
export LIBVIRT_LAB_CA_CERT='$pki/client/cacert.pem'
export LIBVIRT_LAB_CLIENT_CERT='$pki/client/clientcert.pem'
export LIBVIRT_LAB_CLIENT_KEY='$pki/client/clientkey.pem'
export LIBVIRT_LAB_GUEST='$GUEST_NAME'
export LIBVIRT_LAB_GUEST_UUID='$GUEST_UUID'
export LIBVIRT_LAB_GUEST_APP_NS='$GUEST_APP_NS'
export LIBVIRT_LAB_GUEST_APP='$GUEST_APP'
export LIBVIRT_LAB_STORAGE='$(cat "$LAB_DIR/storage")'
export LIBVIRT_LAB_GUEST_DISK='$(case $(cat "$LAB_DIR/storage") in local) echo "$GUEST_DISK_PATH";; shared) echo "nbd+unix:///$GUEST_NAME?socket=$LAB_DIR/shared/nbd.sock";; esac)'
export LIBVIRT_LAB_SERIAL_LOG='$(serial_log)'
export LIBVIRT_LAB_MARKER='$(cat "$LAB_DIR/marker.txt")'
export LIBVIRT_LAB_A_IMAGES_DIR='$(host_dir a)/lib/images'
export LIBVIRT_LAB_A_FAST_DIR='$(host_dir a)/lib/fast'
export LIBVIRT_LAB_B_IMAGES_DIR='$(host_dir b)/lib/images'
export LIBVIRT_LAB_B_FAST_DIR='$(host_dir b)/lib/fast'
export LIBVIRT_LAB_POOL_IMAGES_PATH='$POOL_IMAGES_PATH'
export LIBVIRT_LAB_POOL_FAST_PATH='$POOL_FAST_PATH'
export LIBVIRT_LAB_A_NETNS='$(netns_mode && echo "$NS_A")'
export LIBVIRT_LAB_B_NETNS='$(netns_mode && echo "$NS_B")'
export LIBVIRT_LAB_SCRIPT='$(readlink -f "$0")'
EOF
}

cmd_status() {
  [ -d "$LAB_DIR" ] || { echo "lab is down"; return 3; }
  local h d pid rc=0
  for h in a b; do
    d=$(host_dir "$h"); pid=$(cat "$d/libvirtd.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      echo "host $h ($(host_ip "$h")): libvirtd pid $pid, $(host_uri "$h")"
      vsh "$h" list --all 2>/dev/null | sed 's/^/  domain /'
      vsh "$h" pool-list --all 2>/dev/null | sed 's/^/  pool /'
    else
      echo "host $h: libvirtd NOT running"; rc=1
    fi
  done
  if netns_mode; then
    echo "netns: $NS_A/$NS_B, link $(ip -n "$NS_A" -br link show "$VETH_A" 2>/dev/null | awk '{print $2}')"
    tc -n "$NS_A" -s qdisc show dev "$VETH_A" 2>/dev/null | head -1 | sed 's/^/  qdisc A: /'
  fi
  echo "guest counter: $(last_counter)"
  return $rc
}

# ------------------------------------------------------------------ link control (--netns)
need_netns() { netns_mode || die "the lab was not started with 'up --netns'"; }

cmd_throttle() {
  need_netns
  local rate=${1:?usage: throttle RATE (tc syntax, e.g. 8mbit)}
  ip -n "$NS_A" link set "$VETH_A" up; ip -n "$NS_B" link set "$VETH_B" up
  tc -n "$NS_A" qdisc replace dev "$VETH_A" root tbf rate "$rate" burst 64kb latency 400ms
  tc -n "$NS_B" qdisc replace dev "$VETH_B" root tbf rate "$rate" burst 64kb latency 400ms
  log "link throttled to $rate each way"
}

cmd_unthrottle() {
  need_netns
  tc -n "$NS_A" qdisc del dev "$VETH_A" root 2>/dev/null || true
  tc -n "$NS_B" qdisc del dev "$VETH_B" root 2>/dev/null || true
  log "throttle removed"
}

cmd_cut_link() {
  need_netns
  ip -n "$NS_A" link set "$VETH_A" down
  ip -n "$NS_B" link set "$VETH_B" down
  log "link cut"
}

cmd_restore_link() {
  need_netns
  ip -n "$NS_A" link set "$VETH_A" up
  ip -n "$NS_B" link set "$VETH_B" up
  netns_routes
  log "link restored"
}

# ------------------------------------------------------------------ main
[ "$(id -u)" = 0 ] || die "run as root"
sub=${1:-}; [ $# -gt 0 ] && shift
case $sub in
  install) cmd_install ;;
  build-guest) cmd_build_guest ;;
  up) cmd_up "$@" ;;
  down) cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  throttle) cmd_throttle "$@" ;;
  unthrottle) cmd_unthrottle ;;
  cut-link) cmd_cut_link ;;
  restore-link) cmd_restore_link ;;
  *) awk 'NR>1 && !/^#/{exit} NR>1{sub(/^# ?/,""); print}' "$0"; [ -z "$sub" ] || exit 2 ;;
esac
