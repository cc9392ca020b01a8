"""Drive an emulator running the test guest over its serial console on a pipe.

Shared by the record/replay functional test and the record/replay benchmark.
"""
import os
import re
import select
import subprocess
import time

PROMPT = re.compile(rb"root@rewind:[^\r\n]*# $")


def build_guest():
    """(kernel, initrd) of the test guest: build-guest.sh builds it on first use
    and caches it. Raises subprocess.CalledProcessError when it cannot."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build-guest.sh")
    out = subprocess.run([script], capture_output=True, text=True, check=True).stdout
    return re.search(r"^KERNEL=(.*)$", out, re.M).group(1), re.search(r"^INITRD=(.*)$", out, re.M).group(1)


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


