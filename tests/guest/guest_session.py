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


HMP_PROMPT = b"(qemu) "


class HmpPipe:
    """An emulator with its HMP monitor on stdin/stdout pipes (-monitor stdio)."""

    def __init__(self, argv, first_commands=b""):
        r, w = os.pipe()
        # Commands written before the start are read at the first host poll,
        # a few instructions into the replay.
        os.write(w, first_commands)
        self.p = subprocess.Popen(argv, stdin=r, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        os.close(r)
        self.w = w
        self.buf = b""

    def read_until_prompt(self, timeout=300):
        end = time.monotonic() + timeout
        while HMP_PROMPT not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no monitor prompt; got: %r" % self.buf[-300:])
            rd, _, _ = select.select([self.p.stdout], [], [], left)
            if rd:
                data = os.read(self.p.stdout.fileno(), 65536)
                if not data:
                    raise EOFError("rewind exited; got: %r" % self.buf[-300:])
                self.buf += data
        out, self.buf = self.buf.split(HMP_PROMPT, 1)
        return out.decode(errors="replace")

    def cmd(self, line, timeout=300):
        """Runs one command; returns what it printed (without the echoed line)."""
        os.write(self.w, line.encode() + b"\n")
        out = self.read_until_prompt(timeout)
        first, _, rest = out.partition("\n")
        return rest if first.strip() == line.strip() else out

    def wait_paused(self, timeout=300):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if "paused" in self.cmd("info status"):
                return True
            time.sleep(0.05)
        return False

    def finish(self, timeout=300):
        os.close(self.w)
        try:
            out, err = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, err = self.p.communicate()
        return self.p.returncode, err.decode(errors="replace")
