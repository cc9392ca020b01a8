#!/usr/bin/env python3
"""A distribution's boot flow on PCI: OpenSBI fw_jump (-bios), Debian's S-mode
U-Boot (-kernel), a partitioned disk image on -drive if=virtio
(virtio-blk-pci) with an ext4 partition holding /boot/extlinux/extlinux.conf,
the test guest's kernel and initramfs, and the rest of a distribution's
QEMU line: user networking on virtio-net-pci and virtio-rng-pci. U-Boot
finds the disk on PCI, boots Linux through extlinux, Linux finds the same
disk, gets an address by DHCP on virtio-net-pci and runs a command.
Recorded and replayed: the replay's console is the recording's. TAP output.

  uboot_test.py REWIND [--bench]

--bench also times the same flow on qemu-system-riscv64 and prints both
(boot to the guest's command, wall-clock seconds).
Skips without Debian's u-boot-qemu, opensbi, sfdisk or mkfs.ext4.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_session import build_guest  # noqa: E402
from tap import done, report  # noqa: E402

REWIND = sys.argv[1]
BENCH = "--bench" in sys.argv
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf"
FW_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
NEEDS = [UBOOT, FW_JUMP]
for tool in ("sfdisk", "mkfs.ext4"):
    if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool) and not os.path.exists("/sbin/" + tool):
        NEEDS.append(tool)
missing = [p for p in NEEDS if not (os.path.exists(p) or shutil.which(p))]
if missing:
    print(f"1..0 # SKIP needs {', '.join(missing)} (u-boot-qemu, opensbi, fdisk, e2fsprogs)")
    sys.exit(0)

# U-Boot expands $(...) and ${...} in an append line: backquotes only; and
# the guest's init loses quotes, so no argument may hold a space.
RUN = ("echo booted-by: `grep -o extlinux-rewind /proc/cmdline`; ls /sys/bus/pci/devices | xargs echo pci:; "
       "udhcpc -i eth0 -n -q -t 10 -T 1 >/dev/null 2>&1; ifconfig eth0 | grep -o addr:[0-9.]*")

try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    report(False, "build the test guest", e.stderr[-300:])
    done()
tmp = tempfile.mkdtemp(prefix="rewind-uboot-")


def sh(*argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, **kw)


def make_disk():
    """A 96 MiB image: an MBR with one bootable Linux partition from 1 MiB,
    an ext4 filesystem there with /boot/{Image,initrd,extlinux/extlinux.conf}."""
    root = os.path.join(tmp, "root")
    os.makedirs(os.path.join(root, "boot", "extlinux"))
    shutil.copy(kernel, os.path.join(root, "boot", "Image"))
    shutil.copy(initrd, os.path.join(root, "boot", "initrd.gz"))
    with open(os.path.join(root, "boot", "extlinux", "extlinux.conf"), "w") as f:
        f.write("default rewind\nprompt 0\ntimeout 1\n\nlabel rewind\n"
                "  kernel /boot/Image\n  initrd /boot/initrd.gz\n"
                f"  append console=ttyS0 extlinux-rewind rewind_run=\"{RUN}\"\n")
    disk = os.path.join(tmp, "disk.raw")
    part = os.path.join(tmp, "part.raw")
    sh("truncate", "-s", "96M", disk)
    sh("sfdisk", "-q", disk, input=b"label: dos\nstart=2048, type=83, bootable\n")
    sh("truncate", "-s", f"{96 * 1024 * 1024 - 2048 * 512}", part)
    sh("mkfs.ext4", "-q", "-F", "-d", root, "-U", "11111111-2222-3333-4444-555555555555",
       "-E", "hash_seed=11111111-2222-3333-4444-555555555555", part)
    sh("dd", f"if={part}", f"of={disk}", "bs=1M", "seek=1", "conv=notrunc")
    os.remove(part)
    return disk


def machine(emu, disk, rr=None):
    argv = [emu, "-M", "virt", "-m", "512M", "-nographic", "-monitor", "none",
            "-rtc", "base=2024-01-01,clock=vm",
            "-bios", FW_JUMP, "-kernel", UBOOT,
            "-netdev", "user,id=eth0", "-device", "virtio-net-pci,netdev=eth0", "-device", "virtio-rng-pci",
            "-drive", f"file={disk},format=raw,if=virtio,snapshot=on"]
    if rr:
        argv += ["-icount", f"shift=5,{rr}"]
    return argv


def run(argv, timeout=900):
    t0 = time.monotonic()
    p = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), time.monotonic() - t0


try:
    disk = make_disk()
except subprocess.CalledProcessError as e:
    report(False, "make the partitioned ext4 disk image", (e.stderr or b"").decode()[-300:])
    done()

rc, out, err, secs = run(machine(REWIND, disk))
report("U-Boot 20" in out, "U-Boot starts (S-mode, after OpenSBI fw_jump)", out[-400:] + err[-200:])
report("extlinux" in out.lower() or "Retrieving file: /boot/Image" in out,
       "U-Boot finds extlinux.conf on the virtio-blk-pci disk", out[-800:])
ok = (rc == 0 and "booted-by: extlinux-rewind" in out and "rewind-guest: exit=0" in out)
report(ok, "Linux booted by U-Boot from the disk runs its command and powers off",
       f"rc={rc} {err[-300:]} {out[-800:]}")
pci = re.search(r"^pci: (.*)$", out, re.M)
report(pci is not None and len(pci.group(1).split()) == 4,
       "Linux sees the host bridge, virtio-net-pci, virtio-rng-pci and the if=virtio disk on PCI",
       pci.group(0) if pci else out[-400:])
report("addr:10.0.2.15" in out, "Linux gets its address by DHCP on virtio-net-pci (slirp's 10.0.2.15)",
       out[-600:])
rewind_secs = secs

rrfile = os.path.join(tmp, "uboot.rr")
rc, rec, err, _ = run(machine(REWIND, disk, f"rr=record,rrfile={rrfile}"))
report(rc == 0 and "rewind-guest: exit=0" in rec, "record the U-Boot -> Linux session", f"rc={rc} {err[-300:]}")
rc, rep, err, _ = run(machine(REWIND, disk, f"rr=replay,rrfile={rrfile}"))
report(rc == 0 and rep == rec and "rewind-guest: exit=0" in rep, "its replay prints the same console",
       f"rc={rc} {err[-300:]} {len(rec)} vs {len(rep)} bytes")

if BENCH and shutil.which("qemu-system-riscv64"):
    rc, qout, qerr, qsecs = run(machine("qemu-system-riscv64", disk))
    print(f"# U-Boot -> Linux -> command -> poweroff: rewind {rewind_secs:.2f} s, "
          f"QEMU {qsecs:.2f} s (QEMU rc={rc}, ok={'rewind-guest: exit=0' in qout})")

shutil.rmtree(tmp, ignore_errors=True)
done()
