#!/usr/bin/env python3
"""QMP against a real rewind, from Python's standard library only (socket +
json; Debian's `qemu` Python package is neither needed nor imported). TAP.

Usage: qmp_test.py REWIND ECHO_ELF. ECHO_ELF (chardev_echo.S) prints
"echo: ready", answers each serial byte upper-cased and powers off on '!'.

Covers: the greeting and the capabilities handshake, query-status, stop/cont
with STOP/RESUME events, system_reset with RESET, human-monitor-command,
query-replay in a plain run, a recording and its replay (which still ends
as recorded), replay-break's argument checks, bad JSON, unknown commands,
bad arguments, an oversized request, random garbage, a second client, quit
and a guest power-off with SHUTDOWN events, -qmp tcp:, -qmp stdio and
-mon chardev=ID,mode=control.
"""
import json
import os
import random
import select
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, report  # noqa: E402

REWIND, ECHO = sys.argv[1], sys.argv[2]
BASE = [REWIND, "-M", "virt", "-bios", "none", "-kernel", ECHO, "-display", "none"]
tmp = tempfile.mkdtemp(prefix="rewind-qmp-")


class Qmp:
    """A minimal QMP client: one JSON object per "\\r\\n"-ended line."""

    def __init__(self, family, addr, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                self.sock.connect(addr)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b""
        self.events = []
        self.greeting = self.read()

    def read(self, timeout=15):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no QMP line; have {self.buf[-200:]!r}")
            r, _, _ = select.select([self.fileno()], [], [], left)
            if r:
                data = self.recv()
                if not data:
                    raise EOFError(f"QMP connection closed; have {self.buf[-200:]!r}")
                self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        assert line.endswith(b"\r"), f"line without \\r\\n: {line!r}"
        return json.loads(line)

    def fileno(self):
        return self.sock.fileno()

    def recv(self):
        return self.sock.recv(65536)

    def send_raw(self, data):
        self.sock.sendall(data)

    def reply(self, timeout=15):
        """The next reply; events on the way are kept in self.events."""
        while True:
            msg = self.read(timeout)
            if "event" in msg:
                self.events.append(msg)
            else:
                return msg

    def cmd(self, name, args=None, **extra):
        req = {"execute": name, **extra}
        if args is not None:
            req["arguments"] = args
        self.send_raw(json.dumps(req).encode())
        return self.reply()

    def wait_event(self, name, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            self.events.append(self.read(max(0.01, deadline - time.monotonic())))

    def close(self):
        self.sock.close()


class PipeQmp(Qmp):
    """QMP on a process's stdin/stdout (-qmp stdio)."""

    def __init__(self, proc, first=b""):
        self.proc, self.buf, self.events = proc, b"", []
        self.send_raw(first)  # before the greeting: read before the first instruction
        self.greeting = self.read()

    def fileno(self):
        return self.proc.stdout.fileno()

    def recv(self):
        return os.read(self.proc.stdout.fileno(), 65536)

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()


def error_class(r):
    return r.get("error", {}).get("class")


def check(desc, fn):
    try:
        ok, why = fn()
    except Exception as e:  # noqa: BLE001 - a test reports, it does not crash
        ok, why = False, f"{type(e).__name__}: {e}"
    report(ok, desc, why)
    return ok


def start(*extra, stdin=subprocess.DEVNULL):
    return subprocess.Popen(BASE + list(extra), stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc, timeout=20):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return None, out, err
    return proc.returncode, out, err


def valid_timestamp(e):
    ts = e.get("timestamp", {})
    return isinstance(ts.get("seconds"), int) and isinstance(ts.get("microseconds"), int) and \
        0 <= ts["microseconds"] < 1000000 and abs(ts["seconds"] - time.time()) < 3600


# ---- a plain run on a unix socket ---------------------------------------------

qsock = os.path.join(tmp, "qmp.sock")
proc = start("-qmp", f"unix:{qsock},server=on,wait=off", "-serial", "null")
q = None


def t_greeting():
    global q
    q = Qmp(socket.AF_UNIX, qsock)
    g = q.greeting.get("QMP", {})
    v = g.get("version", {}).get("qemu", {})
    ok = all(isinstance(v.get(k), int) for k in ("major", "minor", "micro")) and \
        isinstance(g.get("capabilities"), list) and g["version"].get("package", "").startswith("rewind")
    return ok, json.dumps(q.greeting)


check("greeting with version and capabilities", t_greeting)


def t_before_negotiation():
    r = q.cmd("query-status", id=1)
    return error_class(r) == "CommandNotFound" and r.get("id") == 1 and \
        "qmp_capabilities" in r["error"]["desc"], json.dumps(r)


check("commands are refused before qmp_capabilities (id echoed)", t_before_negotiation)


def t_negotiate():
    r1 = q.cmd("qmp_capabilities", id="neg")
    r2 = q.cmd("qmp_capabilities")
    return r1 == {"return": {}, "id": "neg"} and error_class(r2) == "CommandNotFound", f"{r1} {r2}"


check("qmp_capabilities negotiates once", t_negotiate)


def t_status():
    r = q.cmd("query-status")
    ret = r.get("return", {})
    return ret.get("running") is True and ret.get("status") == "running" and ret.get("singlestep") is False, \
        json.dumps(r)


check("query-status: running", t_status)


def t_stop_cont():
    r = q.cmd("stop")
    stop = q.wait_event("STOP")
    s1 = q.cmd("query-status")["return"]
    r2 = q.cmd("cont")
    resume = q.wait_event("RESUME")
    s2 = q.cmd("query-status")["return"]
    ok = r == {"return": {}} and r2 == {"return": {}} and s1 == {"running": False, "singlestep": False,
                                                                   "status": "paused"} and \
        s2["status"] == "running" and valid_timestamp(stop) and valid_timestamp(resume) and "data" not in stop
    return ok, f"{r} {stop} {s1} {r2} {resume} {s2}"


check("stop/cont with STOP and RESUME events (QEMU's timestamp object)", t_stop_cont)


def t_hmp():
    r = q.cmd("human-monitor-command", {"command-line": "info registers"}, id=5)
    text = r.get("return", "")
    r2 = q.cmd("human-monitor-command", {"command-line": "info status"})
    return isinstance(text, str) and " pc " in text and "\r\n" in text and r.get("id") == 5 and \
        r2.get("return") == "VM status: running\r\n", json.dumps(r)[:400] + json.dumps(r2)


check("human-monitor-command 'info registers' returns the HMP text", t_hmp)


def t_replay_none():
    r = q.cmd("query-replay")
    ret = r.get("return", {})
    return ret.get("mode") == "none" and "filename" not in ret and isinstance(ret.get("icount"), int), json.dumps(r)


check("query-replay outside record/replay: mode none", t_replay_none)


def t_errors():
    cases = [
        (b'{"execute": }', "GenericError", "JSON parse error"),
        (b"{'execute': 'query-status'}", "GenericError", "JSON parse error"),
        (b"[1, 2]", "GenericError", "must be a JSON object"),
        (b'{"execute": "no-such-command", "id": 3}', "CommandNotFound", "has not been found"),
        (b'{"execute": "replay-break"}', "GenericError", "Parameter 'icount' is missing"),
        (b'{"execute": "replay-seek", "arguments": {"icount": "10"}}', "GenericError", "Invalid parameter type"),
        (b'{"execute": "replay-seek", "arguments": {"icount": -1}}', "GenericError", "Invalid parameter type"),
        (b'{"execute": "stop", "arguments": {"now": 1}}', "GenericError", "Parameter 'now' is unexpected"),
        (b'{"execute": "stop", "extra": 1}', "GenericError", "is unexpected"),
        (b'{"execute": "query-status", "id": 1, "id": 2}', "GenericError", "duplicate key"),
        (b'{"execute": "human-monitor-command", "arguments": {"command-line": 5}}', "GenericError", "expected: string"),
    ]
    bad = []
    for raw, cls, part in cases:
        q.send_raw(raw)
        r = q.reply()
        if error_class(r) != cls or part not in r["error"]["desc"]:
            bad.append(f"{raw!r} -> {r}")
    r = q.cmd("query-status")
    return not bad and r["return"]["status"] == "running", "\n".join(bad)


check("bad JSON, unknown commands, bad arguments: QMP error objects", t_errors)


def t_large():
    start_t = time.monotonic()
    q.send_raw(b'{"execute": "query-status", "id": "' + b"x" * (3 << 20) + b'"}')
    r = q.reply(timeout=30)
    r2 = q.cmd("query-name")
    return error_class(r) == "GenericError" and "larger than" in r["error"]["desc"] and \
        r2 == {"return": {}}, f"{str(r)[:200]} {r2} in {time.monotonic() - start_t:.2f}s"


check("a 3 MiB request: one error, then the connection goes on", t_large)


def t_garbage():
    rng = random.Random(1)
    alphabet = b'{}[]":,\\ \r\n0123456789abcdefnulltrue\x00\x01\xc3\xa9\xfe'
    for _ in range(200):
        q.send_raw(bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 200))))
    q.send_raw(b"\xff")  # QMP's resynchronisation byte
    q.send_raw(b'{"execute": "query-status", "id": "after"}')
    deadline = time.monotonic() + 15
    while True:
        r = q.reply(timeout=max(0.01, deadline - time.monotonic()))
        if r.get("id") == "after":
            break
        if "return" not in r and "error" not in r:
            return False, f"not a reply: {r}"
    return r["return"]["status"] in ("running", "paused") and proc.poll() is None, json.dumps(r)


check("random garbage gets replies or silence, never a crash; 0xff resynchronises", t_garbage)


def t_reset():
    q.cmd("cont")  # garbage may have stopped it
    q.events.clear()
    r = q.cmd("system_reset")
    e = q.wait_event("RESET")
    return r == {"return": {}} and e.get("data") == {"guest": False, "reason": "host-qmp-system-reset"} and \
        valid_timestamp(e), f"{r} {e}"


check("system_reset with a RESET event (guest false, host-qmp-system-reset)", t_reset)


def t_second_client():
    q.close()
    q2 = Qmp(socket.AF_UNIX, qsock)
    r1 = q2.cmd("query-status")
    q2.cmd("qmp_capabilities")
    r2 = q2.cmd("query-status")
    globals()["q"] = q2
    return "QMP" in q2.greeting and error_class(r1) == "CommandNotFound" and "return" in r2, f"{r1} {r2}"


check("a second client gets a new greeting and negotiates again", t_second_client)


def t_quit():
    r = q.cmd("quit", id="bye")
    e = q.wait_event("SHUTDOWN")
    code, out, err = finish(proc)
    return r == {"return": {}, "id": "bye"} and e.get("data") == {"guest": False, "reason": "host-qmp-quit"} and \
        code == 0, f"{r} {e} exit {code} {err[-300:]!r}"


check("quit: reply, SHUTDOWN event (host-qmp-quit), exit 0", t_quit)
if proc.poll() is None:
    proc.kill()

# ---- the guest powers off; -mon chardev=ID,mode=control on a socket chardev ---

ssock, msock = os.path.join(tmp, "ser.sock"), os.path.join(tmp, "mon.sock")
proc = start("-chardev", f"socket,id=qm,path={msock},server=on,wait=off", "-mon", "chardev=qm,mode=control",
             "-serial", f"unix:{ssock},server=on,wait=off")


def t_guest_shutdown():
    m = Qmp(socket.AF_UNIX, msock)
    m.cmd("qmp_capabilities")
    s = m.cmd("query-status")
    ser = socket.socket(socket.AF_UNIX)
    ser.connect(ssock)
    ser.sendall(b"!")
    e = m.wait_event("SHUTDOWN")
    code, out, err = finish(proc)
    ser.close()
    return s["return"]["status"] == "running" and e.get("data") == {"guest": True, "reason": "guest-shutdown"} and \
        code == 0, f"{s} {e} exit {code} {err[-300:]!r}"


check("-mon chardev=ID,mode=control; a guest power-off sends SHUTDOWN (guest-shutdown)", t_guest_shutdown)
if proc.poll() is None:
    proc.kill()

# ---- tcp and stdio ------------------------------------------------------------

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
proc = start("-qmp", f"tcp:127.0.0.1:{port},server=on,wait=off")


def t_tcp():
    t = Qmp(socket.AF_INET, ("127.0.0.1", port))
    t.cmd("qmp_capabilities")
    r = t.cmd("query-status")
    t.cmd("quit")
    code, _, err = finish(proc)
    return r["return"]["running"] is True and code == 0, f"{r} exit {code} {err[-200:]!r}"


check("-qmp tcp:HOST:PORT,server=on,wait=off", t_tcp)
if proc.poll() is None:
    proc.kill()


def t_stdio():
    reqs = b'{"execute": "qmp_capabilities"}\n{"execute": "query-status", "id": 1}\n{"execute": "quit"}\n'
    p = subprocess.run(BASE + ["-qmp", "stdio"], input=reqs, capture_output=True, timeout=30)
    lines = [json.loads(line) for line in p.stdout.split(b"\r\n") if line.strip()]
    kinds = [("QMP" in m and "greeting") or m.get("event") or ("return" in m and "return") for m in lines]
    return p.returncode == 0 and kinds[:4] == ["greeting", "return", "return", "return"] and \
        lines[2].get("id") == 1 and "SHUTDOWN" in kinds, f"{kinds} {p.stderr[-200:]!r}"


check("-qmp stdio", t_stdio)

# ---- a recording and its replay ---------------------------------------------------

rr = os.path.join(tmp, "echo.rr")
proc = start("-icount", f"shift=7,rr=record,rrfile={rr}", "-qmp", f"unix:{qsock},server=on,wait=off",
             "-serial", f"unix:{ssock},server=on,wait=off")


def t_record():
    c = Qmp(socket.AF_UNIX, qsock)
    c.cmd("qmp_capabilities")
    r1 = c.cmd("query-replay")["return"]
    ser = socket.socket(socket.AF_UNIX)
    ser.connect(ssock)
    ser.sendall(b"hello")
    got = b""
    deadline = time.monotonic() + 10
    while b"HELLO" not in got and time.monotonic() < deadline:
        if select.select([ser], [], [], 0.5)[0]:
            got += ser.recv(4096)
    c.cmd("stop")
    time.sleep(0.3)
    c.cmd("cont")
    time.sleep(0.5)
    r2 = c.cmd("query-replay")["return"]
    c.cmd("quit")
    code, _, err = finish(proc)
    ser.close()
    ok = r1.get("mode") == "record" and r1.get("filename") == rr and r2["icount"] > r1["icount"] and \
        b"HELLO" in got and code == 0
    return ok, f"{r1} {r2} {got!r} exit {code} {err[-300:]!r}"


check("query-replay while recording: mode record, the rrfile, a growing icount", t_record)
if proc.poll() is None:
    proc.kill()

# The replay is short (the guest mostly waited): QMP on stdio has the requests
# there before the first instruction, so the replay stops at once.
proc = subprocess.Popen(BASE + ["-icount", f"shift=7,rr=replay,rrfile={rr}", "-qmp", "stdio"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def t_replay():
    c = PipeQmp(proc, b'{"execute": "qmp_capabilities"}{"execute": "stop"}')
    c.reply()
    c.reply()
    c.wait_event("STOP")
    r = c.cmd("query-replay")["return"]
    bad = c.cmd("replay-break", {"icount": "soon"})
    brk = c.cmd("replay-break", {"icount": r["icount"] + 50})
    # replay-break is the navigation's: either it stops the replay there
    # (STOP event) or it says why not; it is never an unknown command.
    if "return" in brk:
        c.cmd("cont")
        c.wait_event("STOP")
        at = c.cmd("query-replay")["return"]["icount"]
        brk_ok = at == r["icount"] + 50
        c.cmd("replay-delete-break")
    else:
        brk_ok = error_class(brk) == "GenericError"
    reset = c.cmd("system_reset")
    c.cmd("cont")
    code, _, err = finish(proc, timeout=60)
    ok = r.get("mode") == "play" and r.get("filename") == rr and error_class(bad) == "GenericError" and brk_ok and \
        error_class(reset) == "GenericError" and code == 0 and b"replay complete" in err
    return ok, f"{r} {bad} {brk} {reset} exit {code} {err[-400:]!r}"


check("query-replay in a replay: mode play; replay-break answers; system_reset refused; the replay ends as recorded",
      t_replay)
if proc.poll() is None:
    proc.kill()

report("qemu" not in sys.modules and "qemu.qmp" not in sys.modules, "Debian's qemu Python package was not needed")
done()
