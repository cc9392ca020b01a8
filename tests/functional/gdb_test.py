#!/usr/bin/env python3
"""The gdb stub with the real gdb-multiarch in batch mode, on a bare-metal
guest (gdb_target.S): plain runs (breakpoints, registers, memory, stepi,
watchpoints, monitor commands, writes), live debugging while recording (the
recording still replays), and a replay: reverse-stepi many times, each on
the instruction a forward stepi log came from (traps and interrupts
included), reverse-continue to the previous breakpoint hit and to the last
write of a watched variable, then continue to the end with the recorded
final state hash. Also malformed packets on a raw socket.
Usage: gdb_test.py REWIND ELF"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import report, done  # noqa: E402
import gdb_test_lib as lib  # noqa: E402

REWIND, ELF = sys.argv[1], sys.argv[2]
GDB = shutil.which("gdb-multiarch")
TMP = tempfile.mkdtemp(prefix="rewind-gdb-")
BASE = [REWIND, "-M", "virt", "-bios", "none", "-kernel", ELF, "-display", "none", "-serial", "null",
        "-monitor", "none"]


free_port = lib.free_port


def start(extra, port):
    return lib.start(BASE + extra, port)


def gdb(port, cmds, timeout=300):
    return lib.gdb(ELF, port, cmds, timeout)


finish, values, Raw = lib.finish, lib.values, lib.Raw


def symbol(name):
    return lib.symbol(ELF, name)


if not GDB:
    print("1..0 # SKIP gdb-multiarch not installed")
    sys.exit(0)

TRAP = symbol("trap")

# ---- plain run
port = free_port()
p = start(["-icount", "shift=0"], port)
out = gdb(port, ["break bump", "continue", "p/x $pc", "p *(long*)&counter", "stepi", "p/x $pc",
                 "continue", "p *(long*)&counter", "info registers mstatus", "p $priv",
                 "set var *(long*)&counter = 100", "p *(long*)&counter", "delete",
                 "watch *(long*)&counter", "continue", "monitor info status", "kill"])
code, err = finish(p)
v = values(out)
report(len(v) >= 6 and v[1] == "0" and int(v[2], 16) != int(v[0], 16) and v[3] == "3",
       "plain: breakpoint on bump, memory read, stepi moves on, second hit sees counter 3", out)
report("mstatus" in out and re.search(r"\$\d+ = 3\b", out) is not None, "plain: CSRs and the privilege level", out)
report(len(v) >= 6 and v[5] == "100", "plain: a debugger write to memory takes effect", out)
# (gdb's "break bump" is on its store, with 3 more than the old value in t1)
report("Old value = 100" in out and "New value = 6" in out, "plain: a write watchpoint stops on the write", out)
report("VM status: running" in out or "VM status: paused" in out, "plain: monitor commands through qRcmd", out)
report(code == 0, "plain: kill ends rewind", err)

# ---- live debugging while recording
rr = os.path.join(TMP, "t.rr")
port = free_port()
p = start(["-icount", f"shift=0,rr=record,rrfile={rr}"], port)
out = gdb(port, ["break bump", "continue", "continue", "stepi", "stepi", "set var *(long*)&counter = 99",
                 "p $pc = 0", "p *(long*)&counter", "delete", "continue"])
code, err = finish(p)
report("exited normally" in out and values(out)[-1:] == ["6"], "record: breakpoints and steps; writes refused", out)
report("write refused" in err and code == 0, "record: the refusal says why on rewind's stderr", err)
r = subprocess.run(BASE + ["-icount", f"shift=0,rr=replay,rrfile={rr}"], capture_output=True, text=True, timeout=60)
report(r.returncode == 0 and "replay complete" in r.stderr, "record: the recording made under gdb replays", r.stderr)
final = re.search(r"final state hash (0x[0-9a-f]+)", r.stderr)

# ---- replay, raw protocol: exact steps (s) forward, reverse steps (bs) back
# (gdb itself steps riscv code with breakpoints at the next instruction, so
# its stepi runs a trap handler whole; the stub's own steps are exact).
N = int(os.environ.get("GDB_TEST_STEPS", "400"))


port = free_port()
p = start(["-icount", f"shift=0,rr=replay,rrfile={rr}"], port)
c = Raw(port)
c.cmd(b"QStartNoAckMode")
bump = symbol("bump")
c.cmd(b"Z0,%x,2" % (bump + 0xe))
for _ in range(3):
    c.cmd(b"c")
c.cmd(b"z0,%x,2" % (bump + 0xe))
fwd = [c.pc()]
for _ in range(N):
    c.cmd(b"s")
    fwd.append(c.pc())
back = []
for _ in range(N):
    c.cmd(b"bs")
    back.append(c.pc())
first_bad = next((i for i in range(N) if back[i] != fwd[N - 1 - i]), None)
report(first_bad is None, f"replay: {N} exact reverse steps (bs) each land where the forward step (s) came from",
       f"first mismatch at reverse step {first_bad}: forward {[hex(x) for x in fwd[N - 1 - first_bad - 4:N - first_bad + 3]]} reverse {[hex(x) for x in back[first_bad - 3:first_bad + 4]]}" if first_bad is not None else "")
in_trap = TRAP is not None and sum(TRAP <= x < TRAP + 0x40 for x in fwd)
report(in_trap > 6, "replay: the stepped window crosses traps and interrupts (handler pcs in the log)", in_trap)
# A debugger that goes away without detaching leaves the machine where it
# stopped (as QEMU): the next one finds it at the same point.
stood = c.pc()
c.close()
time.sleep(1.0)
try:
    c = Raw(port)
    c.cmd(b"QStartNoAckMode")
    now = c.pc()
except OSError as e:  # the replay ran on to its end and rewind exited
    c, now = None, str(e)
report(now == stood, "replay: a debugger that disconnects without detaching leaves the machine stopped",
       f"{now} != {stood:#x}")
if c:
    c.cmd(b"vKill;1")
finish(p)

# ---- replay with gdb: stepi and reverse-stepi, reverse-continue, reverse
# watchpoints, continue to the end
port = free_port()
p = start(["-icount", f"shift=0,rr=replay,rrfile={rr}"], port)
script = os.path.join(TMP, "cmds.gdb")
with open(script, "w") as f:
    f.write(f"""break bump
continue
continue
continue
delete
p/x $pc
set $k = 0
while $k < {N}
  stepi
  p/x $pc
  set $k = $k + 1
end
set $k = 0
while $k < {3 * N} && ($pc != {bump + 0xe:#x} || *(long*)&counter != 6)
  reverse-stepi
  p/x $pc
  set $k = $k + 1
end
break bump
continue
p *(long*)&counter
continue
p *(long*)&counter
reverse-continue
p *(long*)&counter
p/x $pc
delete
watch *(long*)&counter
reverse-continue
p *(long*)&counter
delete
continue
""")
start_t = time.time()
out = gdb(port, ["source " + script], timeout=900)
elapsed = time.time() - start_t
code, err = finish(p)
v = values(out)
fwd = [int(x, 16) for x in v[:N + 1]]
rest_start = N + 1
back = []
while rest_start < len(v) and v[rest_start].startswith("0x"):
    back.append(int(v[rest_start], 16))
    rest_start += 1


def outside(seq):
    return [x for x in seq if TRAP is None or not TRAP <= x < TRAP + 0x40]


report(len(back) >= N and back[-1] == fwd[0] and outside(back) == outside(list(reversed(fwd[:-1]))),
       f"replay: gdb's reverse-stepi walks back along its stepi log (through the handlers its stepi ran whole)",
       f"{len(back)} reverse steps; ends at {back[-1:]} (start {fwd[0]:#x})")
rest = v[rest_start:]
report(len(rest) >= 4 and int(rest[0]) + 3 == int(rest[1]) and rest[2] == rest[0],
       "replay: reverse-continue stops at the previous breakpoint hit", rest)
m = re.search(r"Old value = (-?\d+)\s+New value = (-?\d+)", out[out.rfind("Hardware watchpoint"):])
report(m is not None and int(m.group(1)) == int(m.group(2)) + 3,
       "replay: a watchpoint in reverse stops at the write that changed the value", out[-1500:])
report("No more reverse-execution history" in out, "replay: continue runs to the end of the recording", out[-800:])
fin = re.search(r"final state hash (0x[0-9a-f]+)", err)
report(code == 0 and "replay complete" in err and final and fin and fin.group(1) == final.group(1),
       "replay: after all that the replay ends with the recorded final state hash", err)
print(f"# gdb: {N} stepi, {len(back)} reverse-stepi, reverse-continues in {elapsed:.1f} s")

# ---- the monitor's gdbserver command
port = free_port()
p = subprocess.Popen([REWIND, "-M", "virt", "-bios", "none", "-kernel", ELF, "-display", "none", "-serial", "null",
                      "-monitor", "stdio", "-S", "-icount", "shift=0"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
p.stdin.write(f"gdbserver tcp::{port}\n")
p.stdin.flush()
for _ in range(200):
    if lib.listening(port):
        break
    time.sleep(0.05)
out = gdb(port, ["p/x $pc", "stepi", "p/x $pc", "kill"])
code, err = finish(p)
v = values(out)
report(len(v) == 2 and int(v[1], 16) > int(v[0], 16) and code == 0,
       "monitor: gdbserver starts the stub at run time", out[-600:])

# ---- malformed packets on a raw connection
port = free_port()
p = start(["-icount", "shift=0"], port)
s = socket.create_connection(("127.0.0.1", port), timeout=5)


def raw(data, want=True):
    s.sendall(data)
    time.sleep(0.1)
    try:
        return s.recv(1 << 20)
    except socket.timeout:
        return b""


def pkt(body):
    return b"$" + body + b"#" + ("%02x" % (sum(body) & 0xff)).encode()


answers = [
    raw(b"$?#00"),                                  # bad checksum
    raw(b"$" + b"A" * 100000 + b"#00"),             # far too long
    raw(pkt(b"m90000000,10")),                      # unmapped
    raw(pkt(b"mffffffffffffffff,ffffffffffffffff")),  # wraps
    raw(pkt(b"m80000000,ffffffff")),                # huge: a short answer
    raw(pkt(b"Z2,80000000,0")),                     # empty watchpoint
    raw(pkt(b"pzz")), raw(pkt(b"P1000=00")), raw(pkt(b"M80000000,4:zz")),
    raw(pkt(b"qXfer:features:read:other.xml:0,100")),
    raw(pkt(b"qRcmd,zz")), raw(pkt(b"vCont;x")), raw(pkt(b"X80000000,5:ab")),
    raw(pkt(b"?")),
]
s.close()
report(answers[0].startswith(b"-") and answers[1].startswith(b"-"), "packets: bad checksum and oversize get '-'",
       answers[:2])
report(b"$E14" in answers[2] and b"$E" in answers[3], "packets: unreadable and wrapping reads get errors", answers[2:4])
short = re.search(rb"\$([0-9a-f]*)#", answers[4])
report(short is not None and 0 < len(short.group(1)) < 2 * 0xffffffff, "packets: a huge read gets a short reply",
       answers[4][:80])
report(all(b"$E" in a for a in answers[5:13]), "packets: malformed arguments get error replies", answers[5:13])
report(b"$T05" in answers[13] or b"$S05" in answers[13], "packets: the stub still answers afterwards", answers[13])
p.kill()
p.wait()
shutil.rmtree(TMP, ignore_errors=True)
done()
