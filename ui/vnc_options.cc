#include "ui/vnc_options.h"

#include <cstdlib>
#include <utility>
#include <vector>

namespace rwd {
namespace {

// A decimal number in [lo, hi], nothing else.
bool parse_int(const std::string& s, long lo, long hi, long& out) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  out = std::strtol(s.c_str(), nullptr, 10);
  return out >= lo && out <= hi;
}

bool parse_on_off(const std::string& s, bool& out) {
  if (s == "on" || s == "yes" || s == "true") return out = true, true;
  if (s == "off" || s == "no" || s == "false") return out = false, true;
  return false;
}

// "HOST:N", ":N", "[V6]:N" or "unix:PATH" into `o`.
bool parse_address(const std::string& addr, VncOptions& o, std::string& err) {
  if (addr == "none") {
    o.kind = VncOptions::Kind::kNone;
    return true;
  }
  if (addr.rfind("unix:", 0) == 0) {
    o.kind = VncOptions::Kind::kUnix;
    o.path = addr.substr(5);
    if (o.path.empty()) return err = "a unix socket needs a path (unix:PATH)", false;
    return true;
  }
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return err = "no vnc port specified", false;
  std::string host = addr.substr(0, colon), num = addr.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  long n;
  if (!parse_int(num, 0, 1'000'000, n)) return err = "can't convert to a number: " + num, false;
  if (kVncBasePort + n > 65535) return err = "port " + std::to_string(kVncBasePort + n) + " out of range", false;
  o.kind = VncOptions::Kind::kTcp;
  o.host = host;
  o.display = static_cast<int>(n);
  return true;
}

bool parse_option(const std::string& key, const std::string& val, VncOptions& o, std::string& err) {
  bool b;
  long n;
  if (key == "password") {
    if (!parse_on_off(val.empty() ? "on" : val, b)) return err = "Parameter 'password' expects 'on' or 'off'", false;
    if (b) return err = "password=on is not supported (rewind has no 'change vnc password' yet)", false;
  } else if (key == "websocket") {
    if (val.empty() || val == "on") o.websocket_port = 0;  // resolved against the display below
    else if (val == "off") o.websocket_port = -1;
    else if (parse_int(val, 1, 65535, n)) o.websocket_port = static_cast<int>(n);
    else return err = "websocket must be on, off or a port number from 1 to 65535", false;
  } else if (key == "share") {
    if (val == "allow-exclusive") o.share = VncOptions::Share::kAllowExclusive;
    else if (val == "force-shared") o.share = VncOptions::Share::kForceShared;
    else if (val == "ignore") o.share = VncOptions::Share::kIgnore;
    else return err = "unknown vnc share= option", false;
  } else if (key == "to") {
    if (!parse_int(val, 0, 65535 - kVncBasePort, n)) return err = "Parameter 'to' expects a number from 0 to 59635", false;
    o.to = static_cast<int>(n);
  } else if (key == "connections") {
    if (!parse_int(val, 1, 1024, n)) return err = "Parameter 'connections' expects a number from 1 to 1024", false;
    o.connections = static_cast<int>(n);
  } else if (key == "lossy" || key == "non-adaptive" || key == "ipv4" || key == "ipv6") {
    // Accepted for QEMU scripts: no lossy or adaptive encodings are offered,
    // and a host name is resolved to whichever family it has.
    if (!parse_on_off(val.empty() ? "on" : val, b)) return err = "Parameter '" + key + "' expects 'on' or 'off'", false;
  } else if (key == "tls-creds" || key == "tls-authz" || key == "sasl" || key == "sasl-authz" || key == "reverse" ||
             key == "password-secret" || key == "audiodev" || key == "key-delay-ms" || key == "lock-key-sync" ||
             key == "power-control" || key == "display" || key == "head" || key == "acl") {
    return err = "option '" + key + "' is not supported by rewind's VNC server", false;
  } else {
    return err = "Invalid parameter '" + key + "'", false;
  }
  return true;
}

}  // namespace

bool parse_vnc_options(const std::string& arg, VncOptions& out, std::string& err) {
  VncOptions o;
  std::vector<std::string> parts;
  size_t start = 0;
  // The address may be [v6]:N, whose colons are not separators; commas are.
  for (size_t i = 0; i <= arg.size(); ++i) {
    if (i == arg.size() || arg[i] == ',') {
      parts.push_back(arg.substr(start, i - start));
      start = i + 1;
    }
  }
  std::string why;
  bool ok = parse_address(parts[0], o, why);
  for (size_t i = 1; ok && i < parts.size(); ++i) {
    size_t eq = parts[i].find('=');
    std::string key = parts[i].substr(0, eq);
    std::string val = eq == std::string::npos ? "" : parts[i].substr(eq + 1);
    if (key.empty()) ok = (why = "empty option", false);
    else ok = parse_option(key, val, o, why);
  }
  if (ok && o.websocket_port >= 0 && o.kind == VncOptions::Kind::kNone) o.websocket_port = -1;
  if (ok && o.websocket_port == 0) {
    if (o.kind != VncOptions::Kind::kTcp)
      ok = (why = "websocket=on needs a TCP display (HOST:N) to pick port 5700+N; give websocket=PORT", false);
    else if (kVncWebsocketBasePort + o.display > 65535)
      ok = (why = "websocket port " + std::to_string(kVncWebsocketBasePort + o.display) + " out of range", false);
    else
      o.websocket_port = kVncWebsocketBasePort + o.display;
  }
  if (ok && o.to >= 0 && o.kind == VncOptions::Kind::kTcp && o.to < o.display)
    ok = (why = "to=" + std::to_string(o.to) + " is below the display number " + std::to_string(o.display), false);
  if (!ok) return err = "-vnc " + arg + ": " + why, false;
  out = o;
  return true;
}

std::string vnc_options_help() {
  return "vnc options (rewind):\n"
         "  :N | HOST:N | [IPV6]:N | unix:PATH | none\n"
         "  connections=<num>\n"
         "  ipv4=<bool (on/off)>\n"
         "  ipv6=<bool (on/off)>\n"
         "  lossy=<bool (on/off)>          (accepted, no effect)\n"
         "  non-adaptive=<bool (on/off)>   (accepted, no effect)\n"
         "  password=off\n"
         "  share=allow-exclusive|force-shared|ignore\n"
         "  to=<num>\n"
         "  websocket=on|off|<port>\n";
}

}  // namespace rwd
