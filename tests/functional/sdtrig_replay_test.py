#!/usr/bin/env python3
"""The debug trigger probe (tests/tcg/sdtrig.S) recorded and replayed (TAP).

Records the probe (execute, load and store triggers firing in M, S and U
mode, hostile CSR values) with compiled blocks, then replays it compiled and
interpreted: each replay must print the same console bytes, replay the same
number of instructions and end with the recorded final state hash. A replay
whose machine has no triggers (-cpu rv64,debug=off) is refused as a
different machine.

usage: sdtrig_replay_test.py REWIND SDTRIG_ELF
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import plan, report as ok  # noqa: E402


def run(argv, timeout=120):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def main():
    rewind, elf = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="rewind-sdtrig-test.")
    rr = os.path.join(tmp, "sdtrig.rr")
    machine = [rewind, "-M", "virt", "-nographic", "-bios", "none", "-kernel", elf]

    rc, out, err = run(machine + ["-icount", f"shift=7,rr=record,rrfile={rr}"])
    text = out.decode(errors="replace")
    checks = len(re.findall(r"^ok ", text, re.M))
    ok(rc == 0 and "not ok" not in text and checks >= 200,
       f"record: the probe passes all its {checks} checks", err + text[-600:])
    mi = re.search(r"recorded (\d+) instructions", err)
    mh = re.search(r"final state hash (0x[0-9a-f]+)", err)
    ok(mi and mh, "record: instruction count and final state hash reported", err)
    insns = mi.group(1) if mi else "?"
    final = mh.group(1) if mh else "?"

    for name, extra in (("compiled", []), ("interpreted", ["-accel", "tcg,jit=off"])):
        rc, rout, rerr = run(machine + extra + ["-icount", f"shift=7,rr=replay,rrfile={rr}"])
        m = re.search(r"replayed (\d+) instructions.*\n.*replay complete: matched (\d+) state hashes .*"
                      r"final state hash (0x[0-9a-f]+)", rerr)
        ok(rc == 0 and rout == out and m and m.group(1) == insns and m.group(3) == final,
           f"replay ({name}): same console bytes, {insns} instructions, "
           f"{m.group(2) if m else '?'} state hashes matched, final hash {final}", rerr[-800:])

    rc, _, rerr = run([rewind, "-M", "virt", "-nographic", "-bios", "none", "-cpu", "rv64,debug=off",
                       "-kernel", elf, "-icount", f"shift=7,rr=replay,rrfile={rr}"])
    lines = [l for l in rerr.splitlines() if l.strip()]
    ok(rc != 0 and len(lines) == 1 and "debug=off" in rerr,
       "replay with debug=off: refused with one line naming the difference", rerr)

    # Without triggers the probe's trigger CSRs do not exist: its first
    # access is an illegal instruction, reported, and the run still ends.
    rc, out, err = run([rewind, "-M", "virt", "-nographic", "-bios", "none", "-cpu", "rv64,debug=off",
                        "-kernel", elf])
    ok(rc != 0 and b"unexpected trap mcause=0x0000000000000002" in out,
       "debug=off: tselect is an illegal instruction", out.decode(errors="replace")[-300:])
    return plan()


if __name__ == "__main__":
    sys.exit(main())
