"""A page in headless Chromium (Debian's `chromium`), for the timeline tests:
load() returns its DOM after the scripts ran, the console messages and
uncaught errors, and a screenshot; png_pixels() decodes the screenshot with
zlib alone (no PIL) so that tests can look at regions of it."""
import functools
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Page:
    def __init__(self, dom, console, png, stderr):
        self.dom, self.console, self.png, self.stderr = dom, console, png, stderr


def load(html_path, fragment="", width=1200, height=800, timeout=90):
    """Loads `html_path` (a file, no network; `fragment` after '#') once:
    --dump-dom and --screenshot in the same run. A profile of its own, so
    that concurrent runs do not share one."""
    with tempfile.TemporaryDirectory(prefix="headless-") as tmp:
        shot = os.path.join(tmp, "shot.png")
        argv = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + os.path.join(tmp, "profile"), "--enable-logging=stderr", "--v=0",
                "--hide-scrollbars", "--force-device-scale-factor=1", f"--window-size={width},{height}",
                "--virtual-time-budget=5000", "--screenshot=" + shot, "--dump-dom",
                "file://" + os.path.abspath(html_path) + ("#" + fragment if fragment else "")]
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        err = p.stderr.decode(errors="replace")
        # Console messages and uncaught exceptions: '...:CONSOLE:12] "text", source: ...'.
        # (Chromium writes ":CONSOLE:12]" or ":CONSOLE(12)]" depending on its version.)
        console = [m.group(1) for m in re.finditer(r':CONSOLE[:(]?\d*\)?\] "(.*)", source:', err)]
        png = open(shot, "rb").read() if os.path.exists(shot) else b""
        return Page(p.stdout.decode(errors="replace"), console, png, err)


@functools.lru_cache(maxsize=8)  # a page's lanes look at one screenshot
def png_pixels(data):
    """(width, height, bytes per pixel, rows of bytes) of an 8-bit RGB or
    RGBA, non-interlaced PNG (pixel x of a row at x * bytes per pixel, red
    first); raises ValueError on anything else."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if not ihdr:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour, _, _, interlace = ihdr
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif f == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xFF
        elif f != 0:
            raise ValueError(f"bad PNG filter {f} in row {y}")
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows
