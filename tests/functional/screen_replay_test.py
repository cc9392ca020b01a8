#!/usr/bin/env python3
"""The screen, recorded and replayed (TAP): Linux on virtio-gpu's framebuffer
console with virtio-keyboard and virtio-tablet is driven over VNC by the
tests' RFB client (a shell on tty1 typed into, the pointer moved while a
guest program prints the tablet's events on the screen), recorded with
-icount rr=record. During the recording the machine is stopped at 10 points
and `screendump` writes the screen with the instruction count. Three replays
then stop at those counts and screendump again; every image must be
byte-identical to the recording's:
  1. forward, with replay_break (no display client, no input: the recording's),
  2. backwards, with replay_seek from the last count to the first (the
     screen comes back from snapshots),
  3. forward again with a VNC client watching (its input is ignored).
Usage: screen_replay_test.py REWIND"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "guest"))
from guest_session import PROMPT, Session, build_guest  # noqa: E402
from hmp_socket import Monitor  # noqa: E402
from screen_images import read_ppm  # noqa: E402
from rfb_client import DESKTOP_SIZE, RAW, ZLIB, RfbClient  # noqa: E402
from tap import done, report  # noqa: E402

REWIND = os.path.abspath(sys.argv[1])
TMP = tempfile.mkdtemp(prefix="rewind-screen-")
RR = os.path.join(TMP, "screen.rr")
POINTS = 10

try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    report(False, "build the test guest", e.stderr[-300:])
    done()


def machine(rr, tag, vnc=True):
    mon = os.path.join(TMP, f"mon-{tag}.sock")
    argv = [REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0",
            "-device", "virtio-gpu-device,xres=800,yres=600", "-device", "virtio-keyboard-device",
            "-device", "virtio-tablet-device", "-serial", "stdio",
            "-monitor", f"unix:{mon},server=on,wait=off", "-icount", f"shift=7,rr={rr},rrfile={RR}"]
    if rr == "replay":
        argv.append("-S")  # stopped at its start: the first replay_break lies ahead
    vnc_path = os.path.join(TMP, f"vnc-{tag}.sock")
    if vnc:
        argv += ["-vnc", f"unix:{vnc_path}"]
    else:
        argv += ["-display", "none"]
    return Session(argv), mon, vnc_path


def connect(path):
    deadline = time.monotonic() + 30
    while True:
        try:
            c = RfbClient(path)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    c.handshake()
    c.set_encodings([ZLIB, RAW, DESKTOP_SIZE])
    c.update()
    return c


def icount(m):
    found = re.search(r"instruction count = (\d+)", m.cmd("info replay"))
    return int(found.group(1)) if found else None


def wait_paused(m, timeout=300):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if "paused" in m.cmd("info status"):
            return True
        time.sleep(0.1)
    return False


def dump(m, name):
    path = os.path.join(TMP, name)
    out = m.cmd(f"screendump {path}")
    with open(path, "rb") as f:
        return f.read(), out


# ---- record: a shell on tty1 typed into over VNC, the pointer moved ------------------
sess, mon, vnc_path = machine("record", "rec")
booted = sess.expect(PROMPT, timeout=180)
report(booted, "record: Linux boots on virtio-gpu with virtio-keyboard, virtio-tablet and -vnc", sess.out[-400:])
if not booted:
    sess.p.kill()
    done()
m = Monitor(mon)
c = connect(vnc_path)
counts, shots = [], []


def shoot():
    m.cmd("stop")
    n = icount(m)
    img, out = dump(m, f"rec-{len(counts)}.ppm")
    counts.append(n)
    shots.append(img)
    m.cmd("cont")
    return out


def settle(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sess.pump(0.05)


sess.p.stdin.write(b"setsid sh -c 'exec sh </dev/tty1 >/dev/tty1 2>&1' &\n")
settle(2)
first_out = shoot()
c.type_text("echo typed over VNC: $((6*7))\n")
settle(1.5)
shoot()
c.type_text("ls /\n")
settle(1.5)
shoot()
# A guest program draws the tablet's events: od prints each event as it reads it.
c.type_text("for d in /sys/class/input/event*; do grep -q Tablet $d/device/name && t=/dev/input/${d##*/}; done\n")
settle(1)
c.type_text("od -An -tx2 -w24 -N 720 $t\n")
settle(1.5)
shoot()
for i in range(12):
    c.pointer(0, 100 + 30 * i, 80 + 20 * i)
    settle(0.15)
    if i in (3, 7):
        shoot()
c.pointer(1, 400, 300)
c.pointer(0, 400, 300)
settle(1.5)
shoot()
c.type_text("clear; echo screen replay test\n")
settle(1.5)
shoot()
c.type_text("printf 'x%.0s' $(seq 1 300)\n")
settle(1.5)
shoot()
settle(1)
shoot()
c.close()
m.cmd("quit")
rc, err = sess.finish(timeout=120)
report(rc == 0 and len(counts) == POINTS and all(counts) and counts == sorted(set(counts)),
       f"record: {POINTS} screendumps at distinct instruction counts, then the recording ends cleanly",
       (rc, counts, first_out, err[-400:]))
report(all(s.startswith(b"P6") for s in shots) and len(set(shots)) >= 6,
       "record: the screendumps are PPM images and the screen changes along the session",
       f"{len(set(shots))} distinct of {len(shots)}")
print(f"# counts: {counts}")


# ---- replays ------------------------------------------------------------------------
def compare(images, label):
    bad = [i for i in range(POINTS) if images.get(i) != shots[i]]
    report(not bad, f"{label}: all {POINTS} screendumps byte-identical to the recording's",
           f"differ at points {bad} (counts {[counts[i] for i in bad]})")


def replay(tag, order, seek, vnc):
    s, mon, vnc_path = machine("replay", tag, vnc)
    rm = Monitor(mon)
    client = connect(vnc_path) if vnc else None
    images = {}
    t0 = time.monotonic()
    for i in order:
        if seek:
            rm.cmd(f"replay_seek {counts[i]}")
        else:
            rm.cmd(f"replay_break {counts[i]}")
            rm.cmd("cont")
        if not wait_paused(rm) or icount(rm) != counts[i]:
            break
        images[i], _ = dump(rm, f"{tag}-{i}.ppm")
        if client:
            client.type_text("rm -rf /\n", delay=0)  # live input: ignored by a replay
    elapsed = time.monotonic() - t0
    watched = None
    if client:
        # A viewer that connects now sees the screen the replay re-rendered:
        # the same pixels as its last screendump.
        client.close()
        try:
            viewer = connect(vnc_path)
            last = max(images) if images else None
            w, h, rgb = read_ppm(os.path.join(TMP, f"{tag}-{last}.ppm")) if last is not None else (0, 0, b"")
            pixels = [rgb[i] << 16 | rgb[i + 1] << 8 | rgb[i + 2] for i in range(0, len(rgb), 3)]
            watched = last is not None and (viewer.width, viewer.height, viewer.pixels) == (w, h, pixels)
            viewer.close()
        except OSError:
            watched = False
    rm.cmd("quit")
    rc, err = s.finish(timeout=60)
    return images, elapsed, rc, err, watched


images, t, rc, err, _ = replay("fwd", range(POINTS), seek=False, vnc=False)
compare(images, f"replay 1 (forward with replay_break, no display client, {t:.1f} s)")
images, t, rc, err, _ = replay("back", reversed(range(POINTS)), seek=True, vnc=False)
compare(images, f"replay 2 (backwards with replay_seek, {t:.1f} s)")
images, t, rc, err, watched = replay("vnc", range(POINTS), seek=False, vnc=True)
compare(images, f"replay 3 (forward with a VNC client typing, ignored, {t:.1f} s)")
report(watched, "replay 3: a VNC viewer sees the re-rendered screen, pixel for pixel its last screendump", err[-300:])

# The recording's pictures kept for a look by eye (SCREEN_TEST_KEEP=DIR).
keep = os.environ.get("SCREEN_TEST_KEEP")
if keep:
    os.makedirs(keep, exist_ok=True)
    for i in range(len(shots)):
        shutil.copy(os.path.join(TMP, f"rec-{i}.ppm"), keep)
shutil.rmtree(TMP, ignore_errors=True)
done()
