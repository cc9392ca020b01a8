#!/usr/bin/env python3
"""Full-screen redraws through virtio-gpu, rewind vs qemu-system-riscv64.

  bench/run-fb-redraw.py [-n RUNS] [--frames 30] [--xres 1024 --yres 768]

The Linux test guest (virtio-gpu DRM, fbdev) writes a whole frame of random
pixels to /dev/fb0 FRAMES times; the host times it between markers the
guest prints. Each write makes the kernel's fbdev damage worker copy the
frame to the device's resource and send TRANSFER_TO_HOST_2D + RESOURCE_FLUSH
(the worker may merge writes that come faster than it runs, on both
emulators alike). No display client is attached. Runs alternate between the
emulators; medians. Prints frames per second and rewind / QEMU.
"""
import argparse
import os
import re
import shutil
import statistics
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "guest"))
from guest_session import PROMPT, Session, build_guest  # noqa: E402


def one_run(emu, kernel, initrd, args):
    s = Session([emu, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
                 "-serial", "stdio", "-monitor", "none", "-append", "console=ttyS0",
                 "-global", "virtio-mmio.force-legacy=false",
                 "-device", f"virtio-gpu-device,xres={args.xres},yres={args.yres}"])
    if not s.expect(PROMPT, 300):
        raise RuntimeError(f"{emu}: no prompt")
    size = args.xres * args.yres * 4
    s.type(f"head -c {size} /dev/urandom > /tmp/f; echo 0 > /sys/class/graphics/fbcon/cursor_blink; "
           f"echo ready$((1+1))\n", None)
    if not s.expect(re.compile(rb"\nready2"), 120) or not s.expect(PROMPT, 60):
        raise RuntimeError(f"{emu}: setup failed")
    s.type(f"echo go$((1+1)); for i in $(seq {args.frames}); do dd if=/tmp/f of=/dev/fb0 bs={size} 2>/dev/null; "
           f"done; echo end$((1+1))\n", None)
    s.expect(re.compile(rb"\ngo2"), 60)
    t0 = time.monotonic()
    ok = s.expect(re.compile(rb"\nend2"), 600)
    t = time.monotonic() - t0
    s.type("poweroff -f\n", None)
    s.finish(60)
    if not ok:
        raise RuntimeError(f"{emu}: the redraw loop did not end")
    return args.frames / t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--xres", type=int, default=1024)
    ap.add_argument("--yres", type=int, default=768)
    ap.add_argument("--rewind", default=os.path.join(here, "..", "build", "rewind"))
    args = ap.parse_args()
    qemu = shutil.which("qemu-system-riscv64")
    kernel, initrd = build_guest()
    fps = {"rewind": [], "qemu": []}
    for i in range(args.n):
        for name, emu in (("rewind", args.rewind), ("qemu", qemu)) if i % 2 == 0 else (("qemu", qemu), ("rewind", args.rewind)):
            fps[name].append(one_run(emu, kernel, initrd, args))
            print(f"run {i + 1} {name}: {fps[name][-1]:.1f} frames/s", flush=True)
    r, q = statistics.median(fps["rewind"]), statistics.median(fps["qemu"])
    print(f"{args.xres}x{args.yres}, {args.frames} frames, median of {args.n}: rewind {r:.1f} frames/s, "
          f"QEMU {q:.1f} frames/s, rewind/QEMU {r / q:.2f}")


if __name__ == "__main__":
    main()
