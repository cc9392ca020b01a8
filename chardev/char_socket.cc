#include "chardev/char_socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace rwd {

namespace {

std::string errno_text() { return std::strerror(errno); }

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) throw ChardevError("socket path too long: '" + path + "'");
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  return sa;
}

std::string numeric_host(const sockaddr* sa, socklen_t len) {
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0) return "?";
  return std::string(host) + ":" + serv;
}

struct AddrInfo {
  addrinfo* list = nullptr;
  ~AddrInfo() {
    if (list) freeaddrinfo(list);
  }
};

}  // namespace

SocketChardev::SocketChardev(HostLoop& loop, const SocketConfig& config)
    : FdChardev(loop, WhenFull::kDrop), config_(config), listen_watch_(&loop) {
  if (config_.server)
    listen_socket();
  else
    connect_socket();
}

SocketChardev::~SocketChardev() {
  listen_watch_.clear();
  flush();
  detach();
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    if (config_.is_unix) unlink(config_.path.c_str());
  }
}

void SocketChardev::listen_socket() {
  if (config_.is_unix) {
    sockaddr_un sa = unix_address(config_.path);
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(config_.path.c_str());
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || listen(listen_fd_, 1) < 0)
      throw ChardevError("cannot listen on unix:" + config_.path + ": " + errno_text());
    address_ = "unix:" + config_.path + ",server=on";
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    AddrInfo ai;
    const char* host = config_.host.empty() ? "0.0.0.0" : config_.host.c_str();
    int rc = getaddrinfo(host, config_.port.c_str(), &hints, &ai.list);
    if (rc != 0) throw ChardevError("address resolution failed for " + config_.host + ":" + config_.port + ": " + gai_strerror(rc));
    int err = 0;
    for (addrinfo* a = ai.list; a; a = a->ai_next) {
      int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1) == 0) {
        listen_fd_ = fd;
        sockaddr_storage bound{};
        socklen_t len = sizeof bound;
        getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
        address_ = "tcp:" + numeric_host(reinterpret_cast<sockaddr*>(&bound), len) + ",server=on";
        break;
      }
      err = errno;
      close(fd);
    }
    if (listen_fd_ < 0) {
      errno = err;
      throw ChardevError("cannot listen on tcp:" + config_.host + ":" + config_.port + ": " + errno_text());
    }
  }
  if (config_.wait) {
    std::fprintf(stderr, "rewind: waiting for connection on: disconnected:%s\n", address_.c_str());
    int fd;
    do fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) throw ChardevError("accept on " + address_ + " failed: " + errno_text());
    connected(fd);
  }
  fcntl(listen_fd_, F_SETFL, fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
  if (!connected_) {
    listen_watch_.set(listen_fd_, kIoIn, [this](unsigned) { accept_client(); });
  }
}

void SocketChardev::connect_socket() {
  int fd = -1;
  if (config_.is_unix) {
    sockaddr_un sa = unix_address(config_.path);
    address_ = "unix:" + config_.path;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
      int e = errno;
      if (fd >= 0) close(fd);
      errno = e;
      throw ChardevError("could not connect to " + address_ + ": " + errno_text());
    }
  } else {
    address_ = "tcp:" + (config_.host.empty() ? std::string("localhost") : config_.host) + ":" + config_.port;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    AddrInfo ai;
    int rc = getaddrinfo(config_.host.empty() ? "localhost" : config_.host.c_str(), config_.port.c_str(), &hints, &ai.list);
    if (rc != 0) throw ChardevError("address resolution failed for " + address_ + ": " + gai_strerror(rc));
    int err = ECONNREFUSED;
    for (addrinfo* a = ai.list; a && fd < 0; a = a->ai_next) {
      fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
        err = errno;
        close(fd);
        fd = -1;
      }
    }
    if (fd < 0) {
      errno = err;
      throw ChardevError("could not connect to " + address_ + ": " + errno_text());
    }
  }
  connected(fd);
}

void SocketChardev::accept_client() {
  int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;  // the client gave up already, or EAGAIN
  connected(fd);
}

void SocketChardev::connected(int fd) {
  if (config_.nodelay && !config_.is_unix) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  // One client at a time: the next one waits in the backlog until this one leaves.
  listen_watch_.clear();
  attach(fd, fd, true);
  connected_ = true;
  notify(CharEvent::kOpened);
}

void SocketChardev::disconnect() {
  if (!connected_) return;
  connected_ = false;
  detach();
  notify(CharEvent::kClosed);
  if (listen_fd_ >= 0) listen_watch_.set(listen_fd_, kIoIn, [this](unsigned) { accept_client(); });
}

}  // namespace rwd
