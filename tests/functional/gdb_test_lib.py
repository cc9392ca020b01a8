"""Helpers of the gdb stub tests: start rewind with -S -gdb tcp::PORT, run
gdb-multiarch in batch mode, speak the raw protocol; the Linux test guest's
recordings the Linux gdb tests replay under the stub."""
import os
import random
import re
import shutil
import socket
import struct
import subprocess
import sys
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

    def monitor(self, line):
        """A monitor command through qRcmd; its output."""
        reply = self.cmd(b"qRcmd," + line.encode().hex().encode())
        return "" if reply == "OK" else bytes.fromhex(reply).decode(errors="replace")

    def icount(self):
        """The replay's instruction count now (`info replay`)."""
        return int(re.search(r"instruction count = (\d+)", self.monitor("info replay")).group(1))

    def pc(self):
        return int.from_bytes(bytes.fromhex(self.cmd(b"p20")), "little")

    def close(self):
        self.s.close()


# ---- the Linux test guest ------------------------------------------------------------------
HERE = os.path.dirname(os.path.abspath(__file__))
GUEST = os.path.join(HERE, "..", "guest")
# A replay's devices: the console's output goes nowhere, gdb is the only way in.
REPLAY_IO = ["-display", "none", "-serial", "null", "-monitor", "none"]


def linux_guest():
    """KERNEL, INITRD, VMLINUX of the test guest (built and cached by
    build-guest.sh); None after printing the TAP skip line."""
    if not GDB:
        print("1..0 # SKIP gdb-multiarch not installed")
        return None
    r = subprocess.run([os.path.join(GUEST, "build-guest.sh")], capture_output=True, text=True)
    paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    if r.returncode != 0 or not paths.get("VMLINUX") or not os.path.exists(paths["VMLINUX"]):
        print("1..0 # SKIP the test guest (with vmlinux) is not available: " + r.stderr.strip()[-200:])
        return None
    return paths


def linux_machine(rewind, paths):
    """The machine every recording and replay of these tests has (the
    console's backend may differ: it is not part of the machine)."""
    return [rewind, "-M", "virt", "-m", "256M", "-kernel", paths["KERNEL"], "-initrd", paths["INITRD"], "-append",
            "console=ttyS0"]


def final_hash(text):
    m = re.search(r"final state hash (0x[0-9a-f]+)", text)
    return m.group(1) if m else None


def recorded_insns(text):
    m = re.search(r"recorded (\d+) instructions", text)
    return int(m.group(1)) if m else 0


def record_boot(machine, rr, insns, shift=0, timeout=900):
    """Records the first `insns` instructions of the boot, without input: it
    must stop inside the boot (a guest idle at its prompt with no timer
    armed would wait for input for ever). (final state hash or None, stderr)"""
    r = subprocess.run(machine + REPLAY_IO + ["-icount", f"shift={shift},rr=record,rrfile={rr}", "-max-insns",
                                              str(insns)], capture_output=True, text=True, timeout=timeout)
    return final_hash(r.stderr), r.stderr


def record_session(machine, rr, steps, max_insns, shift=7, seed=12):
    """Records a typed Linux session on the serial console: boots to the
    prompt, then for each (command, marker) of `steps` types the command
    irregularly (its keys become the recording's input events) and waits
    for the marker in the output (None: for the prompt). The recording
    stops at `max_insns` instructions, so the last command should still be
    running then. Returns (final state hash or None, stderr, console output)."""
    sys.path.insert(0, GUEST)
    from guest_session import PROMPT, Session
    s = Session(machine + ["-nographic", "-icount", f"shift={shift},rr=record,rrfile={rr}", "-max-insns",
                           str(max_insns)])
    rng = random.Random(seed)
    if s.expect(PROMPT, 300):
        for command, marker in steps:
            time.sleep(rng.uniform(0.1, 0.4))
            try:
                s.type(command + "\n", rng)
            except BrokenPipeError:  # the recording ended already
                break
            if marker == "":
                # The command runs until the recording stops: keys typed
                # meanwhile (for the shell, later) go on being recorded.
                while s.pump(rng.uniform(0.5, 1.5)):
                    try:
                        s.type("echo still typing\n", rng)
                    except BrokenPipeError:
                        break
                break
            if not s.expect(re.compile(marker.encode()) if marker else PROMPT, 600):
                break
    rc, err = s.finish(timeout=900)
    return (final_hash(err) if rc == 0 else None), err, s.out.decode(errors="replace")


def start_replay(machine, rr, shift=0, extra=()):
    """rewind replaying `rr` stopped at its start under the stub: (process, port)."""
    port = free_port()
    return start(machine + REPLAY_IO + list(extra) + ["-icount", f"shift={shift},rr=replay,rrfile={rr}"], port), port


def elf_bytes(elf, addr, size):
    """`size` bytes of the ELF file's loaded image at virtual address `addr`
    (None if no PT_LOAD segment holds them in the file)."""
    with open(elf, "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        ptype, _, off, vaddr, _, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if ptype == 1 and vaddr <= addr and addr + size <= vaddr + filesz:
            return data[off + addr - vaddr:off + addr - vaddr + size]
    return None
