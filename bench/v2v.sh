#!/usr/bin/env bash
# VMware to KVM benchmark (skeleton), one command:
#   bench/v2v.sh [rounds=3] [fixtures=1024:200,4096:1024] [coroutines=8] [raw|vmdk]
# Today it times the conversion stage: the portal's QemuImgDiskConverter (qemu-img between the portal's two NBD servers,
# nothing on disk but the result) against the stock tools' same stage, `nbdkit --filter=noextents file` (extent-less
# like `nbdkit curl`) feeding `qemu-img convert`, alternately on the same fixture, and prints the ratio of wall times
# (target <= 1.10). Every portal result is checked with `qemu-img compare`.
# Still to add once the lab serves ExportVm and the libvirt destination takes uploads (issue 12, part 5): the whole
# baseline pipeline `nbdkit curl url=<export> cainfo=<pinned cert>` -> `qemu-img convert` -> `virsh vol-upload --sparse`
# against the portal's request from approval to a booted guest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
missing=()
command -v qemu-img >/dev/null || missing+=(qemu-utils)
command -v nbdkit >/dev/null || missing+=(nbdkit)
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
dotnet run -c Release --project "$root/bench/MigrationPortal.Benchmarks" -- v2v "$@"
