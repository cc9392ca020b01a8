#include "ui/vnc_listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace rwd {
namespace {

constexpr int kBacklog = 16;

void close_all(std::vector<int>& fds) {
  for (int fd : fds) close(fd);
  fds.clear();
}

// One socket bound to `ai` and listening; -1 with errno set on failure.
int listen_on(const addrinfo* ai) {
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // Each family gets its own socket, so [::] must not also take IPv4.
  if (ai->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, kBacklog) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

}  // namespace

VncListenSockets listen_vnc_tcp(const std::string& host, int first_port, int last_port) {
  int last_errno = 0;
  for (int port = first_port; port <= last_port; ++port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_ADDRCONFIG;
    addrinfo* list = nullptr;
    std::string service = std::to_string(port);
    int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list);
    if (rc != 0)
      throw VncError("address resolution failed for " + host + ":" + service + ": " + gai_strerror(rc));
    VncListenSockets out;
    out.port = port;
    bool busy = false;
    for (addrinfo* ai = list; ai; ai = ai->ai_next) {
      int fd = listen_on(ai);
      if (fd >= 0) {
        out.fds.push_back(fd);
        continue;
      }
      last_errno = errno;
      // A family this host lacks is no reason to fail; a taken port is.
      if (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL) continue;
      busy = true;
      break;
    }
    freeaddrinfo(list);
    if (!busy && !out.fds.empty()) return out;
    close_all(out.fds);
  }
  throw VncError(std::string("Failed to find an available port: ") + strerror(last_errno ? last_errno : EADDRINUSE));
}

int listen_vnc_unix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw VncError("unix socket path too long: " + path);
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw VncError("Failed to bind socket to " + path + ": the file exists and is not a socket");
    unlink(path.c_str());
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw VncError(std::string("Failed to create a socket: ") + strerror(errno));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || listen(fd, kBacklog) < 0) {
    int e = errno;
    close(fd);
    throw VncError("Failed to bind socket to " + path + ": " + strerror(e));
  }
  return fd;
}

}  // namespace rwd
