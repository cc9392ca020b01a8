#!/usr/bin/env python3
"""rewind's VNC server (-vnc) as a user meets it (TAP). Usage: vnc_test.py REWIND.

- bad -vnc values: one line on stderr, non-zero exit; a busy port: QEMU's
  "Failed to find an available port"; -vnc help;
- the Linux test guest with -vnc HOST:N: a client gets the desktop size and
  a framebuffer (raw and zlib), hostile clients (garbage, a huge
  ClientCutText, a huge SetEncodings then gone, half a message, 40 at once)
  fault nothing and the guest keeps printing on its serial port;
- -vnc unix:PATH with the firmware only;
- record and replay with -vnc: a client's keys and clicks are input events
  in the rrfile; a replay with a client typing other keys ends the same;
- real peers: vncsnapshot takes a snapshot, noVNC (Debian's novnc) connects
  over websocket= in headless Chromium;
- end to end (skipped until rewind has -device virtio-gpu-device): Linux with
  virtio-gpu, virtio-keyboard and virtio-tablet, a shell on tty1 typed into
  through RFB key events, its effect seen on the serial console and on the
  screen.
"""
import functools
import http.server
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "guest"))
from guest_session import PROMPT, Session, build_guest  # noqa: E402

from host_ports import free_port  # noqa: E402
from rfb_client import DESKTOP_SIZE, RAW, ZLIB, RfbClient  # noqa: E402
from tap import done, report  # noqa: E402

REWIND = sys.argv[1]
BASE = 5900


def free_display():
    """A display number whose port 5900+N is free now."""
    while True:
        port = free_port()
        if port > BASE:
            return port - BASE


def run(args, timeout=20):
    return subprocess.run([REWIND] + args, capture_output=True, text=True, timeout=timeout)


def wait_port(port, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


# ---- the command line ---------------------------------------------------------
p = run(["-vnc", "help"])
report(p.returncode == 0 and "websocket=" in p.stdout and "share=" in p.stdout, "-vnc help lists the options",
       p.stdout + p.stderr)

for bad, words in [(["-vnc", "bogus"], "no vnc port specified"),
                   (["-vnc", ":abc"], "can't convert to a number: abc"),
                   (["-vnc", ":70000"], "out of range"),
                   (["-vnc", ":1,password=on"], "password=on is not supported"),
                   (["-vnc", ":1,foo=bar"], "Invalid parameter 'foo'"),
                   (["-vnc", ":1,share=sometimes"], "unknown vnc share= option"),
                   (["-vnc", ":1,to=x"], "'to' expects a number"),
                   (["-vnc", ":1,websocket=0"], "websocket must be"),
                   (["-vnc", "unix:"], "needs a path"),
                   (["-display", "vnc=nothing"], "no vnc port specified"),
                   (["-display", "sdl"], "only 'none' and 'vnc=...'")]:
    p = run(["-M", "virt", "-bios", "none"] + bad)
    lines = p.stderr.strip().splitlines()
    report(p.returncode != 0 and len(lines) == 1 and words in lines[0] and "Traceback" not in p.stderr,
           f"{' '.join(bad)} is refused with one line ({words})", f"rc={p.returncode} stderr={p.stderr!r}")

# A taken port: the error names it, as QEMU's does.
d = free_display()
holder = socket.socket()
holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
holder.bind(("127.0.0.1", BASE + d))
holder.listen()
p = run(["-M", "virt", "-bios", "none", "-vnc", f"127.0.0.1:{d}"])
report(p.returncode != 0 and p.stderr.strip() ==
       f"rewind: -vnc 127.0.0.1:{d}: Failed to find an available port: Address already in use",
       "-vnc on a port in use: 'Failed to find an available port', exit 1", f"rc={p.returncode} {p.stderr!r}")
holder.close()

# ---- -vnc unix:PATH, firmware only ------------------------------------------------
tmp = tempfile.mkdtemp(prefix="rewind-vnc-")
path = os.path.join(tmp, "vnc.sock")
proc = subprocess.Popen([REWIND, "-M", "virt", "-display", "none", "-serial", "none", "-monitor", "none",
                         "-vnc", "unix:" + path], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
end = time.monotonic() + 20
while not os.path.exists(path) and time.monotonic() < end and proc.poll() is None:
    time.sleep(0.05)
try:
    c = RfbClient(path)
    c.handshake()
    c.set_encodings([RAW])
    rects = c.update()
    ok = (c.width, c.height) == (640, 480) and c.name == b"rewind" and set(c.pixels) == {0}
    report(ok, "-vnc unix:PATH: RFB 3.8 handshake, 640x480 black placeholder without a display device",
           f"{c.width}x{c.height} {c.name!r} {rects[:3]}")
    c.close()
except Exception as e:  # noqa: BLE001
    report(False, "-vnc unix:PATH: RFB 3.8 handshake, 640x480 black placeholder without a display device", repr(e))
proc.terminate()
proc.wait(timeout=10)
report(not os.path.exists(path), "the unix socket is removed when rewind exits")

# ---- websocket=on: port 5700+N (a plain RFB client is served there too) ---------
while True:
    d = free_display()
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 5700 + d))
        break
    except OSError:
        continue
proc = subprocess.Popen([REWIND, "-M", "virt", "-display", f"vnc=127.0.0.1:{d},websocket=on", "-serial", "none",
                         "-monitor", "none"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
try:
    ok = wait_port(5700 + d)
    c = RfbClient(("127.0.0.1", 5700 + d))
    c.handshake()
    ok = ok and (c.width, c.height) == (640, 480) and wait_port(BASE + d)
    c.close()
    report(ok, "-display vnc=HOST:N,websocket=on listens on 5900+N and 5700+N")
except Exception as e:  # noqa: BLE001
    report(False, "-display vnc=HOST:N,websocket=on listens on 5900+N and 5700+N", repr(e))
proc.terminate()
proc.wait(timeout=10)

# ---- the Linux guest with -vnc HOST:N ---------------------------------------------------
try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    report(False, "build the test guest", e.stderr[-300:])
    done()

LINUX = [REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0",
         "-serial", "stdio", "-monitor", "none"]


def ticks(sess, wait):
    """The guest's serial tick counter after pumping its output for `wait` s."""
    end = time.monotonic() + wait
    while time.monotonic() < end:
        sess.pump(0.05)
    found = re.findall(rb"tick (\d+)", sess.out)
    return int(found[-1]) if found else -1


def still_ticking(sess, label):
    before = ticks(sess, 0.1)
    after = ticks(sess, 1.5)
    return report(after > before >= 0, f"the guest keeps printing on serial after {label}",
                  f"tick {before} -> {after}")


# ---- record and replay with -vnc ---------------------------------------------------
# While the Linux guest boots and sleeps, a client types and clicks (the
# guest has no input device: the batches are logged and reach nobody). A
# replay with -vnc and a client typing other keys ends in the same state with
# the same input events (the live ones are ignored).
rrfile = os.path.join(tmp, "vnc.rr")


def rr_run(mode, text, rounds):
    sock = os.path.join(tmp, f"rr-{mode}.sock")
    p = subprocess.Popen([REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd,
                          "-append", 'console=ttyS0 rewind_run="sleep 3"', "-display", "none", "-serial", "none",
                          "-monitor", "none", "-vnc", "unix:" + sock, "-icount", f"shift=7,rr={mode},rrfile={rrfile}"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 20
    while not os.path.exists(sock) and time.monotonic() < end and p.poll() is None:
        time.sleep(0.02)
    try:
        c = RfbClient(sock)
        c.handshake()
        for _ in range(rounds):
            c.type_text(text, delay=0.05)
            c.pointer(1, 5, 5)
            c.pointer(0, 9, 7)
            c.update()
        c.close()
    except OSError:
        pass  # the guest powered off while the client typed
    try:
        _, err = p.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    return p.returncode, err


def rr_summary(err):
    inputs = re.search(r"events: [^\n]*\binput (\d+)", err)
    final = re.search(r"final state hash (0x[0-9a-f]+)", err)
    return (int(inputs.group(1)) if inputs else 0), (final.group(1) if final else None)


rc, err = rr_run("record", "ls\n", 20)
n_rec, h_rec = rr_summary(err)
report(rc == 0 and n_rec >= 8 and h_rec, f"a recording with -vnc logs the client's keys and buttons ({n_rec} input events)",
       err[-400:])
rc, err2 = rr_run("replay", "xyz\n", 3)
n_rep, h_rep = rr_summary(err2)
report(rc == 0 and "replay complete" in err2 and (n_rep, h_rep) == (n_rec, h_rec),
       "the replay with -vnc and a client typing other keys plays the recorded input: same events, same final state",
       err2[-400:])

d = free_display()
ws_port = free_port()
sess = Session(LINUX + ["-vnc", f"127.0.0.1:{d},websocket={ws_port}"])
booted = sess.expect(PROMPT, timeout=120)
report(booted, "Linux boots with -vnc", sess.out[-400:])
if not booted:
    sess.p.kill()
    done()
sess.p.stdin.write(b"i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.2; done &\n")
report(ticks(sess, 2) >= 0, "the guest prints ticks on serial")


def good_client(label):
    try:
        c = RfbClient(("127.0.0.1", BASE + d))
        c.handshake()
        c.set_encodings([ZLIB, RAW, DESKTOP_SIZE])
        rects = c.update()
        ok = (c.width, c.height) == (640, 480) and rects and set(c.pixels) == {0}
        report(ok, f"{label}: a client gets 640x480 and the framebuffer (zlib)",
               f"{c.width}x{c.height} rects={rects[:3]}")
        c.close()
    except Exception as e:  # noqa: BLE001
        report(False, f"{label}: a client gets 640x480 and the framebuffer (zlib)", repr(e))


good_client("TCP")
c = RfbClient(("127.0.0.1", BASE + d))
c.handshake()
c.set_encodings([RAW])
rects = c.update()
report(rects[0][4] == RAW and len(c.pixels) == 640 * 480, "raw encoding when asked for raw", repr(rects[:2]))
c.request(incremental=True)
c.sock.settimeout(1.0)
try:
    c.read_message()
    quiet = False
except socket.timeout:
    quiet = True
report(quiet, "an unchanged screen sends nothing to an incremental request")
c.close()


def hostile(label, payload, handshake=True, linger=0.3):
    try:
        s = RfbClient(("127.0.0.1", BASE + d))
        if handshake:
            s.handshake()
        s.sock.sendall(payload)
        time.sleep(linger)
        s.close()
    except OSError:
        pass  # the server may well have hung up first
    still_ticking(sess, label)


hostile("a client sending garbage before the handshake", os.urandom(8192), handshake=False)
hostile("a client sending garbage after the handshake", bytes([0xEE]) + os.urandom(4096))
hostile("a ClientCutText of 4 GiB - 1", struct.pack(">BxxxI", 6, 0xFFFFFFFF) + b"x" * 100)
hostile("a SetEncodings of 65535 encodings, then gone", struct.pack(">BxH", 2, 0xFFFF) + b"\0" * 40, linger=0)
hostile("half a PointerEvent, then silence", b"\x05\x00", linger=1.0)
many = []
for _ in range(40):
    try:
        many.append(socket.create_connection(("127.0.0.1", BASE + d), timeout=2))
    except OSError:
        pass
time.sleep(1)
for s in many:
    s.close()
still_ticking(sess, "40 clients at once")
good_client("after the hostile clients")

# A real VNC viewer: vncsnapshot (TightVNC's) takes a JPEG of the screen.
vs = shutil.which("vncsnapshot")
if vs:
    shot = os.path.join(tmp, "snap.jpg")
    p = subprocess.run([vs, "-quiet", "-allowblank", f"127.0.0.1:{d}", shot], capture_output=True, text=True,
                       timeout=60)
    size = None
    if os.path.exists(shot):
        data = open(shot, "rb").read()
        m = re.search(rb"\xff\xc0..\x08(..)(..)", data, re.S)
        if m:
            size = (struct.unpack(">H", m.group(2))[0], struct.unpack(">H", m.group(1))[0])
    report(p.returncode == 0 and size == (640, 480), "vncsnapshot takes a 640x480 snapshot from rewind's server",
           f"rc={p.returncode} size={size} {p.stderr[-300:]}")
else:
    report(True, "vncsnapshot # SKIP not installed")

# noVNC over the WebSocket listener, in headless Chromium.
novnc = "/usr/share/novnc"
chrome = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
if os.path.isdir(novnc) and chrome:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=novnc)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/vnc_lite.html?host=127.0.0.1&port={ws_port}"
    # Headless Chromium's virtual time can run out before a WebSocket
    # handshake done in real time completes on a loaded machine (the page then
    # still says "Connecting"): up to three tries.
    status = None
    for _ in range(3):
        with tempfile.TemporaryDirectory(prefix="headless-") as prof:
            p = subprocess.run([chrome, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--user-data-dir=" + prof, "--virtual-time-budget=8000", "--dump-dom", url],
                               capture_output=True, text=True, timeout=120)
        m = re.search(r'<div id="status">([^<]*)</div>', p.stdout)
        status = m.group(1) if m else None
        if status is not None and status != "Connecting":
            break
    httpd.shutdown()
    report(status is not None and status.startswith("Connected") and "rewind" in status,
           "noVNC connects over websocket= in headless Chromium", f"status={status!r} {p.stderr[-300:]}")
else:
    report(True, "noVNC in Chromium # SKIP novnc or chromium missing")

still_ticking(sess, "the real viewers")
sess.p.stdin.write(b"poweroff -f\n")
rc, err = sess.finish(timeout=30)
report(rc == 0 and "rewind:" not in err, "rewind exits cleanly", f"rc={rc} {err[-300:]}")

# ---- end to end: a shell on the framebuffer console typed into over VNC ----------
# (Checked against qemu-system-riscv64 7.2 as the emulator, which needs
# -global virtio-mmio.force-legacy=false for the guest to take virtio-input
# and virtio-gpu: all its checks pass there.)
help_run = run(["-device", "help"])
devices = help_run.stdout + help_run.stderr
if "virtio-gpu-device" not in devices:
    report(True, "end to end: type into a shell on tty1 over VNC # SKIP -device virtio-gpu-device is unknown")
    done()

d = free_display()
sess = Session(LINUX + ["-device", "virtio-gpu-device", "-device", "virtio-keyboard-device",
                        "-device", "virtio-tablet-device", "-vnc", f"127.0.0.1:{d}"])
booted = sess.expect(PROMPT, timeout=120)
report(booted, "Linux boots with virtio-gpu, virtio-keyboard, virtio-tablet and -vnc", sess.out[-400:])
if booted:
    # A shell of its own on tty1, the framebuffer console.
    sess.p.stdin.write(b"setsid sh -c 'exec sh </dev/tty1 >/dev/tty1 2>&1' &\n")
    time.sleep(2)
    c = RfbClient(("127.0.0.1", BASE + d), timeout=30)
    c.handshake()
    c.set_encodings([ZLIB, RAW, DESKTOP_SIZE])
    for _ in range(3):  # a desktop-size change may come first
        c.update()
        if any(c.pixels):
            break
    report(any(c.pixels), "the client sees the guest's console (text on the framebuffer), not a black screen",
           f"{c.width}x{c.height}")


    def screen_changes(before, seconds=10):
        end = time.monotonic() + seconds
        try:
            while time.monotonic() < end:
                c.update(incremental=True)
                if c.pixels != before:
                    return True
        except OSError:
            pass  # no update within the socket timeout: unchanged
        return False

    # Text the guest writes on tty1 (from the serial shell) reaches the client.
    before = list(c.pixels)
    sess.p.stdin.write(b"echo 'hello from the serial console' > /dev/tty1\n")
    report(screen_changes(before), "text written to tty1 shows up in the picture the client receives")
    before = list(c.pixels)
    c.type_text("echo VNC_TYPED_$((6*7)) > /tmp/vnc_ok\n")
    time.sleep(2)
    sess.p.stdin.write(b"cat /tmp/vnc_ok\n")
    ok = sess.expect(re.compile(rb"VNC_TYPED_42"), timeout=30)
    report(ok, "keys typed over VNC run a command in the tty1 shell (seen on serial)", sess.out[-300:])
    report(screen_changes(before), "the typed text changes the picture the client receives")
    c.pointer(0, 10, 10)
    c.pointer(1, 20, 20)
    c.pointer(0, 20, 20)
    c.close()
    sess.p.stdin.write(b"poweroff -f\n")
    rc, err = sess.finish(timeout=30)
    report(rc == 0, "rewind exits cleanly after the end-to-end run", err[-300:])
else:
    sess.p.kill()
done()
