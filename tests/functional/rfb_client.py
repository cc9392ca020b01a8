"""A small RFB 3.8 client for the tests and the display bench (RFC 6143):
handshake with security type None, ServerInit, SetEncodings (raw, zlib,
DesktopSize), update requests, raw and zlib rectangles decoded into a pixel
array (one 0xRRGGBB int per pixel), KeyEvent and PointerEvent, and a few
ways to misbehave for the robustness tests."""
import socket
import struct
import time
import zlib

RAW, ZLIB, DESKTOP_SIZE = 0, 6, -223

# X11 keysyms of the keys the tests type (besides printable ASCII).
KEYSYMS = {"\n": 0xFF0D, "\t": 0xFF09, "\b": 0xFF08, "esc": 0xFF1B, "shift": 0xFFE1, "ctrl": 0xFFE3,
           "alt": 0xFFE9}
# Characters typed with Shift on a US keyboard.
SHIFTED = set('~!@#$%^&*()_+{}|:"<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ')


class RfbError(Exception):
    pass


class RfbClient:
    def __init__(self, address, timeout=10):
        """`address`: (host, port) or a Unix socket path."""
        if isinstance(address, str):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(address)
        self.width = self.height = 0
        self.name = b""
        self.pixels = []
        self.zlib = zlib.decompressobj()
        self.shift = (16, 8, 0)

    def close(self):
        self.sock.close()

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise RfbError("server closed the connection")
            buf += chunk
        return buf

    def handshake(self, shared=True):
        version = self.recv_exact(12)
        if not version.startswith(b"RFB 003."):
            raise RfbError(f"not an RFB server: {version!r}")
        self.sock.sendall(b"RFB 003.008\n")
        n = self.recv_exact(1)[0]
        if n == 0:
            reason = self.recv_exact(struct.unpack(">I", self.recv_exact(4))[0])
            raise RfbError(f"refused: {reason!r}")
        types = self.recv_exact(n)
        if 1 not in types:
            raise RfbError(f"no security type None among {list(types)}")
        self.sock.sendall(b"\x01")
        if struct.unpack(">I", self.recv_exact(4))[0] != 0:
            raise RfbError("security handshake failed")
        self.sock.sendall(bytes([1 if shared else 0]))
        self.width, self.height = struct.unpack(">HH", self.recv_exact(4))
        fmt = self.recv_exact(16)
        bpp, depth, big, true_colour, rmax, gmax, bmax, rs, gs, bs = struct.unpack(">BBBBHHHBBB", fmt[:13])
        if bpp != 32 or not true_colour:
            raise RfbError(f"unexpected pixel format {fmt!r}")
        self.big_endian = bool(big)
        self.shift = (rs, gs, bs)
        self.name = self.recv_exact(struct.unpack(">I", self.recv_exact(4))[0])
        self.pixels = [0] * (self.width * self.height)

    def set_encodings(self, encodings):
        self.sock.sendall(struct.pack(">BxH", 2, len(encodings)) + b"".join(struct.pack(">i", e) for e in encodings))

    def request(self, incremental=False):
        self.sock.sendall(struct.pack(">BBHHHH", 3, 1 if incremental else 0, 0, 0, self.width, self.height))

    def key(self, keysym, down):
        self.sock.sendall(struct.pack(">BBxxI", 4, 1 if down else 0, keysym))

    def pointer(self, mask, x, y):
        self.sock.sendall(struct.pack(">BBHH", 5, mask, x, y))

    def type_text(self, text, delay=0.02):
        """Types `text` on a US keyboard (Shift pressed around shifted symbols)."""
        for ch in text:
            sym = KEYSYMS.get(ch, ord(ch))
            shifted = ch in SHIFTED
            if shifted:
                self.key(KEYSYMS["shift"], True)
            self.key(sym, True)
            self.key(sym, False)
            if shifted:
                self.key(KEYSYMS["shift"], False)
            time.sleep(delay)

    def _pixel(self, word):
        rs, gs, bs = self.shift
        return ((word >> rs) & 255) << 16 | ((word >> gs) & 255) << 8 | ((word >> bs) & 255)

    def _store(self, x0, y0, w, h, data):
        fmt = ">" if self.big_endian else "<"
        words = struct.unpack(f"{fmt}{w * h}I", data)
        for y in range(h):
            row = (y0 + y) * self.width + x0
            for x in range(w):
                self.pixels[row + x] = self._pixel(words[y * w + x])

    def read_message(self):
        """Reads one server message. Returns ("update", rects) with rects as
        (x, y, w, h, encoding), or (kind, None) for the others."""
        kind = self.recv_exact(1)[0]
        if kind == 0:
            n = struct.unpack(">xH", self.recv_exact(3))[0]
            rects = []
            for _ in range(n):
                x, y, w, h, enc = struct.unpack(">HHHHi", self.recv_exact(12))
                rects.append((x, y, w, h, enc))
                if enc == RAW:
                    self._store(x, y, w, h, self.recv_exact(4 * w * h))
                elif enc == ZLIB:
                    size = struct.unpack(">I", self.recv_exact(4))[0]
                    data = self.zlib.decompress(self.recv_exact(size))
                    if len(data) != 4 * w * h:
                        raise RfbError(f"zlib rect of {len(data)} bytes for {w}x{h}")
                    self._store(x, y, w, h, data)
                elif enc == DESKTOP_SIZE:
                    self.width, self.height = w, h
                    self.pixels = [0] * (w * h)
                else:
                    raise RfbError(f"unexpected encoding {enc}")
            return "update", rects
        if kind == 1:  # SetColourMapEntries
            _, _, n = struct.unpack(">xHH", self.recv_exact(5))
            self.recv_exact(6 * n)
            return "colourmap", None
        if kind == 2:
            return "bell", None
        if kind == 3:
            self.recv_exact(struct.unpack(">xxxI", self.recv_exact(7))[0])
            return "cut", None
        raise RfbError(f"unknown server message {kind}")

    def update(self, incremental=False):
        """Requests an update and reads until one arrives; returns its rects."""
        self.request(incremental)
        while True:
            kind, rects = self.read_message()
            if kind == "update":
                return rects

    def region(self, x0, y0, w, h):
        return [self.pixels[(y0 + y) * self.width + x0:(y0 + y) * self.width + x0 + w] for y in range(h)]
