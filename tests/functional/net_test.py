#!/usr/bin/env python3
"""Networking (TAP): a Linux guest on -netdev user (libslirp) and
virtio-net-device gets its address by DHCP, pings the gateway, fetches a file
from an HTTP server this test runs on the host's 127.0.0.1 (through slirp's
10.0.2.2) and checks its md5, serves a page with busybox httpd that the
host fetches through hostfwd, and talks through guestfwd= to a line server
of the test's (its chardev made from the rule in the plain run, a -chardev
socket under record). Then the same session under record/replay
with QEMU's documented filter-replay stack, and a filter-dump pcap: recorded
once (with -rr-net-check), replayed three times with nothing listening on the
host (console byte-identical, final state hash identical, every frame the
guest sent checked against the recording); tshark reads the dump and shows
DHCP, ICMP and HTTP; rewind-dump lists and exports the recorded frames.

Usage: net_test.py REWIND REWIND_DUMP
"""
import hashlib
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "guest"))
from guest_session import build_guest  # noqa: E402
from tap import done, report, skip  # noqa: E402
from dns_peer import DnsPeer  # noqa: E402
from host_ports import free_port  # noqa: E402

REWIND, DUMP = sys.argv[1], sys.argv[2]

# What the host serves: 300 kB the guest's md5 must match.
FILE = b"".join(b"line %d of the host's file\n" % i for i in range(11000))
FILE_MD5 = hashlib.md5(FILE).hexdigest()
TOKEN = "served-by-the-guest-%d" % os.getpid()
GFWD_TOKEN = "through-guestfwd-%d" % os.getpid()


class LinePeer:
    """The far end of guestfwd=: one TCP client (the chardev), each line it
    sends answered with "host-got LINE"."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        try:
            conn, _ = self.sock.accept()
            for line in conn.makefile("rb"):
                conn.sendall(b"host-got " + line)
        except OSError:
            pass

    def stop(self):
        self.sock.close()


class Host:
    """The host's HTTP server: /file, and /go, which answers once the test
    has fetched the guest's page (so the guest's httpd is up until then)."""

    def __init__(self, port):
        self.fetched = threading.Event()
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/file":
                    body = FILE
                elif self.path == "/go":
                    host.fetched.wait(120)
                    body = b"go\n"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.fetched.set()
        self.server.shutdown()
        self.server.server_close()


def work(http_port):
    return " && ".join([
        "udhcpc -i eth0 -n -q -t 10 -T 1",
        "ifconfig eth0 | grep 'inet addr'",
        "ping -c 3 10.0.2.2",
        f"wget -q -O /tmp/f http://10.0.2.2:{http_port}/file",
        "md5sum /tmp/f",
        f"mkdir -p /www && echo {TOKEN} > /www/index.html && seq 1 20000 > /www/seq.txt",
        "httpd -h /www -p 80",
        "echo httpd-up",
        f"wget -q -O - http://10.0.2.2:{http_port}/go",
        # busybox nc waits for the peer to close; a guestfwd peer never does.
        # The guestfwd address by name, through slirp's DNS (10.0.2.3), when the test serves it.
        ("nslookup gfwd.rewind.test > /tmp/ns; cat /tmp/ns; set -- $(grep Address /tmp/ns | tail -n1); "
         f"(echo {GFWD_TOKEN} | nc -w 2 $2 4321; true)") if DNS else
        f"(echo {GFWD_TOKEN} | nc -w 2 10.0.2.100 4321; true)",
        "echo net-done",
    ])


def machine(kernel, initrd, http_port, fwd_port, extra=(), rr=None, *, gfwd):
    """`gfwd`: where guestfwd= 10.0.2.100:4321 goes."""
    argv = [REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-display", "none",
            "-serial", "stdio", "-monitor", "none", "-rtc", "base=2024-01-01,clock=vm",
            "-append", f'console=ttyS0 rewind_run="{work(http_port)}"',
            "-netdev", f"user,id=net1,hostfwd=tcp:127.0.0.1:{fwd_port}-:80,guestfwd=tcp:10.0.2.100:4321-{gfwd}",
            "-device", "virtio-net-device,netdev=net1", *extra]
    if rr:
        argv += ["-icount", f"shift=7,{rr}"]
    return argv


def has_line(out, text):
    """`text` as a line of its own (the kernel echoes the command line, which holds it too)."""
    return re.search(rb"^" + re.escape(text.encode()) + rb"\r?$", out, re.M) is not None


def with_dns(argv):
    """Runs argv with the host resolver at the test's DNS peer: libslirp
    forwards the guest's queries to /etc/resolv.conf's nameserver, so that
    file is replaced by one naming 127.0.0.1, in a mount namespace of its own."""
    if not DNS:
        return argv
    return ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/resolv.conf && exec "$@"', RESOLV, *argv]


def run_live(argv, fwd_port, host, timeout=600):
    """Runs the guest (with the test's DNS); once it says httpd-up, fetches
    its page through hostfwd and lets it finish. Returns (rc, stdout, stderr,
    page, seq)."""
    p = subprocess.Popen(with_dns(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = b""
    page = seq = b""
    os.set_blocking(p.stdout.fileno(), False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and p.poll() is None and not has_line(out, "httpd-up"):
        time.sleep(0.05)
        out += p.stdout.read() or b""
    if has_line(out, "httpd-up"):
        try:
            page = urllib.request.urlopen(f"http://127.0.0.1:{fwd_port}/index.html", timeout=60).read()
            seq = urllib.request.urlopen(f"http://127.0.0.1:{fwd_port}/seq.txt", timeout=60).read()
        except Exception as e:  # noqa: BLE001 - reported as a failed check
            page = repr(e).encode()
    host.fetched.set()
    os.set_blocking(p.stdout.fileno(), True)
    try:
        rest, err = p.communicate(timeout=max(10, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        p.kill()
        rest, err = p.communicate()
    return p.returncode, out + rest, err.decode(errors="replace"), page, seq


def run(argv, timeout=600):
    p = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


try:
    kernel, initrd = build_guest()
except subprocess.CalledProcessError as e:
    report(False, "build the test guest", e.stderr[-300:])
    done()
tmp = tempfile.mkdtemp(prefix="rewind-net-")
# The test's DNS: needs port 53 and a mount namespace (root); elsewhere its
# checks are skipped and the guest uses the address itself.
DNS, RESOLV = None, os.path.join(tmp, "resolv.conf")
if os.geteuid() == 0 and shutil.which("unshare") and subprocess.run(
        ["unshare", "-m", "mount", "--bind", "/dev/null", "/dev/null"], capture_output=True).returncode == 0:
    try:
        DNS = DnsPeer({"gfwd.rewind.test": "10.0.2.100"})
        with open(RESOLV, "w") as f:
            f.write("nameserver 127.0.0.1\n")
    except OSError as e:
        print(f"# no DNS peer: {e}")
SEQ = "".join(f"{i}\n" for i in range(1, 20001)).encode()


def checks(label, rc, out, err, page, seq):
    report(rc == 0 and b"rewind-guest: exit=0" in out and has_line(out, "net-done"),
           f"{label}: the guest's network session ends well (DHCP, ping, wget, httpd)", f"rc={rc} {err[-400:]} {out[-600:]!r}")
    report(re.search(rb"inet addr:10\.0\.2\.15", out) is not None, f"{label}: DHCP gave the guest 10.0.2.15", out[-400:])
    report(b"3 packets transmitted, 3 packets received" in out, f"{label}: ping -c 3 10.0.2.2: 3 replies", out[-400:])
    report(FILE_MD5.encode() in out, f"{label}: wget of the host's file through 10.0.2.2: md5 {FILE_MD5}", out[-400:])
    report(page.strip() == TOKEN.encode() and seq == SEQ,
           f"{label}: the host fetched the guest's httpd pages through hostfwd", page[-200:])
    report(has_line(out, f"host-got {GFWD_TOKEN}"),
           f"{label}: a line through guestfwd= to the host's peer and its answer back", out[-400:])
    if DNS:
        report(has_line(out, "Name:\tgfwd.rewind.test") and has_line(out, "Address: 10.0.2.100"),
               f"{label}: gfwd.rewind.test resolved through slirp's DNS (10.0.2.3) to the guestfwd address", out[-400:])
    else:
        skip(f"{label}: a name resolved through slirp's DNS", "needs root (port 53, a mount namespace)")


# --- a plain run --------------------------------------------------------------------
http_port, fwd_port = free_port(), free_port()
host, peer = Host(http_port), LinePeer()
rc, out, err, page, seq = run_live(machine(kernel, initrd, http_port, fwd_port, gfwd=f"tcp:127.0.0.1:{peer.port}"),
                                   fwd_port, host)
host.stop()
peer.stop()
checks("plain run", rc, out, err, page, seq)

# --- record with filter-replay and filter-dump; replay three times ------------------------
http_port, fwd_port = free_port(), free_port()
rr = os.path.join(tmp, "net.rr")
pcap = os.path.join(tmp, "net.pcap")
objects = ["-object", "filter-replay,id=replay,netdev=net1",
           "-object", f"filter-dump,id=dump,netdev=net1,file={pcap}"]
host, peer = Host(http_port), LinePeer()
# guestfwd= to a -chardev: a replay checks that chardev but does not open it.
gfwd_chardev = ["-chardev", f"socket,id=gf,host=127.0.0.1,port={peer.port}"]
# -rr-net-check: every frame the guest sends is pinned too, and each replay checks them.
rc, recorded, err, page, seq = run_live(machine(kernel, initrd, http_port, fwd_port, objects + gfwd_chardev + ["-rr-net-check"],
                                                rr=f"rr=record,rrfile={rr}", gfwd="chardev:gf"), fwd_port, host)
host.stop()
peer.stop()
checks("record", rc, recorded, err, page, seq)
m = re.search(r"final state hash (0x[0-9a-f]+)", err)
report(m is not None and "net-frame" in err and "implicit" not in err,
       "record: frames in the rrfile (net-frame events), no implicit filter needed", err[-400:])
sent = re.search(r"net-sent (\d+)", err)
report(sent is not None and int(sent.group(1)) > 20,
       "record with -rr-net-check: the frames the guest sent are net-sent events", err[-400:])
rec_hash = m.group(1) if m else "?"

# Nothing listens on the host now: the HTTP server is gone, and a replay binds no port.
replay_pcap = os.path.join(tmp, "replay.pcap")
replay_objects = ["-object", "filter-replay,id=replay,netdev=net1",
                  "-object", f"filter-dump,id=dump,netdev=net1,file={replay_pcap}"] + gfwd_chardev
for i in range(3):
    rc, out, err = run(machine(kernel, initrd, http_port, fwd_port, replay_objects, rr=f"rr=replay,rrfile={rr}",
                               gfwd="chardev:gf"))
    mh = re.search(r"replay complete: .*final state hash (0x[0-9a-f]+)", err)
    report(rc == 0 and out == recorded and mh and mh.group(1) == rec_hash and sent
           and f"net-sent {sent.group(1)}" in err,
           f"replay {i + 1}: console byte-identical, final state hash {rec_hash}, every sent frame checked",
           f"rc={rc} {err[-400:]}")
    if i == 0:
        listening = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout if shutil.which("ss") else ""
        report(f":{fwd_port} " not in listening and f":{http_port} " not in listening,
               "after a replay nothing listens on the recorded ports")

# The same recording without the explicit filter: one is added, with a note.
rc, out, err = run(machine(kernel, initrd, http_port, fwd_port, gfwd_chardev, rr=f"rr=replay,rrfile={rr}",
                           gfwd="chardev:gf"))
report(rc == 0 and out == recorded and "implicit filter-replay" in err and len(
    [l for l in err.splitlines() if "implicit" in l]) == 1,
    "replay without -object filter-replay: an implicit one, a one-line note, the same console", err[-300:])

# --- the pcap of filter-dump, read by tshark ----------------------------------------------
if shutil.which("tshark"):
    p = subprocess.run(["tshark", "-r", pcap], capture_output=True, text=True)
    text = p.stdout
    report(p.returncode == 0 and "DHCP" in text and "ICMP" in text and "Echo (ping) request" in text
           and "Echo (ping) reply" in text and "HTTP" in text and "GET /file" in text,
           "tshark reads the filter-dump pcap: DHCP, ICMP echo request and reply, HTTP GET", (p.stderr + text)[-600:])
    p = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.time_epoch"], capture_output=True, text=True)
    stamps = [float(x) for x in p.stdout.split()]
    report(stamps and abs(stamps[0] - time.time()) < 3600 and stamps == sorted(stamps),
           "pcap timestamps: host time, in order", p.stdout[:200])
    # A replay's dump has the same frames (both directions), stamped with virtual time.
    fields = ["-T", "fields", "-e", "frame.len", "-e", "eth.src", "-e", "eth.dst"]
    a = subprocess.run(["tshark", "-r", pcap, *fields], capture_output=True, text=True).stdout
    b = subprocess.run(["tshark", "-r", replay_pcap, *fields], capture_output=True, text=True).stdout
    report(a and a == b, f"a replay's filter-dump holds the recorded session's frames ({len(a.splitlines())}, "
           "both directions)", f"{len(a.splitlines())} vs {len(b.splitlines())} frames")
else:
    report(False, "tshark is installed (scripts/install-deps.sh)")

# --- rewind-dump: network events, and --pcap ----------------------------------------------
rc, o, e = run([DUMP, rr])
text = o.decode(errors="replace")
report(rc == 0 and re.search(r"net-frame .*UDP 67 > 68 \(DHCP\)", text) and "ICMP echo reply" in text
       and f"TCP {http_port} > " in text and re.search(r"TCP \d+ > 80 ", text),
       "rewind-dump lists net-frame events with protocol summaries (DHCP, ICMP, HTTP)", text[-400:])
pcap2 = os.path.join(tmp, "fromrr.pcap")
rc, o, e = run([DUMP, "--pcap", pcap2, rr])
ok = rc == 0 and os.path.exists(pcap2)
if ok and shutil.which("tshark"):
    p = subprocess.run(["tshark", "-r", pcap2], capture_output=True, text=True)
    ok = p.returncode == 0 and "DHCP" in p.stdout and "Echo (ping) reply" in p.stdout and "HTTP" in p.stdout
    e += p.stderr + p.stdout[-300:]
report(ok, "rewind-dump --pcap writes the recording's frames as a pcap tshark reads", e[-400:])

# --- option errors: one line, non-zero exit -----------------------------------------------
for args, what in [
    (["-netdev", "user,id=n,bogus=1"], "invalid parameter"),
    (["-netdev", "user,id=n", "-device", "virtio-net-device,netdev=nope"], "no such netdev"),
    (["-netdev", "user,id=n,hostfwd=tcp::notaport-:80", "-device", "virtio-net-device,netdev=n"], "hostfwd="),
    (["-object", "filter-dump,id=d,netdev=n,file=/tmp/x"], "not found"),
    (["-netdev", "user,id=n,guestfwd=tcp:10.0.2.100:80-chardev:nope"], "chardev 'nope' not found"),
    (["-netdev", "user,id=n,guestfwd=tcp:10.0.2.2:80-cmd:cat"], "not free in the guest network"),
    (["-netdev", "user,id=n,guestfwd=udp:10.0.2.100:53-cmd:cat"], "only TCP"),
]:
    rc, o, e = run([REWIND, "-M", "virt", "-display", "none", "-bios", "none", "-max-insns", "1000", *args], timeout=60)
    lines = e.strip().splitlines()
    # tap may work on a host that allows it: then the run is just a normal one.
    report(rc != 0 and len(lines) == 1 and what in e, f"{' '.join(args)}: one-line error ({what})", f"rc={rc} {e[-300:]}")

# -netdev tap: a one-line error where the host does not allow it, a tap interface where it does.
p = subprocess.Popen([REWIND, "-M", "virt", "-display", "none", "-bios", "none", "-netdev",
                      "tap,id=t,ifname=rwdtap0,script=no,downscript=no", "-device", "virtio-net-device,netdev=t"],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
try:
    o, e = p.communicate(timeout=5)
    e = e.decode(errors="replace")
    report(p.returncode != 0 and len(e.strip().splitlines()) == 1 and "tap" in e,
           "-netdev tap where the host does not allow it: one-line error", e)
except subprocess.TimeoutExpired:
    link = subprocess.run(["ip", "link", "show", "rwdtap0"], capture_output=True, text=True)
    p.kill()
    p.communicate()
    report(link.returncode == 0, "-netdev tap on a host that allows it: the tap interface exists while rewind runs",
           link.stderr)

shutil.rmtree(tmp, ignore_errors=True)
done()
