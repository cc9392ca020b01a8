#!/usr/bin/env python3
"""Boot the test guest non-interactively and check it works.

Starts an emulator (qemu-system-riscv64 by default, or rewind) with the virt board, the guest
Image and initramfs on the serial console, waits for the banner "rewind-guest: ready" and the
shell prompt, runs a few commands, powers the guest off with `poweroff -f`, and reports
timings. Exit status 0 when everything was seen, 1 otherwise.

  boot-guest.py [--emu PATH] [--kernel Image --initrd initramfs.cpio.gz] [--icount]
                [--cmd 'uname -a' ...] [--expect REGEX ...] [--run CMD]
                [--timeout S] [--quiet] [-- extra emulator args]

--run CMD boots with rewind_run="CMD" on the kernel command line instead: /init runs CMD, prints
"rewind-guest: exit=STATUS" and powers off; the check passes when STATUS is 0 (and --expect
patterns match the console output).

Without --kernel/--initrd it runs build-guest.sh (same directory) to get them.
--icount adds `-icount shift=0,sleep=off` (1 instruction = 1 ns of virtual time) and reports
the guest's /proc/uptime at the prompt: instructions retired since reset plus the virtual time
skipped while the hart idled (stock QEMU has no exact instruction counter to read).
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BANNER = b"rewind-guest: ready"
PROMPT = re.compile(rb"root@rewind:[^\r\n]*# $")


class _Done(Exception):
    pass


class Guest:
    def __init__(self, argv, quiet):
        self.quiet = quiet
        self.buf = b""
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)

    def elapsed(self):
        return time.monotonic() - self.t0

    def _read(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return True
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return False
        if not self.quiet:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        self.buf += data
        return True

    def expect(self, pattern, timeout):
        """Wait until pattern (bytes or compiled regex) appears; consume up to its end."""
        deadline = time.monotonic() + timeout
        while True:
            if isinstance(pattern, bytes):
                i = self.buf.find(pattern)
                end = i + len(pattern) if i >= 0 else -1
            else:
                m = pattern.search(self.buf)
                end = m.end() if m else -1
            if end >= 0:
                seen, self.buf = self.buf[:end], self.buf[end:]
                return seen
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {pattern!r}")
            if not self._read(min(left, 0.5)):
                raise EOFError(f"emulator exited (status {self.proc.wait()}) while waiting "
                               f"for {pattern!r}")

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if not self._read(0.2):
                break
        try:
            return self.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def build_guest():
    out = subprocess.run([os.path.join(HERE, "build-guest.sh")], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    paths = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return paths["KERNEL"], paths["INITRD"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--emu", default=os.environ.get("REWIND_EMU", "qemu-system-riscv64"))
    ap.add_argument("--kernel")
    ap.add_argument("--initrd")
    ap.add_argument("--append", default="console=ttyS0")
    ap.add_argument("--memory", default="256M")
    ap.add_argument("--cmd", action="append", help="shell command to run (default: uname -a)")
    ap.add_argument("--expect", action="append", default=[],
                    help="regex that must appear in the output of the commands")
    ap.add_argument("--run", help="run CMD through rewind_run= instead of the shell")
    ap.add_argument("--icount", action="store_true")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("extra", nargs="*", help="extra emulator arguments (after --)")
    a = ap.parse_args()

    if not (a.kernel and a.initrd):
        a.kernel, a.initrd = build_guest()
    cmds = a.cmd or ["uname -a"]
    expects = a.expect or ([r"Linux rewind 6\.1\.\d+ .* riscv64"] if not (a.cmd or a.run) else [])
    if a.run:
        if '"' in a.run:
            ap.error("--run CMD cannot contain a double quote (kernel command-line quoting)")
        a.append += f' rewind_run="{a.run}"'

    argv = [a.emu, "-M", "virt", "-m", a.memory, "-nographic", "-bios", "default",
            "-kernel", a.kernel, "-initrd", a.initrd, "-append", a.append]
    if a.icount:
        argv += ["-icount", "shift=0,sleep=off"]
    argv += a.extra

    g = Guest(argv, a.quiet)
    ok = True
    report = {}
    try:
        g.expect(BANNER, a.timeout)
        report["banner_s"] = g.elapsed()
        if a.run:
            text = g.expect(re.compile(rb"rewind-guest: exit=(\d+)"), a.timeout)
            status = int(re.search(rb"exit=(\d+)$", text).group(1))
            report["run_exit"] = status
            if status != 0:
                print(f"\nboot-guest: FAIL: command exited {status}", file=sys.stderr)
                ok = False
            for pat in expects:
                if not re.search(pat, text.decode(errors="replace")):
                    print(f"\nboot-guest: FAIL: /{pat}/ not in the output", file=sys.stderr)
                    ok = False
            if g.wait_exit(min(a.timeout, 30)) is None:
                print("\nboot-guest: FAIL: guest did not power off", file=sys.stderr)
                ok = False
            report["total_s"] = g.elapsed()
            raise _Done()
        g.expect(PROMPT, a.timeout)
        report["prompt_s"] = g.elapsed()
        if a.icount:
            g.send("cat /proc/uptime\n")
            m = re.search(rb"\n(\d+\.\d+) ", g.expect(PROMPT, a.timeout))
            if m:
                report["prompt_vtime_ns"] = int(float(m.group(1)) * 1e9)
        output = b""
        for c in cmds:
            g.send(c + "\n")
            output += g.expect(PROMPT, a.timeout)
        text = output.decode(errors="replace")
        for pat in expects:
            if not re.search(pat, text):
                print(f"\nboot-guest: FAIL: /{pat}/ not in the command output", file=sys.stderr)
                ok = False
        g.send("poweroff -f\n")
        status = g.wait_exit(min(a.timeout, 30))
        report["total_s"] = g.elapsed()
        if status is None:
            print("\nboot-guest: FAIL: guest did not power off", file=sys.stderr)
            ok = False
        elif status != 0:
            print(f"\nboot-guest: FAIL: emulator exit status {status}", file=sys.stderr)
            ok = False
    except _Done:
        pass
    except (TimeoutError, EOFError) as e:
        print(f"\nboot-guest: FAIL: {e}", file=sys.stderr)
        ok = False
    finally:
        g.kill()

    print("\nboot-guest: " + " ".join(
        f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in report.items()),
        file=sys.stderr)
    print(f"boot-guest: {'PASS' if ok else 'FAIL'}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
