#!/usr/bin/env python3
"""Looking at a Linux recording (TAP): the test guest boots, a few commands
are typed (reading the RTC and /dev/hwrng), it powers off; recorded with
`-d in_asm,int` in a -replay-log-bound window over the shell session, then
replayed with the same logging: every exception and interrupt (UART receive
interrupts included) and every translation (in_asm) must be logged
identically and at the same place, the whole log byte for byte. (A recording
stops at host-timed points that its replay does not; the engine finishes a
block stopped that way untranslated, accel/tcg/block_rest.cc, so which
blocks get translated depends on the guest's execution alone.)
rewind-dump --stats must list the summary's events, and the
--timeline page must load in headless Chromium with one drawn lane per kind.

usage: timeline_linux_test.py REWIND REWIND_DUMP
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "guest"))
sys.path.insert(0, HERE)
import headless_page  # noqa: E402
from guest_session import PROMPT, Session  # noqa: E402
import tap  # noqa: E402
from tap import done, report as ok  # noqa: E402
from timeline_checks import page_problems  # noqa: E402

REWIND, DUMP = sys.argv[1:3]
b = subprocess.run([os.path.join(HERE, "..", "guest", "build-guest.sh")], capture_output=True, text=True)
paths = dict(line.split("=", 1) for line in b.stdout.splitlines() if "=" in line)
if b.returncode != 0 or not os.path.exists(paths.get("KERNEL", "")):
    print("1..0 # SKIP the test guest is not available: " + b.stderr.strip()[-200:])
    sys.exit(0)
tmp = tempfile.mkdtemp(prefix="timeline-linux-")
rr = os.path.join(tmp, "session.rr")
MACHINE = [REWIND, "-M", "virt", "-m", "256M", "-bios", "default", "-kernel", paths["KERNEL"], "-initrd",
           paths["INITRD"], "-append", "console=ttyS0", "-device", "virtio-rng-device"]
# The guest reaches its shell at about 1e8 instructions: the window starts
# late in the boot and runs to the end of the session.
WINDOW = ["-d", "in_asm,int", "-replay-log-bound", "start=90000000,end=100000000000"]


def events_line(text):
    m = re.search(r"events: (.*)", text)
    return m.group(1).strip() if m else None


# ---- record ----------------------------------------------------------------------
rec_log, rep_log = os.path.join(tmp, "record.log"), os.path.join(tmp, "replay.log")
s = Session(MACHINE + ["-nographic"] + WINDOW + ["-D", rec_log, "-icount", f"shift=7,rr=record,rrfile={rr}"])
booted = s.expect(PROMPT, 240)
rng = random.Random(13)
for command in ["hwclock -r", "head -c 16 /dev/hwrng | od -An -tx1", "echo $((6*7))", "cat /proc/uptime"]:
    if not booted:
        break
    time.sleep(rng.uniform(0.1, 0.5))
    s.type(command + "\n", rng)
    s.expect(PROMPT, 60)
s.type("poweroff -f\n", rng)
rc, rec_err = s.finish()
ok(booted and rc == 0 and b"42" in s.out, "record: the guest boots, runs the commands and powers off",
   rec_err + s.out[-300:].decode(errors="replace"))

# ---- replay with the same logging ------------------------------------------------------
p = subprocess.run(MACHINE + ["-display", "none", "-serial", "null", "-monitor", "none"] + WINDOW +
                   ["-D", rep_log, "-icount", f"shift=7,rr=replay,rrfile={rr}"],
                   stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
ok(p.returncode == 0 and "replay complete" in p.stderr, "replay completes", p.stderr[-500:])
rec_text = open(rec_log, "rb").read() if os.path.exists(rec_log) else b""
rep_text = open(rep_log, "rb").read() if os.path.exists(rep_log) else b""
translations, traps = rec_text.count(b"\nIN: "), rec_text.count(b"riscv_cpu_do_interrupt")
ok(translations > 100 and traps > 100 and re.search(rb"cause:8000000000000009", rec_text),
   f"the window's log has translations ({translations}), exceptions and interrupts ({traps}), "
   "external ones (UART, virtio) included", rec_text[-300:])


def trap_lines(text):
    return [line for line in text.splitlines() if line.startswith(b"riscv_cpu_do_interrupt")]


rec_traps, rep_traps = trap_lines(rec_text), trap_lines(rep_text)
first = next((i for i, (a, b) in enumerate(zip(rec_traps, rep_traps)) if a != b), min(len(rec_traps), len(rep_traps)))
ok(rec_traps == rep_traps, f"-d int in the window: identical in record and replay ({len(rec_traps)} exceptions "
   "and interrupts)", f"{len(rec_traps)} vs {len(rep_traps)} lines; first difference at line {first}: "
   f"{rec_traps[first:first + 1]} vs {rep_traps[first:first + 1]}")
rep_translations = rep_text.count(b"\nIN: ")
rec_lines, rep_lines = rec_text.splitlines(), rep_text.splitlines()
first = next((i for i, (a, b) in enumerate(zip(rec_lines, rep_lines)) if a != b), min(len(rec_lines), len(rep_lines)))
ok(rec_text == rep_text and translations == rep_translations,
   f"-d in_asm,int in the window: the whole log identical in record and replay, byte for byte ({translations} "
   f"translations, {len(rec_text)} bytes)",
   f"{translations} vs {rep_translations} translations, {len(rec_lines)} vs {len(rep_lines)} lines; first "
   f"difference at line {first}: {rec_lines[max(0, first - 3):first + 1]} vs {rep_lines[max(0, first - 3):first + 1]}")

# ---- stats and timeline -------------------------------------------------------------------
st = subprocess.run([DUMP, "--stats", rr], capture_output=True, text=True)
ok(events_line(st.stdout) is not None and events_line(st.stdout) == events_line(rec_err) == events_line(p.stderr),
   "rewind-dump --stats lists the events as the recording's and the replay's summaries",
   f"{events_line(st.stdout)}\n{events_line(rec_err)}\n{events_line(p.stderr)}")
counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"^  ([a-z-]+) +(\d+) +\d+$", st.stdout, re.M)
          if m.group(1) != "total" and int(m.group(2))}
page = os.path.join(tmp, "session.html")
t0 = time.monotonic()
d = subprocess.run([DUMP, "--timeline", page, rr], capture_output=True, text=True)
took = time.monotonic() - t0
size = os.path.getsize(page) if os.path.exists(page) else 0
ok(d.returncode == 0 and size and {"char-input", "entropy", "clock", "idle-warp", "checkpoint"} <= set(counts),
   f"--timeline of the session: {sum(counts.values())} events, {size} bytes in {took:.2f} s", d.stderr + str(counts))
if headless_page.chromium():
    loaded = headless_page.load(page)
    problems = page_problems(loaded, counts)
    ok(not problems, "headless Chromium: the page loads without errors, one drawn lane per kind",
       "\n".join(problems) + "\n" + "\n".join(loaded.stderr.splitlines()[-3:]))
else:
    ok(True, "# SKIP chromium is not installed")
if not tap.failed:
    shutil.rmtree(tmp, ignore_errors=True)  # kept for a look when something failed
done()
