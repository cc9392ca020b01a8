#!/usr/bin/env bash
# rewind's generated device tree against QEMU 7.2's (-M virt,dumpdtb=FILE),
# compared through dtc: every node and property of one must be in the other
# with the same value, except the differences listed below. TAP output.
# Usage: dtb_test.sh REWIND   (skips without qemu-system-riscv64 or dtc)
set -u
REWIND=$1
QEMU=${QEMU:-qemu-system-riscv64}
if ! command -v "$QEMU" >/dev/null || ! command -v dtc >/dev/null; then
  echo "1..0 # SKIP needs $QEMU and dtc (device-tree-compiler)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/# /' <<<"$2"; }

# Allowed differences, each with its reason.
# Nodes QEMU has and rewind leaves out because rewind has no such device
# (their properties go with them):
#   platform-bus: QEMU's dynamic sysbus devices (-device on it); rewind has none.
MISSING_OK='^/platform-bus@4000000(/|$)'
# Properties whose value may differ:
#   riscv,isa: rewind's hart has no H (QEMU's default CPU does);
#   checked separately below: nothing else may differ.
VALUE_OK=${VALUE_OK:-'^/cpus/cpu@0/riscv,isa$'}

# One line per node ("/path/") and per property ("/path/name = value"),
# from dtc's output (one property per line).
flatten() {
  dtc -q -I dtb -O dts "$1" | awk '
    /^[[:space:]]*\/dts-v1\/;/ { next }
    /\{[[:space:]]*$/ {
      name = $1; if (name == "/") name = ""
      path[++depth] = name
      p = ""; for (i = 2; i <= depth; ++i) p = p "/" path[i]
      print (p == "" ? "/" : p "/")
      next
    }
    /^[[:space:]]*\};/ { --depth; next }
    /;[[:space:]]*$/ {
      line = $0; sub(/^[[:space:]]+/, "", line); sub(/;[[:space:]]*$/, "", line)
      p = ""; for (i = 2; i <= depth; ++i) p = p "/" path[i]
      print p "/" line
    }' | sort
}

# compare DESC ARGS...: dump both trees with the same arguments and diff them.
compare() {
  local desc=$1; shift
  if ! "$QEMU" -M virt,dumpdtb="$tmp/q.dtb" -nographic "$@" >"$tmp/qout" 2>&1; then
    not_ok "$desc: QEMU dumpdtb" "$(head -c 400 "$tmp/qout")"; return
  fi
  if ! timeout 20 "$REWIND" -M virt,dumpdtb="$tmp/r.dtb" -nographic "$@" >"$tmp/rout" 2>&1 </dev/null; then
    not_ok "$desc: rewind dumpdtb exits 0" "$(head -c 400 "$tmp/rout")"; return
  fi
  local qsize rsize
  qsize=$(stat -c %s "$tmp/q.dtb"); rsize=$(stat -c %s "$tmp/r.dtb")
  [ "$qsize" = "$rsize" ] && ok "$desc: dump is $rsize bytes, as QEMU's" || not_ok "$desc: dump size" "qemu $qsize, rewind $rsize"
  if ! dtc -q -I dtb -O dts "$tmp/r.dtb" >/dev/null 2>"$tmp/dtcerr"; then
    not_ok "$desc: dtc reads rewind's tree" "$(cat "$tmp/dtcerr")"; return
  fi
  flatten "$tmp/q.dtb" >"$tmp/q.flat"
  flatten "$tmp/r.dtb" >"$tmp/r.flat"
  local key=' = .*$'
  # Nodes and properties by name only (values compared next).
  sed "s/$key//" "$tmp/q.flat" | sort -u >"$tmp/q.names"
  sed "s/$key//" "$tmp/r.flat" | sort -u >"$tmp/r.names"
  local only_q only_r
  only_q=$(comm -23 "$tmp/q.names" "$tmp/r.names" | grep -v -E "$MISSING_OK")
  only_r=$(comm -13 "$tmp/q.names" "$tmp/r.names")
  if [ -z "$only_q" ] && [ -z "$only_r" ]; then
    ok "$desc: same nodes and properties (besides the listed absent devices)"
  else
    not_ok "$desc: structure differs" "only in QEMU's: ${only_q:-none}
only in rewind's: ${only_r:-none}"
  fi
  local diffs
  diffs=$(comm -3 "$tmp/q.flat" "$tmp/r.flat" | sed 's/^\t//' | grep -v -E "$MISSING_OK" |
          sed "s/$key//" | grep -v -E "$VALUE_OK" | sort -u)
  [ -z "$diffs" ] && ok "$desc: same property values (besides the listed ones)" ||
    not_ok "$desc: property values differ" "$(comm -3 "$tmp/q.flat" "$tmp/r.flat" | grep -F -f <(echo "$diffs") | head -20)"
  # The order of nodes and properties is QEMU's too (what a side-by-side diff
  # shows), once the absent devices' nodes are cut out of QEMU's.
  dtc -q -I dtb -O dts "$tmp/r.dtb" | grep -o -E '^[[:space:]]*[^ =;]+' >"$tmp/r.order"
  awk '/platform-bus@/ {skip = 1} skip && /^\t*};/ {skip = 0; next} !skip' <(dtc -q -I dtb -O dts "$tmp/q.dtb") |
    grep -o -E '^[[:space:]]*[^ =;]+' >"$tmp/q.order"
  if diff -q "$tmp/q.order" "$tmp/r.order" >/dev/null; then
    ok "$desc: nodes and properties in QEMU's order"
  else
    not_ok "$desc: order differs" "$(diff "$tmp/q.order" "$tmp/r.order" | head -10)"
  fi
}

# A flat "kernel" and an initrd: only their sizes matter for the tree.
head -c 1000000 /dev/zero >"$tmp/kernel"
head -c 300000 /dev/zero >"$tmp/initrd"

compare "defaults (-m 128M)" -seed 1
compare "-m 256M" -m 256M -seed 7
compare "-m 4G -kernel -initrd -append" -m 4G -seed 1 -kernel "$tmp/kernel" -initrd "$tmp/initrd" -append "console=ttyS0 root=/dev/vda"
compare "-m 200M -bios none -kernel -initrd" -m 200M -seed 1 -bios none -kernel "$tmp/kernel" -initrd "$tmp/initrd"
compare "-device virtio-rng-device x2" -seed 1 -device virtio-rng-device -device virtio-rng-device,id=rng1
# PCI devices change nothing in the tree (the host node is always there);
# RAM above 16 GiB moves the 64-bit window to the next 16 GiB boundary.
compare "-device virtio-rng-pci" -seed 1 -device virtio-rng-pci -device virtio-rng-pci-non-transitional,addr=5
compare "-m 20G (PCI high window moves)" -m 20G -seed 1

# -cpu properties: the hart's riscv,isa (and mmu-type) as QEMU 7.2 writes
# them for the same properties. QEMU's rv64 has H, which rewind does not
# implement: both get it switched off (and Zbc and Sstc, to cover their
# =off), and then no value may differ.
Q=rv64,h=off,zbc=off,sstc=off
VALUE_OK='^$' compare "-cpu $Q" -seed 1 -cpu $Q
VALUE_OK='^$' compare "-cpu $Q,c=off,zba=off,zbs=off" -seed 1 -cpu $Q,c=off,zba=off,zbs=off
VALUE_OK='^$' compare "-cpu $Q,m=off,f=off,d=off,Zifencei=off,Zihintpause=off" -seed 1 -cpu $Q,m=off,f=off,d=off,Zifencei=off,Zihintpause=off
VALUE_OK='^$' compare "-cpu $Q,a=off,zbb=off,mmu=off,pmp=off" -seed 1 -cpu $Q,a=off,zbb=off,mmu=off,pmp=off
VALUE_OK='^$' compare "-cpu $Q,s=off,u=off" -seed 1 -cpu $Q,s=off,u=off
VALUE_OK='^$' compare "-cpu $Q,Zicsr=off,f=off,d=off,short-isa-string=on" -seed 1 -cpu $Q,Zicsr=off,f=off,d=off,short-isa-string=on
VALUE_OK='^$' compare "-cpu $Q,priv_spec=v1.11.0" -seed 1 -cpu $Q,priv_spec=v1.11.0
VALUE_OK='^$' compare "-cpu any,zbc=off,sstc=off" -seed 1 -cpu any,zbc=off,sstc=off
VALUE_OK='^$' compare "-cpu any" -seed 1 -cpu any
VALUE_OK='^$' compare "-cpu rv64,h=off,zbc=off" -seed 1 -cpu rv64,h=off,zbc=off

# The flash banks (32 MiB images on both units) change nothing in the tree.
truncate -s 32M "$tmp/flash0" "$tmp/flash1"
compare "-drive if=pflash x2" -seed 1 -drive if=pflash,unit=0,format=raw,file="$tmp/flash0" \
  -drive if=pflash,unit=1,format=raw,file="$tmp/flash1"

# The default hart's riscv,isa: QEMU's, less exactly H (not implemented:
# docs/firmware.md); with h=off on both, identical.
"$QEMU" -M virt,dumpdtb="$tmp/q.dtb" -nographic -seed 1 >/dev/null 2>&1
"$REWIND" -M virt,dumpdtb="$tmp/r.dtb" -nographic -seed 1 >/dev/null 2>&1 </dev/null
qisa=$(dtc -q -I dtb -O dts "$tmp/q.dtb" | sed -n 's/.*riscv,isa = "\(.*\)";/\1/p')
risa=$(dtc -q -I dtb -O dts "$tmp/r.dtb" | sed -n 's/.*riscv,isa = "\(.*\)";/\1/p')
expected=$(sed -e 's/^\(rv64[a-z]*\)h/\1/' <<<"$qisa")
if [ -n "$qisa" ] && [ "$risa" = "$expected" ] && [[ "$risa" == *_sstc ]]; then
  ok "riscv,isa is QEMU's without h (with sstc): $risa"
else
  not_ok "riscv,isa is QEMU's without h (with sstc)" "qemu $qisa, rewind $risa"
fi
VALUE_OK='^$' compare "-cpu rv64,h=off" -seed 1 -cpu rv64,h=off

# The firmware nodes themselves, as QEMU writes them.
for node in 'fw-cfg@10100000' 'flash@20000000'; do
  q=$(dtc -q -I dtb -O dts "$tmp/q.dtb" | awk -v n="$node" '$1 == n {p = 1} p; p && /};/ {exit}')
  r=$(dtc -q -I dtb -O dts "$tmp/r.dtb" | awk -v n="$node" '$1 == n {p = 1} p; p && /};/ {exit}')
  if [ -n "$r" ] && [ "$q" = "$r" ]; then ok "/$node as QEMU's"; else not_ok "/$node as QEMU's" "qemu: $q
rewind: $r"; fi
done

# -dtb FILE overrides: dumpdtb then shows the file's tree (with /chosen set).
"$QEMU" -M virt,dumpdtb="$tmp/base.dtb" -nographic -seed 3 >/dev/null 2>&1
"$REWIND" -M virt,dumpdtb="$tmp/fromfile.dtb" -dtb "$tmp/base.dtb" -seed 3 >/dev/null 2>&1
if dtc -q -I dtb -O dts "$tmp/fromfile.dtb" | grep -q 'platform-bus@4000000'; then ok "-dtb FILE replaces the generated tree"; else not_ok "-dtb FILE replaces the generated tree"; fi

echo "1..$n"
exit $((failed > 0))
