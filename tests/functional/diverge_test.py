#!/usr/bin/env python3
"""rewind-diverge (docs/divergence.md) on a recorded firmware boot: OpenSBI
(-bios) and Debian's S-mode U-Boot (-kernel), recorded for INSNS
instructions with the default divergence trail. Then:
  - the recording carries one trail event per 2M instructions (the default);
  - an unperturbed replay: "no divergence", exit 0;
  - deliberate perturbations (-rr-perturb) at spread counts, half flipping a
    bit of sp, half a RAM byte: each pinned to exactly its instruction, with
    the differing register or RAM page and byte in the report, in seconds;
  - two-way mode: compiled vs interpreted agree; a planted compiled-only bug
    (-debug-miscompile mul) is pinned to the exact mul instruction (its count
    and pc), in both modes, checked independently with -d cpu logs of one
    instruction per block: the states agree before it and differ after it;
  - a recording with serial input (U-Boot's prompt fed from a file): the
    report's "last host input" line is the last input event rewind-dump
    lists at or before the pinned instruction;
  - errors: a missing file, a corrupt rrfile, no options, one line each.
Usage: diverge_test.py REWIND REWIND_DIVERGE REWIND_DUMP [COUNT] [--linux]
(COUNT perturbations, default 5; the 'slow' suite runs 20). --linux: the
Linux test guest's boot instead (9e7 instructions, sp perturbations only,
pcs checked as vmlinux symbols)."""
import os
import random
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, report  # noqa: E402

REWIND, DIVERGE, DUMP = sys.argv[1:4]
LINUX = "--linux" in sys.argv
args = [a for a in sys.argv[4:] if a != "--linux"]
COUNT = int(args[0]) if args else 5
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf"
FW_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
missing = [p for p in (UBOOT, FW_JUMP) if not os.path.exists(p)]
if missing and not LINUX:
    print(f"1..0 # SKIP needs {', '.join(missing)} (u-boot-qemu, opensbi)")
    sys.exit(0)
ELF = []
if LINUX:
    # The Linux test guest, recorded inside its boot (a guest idle at its
    # prompt with no input would wait for ever); pcs shown with vmlinux.
    r = subprocess.run([os.path.join(os.path.dirname(os.path.abspath(__file__)), "../guest/build-guest.sh")],
                       capture_output=True, text=True)
    paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    if r.returncode != 0 or not os.path.exists(paths.get("VMLINUX", "")):
        print("1..0 # SKIP the test guest (with vmlinux) is not available: " + r.stderr.strip()[-200:])
        sys.exit(0)
    ELF = ["--elf", paths["VMLINUX"]]
INSNS = int(os.environ.get("DIVERGE_INSNS", "90000000" if LINUX else "60000000"))
TMP = tempfile.mkdtemp(prefix="rewind-diverge-")
RR = os.path.join(TMP, "boot.rr")
BASE = ["-M", "virt", "-m", "256M", "-bios", FW_JUMP, "-kernel", UBOOT, "-display", "none", "-serial", "null",
        "-monitor", "none"]
if LINUX:
    BASE = ["-M", "virt", "-m", "256M", "-kernel", paths["KERNEL"], "-initrd", paths["INITRD"], "-append",
            "console=ttyS0", "-display", "none", "-serial", "null", "-monitor", "none"]
REPLAY = BASE + ["-icount", f"shift=0,rr=replay,rrfile={RR}"]

t = time.time()
rec = subprocess.run([REWIND] + BASE + ["-icount", f"shift=0,rr=record,rrfile={RR}", "-max-insns", str(INSNS)],
                     capture_output=True, text=True, timeout=600)
record_s = time.time() - t
report(rec.returncode == 0 and os.path.exists(RR), f"recorded {INSNS} instructions of a {'Linux' if LINUX else 'firmware'} boot", rec.stderr)

dump = subprocess.run([DUMP, "--stats", RR], capture_output=True, text=True)
m = re.search(r"^\s*trail\s+(\d+)", dump.stdout, re.M)
n_trail = int(m.group(1)) if m else 0
TRAIL = 1 << 21  # the default -rr-trail-interval
report(abs(n_trail - INSNS // TRAIL) <= 2,
       f"the recording has a trail event per 2M instructions ({n_trail}, about {INSNS // TRAIL})", dump.stdout)

t = time.time()
straight = subprocess.run([REWIND] + REPLAY, capture_output=True, text=True, timeout=600)
straight_s = time.time() - t
report(straight.returncode == 0, f"straight replay ({straight_s:.2f} s)", straight.stderr)


def diverge(extra, timeout=300):
    t = time.time()
    r = subprocess.run([DIVERGE] + ELF + [RR, "--"] + REPLAY + extra, capture_output=True, text=True, timeout=timeout)
    return r, time.time() - t


r, secs = diverge([])
report(r.returncode == 0 and "no divergence" in r.stdout, f"no perturbation: 'no divergence', exit 0 ({secs:.1f} s)",
       r.stdout + r.stderr)

rng = random.Random(13)
lo, hi = 2_000_000, INSNS - 300_000
points = sorted(rng.randrange(lo, hi) for _ in range(COUNT))
times = []
for i, at in enumerate(points):
    if i % 2 == 0 or LINUX:  # Linux may reuse any free page early: registers only
        bit = rng.randrange(3, 12)
        spec = f"icount={at},reg=x2,bit={bit}"
    else:
        addr = 0x8c000000 + rng.randrange(0, 1 << 20)  # RAM the guest leaves alone this early
        spec = f"icount={at},ram={addr:#x}"
    r, secs = diverge(["-rr-perturb", spec])
    times.append(secs)
    out = r.stdout
    m = re.search(r"first difference after instruction (\d+)", out)
    pinned = int(m.group(1)) if m else None
    ok = r.returncode == 3 and pinned == at
    if i % 2 == 0 or LINUX:
        m = re.search(r"^\s+x2\(sp\)\s+([0-9a-f]{16})\s+([0-9a-f]{16})", out, re.M)
        ok = ok and m is not None and int(m.group(1), 16) ^ int(m.group(2), 16) == 1 << bit
        what = f"sp bit {bit}"
    else:
        page = addr & ~0xfff
        ok = ok and re.search(rf"page {page:x}: 1 bytes differ", out) is not None
        ok = ok and re.search(rf"^\s+{addr:x}: ", out, re.M) is not None
        what = f"RAM byte {addr:#x}"
    ok = ok and re.search(r"^  > +%d  [0-9a-f]+ .*\S" % at, out, re.M) is not None  # the instruction, disassembled
    pc = re.search(r"^  instruction %d: pc ([0-9a-f]+)" % at, out, re.M)
    if LINUX and pc and int(pc.group(1), 16) >= 0xffffffff00000000:
        # Kernel pcs are shown as vmlinux symbols (the early ones are in
        # OpenSBI, which has no symbol table: shown as bare addresses).
        ok = ok and re.search(r"^  instruction %d: pc [0-9a-f]+ <\w+" % at, out, re.M) is not None
    if LINUX:
        ok = ok and pc is not None
    report(ok, f"perturbation {i + 1} ({what} at {at}) pinned exactly, in {secs:.1f} s", out + r.stderr)

# Two builds or configurations side by side: the compiled engine and the
# interpreter agree on this recording; with a planted bug in compiled mul
# (-debug-miscompile mul) the two-way mode pins the mul.
TWO = [DIVERGE, "--a", REWIND, "--b", REWIND]
t = time.time()
r = subprocess.run(TWO + ["--b-args", "-accel tcg,jit=off", RR, "--"] + REPLAY, capture_output=True, text=True,
                   timeout=600)
report(r.returncode == 0 and "no divergence" in r.stdout,
       f"two-way: compiled vs interpreted, no divergence ({time.time() - t:.1f} s)", r.stdout + r.stderr)


def pinned_mul(out):
    """(count, pc) of the instruction the report pins, if the report names
    it exactly (not a block end with suspects) as a mul, shown with '>',
    whose destination register differs by the planted bug's one bit."""
    m = re.search(r"first difference after instruction (\d+)\n  instruction \1: pc ([0-9a-f]+)", out)
    if not m or "suspects:" in out:
        return None
    count, pc = int(m.group(1)), int(m.group(2), 16)
    line = re.search(r"^  > +%d  %x +[0-9a-f]+ mul +(\w+)," % (count, pc), out, re.M)
    regs = re.findall(r"^  x\d+\((\w+)\)\s+([0-9a-f]{16})\s+([0-9a-f]{16})$", out, re.M)
    if not line or [(n, int(x, 16) ^ int(y, 16)) for n, x, y in regs] != [(line.group(1), 1)]:
        return None
    return count, pc


def cpu_dumps(name, extra, count):
    """Starts a replay that logs -d cpu with one instruction per block
    around `count`: the dump logged at count-1 is the state after count-1
    instructions (its pc the next instruction's), the next one after count."""
    log = os.path.join(TMP, f"cpu-{name}.log")
    p = subprocess.Popen([REWIND] + REPLAY + ["-debug-miscompile", "mul", "-d", "cpu", "-D", log, "-replay-log-bound",
                         f"start={count - 1},end={count + 1}", "-max-insns", str(count + 1)] + extra,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p, log


def independently_exact(count, pc):
    """Compiled (one instruction per block) vs interpreted: equal states
    after count-1 instructions with pc at the mul, different after count."""
    runs = [cpu_dumps("compiled", ["-accel", "tcg,one-insn-per-tb=on"], count),
            cpu_dumps("interpreted", ["-accel", "tcg,jit=off,one-insn-per-tb=on"], count)]
    dumps = []
    for p, log in runs:
        p.wait(timeout=300)
        text = open(log).read() if os.path.exists(log) else ""
        dumps.append(re.split(r"(?m)^(?= pc )", text)[1:])
    (a, b) = dumps
    return (len(a) == len(b) == 2 and a[0] == b[0] and a[1] != b[1]
            and re.match(r" pc +0*%x\n" % pc, a[0]) is not None)


t = time.time()
r = subprocess.run(TWO + ["--a-args", "-debug-miscompile mul", "--b-args", "-debug-miscompile mul -accel tcg,jit=off",
                          RR, "--"] + REPLAY, capture_output=True, text=True, timeout=600)
secs = time.time() - t
two_way = pinned_mul(r.stdout)
report(r.returncode == 3 and two_way is not None,
       f"two-way: a planted compiled-only bug in mul is pinned to the mul itself"
       + (f", instruction {two_way[0]} at pc {two_way[1]:x}" if two_way else "") + f" ({secs:.1f} s)",
       r.stdout + r.stderr)
report(two_way is not None and independently_exact(*two_way),
       "  ... exactly: -d cpu with one instruction per block, compiled vs interpreted, agrees after the "
       "instruction before it (pc at the mul) and differs after it", str(two_way))

# The same bug in the one-recording mode: the reference drops the option.
r, secs = diverge(["-debug-miscompile", "mul"])
one = pinned_mul(r.stdout)
report(r.returncode == 3 and one is not None and one == two_way,
       f"one recording: the planted bug is pinned to the same mul ({secs:.1f} s)", r.stdout + r.stderr)

# The last host input line, on a recording with input: U-Boot's serial
# reads a file (its first byte stops the autoboot, the rest is a command).
if not LINUX:
    IN_RR, IN_TXT = os.path.join(TMP, "input.rr"), os.path.join(TMP, "input.txt")
    open(IN_TXT, "w").write("version\n")
    IN_BASE = [a for a in BASE if a not in ("-serial", "null")] + [
        "-chardev", f"file,id=s0,path={os.path.join(TMP, 'input.out')},input-path={IN_TXT}", "-serial", "chardev:s0"]
    rec = subprocess.run([REWIND] + IN_BASE + ["-icount", f"shift=0,rr=record,rrfile={IN_RR}", "-max-insns", "8000000"],
                         capture_output=True, text=True, timeout=300)
    at = 6_000_123
    dump = subprocess.run([DUMP, "--kind", "char-input", "--to", str(at), IN_RR], capture_output=True, text=True).stdout
    inputs = re.findall(r"^ +\d+ +(\d+) .*char-input +port=(\d+) bytes=(\d+) (\".*\")  \[", dump, re.M)
    t = time.time()
    r = subprocess.run([DIVERGE, IN_RR, "--"] + IN_BASE + ["-icount", f"shift=0,rr=replay,rrfile={IN_RR}", "-rr-perturb",
                        f"icount={at},reg=x2,bit=4"], capture_output=True, text=True, timeout=300)
    m = re.search(r"^last host input before it: char-input at instruction (\d+) \(source (\d+), (\d+) bytes\): (\".*\")$",
                  r.stdout, re.M)
    report(rec.returncode == 0 and r.returncode == 3 and inputs and m is not None and m.groups() == inputs[-1],
           f"a recording with serial input: the report's last host input is rewind-dump's last input before the "
           f"instruction, {inputs[-1] if inputs else None} ({time.time() - t:.1f} s)",
           rec.stderr + dump + r.stdout + r.stderr)

# Errors: one line on stderr, non-zero.
r = subprocess.run([DIVERGE, os.path.join(TMP, "missing.rr"), "--"] + REPLAY, capture_output=True, text=True)
report(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "missing.rr" in r.stderr,
       "a missing recording: one line, exit 1", r.stderr)
bad = os.path.join(TMP, "corrupt.rr")
data = bytearray(open(RR, "rb").read())
for k in range(200, min(len(data), 4000), 7):
    data[k] ^= 0x55
open(bad, "wb").write(data)
r = subprocess.run([DIVERGE, bad, "--"] + REPLAY, capture_output=True, text=True, timeout=120)
report(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "corrupt.rr" in r.stderr,
       "a corrupt recording: one line, exit 1", r.stderr)
r = subprocess.run([DIVERGE, RR], capture_output=True, text=True)
report(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, "no replay options: one line, exit 1", r.stderr)

print(f"# record {record_s:.2f} s, straight replay {straight_s:.2f} s; pinning: "
      + ", ".join(f"{s:.1f}" for s in times) + " s")
done()
