#!/usr/bin/env python3
"""PCI on the virt board with the Linux test guest. TAP output.

  pci_test.py REWIND

1. The same command line (virtio-rng-pci, a non-transitional one with addr=,
   a virtio-blk-pci through QEMU's blkreplay stack, an if=virtio drive) on
   qemu-system-riscv64 and on rewind: Linux lists the same PCI functions at
   the same addresses (vendor, device, subsystem, class, revision, the BAR
   resources it assigned, the bound driver) from /sys/bus/pci/devices.
2. Both disks read back as the host wrote them (md5 of the whole image),
   /dev/hwrng works through virtio-rng-pci.
3. The rewind session recorded and replayed: the replay prints the same
   console output (the entropy bytes, the disk digests, the listing).
Skips QEMU's side when qemu-system-riscv64 is not installed.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_session import build_guest  # noqa: E402
from tap import done, report  # noqa: E402

REWIND = sys.argv[1]
QEMU = shutil.which("qemu-system-riscv64")

# The guest's listing: one "pci:" line per function, then the disks and
# entropy. Written for busybox sh; $d/resource has one line per resource.
LIST = ("for d in /sys/bus/pci/devices/*; do "
        "r=$(head -7 $d/resource | tr '\\n' ' '); drv=none; "
        "[ -e $d/driver ] && drv=$(basename $(readlink $d/driver)); "
        "echo pci: $(basename $d) $(cat $d/vendor) $(cat $d/device) $(cat $d/subsystem_vendor) "
        "$(cat $d/subsystem_device) $(cat $d/class) $(cat $d/revision) $drv $r; done; "
        "for b in vda vdb; do echo disk: $b $(md5sum < /dev/$b); done; "
        "echo rng: $(cat /sys/class/misc/hw_random/rng_current) "
        "$(head -c 32 /dev/hwrng | od -An -tx1 | tr -d ' \\n')")


def run(argv, timeout=600):
    p = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def lines(out, prefix):
    return [ln.strip() for ln in out.splitlines() if ln.startswith(prefix)]


try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    report(False, "build the test guest", e.stderr[-300:])
    done()
tmp = tempfile.mkdtemp(prefix="rewind-pci-")
disks = []
for i, size in enumerate((8, 4)):
    path = os.path.join(tmp, f"disk{i}.raw")
    with open(path, "wb") as f:
        f.write(hashlib.sha256(b"pci%d" % i).digest() * (size * 1024 * 1024 // 32))
    disks.append(path)
expect_md5 = [hashlib.md5(open(p, "rb").read()).hexdigest() for p in disks]


def machine(emu, rr=None):
    argv = [emu, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
            "-serial", "stdio", "-monitor", "none", "-rtc", "base=2024-01-01,clock=vm",
            "-append", f'console=ttyS0 rewind_run="{LIST}"',
            "-device", "virtio-rng-pci",
            "-drive", f"file={disks[0]},format=raw,if=none,id=img-direct,snapshot=on",
            "-drive", "driver=blkreplay,if=none,image=img-direct,id=img0",
            "-device", "virtio-blk-pci,drive=img0",
            "-device", "virtio-rng-pci-non-transitional,addr=0x6",
            "-drive", f"file={disks[1]},format=raw,if=virtio,snapshot=on"]
    if rr:
        argv += ["-icount", f"shift=5,{rr}"]
    return argv


rc, out, err = run(machine(REWIND))
ok = rc == 0 and "rewind-guest: exit=0" in out
report(ok, "rewind: Linux boots with virtio-rng-pci and virtio-blk-pci and runs the listing",
       f"rc={rc} {err[-300:]} {out[-600:]}")
r_pci = lines(out, "pci:")
report(len(r_pci) == 5 and r_pci[0].startswith("pci: 0000:00:00.0 0x1b36 0x0008"),
       "rewind: five functions, the host bridge at 00:00.0", "\n".join(r_pci) or out[-600:])
report(all(re.search(r" virtio-pci ", ln) for ln in r_pci[1:]),
       "rewind: virtio-pci binds every virtio function", "\n".join(r_pci))
disk_lines = lines(out, "disk:")
report(disk_lines == [f"disk: vda {expect_md5[0]} -", f"disk: vdb {expect_md5[1]} -"],
       "rewind: both disks read back as the host wrote them", "\n".join(disk_lines))
rng = lines(out, "rng:")
report(len(rng) == 1 and re.fullmatch(r"rng: virtio_rng\.\d [0-9a-f]{64}", rng[0]) is not None,
       "rewind: /dev/hwrng gives bytes through virtio-rng-pci", "\n".join(rng) or out[-300:])

if QEMU:
    rc, qout, qerr = run(machine(QEMU))
    q_pci = lines(qout, "pci:")
    report(rc == 0 and q_pci and q_pci == r_pci,
           "the same functions at the same addresses as under QEMU (ids, class, revision, BARs, driver)",
           "qemu:\n" + "\n".join(q_pci) + "\nrewind:\n" + "\n".join(r_pci) + "\n" + qerr[-200:])
    report(lines(qout, "disk:") == disk_lines, "QEMU's guest reads the same disks", "\n".join(lines(qout, "disk:")))
else:
    print("ok - comparison with QEMU # SKIP qemu-system-riscv64 not installed")

rrfile = os.path.join(tmp, "pci.rr")
rc, rec, err = run(machine(REWIND, f"rr=record,rrfile={rrfile}"))
report(rc == 0 and "rewind-guest: exit=0" in rec, "record the session", f"rc={rc} {err[-300:]}")
rc, rep, err = run(machine(REWIND, f"rr=replay,rrfile={rrfile}"))
keep = ("pci:", "disk:", "rng:")
rec_lines = [ln for ln in rec.splitlines() if ln.startswith(keep)]
rep_lines = [ln for ln in rep.splitlines() if ln.startswith(keep)]
report(rc == 0 and rec_lines and rec_lines == rep_lines and rep.replace("\r", "") == rec.replace("\r", ""),
       "the replay prints what the recording did (the entropy bytes, disks, listing; the whole console)",
       f"rc={rc} {err[-300:]}\nrecorded: {rec_lines}\nreplayed: {rep_lines}")

shutil.rmtree(tmp, ignore_errors=True)
done()
