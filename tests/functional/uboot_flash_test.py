#!/usr/bin/env python3
"""Debian's S-mode U-Boot (-kernel, after OpenSBI fw_jump) on the virt
board's CFI flash: U-Boot's own CFI driver probes both banks at start-up
("Flash: 32 MiB"); at its prompt `flinfo`, a CFI query read with md, the
identifier and a read of bank 1 must print exactly what they print on QEMU
7.2 with the same command line. The same session is recorded (typed input
included) and replayed with nothing attached: the replay's console is the
recording's. TAP output.

  uboot_flash_test.py REWIND

Skips without Debian's u-boot-qemu and opensbi. QEMU's side is skipped
without qemu-system-riscv64.
"""
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, report  # noqa: E402

REWIND = sys.argv[1]
QEMU = os.environ.get("QEMU", "qemu-system-riscv64")
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf"
FW_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
missing = [p for p in (UBOOT, FW_JUMP) if not os.path.exists(p)]
if missing:
    print(f"1..0 # SKIP needs {', '.join(missing)} (u-boot-qemu, opensbi)")
    sys.exit(0)

COMMANDS = [
    "flinfo",
    "mw.l 20000000 00900090", "md.l 20000000 4",
    "mw.l 20000000 00980098", "md.l 20000040 0x30",
    "mw.l 20000000 00700070", "md.l 20000000 2",
    "mw.l 20000000 00ff00ff", "md.l 20000000 4", "md.l 22000000 4",
]
tmp = tempfile.mkdtemp(prefix="rewind-uboot-flash-")


def machine(emu, extra=()):
    return [emu, "-M", "virt", "-m", "256M", "-nographic", "-monitor", "none",
            "-bios", FW_JUMP, "-kernel", UBOOT, *extra]


def session(argv, typed=True, timeout=240):
    """Runs U-Boot: stops its autoboot, types each command after a prompt,
    then `poweroff`. Returns (exit status, console output)."""
    err = open(os.path.join(tmp, "stderr"), "wb")  # the console is stdout alone
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if typed else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=err)
    out = b""
    end = time.monotonic() + timeout

    def read_until(pattern, start):
        """Reads until `pattern` appears at or after `start` (its end), or
        the output ends or time is up (-1)."""
        nonlocal out
        while True:
            idx = out.find(pattern, start) if pattern else -1
            if idx >= 0:
                return idx + len(pattern)
            left = end - time.monotonic()
            if left <= 0:
                return -1
            r, _, _ = select.select([p.stdout], [], [], min(left, 0.5))
            if r:
                data = os.read(p.stdout.fileno(), 65536)
                if not data:
                    return -1
                out += data

    if typed:
        seen = 0
        for pattern, text in [(b"Hit any key to stop autoboot", b"\n")] + \
                [(b"=> ", c.encode() + b"\n") for c in COMMANDS + ["poweroff"]]:
            seen = read_until(pattern, seen)
            if seen < 0:
                break
            time.sleep(0.1)
            try:
                p.stdin.write(text)
                p.stdin.flush()
            except BrokenPipeError:
                break
    read_until(None, 0)  # to the end of the output
    try:
        rc = p.wait(timeout=max(1, end - time.monotonic()))
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    return rc, out.decode(errors="replace").replace("\r", "")


def transcript(out):
    """From the first command to the power-off: what the commands printed.
    (The newline that stops the autoboot may or may not leave an empty
    prompt before it, depending on when it arrives.)"""
    i = out.find("=> " + COMMANDS[0])
    return out[i:] if i >= 0 else ""


rc, rout = session(machine(REWIND))
report("Flash: 32 MiB" in rout, "U-Boot's CFI driver finds the flash on rewind (Flash: 32 MiB)", rout[-600:])
report("Bank # 1: CFI conformant flash (16 x 16)  Size: 16 MB in 128 Sectors" in rout and
       "Intel Extended command set, Manufacturer ID: 0x89, Device ID: 0x0018" in rout,
       "flinfo: Intel command set, ids 0x89/0x18, 128 sectors", transcript(rout)[:800])
report(rc == 0 and "=> poweroff" in rout, "U-Boot powers the machine off", f"rc={rc} {rout[-300:]}")

if shutil.which(QEMU):
    qrc, qout = session(machine(QEMU))
    qt, rt = transcript(qout), transcript(rout)
    ok = qt != "" and qt == rt
    why = ""
    if not ok:
        import difflib
        why = "\n".join(difflib.unified_diff(qt.splitlines(), rt.splitlines(), "qemu", "rewind", lineterm=""))
    report(ok, f"the whole prompt session is QEMU's ({len(qt.splitlines())} lines: flinfo, identifier, "
               "CFI query, status, array reads)", why)
else:
    print(f"ok - the prompt session is QEMU's # SKIP no {QEMU}")

rrfile = os.path.join(tmp, "uboot-flash.rr")
rc1, rec = session(machine(REWIND, ["-icount", f"shift=5,rr=record,rrfile={rrfile}"]))
rc2, rep = session(machine(REWIND, ["-icount", f"shift=5,rr=replay,rrfile={rrfile}"]), typed=False)
report(rc1 == 0 and "Flash: 32 MiB" in rec and transcript(rec) == transcript(rout),
       "recorded: the same session", f"rc={rc1} {rec[-300:]}")
report(rc2 == 0 and rep == rec, "replayed with nothing attached: the recording's console, byte for byte",
       f"rc={rc2} {len(rec)} vs {len(rep)} bytes {rep[-300:]}")

shutil.rmtree(tmp, ignore_errors=True)
done()
