#!/usr/bin/env python3
"""Reverse debugging anywhere in a Linux recording, checked against going
forwards (TAP). The gdb protocol is spoken raw (as gdb-multiarch speaks it:
Z0/Z2, c, s, bs, bc, g, m, qRcmd), so that every answer can be compared.

Two recordings (the mode argument):
  boot     the first GDB_REVERSE_INSNS (9e7) instructions of the boot, no
           input (suite functional: 3 points x 100 steps, well under 2 min);
  session  issue 12's: a typed shell session on the serial console of at
           least 1e9 instructions (GDB_SESSION_INSNS, 1.3e9): commands, a
           CPU-bound md5sum/awk workload, more commands, and a last endless
           loop the recording stops in at that count, with keys typed all
           along (suite slow: 10 points x 1000 steps).
At POINTS instruction counts spread over the recording, the last one in its
last 1% (reached with the monitor's replay_seek through qRcmd):
  - a breakpoint on the kernel's trap entry (handle_exception, hit by every
    interrupt, fault and system call, so throughout): three hits forwards,
    registers and memory read (the code at the pc is vmlinux's);
  - STEPS exact steps forwards (s), every register saved after each, then
    STEPS reverse steps (bs), each of which must land on exactly the
    registers the forward step came from;
  - reverse-continue from the third hit lands on the second one (the same
    instruction count and registers);
  - a write watchpoint on jiffies: two writes forwards (count, value), then
    in reverse: reverse-continue lands right after the first write, with
    its new value, and one step back shows its old value.
Then the whole replay continues to its end and a Ctrl-C stops a
reverse-continue that finds nothing. Last, the real gdb-multiarch in batch
mode attaches to the same replay, seeks to the last point (monitor
replay_seek), and checks breakpoint hits with reverse-continue, stepi
retraced by reverse-stepi, and a watchpoint on jiffies forwards then in
reverse; it continues to the end, and the replay still ends with the
recorded final state hash. Prints the timings (seek, reverse-stepi median
and worst, reverse-continue) and the snapshot store's memory.

usage: gdb_linux_reverse_test.py REWIND [POINTS STEPS [boot|session]]
"""
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tap import report, done  # noqa: E402
import gdb_test_lib as lib  # noqa: E402

T0 = time.monotonic()
REWIND = sys.argv[1]
POINTS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
STEPS = int(sys.argv[3]) if len(sys.argv) > 3 else 100
MODE = sys.argv[4] if len(sys.argv) > 4 else "boot"
paths = lib.linux_guest()
if not paths:
    sys.exit(0)
VMLINUX = paths["VMLINUX"]
TMP = tempfile.mkdtemp(prefix="rewind-gdb-reverse-")
MACHINE = lib.linux_machine(REWIND, paths)
SHIFT = 7  # as QEMU's record/replay examples: a tick every 31,250 instructions
TRAP = lib.symbol(VMLINUX, "handle_exception")
JIFFIES = lib.symbol(VMLINUX, "jiffies")
PANIC = lib.symbol(VMLINUX, "panic")


def next_reply(c):
    """The next packet the stub sends, without sending one."""
    while True:
        m = re.search(rb"\$([^#]*)#..", c.buf)
        if m:
            c.buf = c.buf[m.end():]
            return m.group(1).decode()
        c.buf += c.s.recv(65536)


def timed(c, packet, into):
    t = time.monotonic()
    reply = c.cmd(packet)
    into.append(time.monotonic() - t)
    return reply


def word(c, addr):
    reply = c.cmd(b"m%x,8" % addr)
    return int.from_bytes(bytes.fromhex(reply), "little") if re.fullmatch(r"[0-9a-f]{16}", reply) else None


def ms(values):
    return f"median {statistics.median(values) * 1000:.0f} ms, worst {max(values) * 1000:.0f} ms" if values else "-"


# ---- the recording ------------------------------------------------------------------------------
rr = os.path.join(TMP, f"{MODE}.rr")
if MODE == "session":
    INSNS = int(os.environ.get("GDB_SESSION_INSNS", "1300000000"))
    AWK_N = 20000
    LOOP = "i=0; while [ $i -lt {n} ]; do md5sum /tmp/f >/dev/null; i=$((i+1)); done"
    steps = [("echo hello-$((6*7))", "hello-42"),
             ("seq 1 20000 > /tmp/f; wc -c < /tmp/f", None),
             (LOOP.format(n=50) + "; echo loop-a-$((1+1))", "loop-a-2"),
             ("cat /proc/uptime; uname -r", None),
             (f"awk 'BEGIN {{ for (i = 0; i < {AWK_N}; i++) s += i % 7; print \"awk\", s }}'", None),
             (LOOP.format(n=20) + "; echo typed-$((2*5))", "typed-10"),
             ("while :; do md5sum /tmp/f >/dev/null; done", "")]
    AWK = sum(i % 7 for i in range(AWK_N))
    final, rec_err, console = lib.record_session(MACHINE, rr, steps, INSNS, shift=SHIFT)
    inputs = re.search(r"char-input (\d+)", rec_err)
    report(final and lib.recorded_insns(rec_err) == INSNS and INSNS >= 10 ** 9 and f"awk {AWK}" in console and
           "typed-10" in console and inputs and int(inputs.group(1)) > 100,
           f"recorded a typed Linux session of {lib.recorded_insns(rec_err)} instructions "
           f"({inputs.group(1) if inputs else 0} serial input events): the commands ran, the last loop was cut",
           rec_err[-600:] + console[-800:])
else:
    INSNS = int(os.environ.get("GDB_REVERSE_INSNS", "90000000"))
    final, rec_err = lib.record_boot(MACHINE, rr, INSNS, shift=SHIFT)
    report(final is not None, f"recorded {INSNS} instructions of the Linux boot", rec_err[-500:])

p, port = lib.start_replay(MACHINE, rr, shift=SHIFT)
c = lib.Raw(port)
c.cmd(b"QStartNoAckMode")
info = c.monitor("info replay")
m = re.search(r"Recorded instruction count: (\d+)", info)
END = int(m.group(1)) if m else INSNS
print(f"# the recording: {END} instructions")

# The points: spread from 15% to 95% of the recording, and one in its last 1%.
points = [int(END * (0.15 + 0.8 * i / max(1, POINTS - 2))) for i in range(POINTS - 1)] + [END - END * 7 // 1000]

bad = {k: [] for k in ("hits", "memory", "steps", "bc", "watch")}
t_seek, t_bs, t_bc, t_wbc = [], [], [], []
total_steps = 0

# Reverse-continue with a breakpoint never hit (panic) goes back to the start.
c.monitor(f"replay_seek {points[0]}")
c.cmd(b"Z0,%x,2" % PANIC)
t = time.monotonic()
begin = c.cmd(b"bc")
took_begin = time.monotonic() - t
c.cmd(b"z0,%x,2" % PANIC)
report("replaylog:begin" in begin and c.icount() == 0,
       f"reverse-continue from {points[0]} with a breakpoint never hit goes back to the start ({took_begin:.1f} s)",
       begin)

for at in points:
    where = f"point {at}"
    t = time.monotonic()
    out = c.monitor(f"replay_seek {at}")
    if c.icount() != at:
        bad["hits"].append((where, "seek", out))
        continue
    t_seek.append(time.monotonic() - t)
    # Three hits of the trap entry.
    c.cmd(b"Z0,%x,2" % TRAP)
    hits = []
    for _ in range(3):
        reply = c.cmd(b"c")
        regs = c.cmd(b"g")
        hits.append((c.icount(), regs))
        if not reply.startswith("T05") or "replaylog" in reply or c.pc() != TRAP:
            bad["hits"].append((where, reply))
    code = lib.elf_bytes(VMLINUX, TRAP, 16)
    if c.cmd(b"m%x,10" % TRAP) != code.hex():
        bad["memory"].append(where)
    c.cmd(b"z0,%x,2" % TRAP)
    # Steps forwards from the third hit, then back over them.
    fwd = [c.cmd(b"g")]
    for _ in range(STEPS):
        c.cmd(b"s")
        fwd.append(c.cmd(b"g"))
    for i in range(STEPS):
        timed(c, b"bs", t_bs)
        total_steps += 1
        if c.cmd(b"g") != fwd[STEPS - 1 - i]:
            bad["steps"].append((where, i))
    if (c.icount(), c.cmd(b"g")) != hits[2]:
        bad["steps"].append((where, "not back at the third hit"))
    # Reverse-continue: the second hit.
    c.cmd(b"Z0,%x,2" % TRAP)
    reply = timed(c, b"bc", t_bc)
    landed = (c.icount(), c.cmd(b"g"))
    if not reply.startswith("T05") or landed != hits[1]:
        bad["bc"].append((where, reply, landed[0], hits[1][0], hits[0][0]))
    c.cmd(b"z0,%x,2" % TRAP)
    # Watch jiffies: two writes forwards, the first again in reverse.
    before = word(c, JIFFIES)
    c.cmd(b"Z2,%x,8" % JIFFIES)
    writes = []
    for _ in range(2):
        reply = c.cmd(b"c")
        writes.append((reply, c.icount(), word(c, JIFFIES)))
    problems = []
    if not all(r.startswith("T05") and "watch:" in r for r, _, _ in writes):
        problems.append("forward stops are not watchpoint hits")
    c.cmd(b"bs")
    if word(c, JIFFIES) != writes[0][2]:
        problems.append("a step back from the second write does not show its old value")
    reply = timed(c, b"bc", t_wbc)
    back_at, new = c.icount(), word(c, JIFFIES)
    c.cmd(b"bs")
    old = word(c, JIFFIES)
    if not ("watch:" in reply and back_at == writes[0][1] and new == writes[0][2] and old == before and
            new != old):
        problems.append(f"in reverse: {reply} at {back_at} {old}->{new}")
    if problems:
        bad["watch"].append((where, f"forwards {before} then {[(n, v) for _, n, v in writes]}", problems))
    c.cmd(b"z2,%x,8" % JIFFIES)
    print(f"# {where}: trap entry hits at {[h[0] for h in hits]}, jiffies {before} -> {writes[0][2]} at "
          f"{writes[0][1]} -> {writes[1][2]} at {writes[1][1]}", flush=True)

n = len(points)
report(not bad["hits"] and not bad["memory"],
       f"{n} points (the last {END - points[-1]} instructions before the end): the breakpoint on handle_exception "
       "is hit 3 times after each; memory at the pc reads as vmlinux's code", f"{bad['hits'][:3]} {bad['memory'][:3]}")
report(not bad["steps"] and total_steps == n * STEPS,
       f"{n} points x {STEPS} reverse-stepi: each lands on the registers the forward step came from",
       f"{len(bad['steps'])} mismatches, first at (point, reverse step) {bad['steps'][:3]}")
report(not bad["bc"] and len(t_bc) == n,
       f"{n} points: reverse-continue from the third hit lands on the second (its count and registers)",
       bad["bc"][:3])
report(not bad["watch"] and len(t_wbc) == n,
       f"{n} points: a watchpoint on jiffies in reverse stops at the earlier write, old and new values as forwards",
       bad["watch"][:3])
end = c.cmd(b"c")
report("replaylog:end" in end, "then continue runs to the end of the recording", end)
stats = re.search(r"Snapshots: .*", c.monitor("info replay"))

# Ctrl-C during a reverse-continue that finds nothing (a breakpoint on panic)
# stops it within a scan slice, not at the end of the whole scan.
c.cmd(b"Z0,%x,2" % PANIC)
body = b"bc"
c.s.sendall(b"$" + body + b"#" + ("%02x" % (sum(body) & 0xff)).encode())
time.sleep(0.1)
t = time.monotonic()
c.s.sendall(b"\x03")
reply = next_reply(c)
took = time.monotonic() - t
report(reply.startswith("T02") and took < 1.5,
       f"Ctrl-C stops a reverse-continue within {took:.2f} s, where the machine was", reply)
c.cmd(b"z0,%x,2" % PANIC)
c.close()  # the machine stays stopped for the next debugger

# The real gdb-multiarch, in batch mode, on the same replay at the last point
# (its last 1%): breakpoint hits and reverse-continue to the previous one,
# stepi/reverse-stepi, a watchpoint run backwards; then on to the end.
GDB_STEPS = 20
STOP = ["echo @@stop\\n", "info registers"]
cmds = [f"monitor replay_seek {points[-1]}", "break handle_exception", "continue"] + STOP + ["continue"] + STOP + \
       ["continue"] + STOP + ["reverse-continue"] + STOP + ["delete"]
cmds += ["echo @@fwd\\n"] + sum([["stepi", "p/x $pc"] for _ in range(GDB_STEPS)], [])
cmds += ["echo @@back\\n"] + sum([["reverse-stepi", "p/x $pc"] for _ in range(GDB_STEPS)], [])
cmds += ["echo @@watch\\n", "watch *(unsigned long *)&jiffies", "continue", "reverse-continue", "delete",
         "echo @@end\\n", "continue"]
out = lib.gdb(VMLINUX, port, cmds, timeout=900)
stops = [dict(re.findall(r"^(\w+)\s+(0x[0-9a-f]+)", chunk.split("@@fwd")[0], re.M)) for chunk in out.split("@@stop")[1:]]
report(len(stops) == 4 and all(s.get("pc") and 0 <= int(s["pc"], 16) - TRAP < 64 for s in stops) and
       stops[0] != stops[1] != stops[2] and stops[3] == stops[1],
       "gdb-multiarch at the last point: handle_exception hit 3 times, reverse-continue lands on the second hit",
       [(s.get("pc"), s.get("sp"), s.get("ra")) for s in stops])
fwd_part = out.split("@@fwd")[1].split("@@back")[0] if "@@back" in out else ""
back_part = out.split("@@back")[1].split("@@watch")[0] if "@@watch" in out else ""
fwd_pcs, back_pcs = lib.values(fwd_part), lib.values(back_part)
report(len(fwd_pcs) == GDB_STEPS and len(back_pcs) == GDB_STEPS and back_pcs[:-1] == list(reversed(fwd_pcs[:-1])),
       f"gdb-multiarch: {GDB_STEPS} reverse-stepi retrace {GDB_STEPS} stepi", f"forward {fwd_pcs} back {back_pcs}")
watch = re.findall(r"Old value = (\d+)\s+New value = (\d+)", out.split("@@watch")[1] if "@@watch" in out else "")
report(len(watch) == 2 and int(watch[0][1]) == int(watch[0][0]) + 1 and set(watch[1]) == set(watch[0]),
       "gdb-multiarch: a watchpoint on jiffies stops at a write going forwards and at the same write in reverse",
       f"{watch} {out[-600:]}")
print(f"# gdb-multiarch: hits at pc {[s.get('pc') for s in stops]}, steps {fwd_pcs[0] if fwd_pcs else '?'}.."
      f"{fwd_pcs[-1] if fwd_pcs else '?'}, jiffies write {watch[0] if watch else '?'}", flush=True)
report("No more reverse-execution history" in out.split("@@end")[-1],
       "gdb-multiarch: then continue runs to the end of the recording", out[-600:])
code, err = lib.finish(p, timeout=600)
report(code == 0 and final and lib.final_hash(err) == final,
       "and the replay still ends with the recorded final state hash", err[-800:])
print(f"# replay_seek to the points: {ms(t_seek)}")
print(f"# reverse-stepi: {ms(t_bs)} over {len(t_bs)} steps")
print(f"# reverse-continue to the previous breakpoint hit: {ms(t_bc)}; to the previous watched write: {ms(t_wbc)}")
print(f"# {stats.group(0) if stats else 'no snapshot figures'}")
print(f"# total {time.monotonic() - T0:.0f} s")
shutil.rmtree(TMP, ignore_errors=True)
done()
