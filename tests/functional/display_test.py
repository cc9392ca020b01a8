#!/usr/bin/env python3
"""virtio-gpu and screendump with the Linux test guest (TAP).

The guest (virtio-gpu DRM, fbdev emulation, fbcon) gets -device
virtio-gpu-device; over the serial shell it checks /dev/fb0 and its mode,
writes text to /dev/tty1 and a known pattern of pixels to /dev/fb0 with dd.
`screendump` (PPM, and PNG decoded here with zlib) must show the pattern
where it was written and the text. The same guest and commands run under
QEMU (the real peer): the two pictures of the pattern must be identical
byte for byte (the whole screens are compared too and the result printed).
A recorded session is replayed: screendumps at the same instruction counts
(by replay_break, then by replay_seek backwards) are identical to the ones
taken while recording. Also the monitor's error lines.

Usage: display_test.py REWIND [--quick]
  --quick: rewind's part only (one boot), without QEMU and the replay.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "guest"))
from guest_session import PROMPT, HmpPipe, Session, build_guest  # noqa: E402
from hmp_socket import Monitor  # noqa: E402
from screen_images import read_png, read_ppm  # noqa: E402
from tap import done, report  # noqa: E402

REWIND = os.path.abspath(sys.argv[1])
QUICK = "--quick" in sys.argv[2:]
QEMU = shutil.which("qemu-system-riscv64")
W, H = 1280, 800
TOP = 400  # first row of the pattern
ROWS = 128

# One 4-pixel unit of each pattern row kind, as B, G, R, X bytes (XRGB8888).
UNIT_A = [(0, 0, 255), (0, 255, 0), (255, 0, 0), (0x40, 0x80, 0xc0)]
UNIT_B = list(reversed(UNIT_A))


def octal(unit):
    return "".join("\\%03o\\%03o\\%03o\\000" % px for px in unit)


def expected_rgb(x, row):
    b, g, r = (UNIT_A if row % 2 == 0 else UNIT_B)[x % 4]
    return (r, g, b)


# The guest's commands, each with what its output must show.
DRAW = [
    ("ls -l /dev/fb0 && cat /sys/class/graphics/fb0/virtual_size /sys/class/graphics/fb0/stride",
     rb"\n1280,800\r?\n5120\r?\n"),
    ("echo 0 > /sys/class/graphics/fbcon/cursor_blink; "
     "printf '\\033[?25l\\033[H\\033[2Jhello from the framebuffer\\n' > /dev/tty1; sleep 1; echo text$((1+1))",
     rb"\ntext2"),
    ("cd /tmp && printf '%s' > u && printf '%s' > v && for i in 1 2 3 4 5 6; do cat u u > t; mv t u; "
     "cat v v > t; mv t v; done; cat u u u u u > a; cat v v v v v > b; cat a b a b > q; "
     "for i in 1 2 3 4 5; do cat q q > t; mv t q; done; wc -c q" % (octal(UNIT_A), octal(UNIT_B)),
     rb"\n655360 q"),
    # conv=notrunc: without it busybox's dd leaves nothing on /dev/fb0 (on QEMU too). Two rows a
    # write: Linux 6.1's fbdev turns a write of exactly one whole row into an empty damage
    # rectangle (its one-scanline case takes x1 = x2 = 0), so such rows never reach the device.
    ("dd if=/tmp/q of=/dev/fb0 bs=10240 seek=%d conv=notrunc 2>&1; sleep 1; echo drawn$((1+1))" % (TOP // 2),
     rb"\ndrawn2"),
]


def pattern_area(rgb):
    return rgb[TOP * W * 3:(TOP + ROWS) * W * 3]


def pattern_errors(rgb):
    """Pixels of the pattern area that differ from what was written (up to 5)."""
    bad = []
    for row in range(ROWS):
        base = (TOP + row) * W * 3
        for x in range(0, W, 7):  # every 7th pixel covers every unit position
            got = tuple(rgb[base + 3 * x:base + 3 * x + 3])
            if got != expected_rgb(x, row):
                bad.append(f"({x},{TOP + row}) {got} != {expected_rgb(x, row)}")
                if len(bad) >= 5:
                    return bad
    return bad


def text_pixels(rgb):
    """Lit pixels in the first text line (16 rows, the first 30 columns' worth)."""
    return sum(1 for y in range(16) for x in range(240) if any(rgb[(y * W + x) * 3:(y * W + x) * 3 + 3]))


def machine(emu, mon, extra=()):
    return [emu, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
            "-serial", "stdio", "-append", "console=ttyS0", "-device", "virtio-gpu-device",
            # QEMU's virtio-mmio is legacy by default, and Linux's virtio-gpu wants virtio 1.x.
            "-global", "virtio-mmio.force-legacy=false",
            "-monitor", f"unix:{mon},server=on,wait=off", *extra]


def shell(s, command, expect, timeout=120):
    s.type(command + "\n", None)
    return s.expect(re.compile(expect), timeout) and s.expect(PROMPT, timeout)


def draw_session(emu, name, extra=(), dumps_while_recording=None):
    """Boots `emu`, draws, takes the screendumps; returns (ok, diag, ppm path, png path)."""
    mon_path = os.path.join(tmp, name + ".mon")
    s = Session(machine(emu, mon_path, extra))
    m = Monitor(mon_path)
    diag = ""
    ok = s.expect(PROMPT, 300)
    if not ok:
        diag = "no shell prompt: " + s.out[-400:].decode(errors="replace")
    for i, (command, expect) in enumerate(DRAW):
        if ok and not shell(s, command, expect):
            ok, diag = False, f"command {i} failed: " + s.out[-400:].decode(errors="replace")
        if ok and dumps_while_recording is not None and i in (1, 3):
            # Stop, take the instruction count and a picture, go on.
            m.cmd("stop")
            count = int(re.search(r"instruction count = (\d+)", m.cmd("info replay")).group(1))
            path = os.path.join(tmp, f"rec-{count}.ppm")
            out = m.cmd(f"screendump {path}")
            dumps_while_recording.append((count, path, out))
            m.cmd("cont")
    ppm, png = os.path.join(tmp, name + ".ppm"), os.path.join(tmp, name + ".png")
    outs = [m.cmd(f"screendump {ppm}"), m.cmd(f"screendump {png} -f png")] if ok else []
    if any(o.strip() for o in outs):
        ok, diag = False, "screendump said: " + " | ".join(outs)
    if ok and emu == REWIND and dumps_while_recording is None:
        unwritable = m.cmd("screendump /nonexistent-dir/x.ppm")
        report("Could not open '/nonexistent-dir/x.ppm'" in unwritable and unwritable.count("\n") == 1,
               "screendump to an unwritable file: one error line", unwritable)
        # savevm, wipe the pattern, loadvm: the screen comes back with the machine.
        wiped, restored = os.path.join(tmp, "wiped.ppm"), os.path.join(tmp, "restored.ppm")
        saved = m.cmd("savevm gpu1")
        drew = shell(s, "dd if=/dev/zero of=/dev/fb0 bs=10240 seek=%d count=64 conv=notrunc 2>/dev/null; sleep 1; "
                     "echo wiped$((1+1))" % (TOP // 2), rb"\nwiped2")
        m.cmd(f"screendump {wiped}")
        loaded = m.cmd("loadvm gpu1")
        m.cmd(f"screendump {restored}")
        same = lambda a, b: os.path.exists(a) and os.path.exists(b) and open(a, "rb").read() == open(b, "rb").read()
        report(drew and not saved.strip() and not loaded.strip() and not same(wiped, ppm) and same(restored, ppm),
               "savevm, the pattern wiped, loadvm: the screendump equals the one before the wipe",
               f"savevm: {saved!r} loadvm: {loaded!r} wiped differs: {not same(wiped, ppm)}")
    s.type("poweroff -f\n", None)
    rc, err = s.finish(120)
    if ok and rc != 0:
        ok, diag = False, f"exit status {rc}: {err[-400:]}"
    return ok, diag, ppm, png


try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    report(False, "build the test guest", e.stderr[-300:])
    done()
tmp = tempfile.mkdtemp(prefix="rewind-display-")
os.chdir(tmp)  # diskless savevm writes ./rewind.snapshots

# --- rewind: the framebuffer, the pattern, screendump ---------------------------------------
ok, diag, ppm, png = draw_session(REWIND, "rewind")
report(ok, "the guest has /dev/fb0 at 1280x800, writes text to tty1 and a pattern to /dev/fb0, "
       "and the monitor takes a PPM and a PNG screendump", diag)
ours = None
if ok:
    w, h, ours = read_ppm(ppm)
    report((w, h) == (W, H), f"the PPM is {W}x{H}", f"{w}x{h}")
    bad = pattern_errors(ours)
    report(not bad, f"the pattern is on the screen where it was written ({ROWS} rows from row {TOP})",
           "\n".join(bad))
    report(text_pixels(ours) > 50, "the text written to /dev/tty1 is on the screen", str(text_pixels(ours)))
    try:
        pw, ph, prgb = read_png(png)
        report((pw, ph) == (W, H) and prgb == ours, "the PNG (decoded with zlib) has the PPM's pixels",
               f"{pw}x{ph}, same={prgb == ours}")
    except (ValueError, zlib.error) as e:
        report(False, "the PNG (decoded with zlib) has the PPM's pixels", str(e))

# --- virtio-gpu-pci with another mode --------------------------------------------------------
p = subprocess.run([sys.executable, os.path.join(here, "..", "guest", "boot-guest.py"), "--emu", REWIND,
                    "--kernel", kernel, "--initrd", initrd, "--timeout", "240", "--cmd",
                    "cat /sys/class/graphics/fb0/virtual_size; lspci | grep 0380", "--",
                    "-device", "virtio-gpu-pci,xres=1024,yres=768"], capture_output=True, text=True, timeout=300)
report(p.returncode == 0 and re.search(r"^1024,768\r?$", p.stdout, re.M) and "Class 0380: 1af4:1050" in p.stdout,
       "virtio-gpu-pci,xres=1024,yres=768: the guest finds the PCI function (1af4:1050) and a 1024x768 /dev/fb0",
       p.stdout[-600:] + p.stderr[-300:])

# --- the real peer: QEMU with the same guest and commands ----------------------------------
if QUICK:
    pass
elif not QEMU:
    report(True, "QEMU comparison # SKIP qemu-system-riscv64 not found")
elif ours is not None:
    qok, qdiag, qppm, _ = draw_session(QEMU, "qemu")
    if report(qok, "QEMU runs the same guest and commands", qdiag):
        qw, qh, theirs = read_ppm(qppm)
        report(not pattern_errors(theirs), "QEMU's screendump shows the pattern too (the check checks itself)",
               "\n".join(pattern_errors(theirs)))
        report((qw, qh) == (W, H) and pattern_area(theirs) == pattern_area(ours),
               "the pattern area is byte-identical in rewind's and QEMU's screendumps", f"{qw}x{qh}")
        same = theirs == ours
        diff_rows = sorted({i // (W * 3) for i in range(0, min(len(ours), len(theirs)), 3)
                            if ours[i:i + 3] != theirs[i:i + 3]}) if not same else []
        print(f"# whole screen identical to QEMU's: {'yes' if same else 'no'}"
              + ("" if same else f" (rows {diff_rows[0]}..{diff_rows[-1]} differ, {len(diff_rows)} rows)"))

# --- record, then replay: the same pictures at the same instruction counts -------------------
rr = os.path.join(tmp, "session.rr")
recorded = []
rok, rdiag = False, ""
if not QUICK:
    rok, rdiag, _, _ = draw_session(REWIND, "record", ["-icount", f"shift=7,rr=record,rrfile={rr}"], recorded)
    report(rok and len(recorded) == 2 and not any(o.strip() for _, _, o in recorded),
           "record a session with two screendumps at known instruction counts", rdiag + str(recorded))
if rok and len(recorded) == 2:
    (c1, p1, _), (c2, p2, _) = recorded
    mon = HmpPipe([REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
                   "-serial", "none", "-append", "console=ttyS0", "-device", "virtio-gpu-device",
                   "-global", "virtio-mmio.force-legacy=false", "-monitor", "stdio", "-icount", f"shift=7,rr=replay,rrfile={rr}"], f"replay_break {c1}\n".encode())
    results, diag = {}, ""
    try:
        mon.read_until_prompt()
        mon.read_until_prompt()
        for step, (count, ref) in enumerate([(c1, p1), (c2, p2), (c1, p1)]):
            if step == 1:
                mon.cmd(f"replay_break {count}")
                mon.cmd("cont")
            if step == 2:
                diag += mon.cmd(f"replay_seek {count}")
            if step < 2 and not mon.wait_paused():
                diag += f"never paused at {count}\n"
                break
            at = re.search(r"instruction count = (\d+)", mon.cmd("info replay"))
            path = os.path.join(tmp, f"replay-{step}.ppm")
            diag += mon.cmd(f"screendump {path}")
            results[step] = (at and int(at.group(1)) == count and os.path.exists(path)
                             and open(path, "rb").read() == open(ref, "rb").read())
        mon.cmd("cont")
    except (TimeoutError, EOFError) as e:
        diag += str(e)
    rc, err = mon.finish()
    report(results.get(0, False), f"replay_break {c1}: the screendump equals the recording's (text)", diag)
    report(results.get(1, False), f"replay_break {c2}: the screendump equals the recording's (text and pattern)",
           diag)
    report(results.get(2, False), f"replay_seek back to {c1}: the screendump equals the recording's again", diag)
    report(rc == 0, "the replay ends as recorded", err[-400:])

# --- the monitor's errors ------------------------------------------------------------------
mon = HmpPipe([REWIND, "-M", "virt", "-display", "none", "-serial", "none", "-monitor", "stdio", "-S"])
mon.read_until_prompt()
out = mon.cmd(f"screendump {tmp}/none.ppm")
report(out.startswith("Error: ") and out.count("\n") == 1 and not os.path.exists(f"{tmp}/none.ppm"),
       "screendump without a display device: one error line", out)
mon.finish(30)
mon = HmpPipe([REWIND, "-M", "virt", "-display", "none", "-serial", "none", "-monitor", "stdio", "-S",
               "-device", "virtio-gpu-device,id=gpu0"])
mon.read_until_prompt()
errors = {
    f"screendump {tmp}/x.bmp -f bmp": "invalid parameter value: bmp",
    f"screendump {tmp}/x.ppm nosuchdev": "Device 'nosuchdev' not found",
    f"screendump {tmp}/x.ppm gpu0": "no picture",  # the guest has not enabled its scanout (paused at start)
}
for line, want in errors.items():
    out = mon.cmd(line)
    report(want in out and out.count("\n") == 1, f"'{line.replace(tmp, 'TMP')}' answers one error line", out)
mon.finish(30)
rc = subprocess.run([REWIND, "-M", "virt", "-display", "none", "-device", "virtio-gpu-device,max_outputs=2"],
                    capture_output=True, text=True, timeout=30)
report(rc.returncode != 0 and "only one output" in rc.stderr and rc.stderr.count("\n") == 1,
       "max_outputs=2 is refused with one line", rc.stderr)

shutil.rmtree(tmp, ignore_errors=True)
done()
