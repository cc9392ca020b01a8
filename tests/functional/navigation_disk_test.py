#!/usr/bin/env python3
"""Replay navigation with disks (TAP): docs/replay-navigation.md, "Disks".

For a raw and a qcow2 ext4 image on virtio-blk (QEMU's blkreplay stack), the
Linux guest mounts the disk, writes files (one of 2.1 MB, 30 small ones),
syncs, unmounts, mounts again and reads them back (md5sum), and powers off;
that session is recorded. Then:
  - a straight replay (no snapshot restored) stops at replay breakpoints at
    random counts over the whole recording and reports the state hash there;
  - a second replay moves with replay_seek to the same counts in random
    order, backwards and forwards (snapshots restored, disk overlays with
    them; snapshots put off while a request is in flight), and must report
    the same state hash at each;
  - after the seeking it continues to the end: the guest reads its files back
    from the restored disk (the md5sums on the console), the replay ends with
    the recorded final state hash, the console is the recording's byte for
    byte, and the image was never written;
  - gdb over the qcow2 recording: at a virtio-blk completion (virtblk_done)
    well into the writes, stepi forwards and reverse-stepi back, every
    register the same at each point; reverse-continue to the previous
    completion lands on the registers seen there going forwards.

The normal suite runs qcow2 only, at 6 counts; suite 'slow' raw and qcow2
at 12 counts each.

usage: navigation_disk_test.py REWIND [FORMATS [COUNTS]]   (FORMATS: raw,qcow2)
"""
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "guest"))
from guest_session import HmpPipe as Monitor, build_guest  # noqa: E402
from tap import done, report as ok  # noqa: E402
import gdb_test_lib as lib  # noqa: E402
from replay_oracle import field, straight_replay_hashes  # noqa: E402

REWIND = sys.argv[1]
FORMATS = sys.argv[2].split(",") if len(sys.argv) > 2 else ["raw", "qcow2"]
COUNTS = int(sys.argv[3]) if len(sys.argv) > 3 else 12
SEQ = "".join(f"{i}\n" for i in range(1, 300001)).encode()
SEQ_MD5 = hashlib.md5(SEQ).hexdigest()
WORK = ("mount -t ext4 /dev/vda /mnt && seq 1 300000 > /mnt/seq && "
        "i=0; while [ $i -lt 30 ]; do seq $i 4000 > /mnt/f$i; i=$((i+1)); done; sync; umount /mnt && "
        "mount -t ext4 /dev/vda /mnt && md5sum /mnt/seq && md5sum /mnt/f* | md5sum && ls /mnt | wc -l && umount /mnt")

try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    ok(False, "build the test guest", e.stderr[-300:])
    done()
tmp = tempfile.mkdtemp(prefix="rewind-navdisk-")


def sha1(path):
    return hashlib.sha1(open(path, "rb").read()).hexdigest()


def make_image(name, fmt):
    raw = os.path.join(tmp, name + ".raw")
    subprocess.run(["truncate", "-s", "64M", raw], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-U", "11111111-2222-3333-4444-555555555555",
                    "-E", "hash_seed=11111111-2222-3333-4444-555555555555", raw], check=True)
    if fmt == "raw":
        return raw
    img = os.path.join(tmp, name + ".qcow2")
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, img], check=True)
    os.remove(raw)
    return img


def machine(image, fmt, rr, console=("stdio",), monitor="none"):
    return [REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
            "-serial", *console, "-monitor", monitor, "-rtc", "base=2024-01-01,clock=vm",
            "-append", f'console=ttyS0 rewind_run="{WORK}"',
            "-drive", f"file={image},format={fmt},if=none,id=img-direct",
            "-drive", "driver=blkreplay,if=none,image=img-direct,id=img-blkreplay",
            "-device", "virtio-blk-device,drive=img-blkreplay", "-icount", f"shift=7,{rr}"]


def navigate(fmt, rng):
    img = make_image("rec-" + fmt, fmt)
    pristine = os.path.join(tmp, f"pristine-{fmt}")
    shutil.copy(img, pristine)
    before = sha1(pristine)
    rr = os.path.join(tmp, f"{fmt}.rr")
    p = subprocess.run(machine(img, fmt, f"rr=record,rrfile={rr}"), capture_output=True, timeout=900)
    err = p.stderr.decode(errors="replace")
    recorded = p.stdout
    m = re.search(r"recorded (\d+) instructions.*\n.*final state hash (0x[0-9a-f]+)", err)
    if not ok(p.returncode == 0 and SEQ_MD5.encode() in recorded and m,
              f"{fmt}: record the guest writing files to its disk and reading them back", err[-600:]):
        return None
    total, final_hash = int(m.group(1)), m.group(2)
    counts = sorted(set(rng.sample(range(5_000_000, total - 1), COUNTS) + [total - 2]))
    replay = f"rr=replay,rrfile={rr}"

    # The oracle: a straight replay stopped at each count.
    straight, diag, rc, err = straight_replay_hashes(machine(pristine, fmt, replay, ("null",), "stdio"), counts)
    ok(len(straight) == len(counts) and not diag and rc == 0 and final_hash in err,
       f"{fmt}: a straight replay stops at {len(counts)} replay breakpoints and ends as recorded", diag + err[-600:])

    # Seeking around, with a small interval so that snapshots fall inside the
    # disk traffic (and some are put off by requests in flight).
    order = counts[:]
    rng.shuffle(order)
    order += [counts[0], counts[-1], counts[len(counts) // 2], counts[1]]
    console = os.path.join(tmp, f"seek-{fmt}.txt")
    mon = Monitor(machine(pristine, fmt, replay, ("file:" + console,), "stdio") +
                  ["-rr-snapshot-interval", "10000000"], b"stop\n")
    diag, matched, back, info = "", 0, 0, ""
    try:
        mon.read_until_prompt()
        mon.read_until_prompt()
        prev = 0
        for c in order:
            out = mon.cmd(f"replay_seek {c}")
            back += c < prev
            prev = c
            got = mon.cmd("info replay")
            at = re.search(r"instruction count = (\d+)", got)
            h = field(got, "State hash")
            if out.strip() or not at or int(at.group(1)) != c or h != straight.get(c):
                diag += f"seek {c}: {out.strip()} at {at.group(1) if at else '?'} hash {h} vs {straight.get(c)}\n"
            else:
                matched += 1
        info = mon.cmd("info replay")
        # Back into the middle, then on to the end: the guest reads its files
        # from the disk as it was there.
        mon.cmd(f"replay_seek {counts[len(counts) // 3]}")
        os.write(mon.w, b"cont\n")
    except (TimeoutError, EOFError) as e:
        diag += str(e)
    ok(matched == len(order) and not diag,
       f"{fmt}: replay_seek to {len(order)} counts ({back} backwards) gives the straight replay's state hash at each",
       diag)
    d = re.search(r"Disk overlays: ([\d.]+) MiB of it; (\d+) snapshots put off", info)
    s = re.search(r"Snapshots: (\d+), ([\d.]+) MiB of a (\d+) MiB", info)
    ok(d and s and float(d.group(1)) > 0 and int(s.group(1)) > 2 and float(s.group(2)) <= float(s.group(3)),
       f"{fmt}: info replay counts the disk overlays in the snapshots' budget ({d.group(0) if d else info})", info)
    rc, err = mon.finish()
    ok(rc == 0 and "replay complete" in err and final_hash in err,
       f"{fmt}: after the seeking the replay ends with the recorded final state hash", err[-800:])
    got = open(console, "rb").read()
    ok(got == recorded and SEQ_MD5.encode() in got,
       f"{fmt}: the guest read its files back after the seeks; the console is the recording's byte for byte",
       f"recorded {len(recorded)} bytes, replay printed {len(got)}")
    ok(sha1(pristine) == before, f"{fmt}: the image was never written")
    return pristine, rr, final_hash


def gdb_over_disk(pristine, rr, final_hash):
    r = subprocess.run([os.path.join(HERE, "../guest/build-guest.sh")], capture_output=True, text=True)
    paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    vmlinux = paths.get("VMLINUX")
    done_at = lib.symbol(vmlinux, "virtblk_done") if vmlinux and os.path.exists(vmlinux) else None
    if not done_at:
        ok(True, "# SKIP gdb over a disk recording: no vmlinux with virtblk_done")
        return
    port = lib.free_port()
    argv = machine(pristine, FORMATS[-1], f"rr=replay,rrfile={rr}", ("null",)) + ["-rr-snapshot-interval", "10000000"]
    p = lib.start(argv, port)
    c = lib.Raw(port)
    c.cmd(b"QStartNoAckMode")
    c.cmd(b"Z0,%x,2" % done_at)
    regs = []
    for _ in range(60):  # completions: the boot's reads, then the writes
        c.cmd(b"c")
        regs.append(c.cmd(b"g"))
    c.cmd(b"z0,%x,2" % done_at)
    fwd = [regs[-1]]
    steps = 40
    for _ in range(steps):
        c.cmd(b"s")
        fwd.append(c.cmd(b"g"))
    back = []
    for _ in range(steps):
        c.cmd(b"bs")
        back.append(c.cmd(b"g"))
    ok(back == list(reversed(fwd[:-1])),
       f"gdb on the {FORMATS[-1]} recording: {steps} reverse-stepi from a disk completion, every register as stepping forwards",
       f"{sum(a != b for a, b in zip(back, reversed(fwd[:-1])))} differ")
    c.cmd(b"Z0,%x,2" % done_at)
    c.cmd(b"bc")
    got = c.cmd(b"g")
    ok(got == regs[-2], "gdb: reverse-continue lands on the previous disk completion, registers as seen forwards")
    c.cmd(b"z0,%x,2" % done_at)
    end = c.cmd(b"c")
    ok("replaylog:end" in end, "gdb: continue runs to the end of the recording", end)
    c.cmd(b"vKill;1")
    c.close()
    code, err = lib.finish(p, timeout=600)
    fin = re.search(r"final state hash (0x[0-9a-f]+)", err)
    ok(code == 0 and fin and fin.group(1) == final_hash,
       "gdb: after the reverse steps the replay still ends with the recorded final state hash", err[-600:])


rng = random.Random(20261202)
last = None
for fmt in FORMATS:
    last = navigate(fmt, rng)
if last and lib.GDB:
    gdb_over_disk(*last)
shutil.rmtree(tmp, ignore_errors=True)
done()
