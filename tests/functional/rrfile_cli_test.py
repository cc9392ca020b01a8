#!/usr/bin/env python3
"""rrfiles a hostile user hands to rewind and rewind-dump (TAP).

Records a small bare-metal program (tests/tcg's integer.elf), then replays
and dumps files that cannot be recordings: a device that never ends
(/dev/zero), a directory, a FIFO, a finished recording with bytes appended,
header fields that are missing or impossible (a 26-digit seed, a negative
check interval, a big-endian host), an index whose final instruction count
is not the end event's, an end event with an unknown reason. Each must be
refused with exit status 1 and one line on stderr naming the problem, before
the guest runs (nothing on stdout), and without reading more than the header.
The commands run with 2 GiB of address space, so a reader that slurps a
file that never ends fails here rather than exhausting the host.

usage: rrfile_cli_test.py REWIND REWIND_DUMP ELF
"""
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import plan, report as ok  # noqa: E402


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def run(argv, timeout=20):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, preexec_fn=limit)
        return p.returncode, p.stdout, p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return -1, e.stdout or b"", f"timed out after {timeout} s"


# --- a small rrfile reader and writer (docs/rrfile.md) ---------------------------

MAGIC = b"\x89RWD\r\n\x1a\n"


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def read_varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def parse(data):
    """(header fields, [raw events of each block with (first, last, events)], final icount)"""
    body_len = struct.unpack_from("<I", data, 12)[0]
    body = data[16:16 + body_len]
    count, i = read_varint(body, 0)
    fields = {}
    for _ in range(count):
        kl, i = read_varint(body, i)
        k = body[i:i + kl]
        i += kl
        vl, i = read_varint(body, i)
        fields[k] = body[i:i + vl]
        i += vl
    pos = 20 + body_len
    blocks = []
    while data[pos:pos + 4] == b"RBLK":
        seq, clen, rlen, first, last, events, _ = struct.unpack_from("<IIIQQII", data, pos + 4)
        blocks.append([zlib.decompress(data[pos + 40:pos + 40 + clen]), first, last, events])
        pos += 40 + clen
    assert data[pos:pos + 4] == b"RIDX"
    final = struct.unpack_from("<Q", data, len(data) - 16 - 4 - 8)[0]
    return fields, blocks, final


def build(fields, blocks, final):
    body = varint(len(fields))
    for k, v in sorted(fields.items()):
        body += varint(len(k)) + k + varint(len(v)) + v
    head = MAGIC + struct.pack("<II", 1, len(body)) + body
    out = head + struct.pack("<I", zlib.crc32(head))
    index = b""
    total = 0
    for seq, (raw, first, last, events) in enumerate(blocks):
        comp = zlib.compress(raw, 6)
        fields_ = struct.pack("<IIIQQI", seq, len(comp), len(raw), first, last, events)
        crc = zlib.crc32(comp, zlib.crc32(b"RBLK" + fields_))
        index += struct.pack("<Q", len(out)) + fields_
        out += b"RBLK" + fields_ + struct.pack("<I", crc) + comp
        total += events
    idx = b"RIDX" + struct.pack("<I", len(blocks)) + index + struct.pack("<QQ", total, final)
    idx += struct.pack("<I", zlib.crc32(idx))
    return out + idx + struct.pack("<Q", len(out)) + b"RWDTRAIL"


def events_of(raw):
    i, out = 0, []
    while i < len(raw):
        kind = raw[i]
        delta, i = read_varint(raw, i + 1)
        plen, i = read_varint(raw, i)
        out.append([kind, delta, raw[i:i + plen]])
        i += plen
    return out


def raw_of(events):
    return b"".join(bytes([k]) + varint(d) + varint(len(p)) + p for k, d, p in events)


def main():
    rewind, dump, elf = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="rewind-rrfile-cli.")
    good = os.path.join(tmp, "good.rr")
    machine = [rewind, "-M", "virt", "-bios", "none", "-nographic", "-kernel", elf]
    rc, out, err = run(machine + ["-icount", f"shift=7,rr=record,rrfile={good}"])
    if not ok(rc == 0 and os.path.exists(good), "record the program", err):
        plan()
        return 1
    rc, replayed, err = run(machine + ["-icount", f"shift=7,rr=replay,rrfile={good}"])
    ok(rc == 0 and replayed == out and "replay complete" in err, "the recording replays", err)
    rc, _, err = run([dump, good])
    ok(rc == 0, "rewind-dump reads the recording", err)

    data = open(good, "rb").read()
    fields, blocks, final = parse(data)
    ok(build(fields, blocks, final) == data, "the test's own writer reproduces the file byte for byte")

    def variant(name, content):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(content)
        return path

    def with_field(key, value):
        f = dict(fields)
        if value is None:
            del f[key]
        else:
            f[key] = value
        return build(f, blocks, final)

    # The end event is the last event of the last block: u8 reason, svarint
    # status, u32 check. It goes into a block of its own with a reason of
    # 200, so that a reader that decodes blocks only as the replay reaches
    # them would run the whole guest before noticing.
    raw, first, _, _ = blocks[-1]
    evs = events_of(raw)
    assert evs[-1][0] & 0x7F == 8, evs[-1]
    icounts = [first]
    for e in evs[1:]:
        icounts.append(icounts[-1] + e[1])

    def end_alone(reason):
        end = [evs[-1][0], 0, bytes([reason]) + evs[-1][2][1:]]
        return build(fields, blocks[:-1] + [[raw_of(evs[:-1]), first, icounts[-2], len(evs) - 1],
                                            [raw_of([end]), icounts[-1], icounts[-1], 1]], final)

    split_ok = end_alone(evs[-1][2][0])
    rc, o, err = run(machine + ["-icount", f"shift=7,rr=replay,rrfile={variant('split.rr', split_ok)}"])
    ok(rc == 0 and o == out and "replay complete" in err, "the recording with its end event in a block of its own replays",
       err)

    fifo = os.path.join(tmp, "fifo.rr")
    os.mkfifo(fifo)
    os.mkdir(os.path.join(tmp, "dir.rr"))
    cases = [
        ("/dev/zero", "/dev/zero", "rrfile '/dev/zero' is not a regular file"),
        ("/dev/urandom", "/dev/urandom", "rrfile '/dev/urandom' is not a regular file"),
        ("a directory", os.path.join(tmp, "dir.rr"), "is not a regular file (a directory)"),
        ("a FIFO", fifo, "is not a regular file (a FIFO)"),
        ("bytes after the trailer", variant("junk.rr", data + b"garbage\n"), "after the end-of-recording trailer"),
        ("a 26-digit seed", variant("seed.rr", with_field(b"seed", b"12345678901234567890123456")),
         "header field 'seed' is not a 64-bit number"),
        ("no seed", variant("noseed.rr", with_field(b"seed", None)), "header field 'seed' is missing"),
        ("check-interval=-5", variant("interval.rr", with_field(b"check-interval", b"-5")),
         "header field 'check-interval' is not a number of instructions ('-5')"),
        ("host-endian=big", variant("endian.rr", with_field(b"host-endian", b"big")),
         "header field 'host-endian' is 'big'"),
        ("no build", variant("nobuild.rr", with_field(b"build", None)), "header field 'build' is missing"),
        ("a final instruction count past the end event",
         variant("final.rr", build(fields, blocks, final + 1000)), "final instruction count"),
        ("an end reason of 200", variant("reason.rr", end_alone(200)), "unknown end reason 200"),
    ]
    for desc, path, want in cases:
        rc, o, err = run(machine + ["-icount", f"shift=7,rr=replay,rrfile={path}"])
        lines = err.strip().splitlines()
        ok(rc == 1 and len(lines) == 1 and want in err and path in err and o == b"",
           f"rewind refuses {desc} with one line, before the guest runs", f"rc={rc} stdout={len(o)} bytes\n{err}")
        rc, o, err = run([dump, path])
        lines = err.strip().splitlines()
        ok(rc == 1 and len(lines) == 1 and want in err and o == b"",
           f"rewind-dump refuses {desc} with one line", f"rc={rc} stdout={len(o)} bytes\n{err}")

    shutil.rmtree(tmp, ignore_errors=True)
    return plan()


if __name__ == "__main__":
    sys.exit(main())
