#include "net/socket_backend.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "util/host_loop.h"

namespace rwd {

namespace {

// Bytes of frames waiting for a slow stream peer, at most; more are dropped.
constexpr size_t kMaxPendingOut = 4u << 20;

std::runtime_error error(const NetdevSpec& s, const std::string& m) {
  return std::runtime_error("-netdev " + s.type + ",id=" + s.id + ": " + m);
}

// "host:port" (host may be empty: any / localhost) -> IPv4 address.
bool parse_hostport(const std::string& text, sockaddr_in& out, bool empty_is_any) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end || p < 0 || p > 65535) return false;
  out = sockaddr_in{};
  out.sin_family = AF_INET;
  out.sin_port = htons(static_cast<uint16_t>(p));
  if (host.empty()) {
    out.sin_addr.s_addr = htonl(empty_is_any ? INADDR_ANY : INADDR_LOOPBACK);
    return true;
  }
  if (inet_pton(AF_INET, host.c_str(), &out.sin_addr) == 1) return true;
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_INET;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) return false;
  out.sin_addr = reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr;
  freeaddrinfo(res);
  return true;
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// QEMU's stream framing: each frame preceded by its length, 4 bytes big-endian.
class StreamBackend : public NetBackend {
 public:
  StreamBackend(const NetdevSpec& spec, HostLoop& loop) : spec_(spec), listen_watch_(&loop), watch_(&loop) {
    sockaddr_in a;
    std::string listen = spec.get("listen"), connect = spec.get("connect");
    if (!listen.empty()) {
      if (!parse_hostport(listen, a, true)) throw error(spec, "listen=" + listen + ": expected [host]:port");
      listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      int one = 1;
      setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 1) != 0)
        throw error(spec, "listen=" + listen + ": " + std::strerror(errno));
      set_nonblocking(listen_fd_);
      listen_watch_.set(listen_fd_, kIoIn, [this](unsigned) { accept_peer(); });
      desc_ = "listen=" + listen;
    } else {
      if (!parse_hostport(connect, a, false)) throw error(spec, "connect=" + connect + ": expected host:port");
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        std::string e = std::strerror(errno);
        if (fd >= 0) close(fd);
        throw error(spec, "connect=" + connect + ": " + e);
      }
      desc_ = "connect=" + connect;
      attach(fd);
    }
  }
  ~StreamBackend() override {
    watch_.clear();
    listen_watch_.clear();
    if (fd_ >= 0) close(fd_);
    if (listen_fd_ >= 0) close(listen_fd_);
  }
  std::string type() const override { return "socket"; }
  std::string info() const override { return desc_ + (fd_ >= 0 ? " (connected)" : " (waiting)"); }

  void receive(const uint8_t* data, size_t len) override {
    if (fd_ < 0) return;
    if (out_.size() + len + 4 > kMaxPendingOut) return;  // a stalled peer: drop
    uint32_t be = htonl(static_cast<uint32_t>(len));
    const auto* p = reinterpret_cast<const uint8_t*>(&be);
    out_.insert(out_.end(), p, p + 4);
    out_.insert(out_.end(), data, data + len);
    write_out();
  }

 private:
  void accept_peer() {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    if (fd_ >= 0) {  // one peer at a time, as QEMU
      close(fd);
      return;
    }
    attach(fd);
  }
  void attach(int fd) {
    set_nonblocking(fd);
    fd_ = fd;
    in_.clear();
    out_.clear();
    rewatch();
  }
  void rewatch() { watch_.set(fd_, kIoIn | (out_.empty() ? 0u : unsigned{kIoOut}), [this](unsigned c) { ready(c); }); }
  void drop_peer(const char* why) {
    std::fprintf(stderr, "rewind: -netdev socket,id=%s: peer dropped (%s)\n", spec_.id.c_str(), why);
    watch_.clear();
    close(fd_);
    fd_ = -1;
    in_.clear();
    out_.clear();
  }
  void write_out() {
    while (!out_.empty()) {
      ssize_t n = send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) return drop_peer("write failed");
      out_.erase(out_.begin(), out_.begin() + n);
    }
    rewatch();
  }
  void ready(unsigned cond) {
    if (cond & kIoOut) write_out();
    if (fd_ < 0) return;
    if (!(cond & (kIoIn | kIoHup | kIoErr))) return;
    // Up to 1 MiB per wake-up (bounded: the guest gets its turn).
    uint8_t buf[65536];
    for (int i = 0; i < 16; ++i) {
      ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return drop_peer(n == 0 ? "closed" : "read failed");
      in_.insert(in_.end(), buf, buf + n);
      if (!parse_frames()) return;
    }
  }

  // Hands on every whole frame in in_; false if the peer was dropped.
  bool parse_frames() {
    size_t at = 0;
    while (in_.size() - at >= 4) {
      uint32_t len = (uint32_t{in_[at]} << 24) | (uint32_t{in_[at + 1]} << 16) | (uint32_t{in_[at + 2]} << 8) | in_[at + 3];
      if (len == 0 || len > kMaxFrame) {
        drop_peer("malformed frame length");
        return false;
      }
      if (in_.size() - at - 4 < len) break;
      to_guest(in_.data() + at + 4, len);
      at += 4 + len;
    }
    in_.erase(in_.begin(), in_.begin() + static_cast<long>(at));
    return true;
  }

  NetdevSpec spec_;
  std::string desc_;
  int listen_fd_ = -1, fd_ = -1;
  FdWatch listen_watch_, watch_;
  std::vector<uint8_t> in_, out_;
};

// One datagram = one frame: UDP (udp=, mcast=) and tap.
class DatagramBackend : public NetBackend {
 public:
  DatagramBackend(std::string type, std::string desc, int fd, HostLoop& loop, const sockaddr_in* dest)
      : type_(std::move(type)), desc_(std::move(desc)), fd_(fd), watch_(&loop) {
    if (dest) dest_ = *dest, has_dest_ = true;
    set_nonblocking(fd_);
    watch_.set(fd_, kIoIn, [this](unsigned) { ready(); });
  }
  ~DatagramBackend() override {
    watch_.clear();
    close(fd_);
  }
  std::string type() const override { return type_; }
  std::string info() const override { return desc_; }
  void receive(const uint8_t* data, size_t len) override {
    // A full socket buffer drops the frame, as a wire would.
    if (has_dest_) sendto(fd_, data, len, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&dest_), sizeof dest_);
    else if (write(fd_, data, len) < 0) return;
  }

 private:
  void ready() {
    uint8_t buf[kMaxFrame + 1];
    for (int i = 0; i < 64; ++i) {  // bounded per wake-up: the guest gets its turn
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) return;
      if (static_cast<size_t>(n) <= kMaxFrame) to_guest(buf, static_cast<size_t>(n));
    }
  }

  std::string type_, desc_;
  int fd_;
  FdWatch watch_;
  sockaddr_in dest_{};
  bool has_dest_ = false;
};

}  // namespace

std::unique_ptr<NetBackend> make_socket_backend(const NetdevSpec& spec, HostLoop& loop) {
  std::string listen = spec.get("listen"), connect = spec.get("connect"), udp = spec.get("udp"),
              mcast = spec.get("mcast"), local = spec.get("localaddr");
  int kinds = !listen.empty() + !connect.empty() + !udp.empty() + !mcast.empty();
  if (kinds != 1) throw error(spec, "exactly one of listen=, connect=, udp=, mcast= is needed");
  if (!listen.empty() || !connect.empty()) {
    if (!local.empty()) throw error(spec, "localaddr= goes with udp= or mcast=");
    return std::make_unique<StreamBackend>(spec, loop);
  }
  sockaddr_in dest, bind_to;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw error(spec, std::strerror(errno));
  auto fail = [&](const std::string& m) {
    close(fd);
    return error(spec, m);
  };
  if (!udp.empty()) {
    if (!parse_hostport(udp, dest, false)) throw fail("udp=" + udp + ": expected host:port");
    if (local.empty()) throw fail("udp= needs localaddr=host:port");
    if (!parse_hostport(local, bind_to, true)) throw fail("localaddr=" + local + ": expected host:port");
    if (bind(fd, reinterpret_cast<sockaddr*>(&bind_to), sizeof bind_to) != 0)
      throw fail("localaddr=" + local + ": " + std::strerror(errno));
    return std::make_unique<DatagramBackend>("socket", "udp=" + udp + ",localaddr=" + local, fd, loop, &dest);
  }
  if (!parse_hostport(mcast, dest, false) || !IN_MULTICAST(ntohl(dest.sin_addr.s_addr)))
    throw fail("mcast=" + mcast + ": expected a multicast address:port (224.0.0.0/4)");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bind_to = dest;
  if (bind(fd, reinterpret_cast<sockaddr*>(&bind_to), sizeof bind_to) != 0) throw fail("mcast=" + mcast + ": " + std::strerror(errno));
  ip_mreq mreq{};
  mreq.imr_multiaddr = dest.sin_addr;
  mreq.imr_interface.s_addr = htonl(INADDR_ANY);
  if (!local.empty()) {
    if (inet_pton(AF_INET, local.c_str(), &mreq.imr_interface) != 1) throw fail("localaddr=" + local + ": expected an address");
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq.imr_interface, sizeof mreq.imr_interface);
  }
  if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0)
    throw fail("mcast=" + mcast + ": cannot join the group: " + std::strerror(errno));
  unsigned char loop_on = 1;
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop_on, sizeof loop_on);
  return std::make_unique<DatagramBackend>("socket", "mcast=" + mcast, fd, loop, &dest);
}

std::unique_ptr<NetBackend> make_tap_backend(const NetdevSpec& spec, HostLoop& loop) {
  std::string script = spec.get("script", "no"), down = spec.get("downscript", "no");
  if (script != "no" || down != "no") throw error(spec, "only script=no,downscript=no is supported (configure the tap yourself)");
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) throw error(spec, std::string("cannot open /dev/net/tun: ") + std::strerror(errno) + " (use -netdev user)");
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::string name = spec.get("ifname");
  std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name.c_str());
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    std::string e = std::strerror(errno);
    close(fd);
    throw error(spec, "cannot create tap interface: " + e + " (tap needs CAP_NET_ADMIN; use -netdev user)");
  }
  return std::make_unique<DatagramBackend>("tap", std::string("ifname=") + ifr.ifr_name, fd, loop, nullptr);
}

class SocketHubs::Port : public NetBackend {
 public:
  Port(SocketHubs& hubs, std::string hub, HostLoop& loop) : hubs_(hubs), hub_(std::move(hub)), loop_(loop) {
    hubs_.hubs_[hub_].push_back(this);
  }
  ~Port() override {
    auto& v = hubs_.hubs_[hub_];
    v.erase(std::remove(v.begin(), v.end(), this), v.end());
  }
  std::string type() const override { return "hubport"; }
  std::string info() const override { return "hubid=" + hub_; }
  // To every other port of the hub, from the host loop (never inside the
  // sending guest's instruction).
  void receive(const uint8_t* data, size_t len) override {
    auto frame = std::make_shared<Frame>(data, data + len);
    for (Port* p : hubs_.hubs_[hub_])
      if (p != this) {
        std::weak_ptr<bool> alive = p->alive_;
        loop_.call_soon([p, alive, frame] {
          if (!alive.expired()) p->to_guest(frame->data(), frame->size());
        });
      }
  }

 private:
  SocketHubs& hubs_;
  std::string hub_;
  HostLoop& loop_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

std::unique_ptr<NetBackend> SocketHubs::port(const NetdevSpec& spec, HostLoop& loop) {
  if (!spec.get("netdev").empty()) throw error(spec, "netdev= is not supported (connect NICs to hub ports instead)");
  return std::make_unique<Port>(*this, spec.get("hubid"), loop);
}

}  // namespace rwd
