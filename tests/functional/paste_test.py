#!/usr/bin/env python3
"""A large paste at the Linux test guest's shell arrives complete, in bounded
time, on stdio and on a unix socket (TAP). Usage: paste_test.py REWIND.
(The bare-metal case, a guest without a FIFO, is in chardev_test.py.)"""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "guest"))
import paste  # noqa: E402
from guest_session import build_guest  # noqa: E402

from tap import done, report  # noqa: E402

REWIND = sys.argv[1]

try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    report(False, "build the test guest", e.stderr[-300:])
    done()

for kind in ("stdio", "socket"):
    for extra in ((), ("-icount", "shift=7")):
        secs = paste.paste_linux(REWIND, kernel, initrd, kind, 4000, extra=extra, timeout=60)
        label = f"a 4000-byte paste into cat at the Linux shell on {kind}{' with -icount' if extra else ''}"
        report(secs is not None and secs < 3, label + " arrives complete within 3 s",
               "incomplete or wrong" if secs is None else f"took {secs:.2f} s")
done()
