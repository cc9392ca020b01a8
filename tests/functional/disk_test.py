#!/usr/bin/env python3
"""Disks (TAP): a Linux guest mounts an ext4 image made on the host with
qemu-img and mkfs.ext4, writes files with known checksums and reads them
back; the host checks the image (qemu-img check, e2fsck -n, debugfs). Then
the same session under record/replay with QEMU's documented blkreplay stack:
recorded once, replayed three times byte-identically against a pristine copy
that stays untouched; with rrdisk=embed replayed with no image at all; a
recorder killed mid-write; a replay on another image refused.

Usage: disk_test.py REWIND
"""
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "guest"))
from guest_session import build_guest  # noqa: E402
from tap import done, report  # noqa: E402

REWIND = sys.argv[1]


def run(argv, timeout=300, **kw):
    p = subprocess.run(argv, capture_output=True, timeout=timeout, **kw)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def sha1(path):
    return hashlib.sha1(open(path, "rb").read()).hexdigest()


try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    report(False, "build the test guest", e.stderr[-300:])
    done()
tmp = tempfile.mkdtemp(prefix="rewind-disk-")

# The guest's work: files with contents the host can predict, written,
# synced, unmounted, mounted again and read back.
SEQ = "".join(f"{i}\n" for i in range(1, 300001)).encode()  # 2.1 MB
SEQ_MD5 = hashlib.md5(SEQ).hexdigest()
WORK = ("mount -t ext4 /dev/vda /mnt && seq 1 300000 > /mnt/seq && "
        "i=0; while [ $i -lt 40 ]; do seq $i 5000 > /mnt/f$i; i=$((i+1)); done; "
        "dd if=/dev/zero of=/mnt/zero bs=64k count=16 2>/dev/null; sync; umount /mnt && "
        "mount -t ext4 /dev/vda /mnt && md5sum /mnt/seq && md5sum /mnt/f* | md5sum && ls /mnt | wc -l && umount /mnt")


def make_image(name):
    raw, img = os.path.join(tmp, name + ".raw"), os.path.join(tmp, name + ".qcow2")
    subprocess.run(["truncate", "-s", "64M", raw], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-U", "11111111-2222-3333-4444-555555555555",
                    "-E", "hash_seed=11111111-2222-3333-4444-555555555555", raw], check=True)
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, img], check=True)
    os.remove(raw)
    return img


def machine(image, extra=(), rr=None):
    argv = [REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
            "-serial", "stdio", "-monitor", "none", "-rtc", "base=2024-01-01,clock=vm",
            "-append", f'console=ttyS0 rewind_run="{WORK}"',
            "-drive", f"file={image},if=none,id=img-direct",
            "-drive", "driver=blkreplay,if=none,image=img-direct,id=img-blkreplay",
            "-device", "virtio-blk-device,drive=img-blkreplay", *extra]
    if rr:
        argv += ["-icount", f"shift=7,{rr}"]
    return argv


# --- a plain run, and the image on the host afterwards --------------------------------
img = make_image("plain")
rc, out, err = run(machine(img))
ok = rc == 0 and SEQ_MD5.encode() in out and b"rewind-guest: exit=0" in out
report(ok, "the guest mounts the ext4 qcow2 image, writes 42 files, reads them back (md5 as the host's)",
       f"rc={rc} {err[-300:]} {out[-300:]!r}")
rc, o, e = run(["qemu-img", "check", img])
report(rc == 0 and b"No errors" in o, "qemu-img check: no errors after rewind wrote the image", o.decode() + e)
raw = os.path.join(tmp, "plain.raw")
subprocess.run(["qemu-img", "convert", "-O", "raw", img, raw], check=True)
rc, o, e = run(["e2fsck", "-n", "-f", raw])
report(rc == 0, "e2fsck -n: the filesystem is clean", (o.decode() + e)[-300:])
rc, o, e = run(["debugfs", "-R", "cat /seq", raw])
report(hashlib.md5(o).hexdigest() == SEQ_MD5, "debugfs reads the guest's file back on the host, byte for byte",
       f"{len(o)} bytes")
rc, o, e = run(["qemu-img", "compare", img, raw])
report(rc == 0, "qemu-img compare: the qcow2 image and its raw conversion agree", (o.decode() + e)[-200:])

# --- record, then replay three times against a pristine copy -------------------------
img = make_image("rec")
pristine = os.path.join(tmp, "pristine.qcow2")
shutil.copy(img, pristine)
before = sha1(pristine)
rr = os.path.join(tmp, "disk.rr")
rc, recorded, err = run(machine(img, rr=f"rr=record,rrfile={rr}"))
m = re.search(r"final state hash (0x[0-9a-f]+)", err)
report(rc == 0 and SEQ_MD5.encode() in recorded and m and "completion" in err,
       "record the disk session with QEMU's blkreplay stack (completions in the rrfile)", err[-400:])
rec_hash = m.group(1) if m else "?"
rc, o, e = run(["qemu-img", "check", img])
report(rc == 0, "qemu-img check after recording: no errors", (o.decode() + e)[-200:])
for i in range(3):
    rc, out, err = run(machine(pristine, rr=f"rr=replay,rrfile={rr}"), stdin=subprocess.DEVNULL)
    mh = re.search(r"replay complete: .*final state hash (0x[0-9a-f]+)", err)
    report(rc == 0 and out == recorded and mh and mh.group(1) == rec_hash,
           f"replay {i + 1}: console byte-identical, final state hash {rec_hash}", f"rc={rc} {err[-300:]}")
report(sha1(pristine) == before, "the replays left the image untouched (writes went to a temporary overlay)")
rc, out, err = run(machine(img, rr=f"rr=replay,rrfile={rr}"), stdin=subprocess.DEVNULL)
report(rc == 1 and "-drive id=img-direct" in err and len(err.strip().splitlines()) == 1,
       "a replay on another image (the one the recording wrote) is refused, naming the drive", err[-300:])

# --- rrdisk=embed: the image is not needed to replay ------------------------------------
img = make_image("embed")
rr_embed = os.path.join(tmp, "embed.rr")
rc, recorded, err = run(machine(img, rr=f"rr=record,rrfile={rr_embed},rrdisk=embed"))
report(rc == 0 and SEQ_MD5.encode() in recorded, "record with rrdisk=embed", err[-300:])
os.remove(img)
rc, out, err = run(machine(img, rr=f"rr=replay,rrfile={rr_embed},rrdisk=embed"), stdin=subprocess.DEVNULL)
report(rc == 0 and out == recorded and "replay complete" in err,
       f"rrdisk=embed replays with the image deleted ({os.path.getsize(rr_embed)} bytes of recording, "
       f"{os.path.getsize(rr)} without embedding)", f"rc={rc} {err[-300:]}")
rc, out, err = run(machine(img, rr=f"rr=replay,rrfile={rr_embed}"), stdin=subprocess.DEVNULL)
report(rc == 1 and "rrdisk" in err, "a replay without rrdisk=embed of an embedded recording is refused", err[-300:])

# --- a recorder killed in the middle of guest writes ------------------------------------
img = make_image("kill")
pristine = os.path.join(tmp, "kill-pristine.qcow2")
shutil.copy(img, pristine)
killed = os.path.join(tmp, "killed.rr")
p = subprocess.Popen(machine(img, rr=f"rr=record,rrfile={killed}"), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
out = b""
deadline = time.monotonic() + 120
os.set_blocking(p.stdout.fileno(), False)
while b"EXT4-fs (vda): mounted" not in out and time.monotonic() < deadline and p.poll() is None:
    time.sleep(0.05)
    out += p.stdout.read() or b""
time.sleep(1.0)  # in the middle of the writes
p.send_signal(signal.SIGKILL)
p.wait()
rc, o, e = run(["qemu-img", "check", img])
report(rc in (0, 3) and b"ERROR" not in o, "a recorder killed mid-write leaves an image qemu-img check passes "
       "(leaks allowed)", f"rc={rc} {(o.decode() + e)[-300:]}")
rc, out, err = run(machine(pristine, rr=f"rr=replay,rrfile={killed}"), stdin=subprocess.DEVNULL)
report(rc == 4 and "end of the interrupted recording" in err,
       "... and its recording replays up to its cut (exit 4)", f"rc={rc} {err[-300:]}")

# --- -snapshot and if=virtio ----------------------------------------------------------------
img = make_image("snap")
before = sha1(img)
rc, out, err = run(machine(img, extra=["-snapshot"]))
report(rc == 0 and SEQ_MD5.encode() in out and sha1(img) == before,
       "-snapshot: the guest writes, the image stays as it was", err[-300:])
raw = os.path.join(tmp, "virtio.raw")
subprocess.run(["qemu-img", "convert", "-O", "raw", img, raw], check=True)
argv = [REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
        "-serial", "stdio", "-monitor", "none", "-append", f'console=ttyS0 rewind_run="{WORK}"',
        "-drive", f"file={raw},format=raw"]
rc, out, err = run(argv)
report(rc == 0 and SEQ_MD5.encode() in out, "-drive file=F,format=raw (if=virtio, the virt default) is /dev/vda",
       err[-300:])

shutil.rmtree(tmp, ignore_errors=True)
done()
