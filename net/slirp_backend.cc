#include "net/slirp_backend.h"

#include <arpa/inet.h>
#include <glib.h>
#include <slirp/libslirp.h>

#include <cstring>
#include <list>
#include <stdexcept>
#include <vector>

#include "net/slirp_guestfwd.h"
#include "util/host_loop.h"

namespace rwd {

namespace {

int64_t host_ns() { return g_get_monotonic_time() * 1000; }

struct SlirpTimer {
  SlirpTimerId id;
  void* cb_opaque;
  int64_t expire_ms = -1;  // -1: not armed
};

bool parse_ipv4(const std::string& s, in_addr& out) { return inet_pton(AF_INET, s.c_str(), &out) == 1; }

}  // namespace

struct SlirpBackend::Impl {
  SlirpBackend* self;
  std::string spec_text;
  Slirp* slirp = nullptr;
  GSource* source = nullptr;
  std::vector<GPollFD> polls;           // this iteration's fds (slirp's indices)
  std::list<SlirpTimer> timers;
  // When slirp's own timers (delayed ACKs every 2 ms, retransmissions)
  // want slirp_pollfds_poll() to run, fd activity or not (host ms).
  int64_t internal_due_ms = -1;
  SlirpCb cb{};
  std::vector<std::unique_ptr<SlirpGuestfwd>> guestfwds;  // before slirp goes

  static Impl* of(void* opaque) { return static_cast<Impl*>(opaque); }
};

namespace {

// The GSource that puts slirp on the host loop.
struct SlirpSource {
  GSource base;
  SlirpBackend::Impl* impl;
};

int64_t now_ms() { return host_ns() / 1'000'000; }

gboolean src_prepare(GSource* s, gint* timeout) {
  auto* impl = reinterpret_cast<SlirpSource*>(s)->impl;
  for (GPollFD& p : impl->polls) g_source_remove_poll(s, &p);
  impl->polls.clear();
  uint32_t t = UINT32_MAX;
  impl->polls.reserve(64);
  // slirp adds its fds through this callback; the vector may grow, so the
  // polls are registered with glib once it is complete.
  slirp_pollfds_fill(
      impl->slirp, &t,
      [](int fd, int events, void* opaque) {
        auto* impl = static_cast<SlirpBackend::Impl*>(opaque);
        GPollFD p{fd, 0, 0};
        if (events & SLIRP_POLL_IN) p.events |= G_IO_IN;
        if (events & SLIRP_POLL_OUT) p.events |= G_IO_OUT;
        if (events & SLIRP_POLL_PRI) p.events |= G_IO_PRI;
        if (events & SLIRP_POLL_ERR) p.events |= G_IO_ERR;
        if (events & SLIRP_POLL_HUP) p.events |= G_IO_HUP;
        impl->polls.push_back(p);
        return static_cast<int>(impl->polls.size() - 1);
      },
      impl);
  for (GPollFD& p : impl->polls) g_source_add_poll(s, &p);
  int64_t wait = t == UINT32_MAX ? -1 : static_cast<int64_t>(t);
  int64_t now = now_ms();
  impl->internal_due_ms = wait < 0 ? -1 : now + wait;
  for (const SlirpTimer& tm : impl->timers)
    if (tm.expire_ms >= 0) {
      int64_t d = std::max<int64_t>(0, tm.expire_ms - now);
      if (wait < 0 || d < wait) wait = d;
    }
  *timeout = static_cast<gint>(wait < 0 ? -1 : std::min<int64_t>(wait, 1000));
  return wait == 0;
}

gboolean src_check(GSource* s) {
  auto* impl = reinterpret_cast<SlirpSource*>(s)->impl;
  for (const GPollFD& p : impl->polls)
    if (p.revents) return TRUE;
  int64_t now = now_ms();
  // Without this, slirp's timers ran only when some fd was ready: a delayed
  // ACK to the guest waited for unrelated traffic or the idle poll's end.
  if (impl->internal_due_ms >= 0 && impl->internal_due_ms <= now) return TRUE;
  for (const SlirpTimer& tm : impl->timers)
    if (tm.expire_ms >= 0 && tm.expire_ms <= now) return TRUE;
  return FALSE;
}

gboolean src_dispatch(GSource* s, GSourceFunc, gpointer) {
  auto* impl = reinterpret_cast<SlirpSource*>(s)->impl;
  slirp_pollfds_poll(
      impl->slirp, 0,
      [](int idx, void* opaque) {
        auto* impl = static_cast<SlirpBackend::Impl*>(opaque);
        if (idx < 0 || static_cast<size_t>(idx) >= impl->polls.size()) return 0;
        unsigned r = impl->polls[static_cast<size_t>(idx)].revents, out = 0;
        if (r & G_IO_IN) out |= SLIRP_POLL_IN;
        if (r & G_IO_OUT) out |= SLIRP_POLL_OUT;
        if (r & G_IO_PRI) out |= SLIRP_POLL_PRI;
        if (r & G_IO_ERR) out |= SLIRP_POLL_ERR;
        if (r & G_IO_HUP) out |= SLIRP_POLL_HUP;
        return static_cast<int>(out);
      },
      impl);
  for (GPollFD& p : impl->polls) p.revents = 0;
  int64_t now = now_ms();
  for (SlirpTimer& tm : impl->timers)
    if (tm.expire_ms >= 0 && tm.expire_ms <= now) {
      tm.expire_ms = -1;
      slirp_handle_timer(impl->slirp, tm.id, tm.cb_opaque);
    }
  return G_SOURCE_CONTINUE;
}

GSourceFuncs kSourceFuncs = {src_prepare, src_check, src_dispatch, nullptr, nullptr, nullptr};

// "tcp:[hostaddr]:hostport-[guestaddr]:guestport"
bool parse_hostfwd(const std::string& s, bool& udp, in_addr& haddr, int& hport, in_addr& gaddr, int& gport) {
  std::string rest = s;
  udp = false;
  if (rest.rfind("tcp:", 0) == 0) rest = rest.substr(4);
  else if (rest.rfind("udp:", 0) == 0) rest = rest.substr(4), udp = true;
  else if (rest.rfind(":", 0) == 0) rest = rest.substr(1);
  auto dash = rest.find('-');
  if (dash == std::string::npos) return false;
  auto half = [](const std::string& h, in_addr& a, int& port) {
    auto colon = h.rfind(':');
    if (colon == std::string::npos) return false;
    std::string addr = h.substr(0, colon), p = h.substr(colon + 1);
    if (!addr.empty() && !parse_ipv4(addr, a)) return false;
    char* end = nullptr;
    long v = std::strtol(p.c_str(), &end, 10);
    if (p.empty() || *end || v < 0 || v > 65535) return false;
    port = static_cast<int>(v);
    return true;
  };
  return half(rest.substr(0, dash), haddr, hport) && half(rest.substr(dash + 1), gaddr, gport) && gport != 0;
}

}  // namespace

SlirpBackend::SlirpBackend(const NetdevSpec& spec, HostLoop& loop, CharRegistry* chardevs)
    : impl_(std::make_unique<Impl>()) {
  impl_->self = this;
  const std::string where = "-netdev user,id=" + spec.id;
  auto fail = [&](const std::string& m) { throw std::runtime_error(where + ": " + m); };
  if (spec.get("ipv4", "on") == "off") fail("ipv4=off is not supported (the guest network is IPv4)");

  // net=ADDR[/MASK] (MASK as a prefix length or dotted), host=, dhcpstart=, dns=
  in_addr net{}, mask{}, host{}, dhcp{}, dns{};
  std::string net_text = spec.get("net", "10.0.2.0/24");
  int prefix = 24;
  auto slash = net_text.find('/');
  std::string net_addr = net_text.substr(0, slash);
  if (slash != std::string::npos) {
    std::string m = net_text.substr(slash + 1);
    if (m.find('.') != std::string::npos) {
      if (!parse_ipv4(m, mask)) fail("net=" + net_text + ": invalid netmask");
      prefix = -1;
    } else {
      char* end = nullptr;
      long p = std::strtol(m.c_str(), &end, 10);
      if (m.empty() || *end || p < 8 || p > 30) fail("net=" + net_text + ": prefix length must be 8 to 30");
      prefix = static_cast<int>(p);
    }
  }
  if (!parse_ipv4(net_addr, net)) fail("net=" + net_text + ": invalid address");
  if (prefix >= 0) mask.s_addr = htonl(~0u << (32 - prefix));
  net.s_addr &= mask.s_addr;
  auto in_net = [&](const char* key, uint32_t host_part, in_addr& out) {
    std::string v = spec.get(key);
    if (v.empty()) {
      out.s_addr = net.s_addr | htonl(host_part);
      return;
    }
    if (!parse_ipv4(v, out)) fail(std::string(key) + "=" + v + ": invalid address");
    if ((out.s_addr & mask.s_addr) != net.s_addr) fail(std::string(key) + "=" + v + ": not in the guest network");
  };
  in_net("host", 2, host);
  in_net("dhcpstart", 15, dhcp);
  in_net("dns", 3, dns);
  bool restricted = false;
  std::string r = spec.get("restrict", spec.get("restricted", "off"));
  if (r == "on" || r == "yes" || r == "y") restricted = true;
  else if (r != "off" && r != "no" && r != "n") fail("restrict must be on or off");

  SlirpConfig cfg{};
  cfg.version = 4;
  cfg.restricted = restricted;
  cfg.in_enabled = true;
  cfg.vnetwork = net;
  cfg.vnetmask = mask;
  cfg.vhost = host;
  cfg.in6_enabled = false;
  std::string hostname = spec.get("hostname");
  cfg.vhostname = hostname.empty() ? nullptr : hostname.c_str();
  std::string domain = spec.get("domainname");
  cfg.vdomainname = domain.empty() ? nullptr : domain.c_str();
  cfg.vdhcp_start = dhcp;
  cfg.vnameserver = dns;

  SlirpCb& cb = impl_->cb;
  cb.send_packet = [](const void* buf, size_t len, void* opaque) -> ssize_t {
    Impl::of(opaque)->self->to_guest(static_cast<const uint8_t*>(buf), len);
    return static_cast<ssize_t>(len);
  };
  cb.guest_error = [](const char*, void*) {};
  cb.clock_get_ns = [](void*) { return host_ns(); };
  cb.timer_free = [](void* t, void* opaque) {
    auto& ts = Impl::of(opaque)->timers;
    ts.remove_if([t](const SlirpTimer& x) { return &x == t; });
  };
  cb.timer_mod = [](void* t, int64_t expire_ms, void*) { static_cast<SlirpTimer*>(t)->expire_ms = expire_ms; };
  cb.register_poll_fd = [](int, void*) {};
  cb.unregister_poll_fd = [](int, void*) {};
  // A guestfwd connection made room: its chardev's held-back input moves
  // at the next point between CPU slices.
  cb.notify = [](void* opaque) {
    for (auto& g : Impl::of(opaque)->guestfwds) g->ready();
  };
  cb.timer_new_opaque = [](SlirpTimerId id, void* cb_opaque, void* opaque) -> void* {
    auto& ts = Impl::of(opaque)->timers;
    ts.push_back(SlirpTimer{id, cb_opaque});
    return &ts.back();
  };
  impl_->slirp = slirp_new(&cfg, &cb, impl_.get());
  if (!impl_->slirp) fail("libslirp refused the configuration");

  for (const std::string& fwd : spec.all("hostfwd")) {
    bool udp;
    in_addr haddr{}, gaddr{};
    int hport = 0, gport = 0;
    if (!parse_hostfwd(fwd, udp, haddr, hport, gaddr, gport))
      fail("hostfwd=" + fwd + ": expected tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport");
    if (gaddr.s_addr == 0) gaddr = dhcp;
    if (slirp_add_hostfwd(impl_->slirp, udp, haddr, hport, gaddr, gport) < 0)
      fail("hostfwd=" + fwd + ": could not set up host forwarding (port in use?)");
  }
  const std::vector<std::string>& fwds = spec.all("guestfwd");
  for (size_t i = 0; i < fwds.size(); ++i) {
    try {
      std::string name = "guestfwd-" + spec.id;
      if (fwds.size() > 1) name += '-', name += std::to_string(i);
      impl_->guestfwds.push_back(std::make_unique<SlirpGuestfwd>(impl_->slirp, fwds[i], name, chardevs));
    } catch (const std::runtime_error& e) {
      fail(e.what());
    }
  }
  impl_->spec_text = "net=" + net_text + ",restrict=" + (restricted ? "on" : "off");

  GSource* s = g_source_new(&kSourceFuncs, sizeof(SlirpSource));
  reinterpret_cast<SlirpSource*>(s)->impl = impl_.get();
  g_source_attach(s, loop.context());
  impl_->source = s;
}

SlirpBackend::~SlirpBackend() {
  if (impl_->source) {
    g_source_destroy(impl_->source);
    g_source_unref(impl_->source);
  }
  impl_->guestfwds.clear();
  if (impl_->slirp) slirp_cleanup(impl_->slirp);
}

void SlirpBackend::receive(const uint8_t* data, size_t len) {
  slirp_input(impl_->slirp, data, static_cast<int>(len));
}

std::string SlirpBackend::info() const { return impl_->spec_text; }

}  // namespace rwd
