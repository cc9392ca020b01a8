// The listening sockets of the VNC server: TCP on one or every address, or
// a Unix socket. Errors are one line, as QEMU words them where it has words.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace rwd {

class VncError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Non-blocking, close-on-exec listening sockets.
struct VncListenSockets {
  std::vector<int> fds;
  int port = -1;  // the TCP port they listen on
};

// Listens on `host` (empty: every address, IPv4 and IPv6) at the first port
// of first_port..last_port free on all its addresses. Throws VncError.
VncListenSockets listen_vnc_tcp(const std::string& host, int first_port, int last_port);

// Listens on the Unix socket `path`, replacing a stale socket file there
// (never another kind of file). Throws VncError.
int listen_vnc_unix(const std::string& path);

}  // namespace rwd
