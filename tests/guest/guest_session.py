"""Drive an emulator running the test guest over its serial console on a pipe.

Shared by the record/replay functional test and the record/replay benchmark.
"""
import os
import re
import select
import subprocess
import time

PROMPT = re.compile(rb"root@rewind:[^\r\n]*# $")


class Session:
    """An emulator on a pipe; collects everything it prints on stdout."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, bufsize=0)
        self.out = b""
        self.seen = 0

    def pump(self, timeout):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if r:
            data = os.read(self.p.stdout.fileno(), 65536)
            if not data:
                return False
            self.out += data
        return True

    def expect(self, pattern, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = pattern.search(self.out, self.seen)
            if m:
                self.seen = m.end()
                return True
            if not self.pump(0.2):
                return False
        return False

    def type(self, text, rng):
        # Irregular typing: bursts and single keys with pauses between
        # (rng=None: all at once).
        if rng is None:
            self.p.stdin.write(text.encode())
            return
        i = 0
        while i < len(text):
            k = rng.choice([1, 1, 2, 5, 40])
            self.p.stdin.write(text[i:i + k].encode())
            i += k
            end = time.monotonic() + rng.uniform(0.0, 0.25)
            while time.monotonic() < end:
                self.pump(0.02)

    def finish(self, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.pump(0.2):
            pass
        try:
            self.p.wait(timeout=max(1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        err = self.p.stderr.read().decode(errors="replace")
        return self.p.returncode, err


