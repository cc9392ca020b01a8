#!/usr/bin/env python3
"""Functional tests of rewind's character devices and HMP monitor (TAP).

Usage: chardev_test.py REWIND ECHO_ELF. ECHO_ELF (chardev_echo.S) prints
"echo: ready", answers each byte upper-cased and powers off on '!'.
"""
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, report  # noqa: E402
from host_ports import free_port  # noqa: E402

REWIND, ECHO = sys.argv[1], sys.argv[2]
BASE = [REWIND, "-M", "virt", "-bios", "none", "-kernel", ECHO]
PROMPT = "(qemu) "  # literal (str patterns are literal, bytes patterns are regexes)


class Stream:
    """Reads a file descriptor or socket until a pattern shows up."""

    def __init__(self, read, fileno):
        self.read, self.fileno, self.buf = read, fileno, b""

    def expect(self, pattern, timeout=10):
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern if isinstance(pattern, bytes) else re.escape(pattern.encode()))
        while True:
            m = rx.search(self.buf)
            if m:
                seen, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return seen
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {pattern!r} in {self.buf[-300:]!r}")
            r, _, _ = select.select([self.fileno], [], [], left)
            if r:
                data = self.read()
                if not data:
                    raise EOFError(f"closed while waiting for {pattern!r}; got {self.buf[-300:]!r}")
                self.buf += data


def sock_stream(s):
    return Stream(lambda: s.recv(65536), s.fileno())


def fd_stream(fd):
    def rd():
        try:
            return os.read(fd, 65536)
        except OSError:
            return b""
    return Stream(rd, fd)


def connect(family, addr, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            s.connect(addr)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def start(args, **kw):
    return subprocess.Popen(BASE + args, stdin=kw.get("stdin", subprocess.DEVNULL),
                            stdout=kw.get("stdout", subprocess.DEVNULL), stderr=subprocess.PIPE)


def finish(p, timeout=10):
    try:
        rc = p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None, p.stderr.read().decode(errors="replace")
    return rc, p.stderr.read().decode(errors="replace")


def run_case(desc, body):
    """body() returns (ok, why) or raises."""
    try:
        ok, why = body()
    except Exception as e:  # noqa: BLE001 - any failure is a test failure
        ok, why = False, f"{type(e).__name__}: {e}"
    report(ok, desc, why)


def exit_ok(p):
    rc, err = finish(p)
    return rc == 0, f"exit {rc}, stderr: {err.strip()[-300:]}"


tmp = tempfile.mkdtemp(prefix="rewind-chardev-")


def socket_server(family, addr, serial):
    p = start(["-display", "none", "-serial", serial])
    try:
        s = connect(family, addr)
        st = sock_stream(s)
        s.sendall(b"abc")
        st.expect("ABC")
        s.close()  # a second client is accepted after the first leaves
        s = connect(family, addr)
        st = sock_stream(s)
        s.sendall(b"xyz")
        st.expect("XYZ")
        s.sendall(b"!")
        return exit_ok(p)
    finally:
        if p.poll() is None:
            p.kill()


port = free_port()
run_case("-serial tcp:127.0.0.1:PORT,server=on,wait=off carries the console (and takes a second client)",
         lambda: socket_server(socket.AF_INET, ("127.0.0.1", port), f"tcp:127.0.0.1:{port},server=on,wait=off"))
usock = os.path.join(tmp, "serial.sock")
run_case("-serial unix:PATH,server=on,wait=off carries the console",
         lambda: socket_server(socket.AF_UNIX, usock, f"unix:{usock},server=on,wait=off"))


def wait_on():
    port = free_port()
    p = start(["-display", "none", "-chardev", f"socket,id=s0,host=127.0.0.1,port={port},server=on,wait=on,nodelay=on",
               "-serial", "chardev:s0"])
    try:
        line = p.stderr.readline().decode()
        want = f"rewind: waiting for connection on: disconnected:tcp:127.0.0.1:{port},server=on"
        if line.strip() != want:
            return False, f"stderr {line!r}, expected {want!r}"
        s = connect(socket.AF_INET, ("127.0.0.1", port))
        st = sock_stream(s)
        st.expect("echo: ready")  # nothing was lost: the guest started after the connection
        s.sendall(b"q!")
        st.expect("Q")
        return exit_ok(p)
    finally:
        if p.poll() is None:
            p.kill()


run_case("-chardev socket,server=on,wait=on waits for the client, prints QEMU's line", wait_on)


def client_mode():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    p = start(["-display", "none", "-serial", f"tcp:127.0.0.1:{port}"])
    try:
        srv.settimeout(10)
        c, _ = srv.accept()
        st = sock_stream(c)
        st.expect("echo: ready")
        c.sendall(b"m!")
        st.expect("M")
        return exit_ok(p)
    finally:
        srv.close()
        if p.poll() is None:
            p.kill()


run_case("-serial tcp:HOST:PORT (client) connects at startup", client_mode)


def pty():
    p = start(["-display", "none", "-serial", "pty"])
    try:
        line = p.stderr.readline().decode()
        m = re.match(r"char device redirected to (/dev/pts/\d+) \(label serial0\)$", line.strip())
        if not m:
            return False, f"stderr {line!r}"
        fd = os.open(m.group(1), os.O_RDWR | os.O_NOCTTY)
        st = fd_stream(fd)
        os.write(fd, b"pty")
        st.expect("PTY")
        os.write(fd, b"!")
        r = exit_ok(p)
        os.close(fd)
        return r
    finally:
        if p.poll() is None:
            p.kill()


run_case("-serial pty: the printed /dev/pts/N carries the console", pty)


def pipe():
    base = os.path.join(tmp, "fifo")
    os.mkfifo(base + ".in")
    os.mkfifo(base + ".out")
    p = start(["-display", "none", "-serial", f"pipe:{base}"])
    try:
        out = os.open(base + ".out", os.O_RDONLY | os.O_NONBLOCK)
        inp = os.open(base + ".in", os.O_WRONLY)
        st = fd_stream(out)
        st.expect("echo: ready")
        os.write(inp, b"fifo!")
        st.expect("FIFO")
        r = exit_ok(p)
        os.close(out)
        os.close(inp)
        return r
    finally:
        if p.poll() is None:
            p.kill()


run_case("-serial pipe:PATH (PATH.in/PATH.out FIFOs) carries the console", pipe)


def file_backend():
    inp, outp = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    with open(inp, "wb") as f:
        f.write(b"file input!")
    p = start(["-display", "none", "-chardev", f"file,id=f0,path={outp},input-path={inp}", "-serial", "chardev:f0"])
    ok, why = exit_ok(p)
    data = open(outp, "rb").read()
    return ok and data == b"echo: ready\nFILE INPUT", f"{why}; file has {data!r}"


run_case("-chardev file,path=,input-path= writes the console to a file and reads input from one", file_backend)


def file_output():
    path = f"{tmp}/f2.txt"
    p = start(["-display", "none", "-serial", f"file:{path}"])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            data = open(path, "rb").read() if os.path.exists(path) else b""
            if data == b"echo: ready\n":
                return True, ""
            time.sleep(0.1)
        return False, f"file has {data!r}"
    finally:
        p.kill()
        p.wait()


run_case("-serial file:PATH writes the console (flushed while the guest idles)", file_output)


def mon_stdio(extra):
    p = start(["-nographic"] + extra, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        st = fd_stream(p.stdout.fileno())
        st.expect("echo: ready")
        p.stdin.write(b"s")
        p.stdin.flush()
        st.expect("S")
        p.stdin.write(b"\x01c")
        p.stdin.flush()
        st.expect("rewind 0.1.0 monitor - type 'help' for more information\r\n(qemu) ")
        p.stdin.write(b"info status\r")
        p.stdin.flush()
        st.expect("VM status: running\r\n(qemu) ")
        p.stdin.write(b"\x01cw")  # back to the console
        p.stdin.flush()
        st.expect("W")
        p.stdin.write(b"\x01h")
        p.stdin.flush()
        st.expect("C-a c    switch between console and monitor")
        p.stdin.write(b"\x01x")
        p.stdin.flush()
        st.expect("Terminated")
        return exit_ok(p)
    finally:
        if p.poll() is None:
            p.kill()


run_case("-nographic: serial and monitor share stdio; C-a c switches, info status, C-a x quits", lambda: mon_stdio([]))
run_case("-serial mon:stdio: the same", lambda: mon_stdio(["-serial", "mon:stdio"]))


def monitor_socket():
    msock, ssock = os.path.join(tmp, "mon.sock"), os.path.join(tmp, "ser.sock")
    p = start(["-display", "none", "-monitor", f"unix:{msock},server=on,wait=off",
               "-serial", f"unix:{ssock},server=on,wait=off"])
    try:
        m = connect(socket.AF_UNIX, msock)
        ms = sock_stream(m)
        ser = connect(socket.AF_UNIX, ssock)
        ss = sock_stream(ser)
        ms.expect("rewind 0.1.0 monitor - type 'help' for more information\r\n(qemu) ")

        def cmd(line, expect=None):
            m.sendall(line.encode() + b"\r\n")
            out = ms.expect(PROMPT)
            if expect is not None and not re.search(expect, out):
                raise AssertionError(f"{line!r}: no /{expect.decode()}/ in {out!r}")
            return out

        cmd("info status", rb"VM status: running\r\n")
        cmd("info registers", rb" pc       [0-9a-f]{16}\r\n")
        cmd("xp /4xw 0x80000000", rb"0000000080000000: 0x[0-9a-f]{8} 0x[0-9a-f]{8} 0x[0-9a-f]{8} 0x[0-9a-f]{8}\r\n")
        cmd("x /2i 0x80000000", rb"0x0000000080000000:  [0-9a-f]{4,8} +\S")
        cmd("info mtree", rb"0000000010000000-00000000100000ff \(prio 0, i/o\): ns16550a")
        cmd("info qtree", rb"dev: ns16550a")
        cmd("info replay", rb"Record/replay is not active")
        cmd("frobnicate", rb"unknown command: 'frobnicate'")
        cmd("xp /4xw", rb"xp: missing address")
        cmd("stop")
        cmd("info status", rb"VM status: paused\r\n")
        ser.sendall(b"p")
        try:
            ss.expect("P", timeout=1)
            return False, "the guest ran while stopped"
        except TimeoutError:
            pass
        cmd("cont")
        ss.expect("P")  # the input waited and the guest takes it now
        cmd("info status", rb"VM status: running\r\n")
        cmd("system_reset")
        ss.expect("echo: ready")  # the guest started again
        m.sendall(b"quit\r\n")
        return exit_ok(p)
    finally:
        if p.poll() is None:
            p.kill()


run_case("-monitor unix:...,server=on,wait=off: info, xp, x /i, stop/cont, system_reset, quit", monitor_socket)


def terminal(stop):
    """-nographic on a terminal: raw mode while running (no echo, ^C to the guest), restored after."""
    import pty
    import signal
    import termios
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    p = subprocess.Popen(BASE + ["-nographic"], stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    try:
        st = fd_stream(master)
        st.expect("echo: ready")
        lflag = termios.tcgetattr(master)[3]
        if lflag & (termios.ECHO | termios.ICANON | termios.ISIG):
            return False, "the terminal is not in raw mode (with signals off) while running"
        if stop == "C-a x":
            os.write(master, b"\x01x")
        else:
            p.send_signal(signal.SIGTERM)
        rc = p.wait(10)
        after = termios.tcgetattr(master)
        return after == before and rc in (0, 128 + signal.SIGTERM), f"exit {rc}; terminal restored: {after == before}"
    finally:
        if p.poll() is None:
            p.kill()
        os.close(master)


run_case("stdio on a terminal: raw while running, restored after C-a x", lambda: terminal("C-a x"))
run_case("stdio on a terminal: restored after SIGTERM", lambda: terminal("SIGTERM"))


def idle_costs_nothing():
    p = start(["-display", "none", "-serial", "null"])
    try:
        time.sleep(1.0)
        def cpu():
            f = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        c0 = cpu()
        time.sleep(2.0)
        used = cpu() - c0
        return used < 0.3, f"{used:.2f} s of CPU in 2 s idle"
    finally:
        p.kill()
        p.wait()


run_case("a guest idle in WFI costs (almost) no host CPU", idle_costs_nothing)


# A paste reaches the guest as fast as the guest takes it: the echo guest has
# no FIFO and sleeps in WFI between bytes, so each byte it reads must bring
# the next one at once, not at the next host poll (which once made this
# about 10 bytes/s).
PASTE = bytes(b"abcdefghijklmnopqrstuvwxyz0123456789 "[(i * i + 7 * i) % 37] for i in range(20000))


def paste_stdio():
    t0 = time.monotonic()
    p = subprocess.run(BASE + ["-display", "none", "-serial", "stdio", "-monitor", "none"], input=PASTE + b"!",
                       capture_output=True, timeout=60)
    secs = time.monotonic() - t0
    echoed = p.stdout.split(b"echo: ready", 1)[-1].lstrip(b"\r\n")
    ok = p.returncode == 0 and echoed == PASTE.upper() and secs < 10
    return ok, f"exit {p.returncode}, {len(echoed)} of {len(PASTE)} bytes back in {secs:.2f} s"


def paste_socket():
    path = os.path.join(tmp, "paste.sock")
    p = start(["-display", "none", "-serial", f"unix:{path},server=on,wait=off", "-monitor", "none"])
    try:
        s = connect(socket.AF_UNIX, path)
        t0 = time.monotonic()
        s.sendall(PASTE)
        got = b""
        ready = b"echo: ready\n"  # only if the client came before the guest printed it
        while len(got) < len(PASTE) + (len(ready) if got.startswith(ready) else 0) and time.monotonic() - t0 < 20:
            r, _, _ = select.select([s], [], [], 1)
            if r:
                data = s.recv(65536)
                if not data:
                    break
                got += data
        secs = time.monotonic() - t0
        got = got[len(ready):] if got.startswith(ready) else got
        s.sendall(b"!")
        ok, why = exit_ok(p)
        return ok and got == PASTE.upper() and secs < 10, f"{len(got)} of {len(PASTE)} bytes echoed in {secs:.2f} s; {why}"
    finally:
        if p.poll() is None:
            p.kill()


run_case("a 20000-byte paste on stdio reaches a guest without a FIFO in bounded time", paste_stdio)
run_case("a 20000-byte paste on a unix socket reaches a guest without a FIFO in bounded time", paste_socket)

done()
