#!/usr/bin/env python3
"""Looking at a recording (TAP): rewind-dump's --timeline page in headless
Chromium, its --from/--to/--kind selection, --stats against the summary
rewind prints after recording and replaying, and -d logging in a
-replay-log-bound window identical between a recording and its replay.

The recording: the echo guest (chardev_echo.S) started from a snapshot
(rrsnapshot=), given a line of serial input, checkpoints every 100
instructions. The page must load without script errors, have one lane per
kind of event the recording holds (as --stats counts them), and the
screenshot must show something drawn in each lane's band in that lane's
colour. Two damaged copies of the page (lanes not drawn; a script error)
show that these checks fail when they should.

usage: timeline_test.py REWIND REWIND_DUMP ECHO_ELF
"""
import concurrent.futures
import html as html_mod
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import headless_page  # noqa: E402
from timeline_checks import drawn_in_band, lanes_of, page_problems  # noqa: E402
import tap  # noqa: E402
from tap import done, report as ok  # noqa: E402

REWIND, DUMP, ECHO = sys.argv[1:4]
tmp = tempfile.mkdtemp(prefix="timeline-test-")
BASE = [REWIND, "-M", "virt", "-bios", "none", "-kernel", ECHO, "-display", "none", "-monitor", "none",
        "-rr-check-interval", "100"]
INPUT = b"hello, timeline\rlook at a recording\r!"


def run(argv, stdin=b"", timeout=60):
    try:
        p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return -1, "", f"timed out after {timeout} s: {argv}"


def rr_args(mode, rr, extra=""):
    return ["-serial", "stdio", "-icount", f"shift=7,rr={mode},rrfile={rr}{extra}"]


def events_line(text):
    m = re.search(r"events: (.*)", text)
    return m.group(1).strip() if m else None


def stats_counts(rr, *sel):
    """{kind: count} of the kinds with events, from rewind-dump --stats."""
    rc, out, err = run([DUMP, "--stats", *sel, rr])
    if rc:
        raise RuntimeError(err)
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^  ([a-z-]+) +(\d+) +\d+$", out, re.M)
            if m.group(1) != "total" and int(m.group(2))}


def detailed_listing(rr):
    """[(n, icount, kind, summary, check)] of rewind-dump's event lines."""
    rc, out, err = run([DUMP, rr])
    rx = r"^ +(\d+) +(\d+) [ *] (\S+) +(.*)  \[check ([0-9a-f]{8})\](.*)$"
    return [(int(m[1]), int(m[2]), m[3], m[4] + m[6], m[5]) for m in re.finditer(rx, out, re.M)]


def listing(rr, *sel):
    """[(icount, kind)] of rewind-dump's event lines."""
    rc, out, err = run([DUMP, *sel, rr])
    if rc:
        raise RuntimeError(err)
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(r"^ +\d+ +(\d+) [ *] (\S+) ", out, re.M)]


# ---- a recording and its replay ----------------------------------------------
rr = os.path.join(tmp, "echo.rr")
rec_log, rep_log = os.path.join(tmp, "rec.log"), os.path.join(tmp, "rep.log")
rc, rec_out, rec_err = run(BASE + rr_args("record", rr, ",rrsnapshot=start"), stdin=INPUT)
ok(rc == 0 and "HELLO, TIMELINE" in rec_out, "the echo guest records (rrsnapshot=start)", rec_err + rec_out)
rc, rep_out, rep_err = run(BASE + rr_args("replay", rr, ",rrsnapshot=start"))
ok(rc == 0 and "HELLO, TIMELINE" in rep_out and "replay complete" in rep_err, "and replays", rep_err)

# ---- --stats is the end-of-run summary ------------------------------------------
rc, stats_out, err = run([DUMP, "--stats", rr])
ok(rc == 0 and events_line(stats_out) is not None and events_line(stats_out) == events_line(rep_err)
   == events_line(rec_err), "rewind-dump --stats lists the events as the recording's and the replay's summaries",
   f"dump: {events_line(stats_out)}\nreplay: {events_line(rep_err)}\nrecord: {events_line(rec_err)}\n{err}")
counts = stats_counts(rr)
ok({"char-input", "checkpoint", "end"} <= set(counts) and counts["checkpoint"] >= 3,
   "the recording has serial input, several checkpoints and its end", counts)

# ---- selection: --kind, --from, --to ---------------------------------------------
everything = listing(rr)
ok(len(everything) == sum(counts.values()), "the listing has every counted event", f"{len(everything)} vs {counts}")
inputs = listing(rr, "--kind", "char-input")
ok(inputs and inputs == [e for e in everything if e[1] == "char-input"], "--kind char-input lists exactly those",
   inputs[:5])
two = listing(rr, "--kind", "checkpoint,end")
ok(two == [e for e in everything if e[1] in ("checkpoint", "end")], "--kind checkpoint,end", two)
lo, hi = everything[len(everything) // 4][0], everything[3 * len(everything) // 4][0]
ranged = listing(rr, "--from", str(lo), "--to", str(hi))
ok(ranged and ranged == [e for e in everything if lo <= e[0] <= hi], f"--from {lo} --to {hi} (both included)",
   ranged[:3])
both = stats_counts(rr, "--from", str(lo), "--to", str(hi), "--kind", "checkpoint")
want = sum(1 for e in ranged if e[1] == "checkpoint")
ok(want and both == {"checkpoint": want}, "--stats counts the selection", f"{both}, expected {want}")
for argv, what, words in [(["--kind", "disk-reed"], "an unknown kind", ["disk-reed", "char-input"]),
                          (["--kind", "clock,"], "an empty kind name", ["--kind"]),
                          (["--from", "12x"], "a --from that is not a number", ["12x"]),
                          (["--from", "10", "--to", "9"], "--from after --to", ["--from 10", "--to 9"])]:
    rc, out, err = run([DUMP, *argv, rr])
    ok(rc == 2 and out == "" and err.count("\n") == 1 and all(w in err for w in words),
       f"refused in one line: {what}", f"rc {rc}: {err!r}")

# ---- the timeline ------------------------------------------------------------------
page_path = os.path.join(tmp, "echo.html")
t0 = time.monotonic()
rc, out, err = run([DUMP, "--timeline", page_path, rr])
took = time.monotonic() - t0
html = open(page_path, encoding="utf-8").read() if os.path.exists(page_path) else ""
ok(rc == 0 and html and "events with details" in err, f"--timeline writes the page ({len(html)} bytes in {took:.2f} s)", err)
ok(not re.search(r"(src|href)\s*=|https?:|@import|url\(", html, re.I),
   "the page is self-contained (no src=, href=, url(), http)", re.findall(r".{30}(?:src|href|http|url\().{30}", html)[:3])
data = json.loads(re.search(r'<script type="application/json" id="timeline-data">(.*?)</script>', html, re.S).group(1))
ok([s["name"] for s in data["snapshots"]] == ["start"], "the page carries the rrsnapshot mark", data["snapshots"])


rc, out, err = run([DUMP, "--timeline", os.path.join(tmp, "no-such-dir", "x.html"), rr])
ok(rc == 1 and out == "" and err.count("\n") == 1 and "no-such-dir" in err,
   "an unwritable --timeline path is refused in one line, before anything is printed", err)
# A damaged RRFILE.snapshots: said on stderr, and the page drawn without marks.
damaged = os.path.join(tmp, "damaged.rr")
shutil.copy(rr, damaged)
open(damaged + ".snapshots", "wb").write(b"\x89RWN\r\n\x1a\n" + b"\xff" * 40)
rc, out, err = run([DUMP, "--timeline", os.path.join(tmp, "damaged.html"), damaged])
ok(rc == 0 and "no snapshots" in err and '"snapshots":[]' in open(os.path.join(tmp, "damaged.html")).read(),
   "a damaged .snapshots file is reported and the page drawn without its marks", err)


def check_page(page, expect_counts, name):
    problems = page_problems(page, expect_counts)
    ok(not problems, name, "\n".join(problems) + "\n" + "\n".join(page.stderr.splitlines()[-3:]))


def check_zoomed(p, lo, hi, n, at, summary, check, input_counts):
    """The page opened at #from=lo&to=hi&pin=char-input@at."""
    shown = re.search(r'<span id="range">([^<]*)<', p.dom)
    pinned = re.search(r'<div id="details">(.*?)</div>', p.dom, re.S)
    pinned = html_mod.unescape(pinned.group(1)) if pinned else ""
    ok(shown and shown.group(1).startswith(f"instructions {lo:,} \u2013 {hi:,} "), "the address sets the view",
       shown and shown.group(1))
    ok(f"char-input (input)  #{n}  instruction {at:,}" in pinned and f"\n{summary}\n" in pinned and
       f"state check {check}" in pinned, "the pinned event's details are rewind-dump's (number, count, summary, check)",
       f"{pinned!r} vs {summary!r}")
    lane = [x for x in lanes_of(p.dom) if x[0] == "char-input"]
    wrong = ["no lane or screenshot"]
    if lane and p.png:
        _, _, top, left, width, height, _ = lane[0]
        _, _, bpp, rows = headless_page.png_pixels(p.png)
        row = rows[top + height - 3]  # density bars reach the lane's bottom
        wrong = []
        for i in range(lo, hi + 1):
            x = left + int((i - lo + 0.5) / (hi + 1 - lo) * width)  # the middle of instruction i's columns
            drawn = min(row[x * bpp:x * bpp + 3]) <= 235
            if drawn != (i in input_counts):
                wrong.append((i, drawn))
    ok(not wrong, "zoomed in, the lane is drawn exactly at the instructions with serial input",
       f"(instruction, drawn) wrong: {wrong}")


if headless_page.chromium():
    # Zoom and details, through the page's address: a 31-instruction view
    # around a serial input event, that event's details pinned.
    inputs_detailed = [e for e in detailed_listing(rr) if e[2] == "char-input"]
    n, at, _, summary, check = inputs_detailed[len(inputs_detailed) // 2]
    lo, hi = at - 15, at + 15
    # The checks must fail on a page that does not draw its lanes and on one
    # whose script fails.
    undrawn_html = html.replace("ctx.fillRect(x, h - bar, 1, bar);", "").replace(
        "if (to - from > 0 && to - from <= w / 4)", "if (false)")
    failing_html = html.replace("  applyAddress();\n", "  applyAddress(); undefinedThing();\n")
    assert undrawn_html != html and failing_html != html
    open(os.path.join(tmp, "undrawn.html"), "w").write(undrawn_html)
    open(os.path.join(tmp, "failing.html"), "w").write(failing_html)
    # A selected page: only the chosen kinds' lanes.
    sel_path = os.path.join(tmp, "selected.html")
    rc, _, err = run([DUMP, "--timeline", sel_path, "--kind", "char-input,checkpoint", rr])
    ok(rc == 0, "--timeline with --kind", err)

    loads = {"full": (page_path, ""), "zoomed": (page_path, f"from={lo}&to={hi}&pin=char-input@{at}"),
             "undrawn": (os.path.join(tmp, "undrawn.html"), ""), "failing": (os.path.join(tmp, "failing.html"), ""),
             "selected": (sel_path, "")}
    with concurrent.futures.ThreadPoolExecutor(3) as pool:  # each load mostly waits for Chromium to start
        pages = dict(zip(loads, pool.map(lambda args: headless_page.load(*args), loads.values())))

    check_page(pages["full"], counts, "headless Chromium: the page loads without errors, one drawn lane per kind")
    check_zoomed(pages["zoomed"], lo, hi, n, at, summary, check, {e[1] for e in inputs_detailed})
    p = pages["undrawn"]
    undrawn = [lane[0] for lane in lanes_of(p.dom) if p.png and drawn_in_band(p.png, lane)[0] < 10]
    ok(sorted(undrawn) == sorted(counts), "planted bug: a page that does not draw its lanes is caught", undrawn)
    p = pages["failing"]
    ok('<div id="timeline-error">' in p.dom and 'id="timeline-ready"' not in p.dom and
       any("Uncaught" in c for c in p.console),
       "planted bug: a script error is caught (error marker, no ready marker, console)", p.dom[-300:])
    check_page(pages["selected"], {k: v for k, v in counts.items() if k in ("char-input", "checkpoint")},
               "the selected page has exactly the chosen kinds' lanes")
else:
    ok(True, "# SKIP chromium is not installed")

# ---- -d in a -replay-log-bound window: the same in record and replay ----------------
# From the first serial input (the guest translates the code that handles
# it then) to two thirds of the run.
final = everything[-1][0]  # the end event's instruction count
start, end = next(e[0] for e in everything if e[1] == "char-input"), 2 * final // 3
log_items = ["-d", "in_asm,exec,cpu,int", "-replay-log-bound", f"start={start},end={end}"]
rr2 = os.path.join(tmp, "logged.rr")
rc1, out1, err1 = run(BASE + log_items + ["-D", rec_log] + rr_args("record", rr2), stdin=INPUT)
rc2, out2, err2 = run(BASE + log_items + ["-D", rep_log] + rr_args("replay", rr2))
rec_text = open(rec_log, "rb").read() if os.path.exists(rec_log) else b""
rep_text = open(rep_log, "rb").read() if os.path.exists(rep_log) else b""
ok(rc1 == 0 and rc2 == 0 and b"Trace 0:" in rec_text and b"IN:" in rec_text,
   f"-d in_asm,exec,cpu,int with -replay-log-bound start={start},end={end}: record and replay log",
   err1 + err2)
ok(rec_text == rep_text and len(rec_text) > 1000,
   f"the window's log is byte-identical in record and replay ({len(rec_text)} bytes)",
   f"{len(rec_text)} vs {len(rep_text)} bytes")
full_log = os.path.join(tmp, "full.log")
run(BASE + ["-d", "exec", "-D", full_log] + rr_args("replay", rr2))
bounded_exec = os.path.join(tmp, "bounded.log")
run(BASE + ["-d", "exec", "-log-bound", f"start={start},end={end}", "-D", bounded_exec] + rr_args("replay", rr2))
alias_exec = os.path.join(tmp, "alias.log")
run(BASE + ["-d", "exec", "-replay-log-bound", f"start={start},end={end}", "-D", alias_exec] + rr_args("replay", rr2))
full_lines = open(full_log, "rb").read().count(b"\n")
bounded = open(bounded_exec, "rb").read()
bounded_lines = bounded.count(b"\n")
ok(bounded == open(alias_exec, "rb").read() and 0 < bounded_lines < full_lines,
   "-replay-log-bound is -log-bound: the same lines, fewer than without a window",
   f"{bounded_lines} of {full_lines} lines")
rc, out, err = run(BASE + ["-replay-log-bound", "start=9,end=3"])
ok(rc != 0 and "-replay-log-bound" in err and err.count("\n") == 1, "-replay-log-bound start after end is refused", err)

if not tap.failed:
    shutil.rmtree(tmp, ignore_errors=True)  # kept for a look when something failed
done()
