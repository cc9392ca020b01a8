"""The human monitor (HMP) on a unix socket (-monitor unix:PATH,server=on,wait=off):
connect, wait for the "(qemu) " prompt, run commands and return their text."""
import socket
import time

MON_PROMPT = b"(qemu) "


class Monitor:
    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b""
        self.read_to_prompt()

    def read_to_prompt(self, timeout=120):
        deadline = time.monotonic() + timeout
        while MON_PROMPT not in self.buf:
            self.s.settimeout(max(0.1, deadline - time.monotonic()))
            data = self.s.recv(65536)
            if not data:
                raise EOFError("monitor closed")
            self.buf += data
        out, self.buf = self.buf.split(MON_PROMPT, 1)
        return out.decode(errors="replace").replace("\r\n", "\n")

    def cmd(self, line, timeout=120):
        self.s.sendall(line.encode() + b"\r\n")
        out = self.read_to_prompt(timeout)
        return out.split("\n", 1)[1] if "\n" in out else ""  # drop the echoed command

    def close(self):
        self.s.close()
