#!/usr/bin/env python3
"""gdb's breakpoints beside the guest's own debug triggers (TAP).

Runs the trigger probe (tests/tcg/sdtrig.S) under gdb-multiarch with a gdb
breakpoint on the very instruction the guest arms an execute trigger on
(xm1): gdb stops there first and reads the guest's trigger CSRs; after it
continues, the guest's own breakpoint exception is taken at the same
instruction and the probe completes all its checks, so gdb's breakpoints are
invisible to the guest and the guest's triggers to gdb.

usage: sdtrig_gdb_test.py REWIND SDTRIG_ELF
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import report, plan  # noqa: E402
import gdb_test_lib as lib  # noqa: E402


def main():
    rewind, elf = sys.argv[1], sys.argv[2]
    if not lib.GDB:
        print("1..0 # SKIP gdb-multiarch not installed")
        return 0
    tmp = tempfile.mkdtemp(prefix="rewind-sdtrig-gdb-")
    console = os.path.join(tmp, "console.txt")
    xm1 = lib.symbol(elf, "xm1")
    for name, extra in (("plain", []), ("recording", ["-icount", f"shift=7,rr=record,rrfile={tmp}/g.rr"])):
        port = lib.free_port()
        p = lib.start([rewind, "-M", "virt", "-bios", "none", "-kernel", elf, "-display", "none",
                       "-serial", f"file:{console}", "-monitor", "none"] + extra, port)
        out = lib.gdb(elf, port, ["break *xm1", "continue", "p/x $pc", "p/x $tdata1", "p/x $tdata2",
                                  "p/x $tinfo", "delete", "continue"])
        code, err = lib.finish(p)
        v = lib.values(out)
        report(len(v) >= 4 and xm1 is not None and int(v[0], 16) == xm1,
               f"{name}: gdb's breakpoint stops on the guest's trigger address first", out)
        report(len(v) >= 4 and v[1] == "0x2000000000000044" and int(v[2], 16) == xm1 and v[3] == "0x44",
               f"{name}: gdb reads the guest's armed trigger (tdata1, tdata2, tinfo)", out)
        with open(console, errors="replace") as f:
            text = f.read()
        checks = len(re.findall(r"^ok ", text, re.M))
        report(code == 0 and "not ok" not in text and re.search(r"^1\.\.%d$" % checks, text, re.M) and checks >= 200,
               f"{name}: after gdb continues the guest's own trigger fires and all {checks} checks pass",
               err + text[-400:])
    return plan()


if __name__ == "__main__":
    sys.exit(main())
