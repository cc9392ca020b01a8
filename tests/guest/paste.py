"""Pastes into a guest's serial console and times how long it takes to arrive.

Shared by the paste functional test and bench/run-paste.py. Two guests:
 - the bare-metal echo program (tests/functional/chardev_echo.S): no FIFO,
   one byte per interrupt, echoes each byte upper-cased, '!' powers off;
 - the Linux test guest: the paste goes to `cat > FILE` at the shell, then
   the file's length and checksum are compared.
The console is the emulator's stdio or a unix socket (`-serial unix:`).
"""
import hashlib
import os
import random
import re
import select
import socket
import subprocess
import tempfile
import time

from guest_session import PROMPT, Session


def paste_text(n, seed=1):
    rng = random.Random(seed)
    return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(n))


class SocketConsole:
    """The emulator with its serial port on a unix socket we connect to."""

    def __init__(self, argv):
        self.dir = tempfile.mkdtemp(prefix="rewind-paste-")
        path = os.path.join(self.dir, "serial.sock")
        self.p = subprocess.Popen(argv + ["-serial", f"unix:{path},server=on,wait=on", "-monitor", "none"],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline or self.p.poll() is not None:
                    raise RuntimeError("no serial socket: " + self.p.stderr.read().decode(errors="replace")[-300:])
                time.sleep(0.05)
        self.out = b""

    def write(self, data):
        self.s.sendall(data)

    def read_until(self, done, timeout):
        deadline = time.monotonic() + timeout
        while not done(self.out) and time.monotonic() < deadline:
            r, _, _ = select.select([self.s], [], [], 0.2)
            if r:
                data = self.s.recv(65536)
                if not data:
                    break
                self.out += data
        return done(self.out)

    def close(self):
        self.s.close()
        try:
            self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


class StdioConsole:
    def __init__(self, argv):
        self.sess = Session(argv + ["-serial", "stdio", "-monitor", "none"])

    @property
    def out(self):
        return self.sess.out

    def write(self, data):
        self.sess.p.stdin.write(data)

    def read_until(self, done, timeout):
        deadline = time.monotonic() + timeout
        while not done(self.sess.out) and time.monotonic() < deadline:
            if not self.sess.pump(0.2):
                break
        return done(self.sess.out)

    def close(self):
        self.sess.finish(20)


def console(kind, argv):
    return SocketConsole(argv) if kind == "socket" else StdioConsole(argv)


def paste_echo(emu, echo_elf, kind, n, timeout=60):
    """Bare-metal echo guest: seconds for n bytes to come back (None if they did not)."""
    c = console(kind, [emu, "-M", "virt", "-bios", "none", "-kernel", echo_elf, "-display", "none"])
    try:
        if not c.read_until(lambda o: b"echo: ready\n" in o, 20):
            return None
        text = paste_text(n)
        start = len(c.out)
        t0 = time.monotonic()
        c.write(text)
        ok = c.read_until(lambda o: len(o) - start >= n, timeout)
        secs = time.monotonic() - t0
        back = c.out[start:start + n]
        c.write(b"!")
        return secs if ok and back == text.upper() else None
    finally:
        c.close()


def paste_linux(emu, kernel, initrd, kind, n, extra=(), timeout=60):
    """Linux guest: seconds from the first pasted byte to the shell prompt after
    `cat > /tmp/p` took all of it (None if the file is not the paste)."""
    argv = [emu, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0",
            "-display", "none", *extra]
    c = console(kind, argv)
    try:
        if not c.read_until(lambda o: PROMPT.search(o), 120):
            return None
        text = paste_text(n)
        # 80-column lines: the tty's line discipline takes at most 4095 per line.
        lines = b"\n".join(text[i:i + 79] for i in range(0, len(text), 79)) + b"\n"
        want = hashlib.md5(lines).hexdigest().encode()
        seen = len(c.out)
        c.write(b"stty -echo; cat > /tmp/p\n")
        time.sleep(0.5)
        seen = len(c.out)
        t0 = time.monotonic()
        c.write(lines + b"\x04")
        ok = c.read_until(lambda o: PROMPT.search(o, seen), timeout)
        secs = time.monotonic() - t0
        seen = len(c.out)
        c.write(b"md5sum /tmp/p; poweroff -f\n")
        got = c.read_until(lambda o: re.search(rb"[0-9a-f]{32}", o[seen:]), 30)
        match = got and want in c.out[seen:]
        return secs if ok and match else None
    finally:
        c.close()
