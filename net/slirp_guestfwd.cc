#include "net/slirp_guestfwd.h"

#include <arpa/inet.h>
#include <slirp/libslirp.h>

#include <cstdlib>
#include <stdexcept>

#include "chardev/char_registry.h"
#include "chardev/char_spec.h"

namespace rwd {

namespace {

// A rule's parts: [tcp]:SERVER:PORT-DEV (SERVER may be empty: libslirp picks
// x.x.2.4 of the network).
struct Rule {
  in_addr addr{};
  int port = 0;
  std::string dev;
};

// False, with why in `err`, for a rule that does not parse.
bool parse_rule(const std::string& rule, Rule& r, std::string& err) {
  std::string rest;
  if (rule.rfind("tcp:", 0) == 0) rest = rule.substr(4);
  else if (rule.rfind(":", 0) == 0) rest = rule.substr(1);
  else return err = "expected [tcp]:server:port-dev (only TCP is forwarded)", false;
  auto colon = rest.find(':'), dash = rest.find('-');
  if (colon == std::string::npos || dash == std::string::npos || dash < colon)
    return err = "expected [tcp]:server:port-dev", false;
  std::string server = rest.substr(0, colon), port = rest.substr(colon + 1, dash - colon - 1);
  r.dev = rest.substr(dash + 1);
  if (!server.empty() && inet_pton(AF_INET, server.c_str(), &r.addr) != 1)
    return err = "invalid server address '" + server + "'", false;
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end || p < 1 || p > 65535) return err = "port must be 1 to 65535", false;
  r.port = static_cast<int>(p);
  if (r.dev.empty()) return err = "expected a chardev or cmd:COMMAND after '-'", false;
  return true;
}

constexpr const char* kTaken =
    "the address is not free in the guest network (outside it, the gateway, the DNS or forwarded already)";

}  // namespace

std::vector<std::string> guestfwd_chardev_ids(const std::vector<NetdevSpec>& netdevs) {
  std::vector<std::string> ids;
  for (const NetdevSpec& nd : netdevs)
    for (const std::string& rule : nd.all("guestfwd")) {
      Rule r;
      std::string err;  // a bad rule names no chardev; the run that builds the forward says why
      if (parse_rule(rule, r, err) && r.dev.rfind("chardev:", 0) == 0) ids.push_back(r.dev.substr(8));
    }
  return ids;
}

SlirpGuestfwd::SlirpGuestfwd(Slirp* slirp, const std::string& rule, const std::string& name, CharRegistry* chardevs)
    : slirp_(slirp) {
  auto fail = [&](const std::string& m) { throw std::runtime_error("guestfwd=" + rule + ": " + m); };
  Rule r;
  std::string err;
  if (!parse_rule(rule, r, err)) fail(err);
  addr_ = r.addr;
  port_ = r.port;
  const std::string& dev = r.dev;

  if (dev.rfind("cmd:", 0) == 0) {
    if (dev.size() == 4) fail("cmd: needs a command");
    if (slirp_add_exec(slirp_, dev.c_str() + 4, &addr_, port_) < 0) fail(kTaken);
    return;
  }
  if (!chardevs) fail("no character devices to forward to");
  ChardevSpec spec;
  try {
    spec = parse_legacy_chardev("guestfwd", dev, name);
    if (spec.backend == "none" || spec.with_monitor) fail("'" + dev + "' is not a character device to forward to");
    if (spec.ref.empty()) chardevs->add(spec);
    chardev_ = chardevs->attach(spec.ref.empty() ? name : spec.ref);
  } catch (const ChardevError& e) {
    std::string m = e.what(), origin = spec.origin + ": ";
    fail(m.rfind(origin, 0) == 0 ? m.substr(origin.size()) : m);  // the rule is named already
  }
  auto to_chardev = [](const void* buf, size_t len, void* opaque) -> ssize_t {
    static_cast<SlirpGuestfwd*>(opaque)->chardev_->write(static_cast<const uint8_t*>(buf), len);
    return static_cast<ssize_t>(len);
  };
  if (slirp_add_guestfwd(slirp_, to_chardev, this, &addr_, port_) < 0) {
    chardev_ = nullptr;
    fail(kTaken);
  }
  chardev_->set_frontend(this);
}

SlirpGuestfwd::~SlirpGuestfwd() {
  slirp_remove_guestfwd(slirp_, addr_, port_);
  if (chardev_) chardev_->set_frontend(nullptr);
}

size_t SlirpGuestfwd::can_receive() { return slirp_socket_can_recv(slirp_, addr_, port_); }

void SlirpGuestfwd::receive(const uint8_t* data, size_t len) {
  slirp_socket_recv(slirp_, addr_, port_, data, static_cast<int>(len));
}

}  // namespace rwd
