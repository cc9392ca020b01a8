#!/usr/bin/env python3
"""Disk throughput, rewind vs qemu-system-riscv64, same guest, image and options.

  bench/run-disk.py [-n RUNS] [--mib 256] [--files 3000] [--device virtio-blk-pci]

The Linux test guest mounts an ext4 qcow2 image (virtio-blk-device through
QEMU's blkreplay stack when recording) and runs, timed on the host between
markers it prints:
  - seq: `dd` of MIB MiB written then read back with O_DIRECT;
  - files: an image populated on the host (mkfs.ext4 -d) with FILES small
    files, read by find | xargs md5sum, then copied with tar | tar.
Each emulator runs plain (no icount), with -icount shift=7, and recording
(rr=record); rewind's recording is also replayed. Runs alternate (emulators, and
the order of modes rotates from one round to the next); medians.
Prints seconds per workload, MB/s, rewind vs QEMU and rrfile sizes.
--device picks the disk's transport (virtio-blk-device on virtio-mmio, the
default, or virtio-blk-pci); --only rewind|qemu runs one emulator; --modes
picks among plain,icount,record. Each run's times go to stderr as it ends.

  bench/run-disk.py --transports virtio-blk-device,virtio-blk-pci --only rewind

runs each workload on both transports, alternated run by run, and prints the
second's speed relative to the first (issue 17: PCI within 10% of MMIO).

  bench/run-disk.py --paired -n 10

runs rewind's recording and its -icount run at the same time, one per core,
N times, and prints the median of the pairs' CPU-time ratios: what recording
costs, with the host's slowdowns (which make one run 1.8x another here)
falling on both halves of a pair alike (issue 10).

The guest also reports how many interrupts its virtio driver took per
workload (/proc/interrupts), printed per MiB (seq) and per file (files).
"""
import argparse
import collections
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "guest"))
from guest_session import Session, build_guest  # noqa: E402

from guest_markers import IRQ_FN, IRQS, counted, markers  # noqa: E402

MARK = markers("BEGIN", "END")


def make_images(tmp, mib, files):
    src = os.path.join(tmp, "src")
    rng = random.Random(1)
    for i in range(files):
        d = os.path.join(src, f"d{i // 100}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i}"), "wb") as f:
            f.write(rng.randbytes(rng.randint(200, 6000)))
    raw = os.path.join(tmp, "base.raw")
    subprocess.run(["truncate", "-s", f"{mib * 2 + 256}M", raw], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-d", src, raw], check=True)
    base = os.path.join(tmp, "base.qcow2")
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, base], check=True)
    os.remove(raw)
    return base


def file_count(a):
    """The number of small files the image holds (--files, at most 10,000)."""
    return min(a.files, 1000 * 10)


@contextlib.contextmanager
def bench_images(a):
    """The guest (kernel, initrd), a scratch folder and the base image in it
    (make_images); the folder goes when the benchmark ends."""
    kernel, initrd = build_guest()
    tmp = tempfile.mkdtemp(prefix="rewind-bench-disk-")
    try:
        yield kernel, initrd, tmp, make_images(tmp, a.mib, file_count(a))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def workload(mib):
    return (IRQ_FN + "mount -t ext4 /dev/vda /mnt && " +
            counted("seq", f"echo T-BEGIN seq; dd if=/dev/zero of=/mnt/big bs=1M count={mib} oflag=direct "
                    f"2>/dev/null; dd if=/mnt/big of=/dev/null bs=1M iflag=direct 2>/dev/null; echo T-END seq") +
            "; echo 3 > /proc/sys/vm/drop_caches; " +
            counted("files", "echo T-BEGIN files; find /mnt/d* -type f | xargs md5sum > /dev/null; mkdir /mnt/copy; "
                    "cd /mnt && tar -cf - d* | tar -C /mnt/copy -xf -; cd /; sync; echo T-END files") +
            "; umount /mnt")


DEVICE = "virtio-blk-device"


# One emulator run: exit status, per-workload wall and CPU seconds, stderr,
# per-workload virtio interrupts.
Run = collections.namedtuple("Run", "rc times err irqs cpu")


def run_once(emu, kernel, initrd, image, mib, extra, device=None):
    argv = [emu, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-nographic",
            "-append", f'console=ttyS0 rewind_run="{workload(mib)}"',
            "-drive", f"file={image},if=none,id=img-direct",
            "-drive", "driver=blkreplay,if=none,image=img-direct,id=img-blkreplay",
            "-device", f"{device or DEVICE},drive=img-blkreplay", *extra]
    s = Session(argv)
    marks = {}
    seen = 0
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if not s.pump(0.05):
            break
        for m in MARK.finditer(s.out, seen):
            marks[(m.group(1).decode(), m.group(2).decode())] = (time.monotonic(), cpu_seconds(s.p.pid))
            seen = m.end()
    rc, err = s.finish(60)
    irqs = {m.group(1).decode(): int(m.group(2)) for m in IRQS.finditer(s.out)}
    if rc == 0 and len(marks) < 4:
        err += " (markers seen: %s; console tail: %r)" % (sorted(marks), s.out[-300:])
    times, cpu = {}, {}
    for w in ("seq", "files"):
        if ("BEGIN", w) in marks and ("END", w) in marks:
            times[w] = marks[("END", w)][0] - marks[("BEGIN", w)][0]
            cpu[w] = marks[("END", w)][1] - marks[("BEGIN", w)][1]
    return Run(rc, times, err, irqs, cpu)


def cpu_seconds(pid):
    """User plus system CPU time of process PID so far, all its threads."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


MODES = {"plain": lambda rr: [], "icount": lambda rr: ["-icount", "shift=7"],
         "record": lambda rr: ["-icount", f"shift=7,rr=record,rrfile={rr}"]}


def host_write_cost(tmp, mib=256):
    """Seconds to write MIB MiB into a new host file, (a) into memory freed
    just before, (b) into memory freed 8 s before.

    On a host that is itself a virtual machine with free page reporting
    (virtio-balloon), memory the kernel has held free for a couple of seconds
    goes back to the hypervisor, and the first touch of each page afterwards
    costs a fault outside this machine. The emulators write every guest write
    into the image file's page cache, so a run's `seq` time depends on which
    pages the kernel hands out. Measured here: 0.07 s (a) against 0.46 s (b),
    and a benchmark whose record runs reused pages freed a run earlier while
    its -icount runs reused pages freed just before showed recording as 2x
    slower. Hence fresh_run."""
    buf = os.urandom(1 << 20)

    def write(path, n):
        fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o644)
        t = time.perf_counter()
        for k in range(n):
            os.pwrite(fd, buf, k << 20)
        t = time.perf_counter() - t
        os.close(fd)
        os.remove(path)
        return t

    path = os.path.join(tmp, "host-write-cost")
    write(path, 2 * mib)
    fresh = write(path, mib)
    time.sleep(8)
    return fresh, write(path, mib)


def fresh_run(emu, kernel, initrd, base, mib, extra, device=None, name="run"):
    """run_once on a new copy of BASE, deleted as soon as the run ends, so
    that every run, whatever its mode, starts right after the previous run's
    image memory was freed (see host_write_cost)."""
    img = os.path.join(os.path.dirname(base), name + ".qcow2")
    shutil.copy(base, img)
    try:
        return run_once(emu, kernel, initrd, img, mib, extra, device)
    finally:
        os.remove(img)


def compare_transports(a):
    """Each mode on two transports, alternated run by run; medians."""
    devices = a.transports.split(",")
    emus = [e for e in (("rewind", a.rewind), ("qemu", a.qemu)) if not a.only or e[0] == a.only]
    with bench_images(a) as (kernel, initrd, tmp, base):
        res, irq = {}, {}
        for i in range(a.n):
            for emu_name, emu in emus:
                for mode in a.modes.split(","):
                    order = devices if i % 2 == 0 else devices[::-1]
                    for dev in order:
                        rr = os.path.join(tmp, "run.rr")
                        rc, times, err, irqs, _ = fresh_run(emu, kernel, initrd, base, a.mib, MODES[mode](rr), dev)
                        if rc != 0 or len(times) != 2:
                            print(f"# {emu_name} {mode} {dev} run {i}: rc={rc} {err[-200:]}", file=sys.stderr)
                            continue
                        for w, t in times.items():
                            res.setdefault((emu_name, mode, dev, w), []).append(t)
                        for w, n in irqs.items():
                            irq.setdefault((emu_name, mode, dev, w), []).append(n)
        files = file_count(a)
        print(f"{'emu':6} {'mode':7} {'workload':8} " + " ".join(f"{d + ' s':>22}" for d in devices) +
              f" {'speed ' + devices[1] + '/' + devices[0]:>12}  irqs per MiB (seq) or per file (files)")
        for emu_name, _ in emus:
            for mode in a.modes.split(","):
                for w in ("seq", "files"):
                    t = [res.get((emu_name, mode, d, w)) for d in devices]
                    if not all(t):
                        continue
                    m = [statistics.median(x) for x in t]
                    per = a.mib * 2 if w == "seq" else files
                    n = [irq.get((emu_name, mode, d, w)) for d in devices]
                    irqtxt = " / ".join(f"{statistics.median(x) / per:.2f}" if x else "?" for x in n)
                    print(f"{emu_name:6} {mode:7} {w:8} " + " ".join(f"{x:22.2f}" for x in m) +
                          f" {m[0] / m[1]:12.2f}  {irqtxt}")


def record_overhead_paired(a):
    """rewind recording against rewind -icount, both at once, N times; the
    median of the per-pair ratios.

    On this shared host the same run's `files` time swings 1.8x from one run
    to the next (9 to 17 s, CPU time equal to wall time: nothing waits), so
    runs made one after the other, even alternated, leave a 10% question
    open for good. Two runs made at the same time, one per core, meet the
    same slowdowns: their ratio is what recording itself costs. CPU time
    (all threads: the rrfile writer's too) is compared, not wall time, so
    that a moment when one of them waits for the core it shares with the
    other's I/O threads does not count against it. The two boot together and
    run the same guest, so their `files` phases overlap for nearly all their
    length; `seq` is short, and its pairs overlap less."""
    import threading
    modes = ("icount", "record")
    with bench_images(a) as (kernel, initrd, tmp, base):
        ratios, wall_ratios, cpu_all = {}, {}, {}
        for i in range(a.n):
            runs = {}

            def go(mode):
                rr = os.path.join(tmp, f"{mode}.rr")
                runs[mode] = fresh_run(a.rewind, kernel, initrd, base, a.mib, MODES[mode](rr), name=mode)

            threads = [threading.Thread(target=go, args=(m,)) for m in modes]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            bad = [m for m in modes if runs[m].rc != 0 or len(runs[m].cpu) != 2]
            for m in bad:
                print(f"# pair {i} {m}: rc={runs[m].rc} {runs[m].err[-200:]}", file=sys.stderr)
            if bad:
                continue
            for w in ("seq", "files"):
                ratios.setdefault(w, []).append(runs["record"].cpu[w] / runs["icount"].cpu[w])
                wall_ratios.setdefault(w, []).append(runs["record"].times[w] / runs["icount"].times[w])
                for m in modes:
                    cpu_all.setdefault((m, w), []).append(runs[m].cpu[w])
            print(f"# pair {i}: " + "; ".join(
                f"{w} CPU s icount {runs['icount'].cpu[w]:.2f} record {runs['record'].cpu[w]:.2f}"
                for w in ("seq", "files")), file=sys.stderr, flush=True)
        print(f"{'workload':8} {'icount CPU s':>12} {'record CPU s':>12} {'record/icount CPU':>17} "
              f"{'(wall)':>7}  CPU ratio of each pair")
        for w, r in ratios.items():
            print(f"{w:8} {statistics.median(cpu_all[('icount', w)]):12.2f} "
                  f"{statistics.median(cpu_all[('record', w)]):12.2f} {statistics.median(r):17.3f} "
                  f"{statistics.median(wall_ratios[w]):7.3f}  " + " ".join(f"{x:.2f}" for x in r))
        print("(ratios: medians of the pairs' ratios)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--mib", type=int, default=256)
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--rewind", default=os.path.join(here, "..", "build", "rewind"))
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--device", default="virtio-blk-device")
    ap.add_argument("--only", choices=("rewind", "qemu"))
    ap.add_argument("--modes", default="plain,icount,record")
    ap.add_argument("--transports", help="two -device types to compare, e.g. virtio-blk-device,virtio-blk-pci")
    ap.add_argument("--paired", action="store_true",
                    help="rewind's recording against its -icount, run at the same time (record_overhead_paired)")
    a = ap.parse_args()
    if a.paired:
        return record_overhead_paired(a)
    global DEVICE
    DEVICE = a.device
    if a.transports:
        return compare_transports(a)
    with bench_images(a) as (kernel, initrd, tmp, base):
        modes = [(m, MODES[m]) for m in a.modes.split(",")]
        fresh, settled = host_write_cost(tmp, a.mib)
        print(f"# host: {a.mib} MiB into a new file: {fresh:.2f} s into memory just freed, "
              f"{settled:.2f} s into memory freed 8 s before", file=sys.stderr, flush=True)
        results, sizes = {}, {}
        for i in range(a.n):
            for emu_name, emu in (("qemu", a.qemu), ("rewind", a.rewind)):
                if a.only and emu_name != a.only:
                    continue
                # The order of modes rotates from round to round, and every
                # run, the replay too, gets the same preparation (fresh_run):
                # see host_write_cost for why that matters.
                for mode, extra in modes[i % len(modes):] + modes[:i % len(modes)]:
                    rr = os.path.join(tmp, f"{emu_name}.rr")
                    rc, times, err, _, _ = fresh_run(emu, kernel, initrd, base, a.mib, extra(rr))
                    if rc != 0 or len(times) != 2:
                        print(f"# {emu_name} {mode} run {i}: rc={rc} {err[-200:]}", file=sys.stderr)
                        continue
                    for w, t in times.items():
                        results.setdefault((emu_name, mode, w), []).append(t)
                    print(f"# round {i} {emu_name} {mode}: " + ", ".join(f"{w} {t:.2f} s" for w, t in times.items()),
                          file=sys.stderr, flush=True)
                    if mode == "record":
                        sizes[emu_name] = os.path.getsize(rr)
                        if emu_name == "rewind":
                            rc, times, err, _, _ = fresh_run(emu, kernel, initrd, base, a.mib,
                                                       ["-icount", f"shift=7,rr=replay,rrfile={rr}"])
                            for w, t in times.items():
                                results.setdefault((emu_name, "replay", w), []).append(t)
        mb = a.mib * 2 * 1.048576
        print(f"{'workload':8} {'mode':8} {'qemu s':>8} {'rewind s':>9} {'rewind/qemu speed':>18}")
        for w in ("seq", "files"):
            for mode in ("plain", "icount", "record", "replay"):
                q = results.get(("qemu", mode, w))
                r = results.get(("rewind", mode, w))
                qs = statistics.median(q) if q else float("nan")
                rs = statistics.median(r) if r else float("nan")
                extra = f"  ({mb / rs:.0f} MB/s)" if w == "seq" and r else ""
                print(f"{w:8} {mode:8} {qs:8.2f} {rs:9.2f} {qs / rs:18.2f}{extra}")
        for w in ("seq", "files"):
            r = results.get(("rewind", "record", w))
            p = results.get(("rewind", "icount", w))
            if r and p:
                print(f"rewind record / icount ({w}): {statistics.median(r) / statistics.median(p):.2f}")
        print(f"rrfile bytes: qemu {sizes.get('qemu', '?')}, rewind {sizes.get('rewind', '?')}")


if __name__ == "__main__":
    main()
