#!/usr/bin/env bash
# VMware to KVM benchmark, the whole disk transfer, one command (as root):
#   bench/v2v.sh [rounds=3] [fixtures=1024:200,4096:1024]
# For each fixture (CONV_DATA_MB:CONV_PAYLOAD_MB of tests/lab/vcsim/conversion-fixture.sh, built and cached), it starts
# `vcsim-lab -conversion-fixture DIR` and moves conv-vm's flat data disk into a new volume on the libvirt lab's host B
# (qemu+tls, pinned), alternately:
#   portal:   VSphereConnector.BeginExportAsync -> OpenAsync(data disk) -> QemuImgDiskConverter.ConvertAsync
#             -> LibvirtConnector.CreateVolumeAsync sink -> FinishAsync (no temporary copy on the node)
#   baseline: virsh vol-create-as; nbdkit curl url=<the disk's /folder URL> cainfo=<the simulator's PEM> on a unix socket
#             -> qemu-img convert -f raw nbd+unix:///?socket=... -O raw <temp file> -> virsh vol-upload --sparse
# and prints medians, MiB/s of capacity and of data, and the ratio portal / baseline (target <= 1.10). Every volume is
# checked with qemu-img compare against the fixture's flat image. Starts the libvirt lab (--netns --storage local)
# unless one is up, and stops the one it started.
# The conversion stage alone (converter against nbdkit + qemu-img on local files):
#   dotnet run -c Release --project bench/MigrationPortal.Benchmarks -- v2v [rounds] [fixtures] [m] [raw|vmdk]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
fixtures="${2:-1024:200,4096:1024}"
missing=()
command -v qemu-img >/dev/null || missing+=(qemu-utils)
command -v nbdkit >/dev/null || missing+=(nbdkit)
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
dirs=()
for f in ${fixtures//,/ }; do
  dirs+=("$(CONV_DATA_MB="${f%%:*}" CONV_PAYLOAD_MB="${f##*:}" "$root/tests/lab/vcsim/conversion-fixture.sh" | tail -1)")
done
lab="$root/tests/lab/libvirt/lab.sh"
started=0
if ! "$lab" status >/dev/null 2>&1; then
  "$lab" up --netns --storage local
  started=1
fi
trap '[ "$started" = 1 ] && "$lab" down' EXIT
eval "$("$lab" env)"
dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- v2v-transfer "$rounds" "$(IFS=,; echo "${dirs[*]}")"
