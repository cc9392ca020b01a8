#!/usr/bin/env python3
"""The gdb stub on the Linux test guest, with gdb-multiarch and the kernel's
vmlinux: attach at power-on (-S), break on start_kernel, read registers and
memory, stepi, a watchpoint on jiffies; then a recorded boot prefix replayed
under gdb: exact steps forward and reverse steps back on the same pcs,
reverse-continue to the previous _printk hit, continue to the end with the
recorded final state hash. Usage: gdb_linux_test.py REWIND"""
import os
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tap import report, done  # noqa: E402
import gdb_test_lib as lib  # noqa: E402

REWIND = sys.argv[1]
paths = lib.linux_guest()
if not paths:
    sys.exit(0)
VMLINUX = paths["VMLINUX"]
TMP = tempfile.mkdtemp(prefix="rewind-gdb-linux-")
MACHINE = lib.linux_machine(REWIND, paths)
BASE = MACHINE + lib.REPLAY_IO
# Inside the kernel's boot (it reaches /init at about 1e8).
INSNS = int(os.environ.get("GDB_LINUX_INSNS", "90000000"))

# ---- plain: attach at power-on
port = lib.free_port()
p = lib.start(BASE + ["-icount", "shift=0"], port)
out = lib.gdb(VMLINUX, port, ["break start_kernel", "continue", "p/x $pc", "info symbol $pc", "p/x $sp",
                              "x/2i $pc", "stepi", "p/x $pc", "delete", "watch *(unsigned long *)&jiffies",
                              "continue", "p *(unsigned long *)&jiffies", "kill"], timeout=300)
code, err = lib.finish(p)
v = lib.values(out)
report(re.search(r"start_kernel in section \S*text", out) is not None and len(v) >= 3 and int(v[2], 16) > int(v[0], 16),
       "linux: break on start_kernel, registers, memory, stepi", out[-1500:])
m = re.search(r"Old value = (\d+)\s+New value = (\d+)", out)
report(m is not None and int(m.group(2)) == int(m.group(1)) + 1, "linux: a watchpoint on jiffies sees the tick",
       out[-800:])

# ---- record a boot prefix, replay it under gdb
rr = os.path.join(TMP, "boot.rr")
final, rec_err = lib.record_boot(MACHINE, rr, INSNS)
report(final is not None, f"linux: recorded {INSNS} instructions of the boot", rec_err[-500:])

STEPS = int(os.environ.get("GDB_LINUX_STEPS", "8"))
p, port = lib.start_replay(MACHINE, rr)
c = lib.Raw(port)
c.cmd(b"QStartNoAckMode")
start_kernel = lib.symbol(VMLINUX, "start_kernel")
c.cmd(b"Z0,%x,2" % start_kernel)
c.cmd(b"c")
c.cmd(b"z0,%x,2" % start_kernel)
fwd = [c.pc()]
for _ in range(STEPS):
    c.cmd(b"s")
    fwd.append(c.pc())
back = []
t0 = time.time()
for _ in range(STEPS):
    c.cmd(b"bs")
    back.append(c.pc())
per_step = (time.time() - t0) / STEPS
report(back == list(reversed(fwd[:-1])), f"linux replay: {STEPS} reverse steps land where the forward steps came from",
       f"forward {[hex(x) for x in fwd]} reverse {[hex(x) for x in back]}")
print(f"# reverse step {per_step:.2f} s each")
c.close()
# Each stop is identified by its whole register file: consecutive _printk calls can share a
# format string (a0), so a0 alone cannot tell the second hit from the third.
STOP = ["echo @@stop\\n", "info registers"]
out = lib.gdb(VMLINUX, port, ["break _printk", "continue"] + STOP + ["continue"] + STOP + ["continue"] + STOP +
              ["reverse-continue"] + STOP + ["delete", "continue"], timeout=900)
code, err = lib.finish(p, timeout=600)
stops = [dict(re.findall(r"^(\w+)\s+(0x[0-9a-f]+)", chunk, re.M)) for chunk in out.split("@@stop")[1:]]
printk = lib.symbol(VMLINUX, "_printk")
# gdb puts the breakpoint after _printk's prologue.
ok = (len(stops) == 4 and all(s.get("pc") and 0 <= int(s["pc"], 16) - printk < 64 for s in stops) and
      stops[1] != stops[0] and stops[2] != stops[1] and stops[3] == stops[1])
report(ok, "linux replay: reverse-continue to the previous _printk hit (the same registers as the second hit)",
       [(s.get("pc"), s.get("a0"), s.get("ra"), s.get("sp")) for s in stops])
report("No more reverse-execution history" in out, "linux replay: continue to the end of the recording", out[-600:])
report(code == 0 and final and lib.final_hash(err) == final,
       "linux replay: it still ends with the recorded final state hash", err[-800:])
shutil.rmtree(TMP, ignore_errors=True)
done()
