#!/usr/bin/env python3
"""The screen over VNC, rewind vs qemu-system-riscv64, same guest and options.

  bench/run-display.py [-n RUNS] [--seconds 10] [--only rewind|qemu]

Both emulators boot the Linux test guest with
`-device virtio-gpu-device,xres=1024,yres=768 -vnc 127.0.0.1:N` and a VNC
client (tests/functional/rfb_client.py, raw encoding, one incremental update
request outstanding at all times, as a viewer keeps) attached:

  - fps: the guest redraws the screen in a loop; the client counts the
    pixels it receives, and fps is that area per second in whole frames
    (partial updates add up). --workload console (the default): 300 KB of
    base64 text `cat` to /dev/tty1 again and again, so fbcon scrolls and
    redraws the screen; --workload fb: two random 1024x768 frames prepared in
    tmpfs, `cat` alternately to /dev/fb0. (With the test guest's Linux 6.1,
    write()s to the DRM fbdev emulation's /dev/fb0 reach neither QEMU's
    screen nor a VNC client: the fbdev emulation flushes no damage for
    them, so `fb` measures ~0 on QEMU 7.2 too.)
  - idle: the same guest at its shell prompt, nothing drawing, the client
    attached; the emulator's host CPU time (utime + stime from /proc) per
    second of wall time, in percent of one core.

Runs alternate between the emulators; medians are printed with the ratio.
The fps part needs rewind's virtio-gpu (the gpu branch). Without it (or with
--no-gpu) both emulators run without a display device and only the idle
figure is measured (the VNC server then shows its placeholder).
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..")
sys.path.insert(0, os.path.join(root, "tests", "guest"))
sys.path.insert(0, os.path.join(root, "tests", "functional"))
from guest_session import PROMPT, Session, build_guest  # noqa: E402
from host_ports import free_port  # noqa: E402
from rfb_client import DESKTOP_SIZE, RAW, RfbClient  # noqa: E402

W, H = 1024, 768


def emulators(only):
    rewind = os.environ.get("REWIND", os.path.join(root, "build", "rewind"))
    qemu = shutil.which("qemu-system-riscv64")
    out = []
    if only in (None, "rewind"):
        out.append(("rewind", rewind))
    if only in (None, "qemu") and qemu:
        out.append(("qemu", qemu))
    return out


def has_gpu(binary):
    p = subprocess.run([binary, "-device", "help"], capture_output=True, text=True)
    return "virtio-gpu-device" in p.stdout + p.stderr


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def boot(binary, kernel, initrd, gpu):
    while True:
        port = free_port()
        if port > 5900:
            break
    argv = [binary, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0", "-serial", "stdio", "-monitor", "none",
            "-vnc", f"127.0.0.1:{port - 5900}"]
    if gpu:
        # QEMU's virt makes virtio-mmio legacy by default: the guest's
        # virtio-gpu driver wants virtio 1.x.
        if "qemu" in os.path.basename(binary):
            argv += ["-global", "virtio-mmio.force-legacy=false"]
        argv += ["-device", f"virtio-gpu-device,xres={W},yres={H}"]
    sess = Session(argv)
    if not sess.expect(PROMPT, timeout=180):
        sess.p.kill()
        raise RuntimeError(f"{binary}: no shell prompt: {sess.out[-300:]!r}")
    return sess, port


class Viewer(threading.Thread):
    """Keeps one incremental request outstanding; counts pixels received."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.c = RfbClient(("127.0.0.1", port), timeout=30)
        self.c.handshake()
        self.c.set_encodings([RAW, DESKTOP_SIZE])
        self.c.update()
        self.pixels = 0
        self.stop = False

    def run(self):
        try:
            while not self.stop:
                for x, y, w, h, enc in self.c.update(incremental=True):
                    if enc == RAW:
                        self.pixels += w * h
        except (OSError, Exception):  # noqa: BLE001
            pass


def pump(sess, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sess.pump(0.05)


def measure(binary, kernel, initrd, seconds, gpu, workload):
    sess, port = boot(binary, kernel, initrd, gpu)
    try:
        pump(sess, 3)  # the console settles
        viewer = Viewer(port)
        size = (viewer.c.width, viewer.c.height)
        viewer.start()
        pump(sess, 1)
        t0, c0 = time.monotonic(), cpu_seconds(sess.p.pid)
        pump(sess, seconds)
        idle_cpu = (cpu_seconds(sess.p.pid) - c0) / (time.monotonic() - t0) * 100
        if not gpu:
            viewer.stop = True
            viewer.c.close()
            return None, idle_cpu, size
        if workload == "fb":
            sess.p.stdin.write(f"dd if=/dev/urandom of=/tmp/a bs=4096 count={W * H * 4 // 4096} 2>/dev/null; "
                               f"dd if=/dev/urandom of=/tmp/b bs=4096 count={W * H * 4 // 4096} 2>/dev/null; "
                               "echo FRAMES-READY\n".encode())
            loop = b"while :; do cat /tmp/a > /dev/fb0 2>/dev/null; cat /tmp/b > /dev/fb0 2>/dev/null; done &\n"
        else:
            sess.p.stdin.write(b"head -c 300000 /dev/urandom | base64 > /tmp/t; echo FRAMES-READY\n")
            loop = b"while :; do cat /tmp/t > /dev/tty1; done &\n"
        if not sess.expect(re.compile(rb"^FRAMES-READY", re.M), timeout=120):
            raise RuntimeError("the frames were not made")
        sess.p.stdin.write(loop)
        pump(sess, 2)
        p0, t0 = viewer.pixels, time.monotonic()
        pump(sess, seconds)
        fps = (viewer.pixels - p0) / (W * H) / (time.monotonic() - t0)
        viewer.stop = True
        viewer.c.close()
        return fps, idle_cpu, size
    finally:
        sess.p.kill()
        sess.p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--only", choices=["rewind", "qemu"])
    ap.add_argument("--no-gpu", action="store_true", help="idle figure only, without a display device")
    ap.add_argument("--workload", choices=["console", "fb"], default="console",
                    help="console: text scrolling on tty1 (fbcon redraws the screen); fb: frames written to /dev/fb0")
    args = ap.parse_args()
    kernel, initrd = build_guest()
    emus = emulators(args.only)
    gpu = not args.no_gpu and all(has_gpu(b) for _, b in emus)
    if not gpu:
        print("no virtio-gpu-device in every emulator (or --no-gpu): idle CPU only, no display device")
    results = {name: {"fps": [], "idle": []} for name, _ in emus}
    for run in range(args.n):
        for name, binary in emus:
            fps, idle, size = measure(binary, kernel, initrd, args.seconds, gpu, args.workload)
            if fps is not None:
                results[name]["fps"].append(fps)
            results[name]["idle"].append(idle)
            fps_text = f"fps {fps:6.2f}" if fps is not None else "fps    n/a"
            print(f"run {run + 1} {name:6s} screen {size[0]}x{size[1]}  {fps_text}  idle CPU {idle:5.1f}%",
                  flush=True)
    med = {n: {k: statistics.median(v) if v else None for k, v in r.items()} for n, r in results.items()}
    screen = f"virtio-gpu {W}x{H}" if gpu else "no display device"
    print(f"\nmedians of {args.n} runs, {args.seconds:g} s each, {screen}, raw encoding")
    for n, m in med.items():
        fps_text = f"fps {m['fps']:6.2f}" if m["fps"] is not None else "fps n/a"
        print(f"  {n:6s} {fps_text}  idle CPU with a client {m['idle']:5.1f}% of a core")
    if "rewind" in med and "qemu" in med:
        if med["qemu"]["fps"]:
            print(f"  rewind/QEMU fps x{med['rewind']['fps'] / med['qemu']['fps']:.2f}")
        print(f"  rewind/QEMU idle CPU x{med['rewind']['idle'] / max(med['qemu']['idle'], 0.01):.2f}")


if __name__ == "__main__":
    main()
