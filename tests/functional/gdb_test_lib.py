"""Helpers of the gdb stub tests: start rewind with -S -gdb tcp::PORT, run
gdb-multiarch in batch mode, speak the raw protocol."""
import re
import shutil
import socket
import subprocess
import time

from host_ports import free_port  # noqa: F401 (re-exported to the gdb tests)

GDB = shutil.which("gdb-multiarch")


def listening(port):
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                for line in f.readlines()[1:]:
                    cols = line.split()
                    if cols[1].endswith(":%04X" % port) and cols[3] == "0A":
                        return True
        except OSError:
            pass
    return False


def start(argv, port):
    p = subprocess.Popen(argv + ["-S", "-gdb", f"tcp::{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    # Wait until it listens (a probe connection would count as a debugger).
    for _ in range(400):
        if listening(port) or p.poll() is not None:
            break
        time.sleep(0.05)
    return p


def gdb(elf, port, cmds, timeout=300):
    args = [GDB, "-batch", "-nx", elf, "-ex", "set confirm off", "-ex", f"target remote :{port}"]
    for c in cmds:
        args += ["-ex", c]
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return r.stdout + r.stderr


def finish(p, timeout=60):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return -1, err
    return p.returncode, err


def values(out):
    return re.findall(r"^\$\d+ = (0x[0-9a-f]+|-?\d+)$", out, re.M)


def symbol(elf, name):
    r = subprocess.run(["riscv64-linux-gnu-nm", elf], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    return None


class Raw:
    """A bare gdb protocol client (no-ack mode after QStartNoAckMode)."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=600)
        self.buf = b""

    def cmd(self, body):
        self.s.sendall(b"$" + body + b"#" + ("%02x" % (sum(body) & 0xff)).encode())
        while True:
            m = re.search(rb"\$([^#]*)#..", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m.group(1).decode()
            data = self.s.recv(65536)
            if not data:
                raise ConnectionError("the stub closed the connection")
            self.buf += data

    def pc(self):
        return int.from_bytes(bytes.fromhex(self.cmd(b"p20")), "little")

    def close(self):
        self.s.close()
