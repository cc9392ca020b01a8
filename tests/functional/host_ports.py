"""Host ports for tests and benches that start servers: free_port() asks the
kernel for a port nobody listens on now (bind to port 0, read it, close)."""
import socket


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
