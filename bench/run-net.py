#!/usr/bin/env python3
"""Network throughput and latency, rewind vs qemu-system-riscv64, same guest and options.

  bench/run-net.py [-n RUNS] [--mib 100] [--fetches 200] [--modes plain,icount,record[,record-check]] [--no-qemu]

The Linux test guest on -netdev user (libslirp) with virtio-net-device,
timed on the host between markers the guest prints:
  - g2h: the guest sends MIB MiB with busybox nc to a sink on the host's
    127.0.0.1 (through slirp's 10.0.2.2);
  - h2g: the host sends MIB MiB to a busybox `nc -l` in the guest through
    hostfwd;
  - fetch: FETCHES small HTTP fetches (wget of 1 KiB) from a server on the host.
Modes, one run of each per round, RUNS rounds: plain (no icount), icount
(-icount shift=7), record (-icount shift=7,rr=record with filter-replay),
record-check (rewind only: record with -rr-net-check, every frame the guest
sends pinned). Medians of RUNS. Prints MB/s and fetches/s for each,
rewind/QEMU ratios, record overhead over icount, and rrfile bytes per MiB
received (h2g) for both.

  bench/run-net.py --no-qemu --transports virtio-net-device,virtio-net-pci -n 3

runs rewind on both NICs, alternated run by run, and prints the second's
speed relative to the first (issue 17). Every run also reports the
interrupts the guest's virtio driver took per MiB (g2h, h2g) and per fetch.
"""
import argparse
import http.server
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "guest"))
from guest_session import build_guest  # noqa: E402
sys.path.insert(0, os.path.join(here, "..", "tests", "functional"))
from host_ports import free_port  # noqa: E402

from guest_markers import IRQ_FN, IRQS, counted, markers  # noqa: E402

MARK = markers("BEGIN", "END", "READY")
NIC = "virtio-net-device"
SMALL = b"x" * 1024


class HostSide:
    """A byte sink for g2h, an HTTP server for the fetches."""

    def __init__(self, expect):
        self.sink_port, self.http_port = free_port(), free_port()
        self.sunk = 0
        self.expect = expect  # bytes per g2h connection
        self.sink = socket.socket()
        self.sink.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sink.bind(("127.0.0.1", self.sink_port))
        self.sink.listen(4)
        threading.Thread(target=self.drain, daemon=True).start()

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(SMALL)))
                self.end_headers()
                self.wfile.write(SMALL)

            def log_message(self, *a):
                pass

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", self.http_port), H)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def drain(self):
        while True:
            try:
                c, _ = self.sink.accept()
            except OSError:
                return
            got = 0
            while got < self.expect:
                d = c.recv(1 << 20)
                if not d:
                    break
                got += len(d)
            self.sunk += got
            # busybox nc does not end at the end of its input: it waits for
            # the peer to close, so the sink closes once it has everything.
            c.close()

    def stop(self):
        self.sink.close()
        self.http.shutdown()
        self.http.server_close()


def workload(host, mib, fetches):
    blocks = mib * 16  # 64 KiB each
    return IRQ_FN + " ; ".join([
        "ifconfig eth0 10.0.2.15 up && route add default gw 10.0.2.2",  # slirp's defaults; DHCP is not measured
        counted("g2h", f"echo T-BEGIN g2h; dd if=/dev/zero bs=65536 count={blocks} 2>/dev/null | "
                f"nc 10.0.2.2 {host.sink_port}; echo T-END g2h"),
        counted("h2g", "echo T-READY h2g; nc -l -p 5001 < /dev/null | wc -c; echo T-END h2g"),
        counted("fetch", f"echo T-BEGIN fetch; i=0; while [ $i -lt {fetches} ]; do wget -q -O /dev/null "
                f"http://10.0.2.2:{host.http_port}/s; i=$((i+1)); done; echo T-END fetch"),
    ])


def argv_for(emu, kernel, initrd, work, fwd_port, mode, rrfile, nic=None):
    exe = {"rewind": REWIND, "qemu": "qemu-system-riscv64"}[emu]
    argv = [exe, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
            "-serial", "stdio", "-monitor", "none", "-append", f'console=ttyS0 rewind_run="{work}"',
            "-netdev", f"user,id=n1,hostfwd=tcp:127.0.0.1:{fwd_port}-:5001",
            "-device", f"{nic or NIC},netdev=n1"]
    if emu == "qemu":
        argv += ["-bios", "default"]
    if mode == "icount":
        argv += ["-icount", "shift=7"]
    elif mode in ("record", "record-check"):
        argv += ["-icount", f"shift=7,rr=record,rrfile={rrfile}", "-object", "filter-replay,id=r,netdev=n1"]
        if mode == "record-check":
            argv += ["-rr-net-check"]
    return argv


def one_run(emu, kernel, initrd, mib, fetches, mode, tmp, nic=None):
    host = HostSide(mib << 20)
    fwd = free_port()
    rrfile = os.path.join(tmp, f"{emu}-{mode}.rr")
    p = subprocess.Popen(argv_for(emu, kernel, initrd, workload(host, mib, fetches), fwd, mode, rrfile, nic),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.set_blocking(p.stdout.fileno(), False)
    out, seen, times, begin = b"", 0, {}, {}
    deadline = time.monotonic() + 1800
    while p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
        out += p.stdout.read() or b""
        for m in MARK.finditer(out, seen):
            seen = m.end()
            kind, name = m.group(1).decode(), m.group(2).decode()
            now = time.monotonic()
            if kind == "BEGIN":
                begin[name] = now
            elif kind == "END":
                times[name] = now - begin[name]
            elif kind == "READY":
                # The guest's nc listens: send MIB MiB through hostfwd.
                time.sleep(0.5)
                begin[name] = time.monotonic()
                c = socket.create_connection(("127.0.0.1", fwd), timeout=60)
                chunk = b"\0" * (1 << 20)
                for _ in range(mib):
                    c.sendall(chunk)
                c.close()
        if "fetch" in times and IRQS.search(out, seen):
            break
    try:
        p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    err = p.stderr.read().decode(errors="replace")
    host.stop()
    size = os.path.getsize(rrfile) if os.path.exists(rrfile) else None
    if len(times) != 3:
        raise RuntimeError(f"{emu} {mode}: incomplete run ({times}); {err[-300:]} {out[-300:]!r}")
    irqs = {m.group(1).decode(): int(m.group(2)) for m in IRQS.finditer(out)}
    return times, size, irqs


def compare_transports(a, kernel, initrd):
    """rewind on two NICs, each mode alternated run by run; medians."""
    nics = a.transports.split(",")
    tmp = tempfile.mkdtemp(prefix="rewind-netbench-")
    res, irq = {}, {}
    try:
        for i in range(a.n):
            for mode in a.modes.split(","):
                for nic in (nics if i % 2 == 0 else nics[::-1]):
                    try:
                        t, _, n = one_run("rewind", kernel, initrd, a.mib, a.fetches, mode, tmp, nic)
                    except RuntimeError as e:
                        print(f"# {nic}: {e}", file=sys.stderr)
                        continue
                    for k, v in t.items():
                        res.setdefault((mode, nic, k), []).append(v)
                    for k, v in n.items():
                        irq.setdefault((mode, nic, k), []).append(v)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    mb = a.mib * 1048576 / 1e6
    print(f"{'mode':7} {'test':6} " + " ".join(f"{n:>24}" for n in nics) +
          f" {'speed ' + nics[1] + '/' + nics[0]:>12}  irqs per MiB (g2h, h2g) or per fetch")
    for mode in a.modes.split(","):
        for k in ("g2h", "h2g", "fetch"):
            t = [res.get((mode, n, k)) for n in nics]
            if not all(t):
                continue
            m = [statistics.median(x) for x in t]
            shown = [f"{mb / x:.1f} MB/s" if k != "fetch" else f"{a.fetches / x:.1f} /s" for x in m]
            per = a.mib if k != "fetch" else a.fetches
            irqtxt = " / ".join(f"{statistics.median(irq[(mode, n, k)]) / per:.1f}" if irq.get((mode, n, k)) else "?"
                                for n in nics)
            print(f"{mode:7} {k:6} " + " ".join(f"{x:>24}" for x in shown) + f" {m[0] / m[1]:12.2f}  {irqtxt}")


def main():
    global REWIND
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1)
    ap.add_argument("--mib", type=int, default=100)
    ap.add_argument("--fetches", type=int, default=200)
    ap.add_argument("--modes", default="plain,icount,record")
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--rewind", default=os.path.join(here, "..", "build", "rewind"))
    ap.add_argument("--transports", help="two NIC -device types to compare, e.g. virtio-net-device,virtio-net-pci")
    a = ap.parse_args()
    REWIND = a.rewind
    kernel, initrd = build_guest()
    if a.transports:
        return compare_transports(a, kernel, initrd)
    emus = ["rewind"] + ([] if a.no_qemu or not shutil.which("qemu-system-riscv64") else ["qemu"])
    tmp = tempfile.mkdtemp(prefix="rewind-netbench-")
    modes = a.modes.split(",")
    # Rounds outermost: every mode of every emulator once per round, so a
    # drift of the host's speed during the benchmark falls on all of them.
    runs = {}
    for _ in range(a.n):
        for mode in modes:
            for emu in emus:
                if emu == "qemu" and mode == "record-check":
                    continue  # QEMU has no such mode
                try:
                    runs.setdefault((emu, mode), []).append(one_run(emu, kernel, initrd, a.mib, a.fetches, mode, tmp))
                except RuntimeError as e:
                    print(f"# {e}", file=sys.stderr)
    res = {}
    for mode in modes:
        for emu in emus:
            rs = runs.get((emu, mode))
            if not rs:
                continue
            res[(emu, mode)] = ({k: statistics.median(r[0][k] for r in rs) for k in rs[0][0]}, rs[-1][1])
            print(f"# {emu} {mode} virtio interrupts: " +
                  ", ".join(f"{k} {[r[2].get(k, 0) for r in rs]}" for k in ("g2h", "h2g", "fetch")),
                  file=sys.stderr)
    print(f"{'emulator':8} {'mode':7} {'g2h MB/s':>9} {'h2g MB/s':>9} {'fetch/s':>8} {'rrfile B/MiB rx':>16}")
    for (emu, mode), (t, size) in res.items():
        mb = a.mib * 1048576 / 1e6
        per = f"{size / a.mib:.0f}" if size else "-"
        print(f"{emu:8} {mode:7} {mb / t['g2h']:9.1f} {mb / t['h2g']:9.1f} {a.fetches / t['fetch']:8.1f} {per:>16}")
    for mode in a.modes.split(","):
        if ("rewind", mode) in res and ("qemu", mode) in res:
            r, q = res[("rewind", mode)][0], res[("qemu", mode)][0]
            print(f"rewind/QEMU {mode}: g2h {q['g2h'] / r['g2h']:.2f}x, h2g {q['h2g'] / r['h2g']:.2f}x, "
                  f"fetch {q['fetch'] / r['fetch']:.2f}x (>1: rewind faster)")
    if ("rewind", "icount") in res and ("rewind", "record") in res:
        i, r = res[("rewind", "icount")][0], res[("rewind", "record")][0]
        print("rewind record overhead over -icount: " +
              ", ".join(f"{k} {100 * (r[k] / i[k] - 1):+.1f}%" for k in ("g2h", "h2g", "fetch")))
    if ("rewind", "record") in res and ("rewind", "record-check") in res:
        (r, rs), (c, cs) = res[("rewind", "record")], res[("rewind", "record-check")]
        print("-rr-net-check over record: " + ", ".join(f"{k} {100 * (c[k] / r[k] - 1):+.1f}%" for k in ("g2h", "h2g", "fetch"))
              + (f"; rrfile {cs / rs:.2f}x" if rs and cs else ""))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
