#!/usr/bin/env python3
"""-netdev socket (TAP): two rewind guests on one TCP socket pair (QEMU's
length-prefixed framing) ping each other; a QEMU guest and a rewind guest
the same way; a second pair over UDP. A hostile
peer — zero and oversized lengths, garbage, a flood of 100,000 frames at a
machine whose guest posts no receive buffers — faults nothing: the machine
stays up, its queue stays bounded (`info network`), and it quits cleanly.

Usage: net_socket_test.py REWIND
"""
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "guest"))
from guest_session import build_guest  # noqa: E402
from tap import done, report  # noqa: E402
from host_ports import free_port  # noqa: E402

REWIND = sys.argv[1]


try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    report(False, "build the test guest", e.stderr[-300:])
    done()


def guest(me, peer, netdev, mac, exe=None):
    work = (f"ifconfig eth0 192.168.7.{me} up && sleep 2 && ping -c 3 -w 60 192.168.7.{peer} && "
            f"sleep 6 && echo pair-done")
    return [exe or REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
            "-serial", "stdio", "-monitor", "none", "-append", f'console=ttyS0 rewind_run="{work}"',
            "-netdev", netdev, "-device", f"virtio-net-device,netdev=s,mac={mac}"]


def pair(label, netdev_a, netdev_b, exe_a=None):
    a = subprocess.Popen(guest(1, 2, netdev_a, "52:54:00:00:07:01", exe_a), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    time.sleep(1.0)
    b = subprocess.Popen(guest(2, 1, netdev_b, "52:54:00:00:07:02"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    res = []
    for p in (a, b):
        try:
            out, err = p.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        res.append((p.returncode, out, err.decode(errors="replace")))
    ok = all(rc == 0 and b"3 packets transmitted, 3 packets received" in out and re.search(rb"^pair-done\r?$", out, re.M)
             for rc, out, _ in res)
    report(ok, f"{label}: two guests ping each other (3 of 3 both ways)",
           "\n".join(f"rc={rc} {err[-200:]} {out[-300:]!r}" for rc, out, err in res))


port = free_port()
pair("socket listen=/connect=", f"socket,id=s,listen=127.0.0.1:{port}", f"socket,id=s,connect=127.0.0.1:{port}")
qemu = shutil.which("qemu-system-riscv64")
if qemu:
    port = free_port()
    pair("QEMU listen= / rewind connect= (QEMU's framing)", f"socket,id=s,listen=127.0.0.1:{port}",
         f"socket,id=s,connect=127.0.0.1:{port}", exe_a=qemu)
pa, pb = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
pair("socket udp=/localaddr=", f"socket,id=s,udp=127.0.0.1:{pb},localaddr=127.0.0.1:{pa}",
     f"socket,id=s,udp=127.0.0.1:{pa},localaddr=127.0.0.1:{pb}")

# --- a hostile peer at a machine whose guest never posts receive buffers -------------------
port = free_port()
# The guest never brings eth0 up: Linux posts receive buffers only then.
m = subprocess.Popen([REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
                      "-serial", "none", "-monitor", "stdio", "-append", 'console=ttyS0 rewind_run="sleep 900"',
                      "-netdev", f"socket,id=s,listen=127.0.0.1:{port}", "-device", "virtio-net-device,netdev=s"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(1.0)


def connect():
    for _ in range(50):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("cannot connect")


def closed_by_peer(s):
    s.settimeout(10)
    try:
        return s.recv(1) == b""
    except OSError:
        return True


hostile = [("a zero length", struct.pack(">I", 0)),
           ("an oversized length (2 GiB)", struct.pack(">I", 0x7fffffff)),
           ("a length of 65551 bytes", struct.pack(">I", 65551) + b"x" * 100)]
for what, data in hostile:
    s = connect()
    s.sendall(data)
    report(closed_by_peer(s) and m.poll() is None, f"hostile peer: {what} drops the connection, nothing else")
    s.close()

s = connect()
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + os.urandom(1000)
chunk = (struct.pack(">I", len(frame)) + frame) * 1000
t0 = time.monotonic()
for _ in range(100):
    s.sendall(chunk)
s.sendall(struct.pack(">I", 5) + b"abc")  # half a frame at the end
time.sleep(1.0)
report(m.poll() is None, f"a flood of 100,000 frames at a guest with no buffers "
       f"({time.monotonic() - t0:.1f} s): the machine is still up")
m.stdin.write(b"info network\n")
m.stdin.flush()
time.sleep(1.0)
m.stdin.write(b"quit\n")
m.stdin.flush()
try:
    out, err = m.communicate(timeout=60)
except subprocess.TimeoutExpired:
    m.kill()
    out, err = m.communicate()
text = out.decode(errors="replace")
q = re.search(r"queued (\d+) frames, dropped (\d+)", text)
report(q is not None and int(q.group(1)) <= 1024 and int(q.group(1)) + int(q.group(2)) >= 99000,
       "info network: the queue stayed bounded (the rest dropped)", text[-400:])
report(m.returncode == 0, "the machine quits cleanly from the monitor", f"rc={m.returncode} {err.decode()[-300:]}")
s.close()
done()
