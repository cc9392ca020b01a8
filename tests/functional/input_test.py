#!/usr/bin/env python3
"""virtio-input in the Linux test guest, driven from the monitor, recorded
and replayed.

With -device virtio-keyboard-device, virtio-tablet-device and
virtio-mouse-device the guest lists the three devices under QEMU's names
(and the same ids, event bits and order as QEMU 7.2 itself, when
qemu-system-riscv64 is installed). In a recording, background readers of
/dev/input/event0..2 take HMP sendkey / mouse_move / mouse_button and QMP
input-send-event / send-key; a shell on the VT (tty1) is typed into with
sendkey and its effect shows on the serial console. The replay, with no
monitor at all, prints byte-identical serial output: the same events with
the same kernel timestamps, and the same typed command's effect.

Usage: input_test.py REWIND [QEMU]   (TAP output)
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guest_session import PROMPT, Session, build_guest  # noqa: E402
from tap import done, report  # noqa: E402

REWIND = sys.argv[1]
QEMU = sys.argv[2] if len(sys.argv) > 2 else shutil.which("qemu-system-riscv64")
DEVICES = ["-device", "virtio-keyboard-device", "-device", "virtio-tablet-device",
           "-device", "virtio-mouse-device"]
EV_KEY, EV_REL, EV_ABS = 1, 2, 3


def machine(emu, kernel, initrd, extra):
    # The modern virtio-mmio interface: QEMU's default legacy one has no
    # VERSION_1, which Linux's virtio_input driver requires (rewind's devices
    # are modern anyway).
    return [emu, "-M", "virt", "-m", "256M", "-display", "none", "-bios", "default", "-kernel", kernel,
            "-initrd", initrd, "-append", "console=ttyS0", "-serial", "stdio",
            "-global", "virtio-mmio.force-legacy=false"] + DEVICES + extra


def devices_block(out):
    """The I:/N:/B: lines of /proc/bus/input/devices, as one string."""
    text = out.decode(errors="replace").replace("\r", "")
    return "\n".join(l for l in text.splitlines() if re.match(r"^[INB]: ", l))


def run_cmd(s, cmd, timeout=60):
    start = len(s.out)
    s.p.stdin.write(cmd.encode() + b"\n")
    s.expect(PROMPT, timeout)
    return s.out[start:]


def connect(path, timeout=30):
    end = time.monotonic() + timeout
    while True:
        try:
            c = socket.socket(socket.AF_UNIX)
            c.connect(path)
            return c
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


class Hmp:
    def __init__(self, path):
        self.c = connect(path)
        self.buf = b""
        self.read()

    def read(self):
        while b"(qemu) " not in self.buf:
            data = self.c.recv(65536)
            if not data:
                raise EOFError(self.buf)
            self.buf += data
        out, self.buf = self.buf.split(b"(qemu) ", 1)
        return out.decode(errors="replace").replace("\r", "")

    def cmd(self, line):
        self.c.sendall(line.encode() + b"\n")
        out = self.read()
        return out.split("\n", 1)[1] if "\n" in out else ""


class Qmp:
    def __init__(self, path):
        self.f = connect(path).makefile("rwb", buffering=0)
        json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        while True:
            r = json.loads(self.f.readline())
            if "event" not in r:
                return r


def events(hex_text):
    """(type, code, value) of the 24-byte struct input_event records in an od -tx1 dump."""
    hexes = re.findall(r"\b[0-9a-f]{2}\b", hex_text)
    data = bytes(int(h, 16) for h in hexes)
    out = []
    for i in range(0, len(data) - len(data) % 24, 24):
        t = int.from_bytes(data[i + 16:i + 18], "little")
        c = int.from_bytes(data[i + 18:i + 20], "little")
        v = int.from_bytes(data[i + 20:i + 24], "little", signed=True)
        out.append((t, c, v))
    return out


def between(out, start, end):
    text = out.decode(errors="replace").replace("\r", "")
    m = re.search(re.escape(start) + r"\n(.*?)" + re.escape(end), text, re.S)
    return m.group(1) if m else ""


# What the guest types on the VT: "touch /tmp/vtK" (shift for the K), after
# an Enter that ends the line the earlier keys (shift-a, b) started there.
VT_KEYS = ["ret", "t", "o", "u", "c", "h", "spc", "slash", "t", "m", "p", "slash", "v", "t", "shift-k", "ret"]


def main():
    try:
        kernel, initrd = build_guest()
    except subprocess.CalledProcessError as e:
        report(False, "build the test guest", e.stderr)
        done()
    tmp = tempfile.mkdtemp(prefix="rewind-input-test.")
    rr = os.path.join(tmp, "input.rr")
    mon, qmp = os.path.join(tmp, "mon.sock"), os.path.join(tmp, "qmp.sock")

    # --- record ------------------------------------------------------------
    s = Session(machine(REWIND, kernel, initrd,
                        ["-monitor", f"unix:{mon},server=on,wait=off", "-qmp", f"unix:{qmp},server=on,wait=off",
                         "-icount", f"shift=7,rr=record,rrfile={rr}"]))
    booted = s.expect(PROMPT, 180)
    report(booted, "record: the guest boots to a shell prompt", s.out[-400:])
    if not booted:
        s.p.kill()
        done()
    devs = run_cmd(s, "cat /proc/bus/input/devices")
    names = re.findall(r'N: Name="([^"]*)"', devs.decode(errors="replace"))
    report(names == ["QEMU Virtio Keyboard", "QEMU Virtio Tablet", "QEMU Virtio Mouse"],
           "the guest lists the keyboard, tablet and mouse under QEMU's names", names)
    report(re.search(rb"Handlers=kbd event0", devs) is not None, "the keyboard is a kbd handler on event0", devs[-600:])

    # Readers in the background; a shell on the VT.
    for i in range(3):
        run_cmd(s, f"cat /dev/input/event{i} > /tmp/ev{i} &")
    run_cmd(s, "setsid sh -c 'exec sh </dev/tty1 >/dev/tty1 2>&1' &")
    run_cmd(s, "sleep 1")
    h = Hmp(mon)
    q = Qmp(qmp)
    mice = h.cmd("info mice")
    report(mice == "  Mouse #3: QEMU Virtio Mouse\n* Mouse #2: QEMU Virtio Tablet (absolute)\n",
           "info mice lists the pointers in QEMU's format (the first pointer device, the tablet, current)", repr(mice))
    bad = h.cmd("sendkey foo")
    report(bad == "invalid parameter: foo\n", "sendkey with a bad key name: QEMU's one line", repr(bad))
    replies = [h.cmd("sendkey shift-a"), h.cmd("mouse_move 10 -5"), h.cmd("mouse_button 1"),
               h.cmd("mouse_button 0")]
    time.sleep(0.3)  # shift-a released
    r1 = q.cmd("input-send-event", {"events": [{"type": "abs", "data": {"axis": "x", "value": 0x1234}},
                                               {"type": "abs", "data": {"axis": "y", "value": 0x2345}}]})
    r2 = q.cmd("send-key", {"keys": [{"type": "qcode", "data": "b"}], "hold-time": 50})
    r3 = q.cmd("send-key", {"keys": [{"type": "qcode", "data": "nokey"}]})
    report(all(r == "" for r in replies) and r1 == {"return": {}} and r2 == {"return": {}},
           "HMP sendkey/mouse_move/mouse_button and QMP input-send-event/send-key are accepted", (replies, r1, r2))
    report(r3.get("error", {}).get("class") == "GenericError", "QMP send-key with a bad qcode is an error", r3)
    time.sleep(0.3)
    for k in VT_KEYS:
        h.cmd(f"sendkey {k} 20")
        time.sleep(0.08)
    time.sleep(0.5)
    run_cmd(s, "kill %1 %2 %3; sleep 1")
    dump = run_cmd(s, "for i in 0 1 2; do echo ev$i:; od -An -tx1 -v /tmp/ev$i; done; echo evend")
    vt = run_cmd(s, "ls /tmp/vtK && echo vt-typed-$((40+2))")
    s.p.stdin.write(b"poweroff -f\n")
    rc, err = s.finish()
    recorded = s.out
    report(rc == 0, "record: the guest powered off", err[-400:])

    kbd = events(between(dump, "ev0:", "ev1:"))
    tab = events(between(dump, "ev1:", "ev2:"))
    mou = events(between(dump, "ev2:", "evend"))
    keys = [(c, v) for t, c, v in kbd if t == EV_KEY]
    report(keys[:4] == [(42, 1), (30, 1), (30, 0), (42, 0)] and (48, 1) in keys and (48, 0) in keys,
           "event0: sendkey shift-a (press in order, release in reverse) and send-key b", kbd[:12])
    report([(t, c, v) for t, c, v in mou if t == EV_REL] == [(EV_REL, 0, 10), (EV_REL, 1, -5)],
           "event2: mouse_move 10 -5 on the mouse", mou)
    report((EV_KEY, 0x110, 1) in tab and (EV_KEY, 0x110, 0) in tab and (EV_ABS, 0, 0x1234) in tab
           and (EV_ABS, 1, 0x2345) in tab,
           "event1: mouse_button 1/0 and input-send-event abs on the tablet", tab)
    report(b"vt-typed-42" in vt, "a command typed on the VT with sendkey ran (touch /tmp/vtK)", vt[-300:])

    # --- replay: no monitor, no QMP ------------------------------------------
    p = subprocess.run(machine(REWIND, kernel, initrd, ["-monitor", "none", "-icount", f"shift=7,rr=replay,rrfile={rr}"]),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    same = p.stdout == recorded
    report(p.returncode == 0 and same,
           "replay without any monitor: serial output byte-identical (the same events, timestamps and VT command)",
           f"rc={p.returncode} same={same} {p.stderr.decode(errors='replace')[-600:]}")
    d = subprocess.run([os.path.join(os.path.dirname(REWIND), "rewind-dump"), rr], capture_output=True, text=True)
    report(d.returncode == 0 and re.search(r"input .*key 42 down, key 30 down", d.stdout) is not None,
           "rewind-dump lists the input batches readably", d.stdout[-600:] + d.stderr[-300:])

    # --- real peer: QEMU's guest sees the same devices --------------------------
    if not QEMU:
        print("ok - QEMU comparison # SKIP qemu-system-riscv64 not installed")
    else:
        blocks = []
        for emu in (REWIND, QEMU):
            g = Session(machine(emu, kernel, initrd, ["-monitor", "none"]))
            g.expect(PROMPT, 180)
            blocks.append(devices_block(run_cmd(g, "cat /proc/bus/input/devices")))
            g.p.stdin.write(b"poweroff -f\n")
            g.finish()
        report(blocks[0] == blocks[1] and "Virtio Tablet" in blocks[0],
               "/proc/bus/input/devices: names, ids and event bits as under QEMU 7.2", "\n".join(blocks))
        # The PCI forms: the same devices behind virtio-pci functions.
        blocks = []
        for emu in (REWIND, QEMU):
            argv = machine(emu, kernel, initrd, ["-monitor", "none"])
            argv = [a.replace("-device", "-pci") if a.startswith("virtio-") and a.endswith("-device") else a
                    for a in argv]
            g = Session(argv)
            g.expect(PROMPT, 180)
            blocks.append(devices_block(run_cmd(g, "cat /proc/bus/input/devices")))
            g.p.stdin.write(b"poweroff -f\n")
            g.finish()
        report(blocks[0] == blocks[1] and blocks[0].count("N: Name=") == 3,
               "virtio-keyboard-pci, -tablet-pci, -mouse-pci: the guest sees them as under QEMU 7.2", "\n".join(blocks))
    shutil.rmtree(tmp, ignore_errors=True)
    done()


main()
