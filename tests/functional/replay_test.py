#!/usr/bin/env python3
"""Record/replay of the Linux test guest, end to end (TAP).

Records the guest booting, then a shell session typed with irregular real-time
gaps (reading hwclock and /dev/hwrng), a reboot, then power-off. Replays it three times
with nothing attached and checks the console output is byte-identical to the
recording's and the final instruction count and state hash are the same each
time. Then: a replay on a different machine is refused, a damaged or cut-short
rrfile is refused or replayed up to where it ends, a recorder killed with
SIGKILL leaves a replayable file, and a replay perturbed on purpose stops with
a report naming what differs.

usage: replay_test.py REWIND REWIND_DUMP
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST = os.path.join(HERE, "..", "guest")
sys.path.insert(0, GUEST)
from guest_session import PROMPT, Session  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import plan, report as ok  # noqa: E402


def run(argv, timeout=300):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def wait_for_cpu_time(pid, seconds, deadline_s):
    """Until process `pid` has run `seconds` of CPU time (user + system)."""
    tick = os.sysconf("SC_CLK_TCK")
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return
        if (int(fields[11]) + int(fields[12])) / tick >= seconds:
            return
        time.sleep(0.01)


def main():
    rewind, dump = sys.argv[1], sys.argv[2]
    b = subprocess.run([os.path.join(GUEST, "build-guest.sh")], capture_output=True, text=True)
    if not ok(b.returncode == 0, "build the test guest", b.stderr):
        plan()
        return 1
    kernel = re.search(r"^KERNEL=(.*)$", b.stdout, re.M).group(1)
    initrd = re.search(r"^INITRD=(.*)$", b.stdout, re.M).group(1)
    tmp = tempfile.mkdtemp(prefix="rewind-replay-test.")
    rr = os.path.join(tmp, "session.rr")

    def machine(extra_m="256M", k=kernel):
        return [rewind, "-M", "virt", "-m", extra_m, "-nographic", "-bios", "default", "-kernel", k,
                "-initrd", initrd, "-append", "console=ttyS0", "-device", "virtio-rng-device"]

    # --- record -----------------------------------------------------------------
    rng = random.Random(20261122)
    t0 = time.monotonic()
    s = Session(machine() + ["-icount", f"shift=7,rr=record,rrfile={rr}"])
    booted = s.expect(PROMPT, 180)
    ok(booted, "record: the guest boots to a shell prompt", s.out[-500:])
    commands = ["uname -a", "hwclock -r", "head -c 16 /dev/hwrng | od -An -tx1",
                "cat /sys/class/misc/hw_random/rng_current", "echo $((6*7))", "cat /proc/uptime"]
    for c in commands:
        if not booted:
            break
        time.sleep(rng.uniform(0.05, 0.8))
        s.type(c + "\n", rng)
        s.expect(PROMPT, 60)
    if booted:
        # A guest-initiated reboot: the board resets and Linux boots again.
        s.type("reboot -f\n", rng)
        rebooted = s.expect(re.compile(rb"rewind-guest: ready"), 180) and s.expect(PROMPT, 60)
        ok(rebooted, "record: the guest reboots (reboot -f) and reaches the prompt again", s.out[-300:])
        s.type("poweroff -f\n", rng)
    rc, err = s.finish()
    record_secs = time.monotonic() - t0
    recorded = s.out
    ok(rc == 0 and b"virtio_rng" in recorded and b"42" in recorded,
       f"record: session ran and the guest powered off ({record_secs:.1f} s)", err + recorded[-400:].decode(errors="replace"))
    m = re.search(r"recorded (\d+) instructions", err)
    rec_insns = int(m.group(1)) if m else -1

    # --- replay three times ----------------------------------------------------------
    # The recording ran compiled blocks; the third replay only interprets
    # them, so it also checks, at every event and checkpoint, that the block
    # compiler and the interpreter execute the guest identically.
    hashes = set()
    for i in range(3):
        t0 = time.monotonic()
        engine = ["-accel", "tcg,jit=off"] if i == 2 else []
        rc, out, err = run(machine() + engine + ["-icount", f"shift=7,rr=replay,rrfile={rr}"])
        secs = time.monotonic() - t0
        mi = re.search(r"replayed (\d+) instructions", err)
        mh = re.search(r"replay complete: matched (\d+) state hashes .*final state hash (0x[0-9a-f]+)", err)
        same = out == recorded
        ok(rc == 0 and same and mh and mi and int(mi.group(1)) == rec_insns,
           f"replay {i + 1}{' (interpreter only)' if engine else ''}: console output byte-identical, {mh.group(1) if mh else '?'} state hashes matched, "
           f"{mi.group(1) if mi else '?'} instructions ({secs:.1f} s)",
           f"rc={rc} same_output={same} ({len(out)} vs {len(recorded)} bytes)\n{err}")
        if mh:
            hashes.add(mh.group(2))
    ok(len(hashes) == 1, "the three replays end with the same state hash", hashes)

    # --- the dump tool ----------------------------------------------------------------
    rc, out, err = run([dump, "--json", rr])
    try:
        doc = json.loads(out)
        kinds = {e["kind"] for e in doc["events"]}
        good = rc == 0 and doc["complete"] and {"char-input", "entropy", "clock", "checkpoint", "guest-reset", "end"} <= kinds
    except ValueError as e:
        good, kinds = False, str(e)
    ok(good, "rewind-dump --json lists char input, entropy, clock reads, checkpoints, the guest reset and the end", f"{kinds} {err}")
    rc, out, err = run([dump, "--stats", rr])
    ok(rc == 0 and b"char-input" in out and b"compressed" in out, "rewind-dump --stats", err)

    # --- a different machine is refused ---------------------------------------------------
    rc, out, err = run(machine("512M") + ["-icount", f"shift=7,rr=replay,rrfile={rr}"])
    ok(rc == 1 and "-m" in err and len(err.strip().splitlines()) == 1, "replay with a different -m is refused", err)
    rc, out, err = run(machine() + ["-icount", f"shift=7,sleep=off,rr=replay,rrfile={rr}"])
    ok(rc == 1 and "-icount sleep" in err and len(err.strip().splitlines()) == 1,
       "replay with -icount sleep=off of a sleep=on recording is refused, naming the option", err)

    # --- what must not matter, and stopping early -------------------------------------------
    # The code buffer's size only changes how often translations start over.
    rc, out, err = run(machine() + ["-accel", "tcg,tb-size=1", "-icount", f"shift=7,rr=replay,rrfile={rr}"])
    ok(rc == 0 and out == recorded and "replay complete" in err,
       "a replay with a 1 MiB code buffer (-accel tcg,tb-size=1) is byte-identical", err[-400:])
    # align=on only paces the replay against the host clock.
    rc, out, err = run(machine() + ["-icount", f"shift=7,align=on,rr=replay,rrfile={rr}"])
    ok(rc == 0 and out == recorded and "replay complete" in err,
       "a replay with -icount align=on (the recording had none) is byte-identical", err[-400:])
    stop_at = rec_insns // 3
    rc, out, err = run(machine() + ["-max-insns", str(stop_at), "-icount", f"shift=7,rr=replay,rrfile={rr}"])
    ok(rc == 0 and f"replay stopped (instruction limit) at instruction {stop_at} of {rec_insns}" in err
       and "replay complete" not in err and recorded.startswith(out),
       "-max-insns stops a replay and says where, of how many", err[-400:])
    # The monitor's system_reset is refused in a replay: its resets come from the recording.
    s = Session(machine() + ["-icount", f"shift=7,rr=replay,rrfile={rr}"])
    s.p.stdin.write(b"\x01c")
    time.sleep(0.5)
    s.p.stdin.write(b"system_reset\n")
    refused = s.expect(re.compile(rb"system_reset: a replay's resets come from the recording"), 60)
    s.p.stdin.write(b"\x01c")
    rc, err = s.finish(120)
    ok(refused and rc == 0 and "replay complete" in err, "system_reset in the monitor during a replay is refused",
       f"rc={rc} {err[-300:]} {s.out[-300:]}")
    other = os.path.join(tmp, "Image-other")
    shutil.copy(kernel, other)
    with open(other, "ab") as f:
        f.write(b"\0" * 4096)
    rc, out, err = run(machine(k=other) + ["-icount", f"shift=7,rr=replay,rrfile={rr}"])
    ok(rc == 1 and "-kernel" in err, "replay with a different kernel is refused", err)

    # --- damaged files -----------------------------------------------------------
    data = open(rr, "rb").read()
    bad = os.path.join(tmp, "bad.rr")
    for where in (10, len(data) // 3, len(data) // 2, len(data) - 30):
        flipped = bytearray(data)
        flipped[where] ^= 0x10
        open(bad, "wb").write(flipped)
        rc, out, err = run(machine() + ["-icount", f"shift=7,rr=replay,rrfile={bad}"])
        ok(rc == 1 and len(err.strip().splitlines()) == 1 and ("corrupt" in err or "checksum" in err),
           f"a bit flip at byte {where} of {len(data)} is refused with one line", err)
    cut_ok = True
    diag = ""
    for frac in (0.1, 0.5, 0.9):
        cut = int(len(data) * frac)
        open(bad, "wb").write(data[:cut])
        rc, out, err = run(machine() + ["-icount", f"shift=7,rr=replay,rrfile={bad}"])
        fine = (rc == 4 and "end of the interrupted recording" in err and recorded.startswith(out)) or \
               (rc == 1 and len(err.strip().splitlines()) == 1)
        if not fine:
            cut_ok = False
            diag += f"cut at {cut}: rc={rc} {err}\n"
    ok(cut_ok, "a cut-short rrfile is replayed up to where it ends, or refused with one line", diag)
    open(bad, "wb").write(b"not an rrfile at all")
    rc, out, err = run(machine() + ["-icount", f"shift=7,rr=replay,rrfile={bad}"])
    ok(rc == 1 and "not a rewind recording" in err, "a file that is not an rrfile is refused", err)
    rc, out, err = run(machine() + ["-icount", f"shift=7,rr=replay,rrfile={tmp}/missing.rr"])
    ok(rc == 1 and "cannot open" in err, "a missing rrfile is refused", err)

    # --- SIGKILL during a recording ---------------------------------------------------
    killed = os.path.join(tmp, "killed.rr")
    sock = os.path.join(tmp, "mon.sock")
    s = Session(machine() + ["-icount", f"shift=7,rr=record,rrfile={killed}",
                             "-monitor", f"unix:{sock},server=on,wait=off"])
    booted = s.expect(PROMPT, 180)
    s.type("uname -a\n", rng)
    s.expect(PROMPT, 30)
    info = b""
    try:
        import socket
        c = socket.socket(socket.AF_UNIX)
        c.connect(sock)
        c.settimeout(5)
        c.sendall(b"info replay\n")
        end = time.monotonic() + 5
        while b"State hash" not in info and time.monotonic() < end:
            info += c.recv(4096)
        c.close()
    except OSError as e:
        info += str(e).encode()
    ok(re.search(rb"Recording execution in file '[^']*': instruction count = \d+", info) is not None
       and killed.encode() in info,
       "the monitor's info replay shows the recording's mode, file and position", info.decode(errors="replace"))
    end = time.monotonic() + 2.5  # blocks are flushed at least once a second
    while time.monotonic() < end:
        s.pump(0.1)
    s.p.send_signal(signal.SIGKILL)
    s.finish(10)
    rc, out, err = run(machine() + ["-icount", f"shift=7,rr=replay,rrfile={killed}"])
    ok(booted and rc == 4 and "end of the interrupted recording" in err and b"Linux rewind" in out
       and s.out.startswith(out),
       "a recorder killed with SIGKILL leaves a file that replays up to its last block", f"rc={rc} {err}")
    # Killed at once: the first block (the power-on checkpoint) is written at
    # the first service step, not a second later. "0.5 s" is of the
    # recorder's own CPU time, so that a loaded machine (which may not run it
    # at all for a while) does not change what is tested.
    early = os.path.join(tmp, "early.rr")
    p = subprocess.Popen(machine() + ["-icount", f"shift=7,rr=record,rrfile={early}"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_cpu_time(p.pid, 0.5, deadline_s=30)
    p.kill()
    p.wait()
    rc, out, err = run(machine() + ["-icount", f"shift=7,rr=replay,rrfile={early}"])
    ok(rc == 4 and "end of the interrupted recording" in err,
       "a recorder killed 0.5 s after start leaves a recording that replays (exit 4: a prefix)", f"rc={rc} {err}")

    # --- deliberate divergence ----------------------------------------------------------
    at = 50_000_000  # a checkpoint (every 10M instructions): the report has full detail
    rc, out, err = run(machine() + ["-icount", f"shift=7,rr=replay,rrfile={rr}",
                                    "-rr-perturb", f"icount={at},reg=x5,bit=3"])
    ok(rc == 3 and f"replay diverged at instruction {at}" in err and re.search(r"x5 \(t0\): recorded 0x[0-9a-f]+, replay 0x", err),
       "a register flipped at a checkpoint: the report names x5 and both values", err)
    rc, out, err = run(machine() + ["-icount", f"shift=7,rr=replay,rrfile={rr}",
                                    "-rr-perturb", f"icount={at},ram=0x80201000"])
    ok(rc == 3 and "RAM page 0x80201000" in err, "a RAM byte flipped at a checkpoint: the report names its page", err)
    rc, out, err = run(machine() + ["-icount", f"shift=7,rr=replay,rrfile={rr}",
                                    "-rr-perturb", f"icount={at + 12345},reg=x2,bit=4"])
    m = re.search(r"replay diverged at instruction (\d+)", err)
    ok(rc == 3 and m and int(m.group(1)) >= at + 12345 and "last point that matched" in err,
       "a stack pointer flipped between checkpoints is caught at the next check", err)

    shutil.rmtree(tmp, ignore_errors=True)
    return plan()


if __name__ == "__main__":
    sys.exit(main())
