#include "ui/vnc.h"

#include <errno.h>
#include <stdlib.h>
#include <glib.h>
#include <rfb/rfb.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "ui/vnc_message.h"

namespace rwd {
namespace {

// How long libvncserver may block the emulator on one client that stopped
// mid-message (reads) or stopped reading (writes wait in 5 s steps) before
// it drops that client. Its default is 20 s.
constexpr int kClientWaitMs = 500;

// Clients taken from one listener per wake-up, so a flood of connections
// cannot keep the emulator in accept().
constexpr int kAcceptsPerWake = 16;

// A client whose next message is not all there yet is held back (not given
// to libvncserver, whose reads would block) and looked at again every
// kHoldPollMs; after kHoldLimit it is dropped. Messages longer than
// kHoldBytes (a cut text near its 1 MiB limit) may not fit the socket
// buffer: the library reads those, within kClientWaitMs per stall.
constexpr unsigned kHoldPollMs = 10;
constexpr auto kHoldLimit = std::chrono::seconds(2);
constexpr size_t kHoldBytes = 64 * 1024;
constexpr size_t kLibraryCutTextLimit = 8 + (1u << 20);

void quiet_log(const char*, ...) {}

RfbPhase phase_of(const rfbClientRec& cl) {
  switch (cl.state) {
    case rfbClientRec::RFB_PROTOCOL_VERSION: return RfbPhase::kVersion;
    case rfbClientRec::RFB_SECURITY_TYPE: return RfbPhase::kSecurity;
    case rfbClientRec::RFB_INITIALISATION:
    case rfbClientRec::RFB_INITIALISATION_SHARED: return RfbPhase::kClientInit;
    case rfbClientRec::RFB_NORMAL: return RfbPhase::kNormal;
    default: return RfbPhase::kOther;
  }
}

// Whether libvncserver can read the client's next message without waiting.
bool message_waiting(rfbClientPtr cl) {
  if (cl->wsctx) return true;  // WebSocket frames: the library buffers and decodes them
  uint8_t head[8];
  ssize_t n = recv(cl->sock, head, sizeof head, MSG_PEEK | MSG_DONTWAIT);
  if (n <= 0) return true;  // end of stream or an error: the library closes the client
  int avail = 0;
  if (ioctl(cl->sock, FIONREAD, &avail) < 0) return true;
  size_t need = rfb_message_size(phase_of(*cl), head, static_cast<size_t>(n));
  // Unknown, or a cut text past the library's 1 MiB limit: it closes the client.
  if (need == 0 || need > kLibraryCutTextLimit) return true;
  if (static_cast<size_t>(avail) >= std::min(need, kHoldBytes)) return true;
  // The client has closed its end: the rest never comes.
  pollfd p{cl->sock, POLLRDHUP, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

}  // namespace

struct VncServer::Client {
  explicit Client(HostLoop& loop) : loop(loop), watch(&loop) {}
  ~Client() { loop.remove(hold_timer); }
  HostLoop& loop;
  FdWatch watch;
  unsigned hold_timer = 0;  // a glib source id while held back
  std::chrono::steady_clock::time_point held_since;
};

struct VncServer::Hooks {
  static VncServer* server(rfbClientPtr cl) { return static_cast<VncServer*>(cl->screen->screenData); }

  static rfbNewClientAction new_client(rfbClientPtr cl) {
    VncServer* s = server(cl);
    cl->clientGoneHook = client_gone;
    s->clients_[cl] = std::make_unique<Client>(s->loop_);
    s->watch_client(cl);
    return RFB_CLIENT_ACCEPT;
  }

  static void client_gone(rfbClientPtr cl) { server(cl)->client_gone(cl); }

  static void key(rfbBool down, rfbKeySym keysym, rfbClientPtr cl) {
    VncServer* s = server(cl);
    if (!s->input_.live()) return;  // a replay plays the recorded keys
    s->send(s->mapper_.key(down, keysym));
  }

  static void pointer(int mask, int x, int y, rfbClientPtr cl) {
    VncServer* s = server(cl);
    if (!s->input_.live()) return;
    s->send(s->mapper_.pointer(static_cast<uint8_t>(mask), x, y, cl->screen->width, cl->screen->height,
                               s->input_.pointer_absolute()));
  }
};

VncServer::VncServer(const VncOptions& opts, HostLoop& loop, DisplayConsole* console, InputRouter& input)
    : opts_(opts), loop_(loop), console_(console), input_(input),
      placeholder_(size_t{kPlaceholderWidth} * kPlaceholderHeight, 0) {
  // libvncserver logs every connection on stderr; the guest's console may
  // be there. Its own messages are not user-facing errors.
  if (!getenv("REWIND_VNC_DEBUG")) {
    rfbLog = quiet_log;
    rfbErr = quiet_log;
  }

  // Listen first: a busy port is an error before anything else is set up.
  if (opts.kind == VncOptions::Kind::kTcp) {
    int last = opts.to >= 0 ? opts.to : opts.display;
    tcp_ = listen_vnc_tcp(opts.host, kVncBasePort + opts.display, kVncBasePort + last);
  } else if (opts.kind == VncOptions::Kind::kUnix) {
    unix_fd_ = listen_vnc_unix(opts.path);
  }
  if (opts.websocket_port > 0) {
    try {
      ws_ = listen_vnc_tcp(opts.host, opts.websocket_port, opts.websocket_port);
    } catch (const VncError& e) {
      for (int fd : tcp_.fds) close(fd);
      if (unix_fd_ >= 0) close(unix_fd_);
      throw VncError(std::string("websocket: ") + e.what());
    }
  }

  screen_ = rfbGetScreen(nullptr, nullptr, kPlaceholderWidth, kPlaceholderHeight, 8, 3, 4);
  if (!screen_) throw VncError("cannot create the VNC screen");
  screen_->screenData = this;
  screen_->desktopName = "rewind";
  screen_->cursor = nullptr;  // libvncserver would draw its cursor into the guest's surface
  screen_->deferUpdateTime = 0;     // send as soon as a requested region changed
  screen_->deferPtrUpdateTime = 0;  // every pointer move reaches the guest
  screen_->maxClientWait = kClientWaitMs;
  screen_->alwaysShared = opts.share != VncOptions::Share::kAllowExclusive;
  screen_->newClientHook = Hooks::new_client;
  screen_->kbdAddEvent = Hooks::key;
  screen_->ptrAddEvent = Hooks::pointer;

  if (console_) console_->add_listener(this);  // calls surface_changed() at once
  else surface_changed(nullptr);

  for (int fd : tcp_.fds) watch_listener(fd);
  for (int fd : ws_.fds) watch_listener(fd);
  if (unix_fd_ >= 0) watch_listener(unix_fd_);
}

VncServer::~VncServer() {
  *alive_ = false;
  if (console_) console_->remove_listener(this);
  closing_ = true;
  listen_watches_.clear();
  clients_.clear();             // their watches go before libvncserver closes the sockets
  rfbScreenCleanup(screen_);    // closes and frees every client
  for (int fd : tcp_.fds) close(fd);
  for (int fd : ws_.fds) close(fd);
  if (unix_fd_ >= 0) {
    close(unix_fd_);
    unlink(opts_.path.c_str());
  }
}

std::string VncServer::address() const {
  if (opts_.kind == VncOptions::Kind::kUnix) return "unix:" + opts_.path;
  std::string host = opts_.host.empty() ? "0.0.0.0" : opts_.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host + ":" + std::to_string(tcp_.port);
}

void VncServer::watch_listener(int fd) {
  auto w = std::make_unique<FdWatch>(&loop_);
  w->set(fd, kIoIn, [this, fd](unsigned) { accept_clients(fd); });
  listen_watches_.push_back(std::move(w));
}

void VncServer::accept_clients(int listen_fd) {
  for (int i = 0; i < kAcceptsPerWake; ++i) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: no more waiting; anything else: try at the next wake-up
    // libvncserver select()s on an fd_set: a descriptor past FD_SETSIZE
    // would write outside it. And QEMU's connections= bounds the count.
    if (fd >= FD_SETSIZE || clients_.size() >= static_cast<size_t>(opts_.connections)) {
      close(fd);
      continue;
    }
    // Sends the protocol version; on failure it has closed the socket. (It
    // first waits up to 100 ms for a WebSocket handshake: a plain RFB client
    // speaks second.)
    rfbNewClient(screen_, fd);
  }
}

void VncServer::process() {
  rfbProcessEvents(screen_, 0);
}

void VncServer::watch_client(rfbClientPtr cl) {
  clients_[cl]->watch.set(cl->sock, kIoIn, [this, cl](unsigned) {
    if (message_waiting(cl)) process();
    else hold(cl);
  });
}

// Half a message: out of libvncserver's select set, and polled on a timer
// until the rest arrives or the client runs out of time.
void VncServer::hold(rfbClientPtr cl) {
  Client& c = *clients_[cl];
  c.watch.clear();
  FD_CLR(cl->sock, &screen_->allFds);
  c.held_since = std::chrono::steady_clock::now();
  struct Tick {
    VncServer* server;
    rfbClientPtr cl;
  };
  GSource* src = g_timeout_source_new(kHoldPollMs);
  g_source_set_callback(
      src,
      [](gpointer data) -> gboolean {
        auto* t = static_cast<Tick*>(data);
        return t->server->check_held(t->cl) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
      },
      new Tick{this, cl}, [](gpointer data) { delete static_cast<Tick*>(data); });
  c.hold_timer = g_source_attach(src, loop_.context());
  g_source_unref(src);
}

bool VncServer::check_held(rfbClientPtr cl) {
  auto it = clients_.find(cl);
  if (it == clients_.end()) return false;
  Client& c = *it->second;
  bool ready = message_waiting(cl);
  if (!ready && std::chrono::steady_clock::now() - c.held_since < kHoldLimit) return true;
  c.hold_timer = 0;  // this source ends by returning false
  FD_SET(cl->sock, &screen_->allFds);
  if (ready) watch_client(cl);
  else rfbCloseClient(cl);  // too slow: dropped, reaped by process()
  process();
  return false;
}

void VncServer::client_gone(rfbClientPtr cl) {
  clients_.erase(cl);
  if (closing_) return;
  // The last viewer left: nothing it held down stays down in the guest.
  if (clients_.empty() && input_.live()) send(mapper_.release_all());
}

void VncServer::schedule_flush() {
  if (flush_queued_ || clients_.empty()) return;
  flush_queued_ = true;
  loop_.call_soon([this, alive = alive_] {
    if (!*alive) return;
    flush_queued_ = false;
    process();
  });
}

void VncServer::send(const std::vector<InputEvent>& batch) {
  if (!batch.empty()) input_.send(batch);
}

void VncServer::set_framebuffer(char* pixels, int width, int height, int stride) {
  rfbNewFramebuffer(screen_, pixels, width, height, 8, 3, 4);
  // The surface is x8r8g8b8 words in host order: blue in the low byte.
  rfbPixelFormat& f = screen_->serverFormat;
  f.redShift = 16;
  f.greenShift = 8;
  f.blueShift = 0;
  f.redMax = f.greenMax = f.blueMax = 255;
  f.bigEndian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
  screen_->paddedWidthInBytes = stride;
  // rfbNewFramebuffer set each client's translation for its default format.
  rfbClientIteratorPtr it = rfbGetClientIterator(screen_);
  while (rfbClientPtr cl = rfbClientIteratorNext(it)) screen_->setTranslateFunction(cl);
  rfbReleaseClientIterator(it);
  schedule_flush();
}

void VncServer::surface_changed(const DisplaySurface* surface) {
  if (surface) {
    // libvncserver only reads the framebuffer (no cursor is drawn into it).
    auto* pixels = reinterpret_cast<char*>(const_cast<uint32_t*>(surface->row(0)));
    set_framebuffer(pixels, surface->width(), surface->height(), surface->stride());
  } else {
    std::fill(placeholder_.begin(), placeholder_.end(), 0);
    set_framebuffer(reinterpret_cast<char*>(placeholder_.data()), kPlaceholderWidth, kPlaceholderHeight,
                    kPlaceholderWidth * 4);
  }
}

void VncServer::updated(const DisplayRect& r) {
  if (clients_.empty()) return;  // a new client starts with the whole screen to send
  rfbMarkRectAsModified(screen_, r.x, r.y, r.x + r.w, r.y + r.h);
  schedule_flush();
}

}  // namespace rwd
