#!/bin/sh
# Regenerates virt-<MEM>.dtb: QEMU's own device tree for `-M virt -m <MEM>`, with
# /chosen/rng-seed zeroed and trimmed to its totalsize (docs/lockstep.md, "QEMU virt facts" 4).
# Needs qemu-system-riscv64 and fdtput (Debian package device-tree-compiler).
# usage: gen-dtb.sh 128M [256M ...]   (writes into the current directory)
set -eu
for mem in "$@"; do
  tmp=$(mktemp)
  qemu-system-riscv64 -M virt,dumpdtb="$tmp" -m "$mem" -nographic >/dev/null 2>&1
  # fdtput rewrites the file with exactly fdt_totalsize bytes.
  fdtput -t x "$tmp" /chosen rng-seed 0 0 0 0 0 0 0 0
  mv "$tmp" "virt-$mem.dtb"
  echo "virt-$mem.dtb: $(wc -c < "virt-$mem.dtb") bytes"
done
