"""A small DNS server for tests (RFC 1035 over UDP): A records for the names
it is given, NXDOMAIN for other names, no answers for other record types.
It answers the queries libslirp forwards from the guest's 10.0.2.3 to the
host's resolver."""
import socket
import struct
import threading


def _qname(msg, at):
    """The question's name (lowercase, dotted) and the offset after it."""
    labels = []
    while True:
        n = msg[at]
        at += 1
        if n == 0:
            return ".".join(labels).lower(), at
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(msg[at:at + n].decode("ascii", "replace"))
        at += n


def answer(query, names):
    """The response to one query datagram, or None for garbage."""
    if len(query) < 12:
        return None
    qid, flags, qdcount = struct.unpack(">HHH", query[:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    try:
        name, end = _qname(query, 12)
        qtype, qclass = struct.unpack(">HH", query[end:end + 4])
    except (IndexError, ValueError, struct.error):
        return None
    question = query[12:end + 4]
    addr = names.get(name)
    rcode = 0 if addr else 3  # NXDOMAIN
    answers = b""
    if addr and qtype == 1 and qclass == 1:
        # A pointer to the question's name, type A, class IN, TTL 60, the address.
        answers = struct.pack(">HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(addr)
    # QR, AA, RD copied, RA.
    out_flags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
    return struct.pack(">HHHHHH", qid, out_flags, 1, 1 if answers else 0, 0, 0) + question + answers


class DnsPeer:
    """Serves `names` ({"name.example": "10.0.2.100"}) on UDP (host, port)."""

    def __init__(self, names, host="127.0.0.1", port=53):
        self.names = {k.lower(): v for k, v in names.items()}
        self.queries = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, port))
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                query, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            reply = answer(query, self.names)
            if reply:
                try:
                    self.queries.append(_qname(query, 12)[0])
                except (IndexError, ValueError):
                    pass
                self.sock.sendto(reply, peer)

    def stop(self):
        self.sock.close()
