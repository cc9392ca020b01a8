#!/usr/bin/env python3
"""Named snapshots (TAP): savevm / loadvm / delvm / info snapshots and
-loadvm with a Linux guest on an ext4 qcow2 disk (the disk's contents follow
the snapshot: a file written after savevm has its old contents after loadvm,
with the guest's page cache dropped), checked on the host with qemu-img
(snapshot -l, check, snapshot -a); the error cases, one line each; and
-icount rrsnapshot= with and without a disk: recorded from a snapshot,
replayed from it byte-identically.

Usage: savevm_test.py REWIND
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "guest"))
from guest_session import PROMPT, Session, build_guest  # noqa: E402
from hmp_socket import Monitor  # noqa: E402
from tap import done, report  # noqa: E402

REWIND = os.path.abspath(sys.argv[1])


def run(argv, timeout=300, **kw):
    p = subprocess.run(argv, capture_output=True, timeout=timeout, **kw)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    report(False, "build the test guest", e.stderr[-300:])
    done()
tmp = tempfile.mkdtemp(prefix="rewind-savevm-")
os.chdir(tmp)  # diskless snapshots go to ./rewind.snapshots


def make_image(name, fmt="qcow2"):
    raw, img = os.path.join(tmp, name + ".raw"), os.path.join(tmp, name + "." + fmt)
    subprocess.run(["truncate", "-s", "32M", raw], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", raw], check=True)
    if fmt == "raw":
        return raw
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, img], check=True)
    os.remove(raw)
    return img


def machine(drives=(), extra=(), mon=None):
    argv = [REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
            "-serial", "stdio", "-append", "console=ttyS0", "-rtc", "base=2024-01-01,clock=vm"]
    argv += ["-monitor", f"unix:{mon},server=on,wait=off"] if mon else ["-monitor", "none"]
    for i, d in enumerate(drives):
        argv += ["-drive", f"{d},if=none,id=d{i}", "-device", f"virtio-blk-device,drive=d{i}"]
    return argv + list(extra)


def shell(s, command, expect, timeout=60):
    s.type(command + "\n", None)
    return s.expect(re.compile(expect), timeout) and s.expect(PROMPT, timeout)


def qemu_img(*args):
    rc, out, err = run(["qemu-img", *args])
    return rc, out.decode() + err


# --- savevm / loadvm on an ext4 qcow2 disk ------------------------------------------------
img = make_image("disk")
mon = os.path.join(tmp, "mon.sock")
s = Session(machine([f"file={img},format=qcow2"], mon=mon))
m = Monitor(mon)
booted = s.expect(PROMPT, 180)
report(booted, "the guest boots with an ext4 qcow2 disk and a monitor socket", s.out[-300:])
ok = booted and shell(s, "mount -t ext4 /dev/vda /mnt && echo before-savevm > /mnt/f && sync && cat /mnt/f",
                      rb"\nbefore-savevm")
report(ok, "the guest writes a file on the disk", s.out[-300:])
out = m.cmd("savevm first")
report(out == "", "savevm first: no message", out)
ok = shell(s, "echo after-savevm > /mnt/f && echo new > /mnt/g && sync && cat /mnt/f", rb"\nafter-savevm")
report(ok, "the guest changes the file and adds one", s.out[-300:])
out = m.cmd("info snapshots")
report(re.search(r"^--\s+first\s+\d", out, re.M) is not None and "ID" in out and "VM CLOCK" in out,
       "info snapshots lists it", out)
out = m.cmd("loadvm first")
report(out == "", "loadvm first: no message", out)
ok = shell(s, "echo 3 > /proc/sys/vm/drop_caches; cat /mnt/f; ls /mnt", rb"\nbefore-savevm\r?\n(?![^#]*\bg\b)")
report(ok, "after loadvm the guest reads the old contents back from the disk (page cache dropped), "
       "and the later file is gone", s.out[-400:])
out = m.cmd("savevm second")
report(out == "", "savevm second", out)
out = m.cmd("loadvm nosuch")
report(out.strip().count("\n") == 0 and "nosuch" in out and "does not exist" in out,
       "loadvm of an unknown name: one line", out)
out = m.cmd("delvm nosuch")
report(out.strip().count("\n") == 0 and "not found" in out, "delvm of an unknown name: one line", out)
m.cmd("quit")
rc, err = s.finish()
report(rc == 0, "quit", err[-300:])
rc, out = qemu_img("snapshot", "-l", img)
report(rc == 0 and re.search(r"\bfirst\b", out) and re.search(r"\bsecond\b", out) and "MiB" in out,
       "qemu-img snapshot -l lists rewind's snapshots with their VM state", out)
rc, out = qemu_img("check", img)
report(rc == 0 and "No errors" in out, "qemu-img check: no errors after savevm/loadvm", out)

# --- -loadvm: a new process starts where the snapshot was ------------------------------------
t0 = time.monotonic()
s = Session(machine([f"file={img},format=qcow2"], extra=["-loadvm", "first"], mon=mon))
m = Monitor(mon)
ok = shell(s, "cat /mnt/f", rb"\nbefore-savevm", 30)
report(ok, f"-loadvm first: the shell is there at once ({time.monotonic() - t0:.1f} s), the file has its old "
       "contents", s.out[-300:])
out = m.cmd("delvm first")
report(out == "", "delvm first", out)
out = m.cmd("info snapshots")
report("first" not in out and "second" in out, "info snapshots no longer lists it", out)
m.cmd("quit")
s.finish()
rc, out = qemu_img("check", img)
report(rc == 0 and "No errors" in out, "qemu-img check: no errors after delvm", out)
rc, out = qemu_img("snapshot", "-l", img)
report(rc == 0 and "first" not in out and "second" in out, "qemu-img snapshot -l after delvm", out)
rc, out = qemu_img("snapshot", "-a", "second", img)
rc2, out2 = qemu_img("check", img)
report(rc == 0 and rc2 == 0, "qemu-img snapshot -a reverts the disk to rewind's snapshot, check clean", out + out2)

# --- error cases ----------------------------------------------------------------------------
rc, _, err = run(machine([f"file={img},format=qcow2"], extra=["-loadvm", "nosuch"]), stdin=subprocess.DEVNULL)
report(rc == 1 and len(err.strip().splitlines()) == 1 and "nosuch" in err,
       "-loadvm of an unknown name: one line, exit 1", err)
raw = make_image("rawdisk", "raw")
s = Session(machine([f"file={raw},format=raw", f"file={img},format=qcow2"], mon=mon))
m = Monitor(mon)
out = m.cmd("savevm x")
report(out.strip().count("\n") == 0 and "'d0' is writable but does not support snapshots" in out,
       "savevm with a writable raw disk: refused in one line (QEMU's message)", out)
m.cmd("quit")
s.finish()
rc, out = qemu_img("snapshot", "-l", img)
report("x " not in out and not re.search(r"\bx\b", out), "... and the qcow2 disk beside it got no snapshot (all or none)",
       out)
s = Session(machine([f"file={img},format=qcow2,readonly=on"], mon=mon))
m = Monitor(mon)
out = m.cmd("savevm y")
report(out.strip().count("\n") == 0 and "read-only" in out, "savevm with only a read-only image: one line", out)
out = m.cmd("loadvm second")
report(out.strip().count("\n") == 0 and "read-only" in out, "loadvm with only a read-only image: one line", out)
m.cmd("quit")
s.finish()

# --- without a disk: the snapshot store file --------------------------------------------------
# (with the -icount shift and the -seed the recording below uses: a snapshot
# loads only into the same configuration, and a recording always has a seed)
s = Session(machine(mon=mon, extra=["-icount", "shift=7", "-seed", "7"]))
m = Monitor(mon)
booted = s.expect(PROMPT, 180)
shell(s, "echo diskless > /tmp/x", rb"")
out = m.cmd("savevm booted")
report(booted and out == "" and os.path.exists(os.path.join(tmp, "rewind.snapshots")),
       "savevm without a disk writes ./rewind.snapshots", out)
shell(s, "echo changed > /tmp/x", rb"")
out = m.cmd("loadvm booted")
ok = out == "" and shell(s, "cat /tmp/x", rb"\ndiskless")
report(ok, "loadvm without a disk restores the guest's RAM (tmpfs file back to its old contents)", out + s.out[-200:].decode(errors="replace"))
m.cmd("quit")
s.finish()

# --- rrsnapshot: record from a snapshot, replay from it ----------------------------------------
rr = os.path.join(tmp, "nodisk.rr")
s = Session(machine(extra=["-seed", "7", "-loadvm", "booted", "-icount", f"shift=7,rr=record,rrfile={rr},rrsnapshot=start"]))
ok = shell(s, "cat /tmp/x; echo $((6*7))", rb"\n42", 60)
if s.p.poll() is None:
    s.type("poweroff -f\n", None)
rc, err = s.finish()
recorded = s.out
report(ok and rc == 0 and os.path.exists(rr + ".snapshots"),
       "record from a diskless snapshot (-loadvm booted) with rrsnapshot=start (state beside the rrfile)", err[-300:])
m_rec = re.search(r"final state hash (0x[0-9a-f]+)", err)
rc, out, err = run(machine(extra=["-icount", f"shift=7,rr=replay,rrfile={rr},rrsnapshot=start"]),
                   stdin=subprocess.DEVNULL)
m_rep = re.search(r"replay complete: .*final state hash (0x[0-9a-f]+)", err)
report(rc == 0 and out == recorded and m_rec and m_rep and m_rep.group(1) == m_rec.group(1),
       "replay from rrsnapshot=start: console byte-identical, same final state hash", f"rc={rc} {err[-300:]}")
rc, out, err = run(machine(extra=["-icount", f"shift=7,rr=replay,rrfile={rr}"]), stdin=subprocess.DEVNULL)
report(rc == 1 and len(err.strip().splitlines()) == 1 and "rrsnapshot=start" in err,
       "a replay without rrsnapshot= is refused in one line", err)
rc, out, err = run(machine(extra=["-m", "512M", "-icount", f"shift=7,rr=replay,rrfile={rr},rrsnapshot=start"]),
                   stdin=subprocess.DEVNULL)
report(rc == 1 and len(err.strip().splitlines()) == 1 and "-m" in err,
       "a replay on another machine (-m 512M) is refused in one line", err)

img2 = make_image("rrdisk")
pristine = os.path.join(tmp, "rrdisk-pristine.qcow2")
shutil.copy(img2, pristine)
rr2 = os.path.join(tmp, "disk.rr")
s = Session(machine([f"file={img2},format=qcow2"], extra=["-icount", f"shift=7,rr=record,rrfile={rr2},rrsnapshot=s0"]))
ok = s.expect(PROMPT, 180) and shell(s, "mount -t ext4 /dev/vda /mnt && echo rec > /mnt/r && sync && cat /mnt/r",
                                     rb"\nrec")
if s.p.poll() is None:
    s.type("poweroff -f\n", None)
rc, err = s.finish()
recorded = s.out
report(ok and rc == 0, "record with a qcow2 disk and rrsnapshot=s0", err[-300:])
rc, out, err = run(machine([f"file={pristine},format=qcow2"],
                           extra=["-icount", f"shift=7,rr=replay,rrfile={rr2},rrsnapshot=s0"]), stdin=subprocess.DEVNULL)
report(rc == 0 and out == recorded and "replay complete" in err,
       "replay with the disk from rrsnapshot=s0: console byte-identical", f"rc={rc} {err[-300:]}")

shutil.rmtree(tmp, ignore_errors=True)
done()
