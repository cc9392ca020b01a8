#include "chardev/char_spec.h"

#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "chardev/char_backend.h"

namespace rwd {

namespace {

using Props = std::vector<std::pair<std::string, std::string>>;

// "a=1,b,c=2" -> {{a,1},{b,""},{c,2}}; ",," escapes a comma as in QEMU.
Props split(const std::string& s) {
  Props out;
  std::string item;
  auto push = [&] {
    auto eq = item.find('=');
    if (eq == std::string::npos) out.emplace_back(item, "");
    else out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    item.clear();
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ',' && i + 1 < s.size() && s[i + 1] == ',') {
      item += ',';
      ++i;
    } else if (s[i] == ',') {
      push();
    } else {
      item += s[i];
    }
  }
  push();
  return out;
}

const std::map<std::string, std::set<std::string>>& backend_props() {
  static const std::map<std::string, std::set<std::string>> m = {
      {"null", {}},
      {"stdio", {"signal"}},
      {"file", {"path", "input-path", "append"}},
      {"pipe", {"path"}},
      {"pty", {}},
      {"socket", {"host", "port", "path", "server", "wait", "nodelay"}},
  };
  return m;
}

const std::set<std::string> kBoolProps = {"mux", "signal", "append", "server", "wait", "nodelay"};

bool is_bool_text(const std::string& v) {
  return v == "on" || v == "off" || v == "yes" || v == "no" || v == "true" || v == "false";
}

[[noreturn]] void fail(const ChardevSpec& spec, const std::string& msg) { throw ChardevError(spec.origin + ": " + msg); }

// Sets the properties on `spec` and checks them against its backend.
void apply_props(ChardevSpec& spec, const Props& props) {
  auto known = backend_props().find(spec.backend);
  if (known == backend_props().end())
    fail(spec, "'" + spec.backend + "' is not a valid char driver name (rewind has null, stdio, file, pipe, socket, pty)");
  for (auto [k, v] : props) {
    // Old QEMU spellings: "server", "nowait", "nodelay" without a value.
    if (v.empty() && k == "nowait") k = "wait", v = "off";
    else if (v.empty() && kBoolProps.count(k)) v = "on";
    if (k.empty()) fail(spec, "empty parameter");
    if (k == "id") {
      spec.id = v;
    } else if (k == "mux") {
      if (!is_bool_text(v)) fail(spec, "mux must be on or off");
      spec.mux = v == "on" || v == "yes" || v == "true";
    } else if (known->second.count(k)) {
      if (kBoolProps.count(k) && !is_bool_text(v)) fail(spec, k + " must be on or off");
      spec.props[k] = v;
    } else {
      fail(spec, "invalid parameter '" + k + "' for backend '" + spec.backend + "'");
    }
  }
  if (spec.backend == "socket") {
    bool is_unix = spec.props.count("path");
    if (is_unix && (spec.props.count("host") || spec.props.count("port")))
      fail(spec, "path= (unix) and host=/port= (tcp) exclude each other");
    if (!is_unix && spec_str(spec, "port").empty()) fail(spec, "socket needs path= (unix) or port= (tcp)");
    // A number must be a port (getaddrinfo would wrap 70000 to 4464); a
    // name is a service, looked up when the socket opens.
    const std::string port = spec_str(spec, "port");
    if (!port.empty() && port.find_first_not_of("0123456789") == std::string::npos &&
        (port.size() > 5 || std::stoul(port) > 65535))
      fail(spec, "port " + port + " is out of range (0 to 65535)");
  }
  if ((spec.backend == "file" || spec.backend == "pipe") && spec_str(spec, "path").empty())
    fail(spec, spec.backend + " needs path=");
}

}  // namespace

bool spec_bool(const ChardevSpec& spec, const std::string& key, bool dflt) {
  auto it = spec.props.find(key);
  if (it == spec.props.end()) return dflt;
  return it->second == "on" || it->second == "yes" || it->second == "true";
}

std::string spec_str(const ChardevSpec& spec, const std::string& key) {
  auto it = spec.props.find(key);
  return it == spec.props.end() ? "" : it->second;
}

ChardevSpec parse_chardev_option(const std::string& arg) {
  ChardevSpec spec;
  spec.origin = "-chardev " + arg;
  Props props = split(arg);
  if (props.empty() || props[0].first.empty() || !props[0].second.empty())
    fail(spec, "the first parameter must be the backend (-chardev BACKEND,id=ID,...)");
  spec.backend = props[0].first;
  if (spec.backend == "help") fail(spec, "available backends: null, stdio, file, pipe, socket, pty");
  props.erase(props.begin());
  apply_props(spec, props);
  if (spec.id.empty()) fail(spec, "chardev: no id specified");
  return spec;
}

ChardevSpec parse_legacy_chardev(const std::string& option, const std::string& value, const std::string& id) {
  ChardevSpec spec;
  spec.origin = option + " " + value;
  spec.id = id;
  std::string v = value;
  Props props;
  if (v.rfind("mon:", 0) == 0) {
    v = v.substr(4);
    spec.with_monitor = true;
    spec.mux = true;
    // A monitor muxed onto stdio: ^C goes to the guest, C-a x quits (as QEMU).
    if (v == "stdio") props.emplace_back("signal", "off");
  }
  auto rest_props = [&](const std::string& tail) {
    auto comma = tail.find(',');
    if (comma == std::string::npos) return tail;
    for (auto& p : split(tail.substr(comma + 1))) props.push_back(p);
    return tail.substr(0, comma);
  };
  if (v == "none" && !spec.with_monitor) {
    spec.backend = "none";
    return spec;
  }
  if (v == "null" || v == "stdio" || v == "pty") {
    spec.backend = v;
  } else if (v.rfind("file:", 0) == 0) {
    spec.backend = "file";
    props.emplace_back("path", v.substr(5));
  } else if (v.rfind("pipe:", 0) == 0) {
    spec.backend = "pipe";
    props.emplace_back("path", v.substr(5));
  } else if (v.rfind("tcp:", 0) == 0) {
    spec.backend = "socket";
    std::string addr = rest_props(v.substr(4));
    auto colon = addr.rfind(':');
    if (colon == std::string::npos) fail(spec, "expected tcp:[HOST]:PORT");
    if (colon > 0) props.emplace_back("host", addr.substr(0, colon));
    props.emplace_back("port", addr.substr(colon + 1));
  } else if (v.rfind("unix:", 0) == 0) {
    spec.backend = "socket";
    props.emplace_back("path", rest_props(v.substr(5)));
  } else if (v.rfind("chardev:", 0) == 0) {
    spec.ref = v.substr(8);
    if (spec.ref.empty()) fail(spec, "chardev: needs an id");
    return spec;
  } else if (v.rfind("telnet:", 0) == 0 || v.rfind("udp:", 0) == 0 || v.rfind("vc", 0) == 0) {
    fail(spec, "this backend is not supported by rewind (use tcp:, unix:, pty, pipe:, file:, stdio or null)");
  } else {
    fail(spec, "'" + v + "' is not a valid char driver (stdio, mon:stdio, null, none, file:PATH, pipe:PATH, pty, "
               "tcp:[HOST]:PORT, unix:PATH, chardev:ID)");
  }
  apply_props(spec, props);
  return spec;
}

std::string parse_mon_option(const std::string& arg, bool* control, bool* pretty) {
  std::string chardev;
  if (control) *control = false;
  if (pretty) *pretty = false;
  for (auto& [k, v] : split(arg)) {
    if (k == "chardev") {
      chardev = v;
    } else if (k == "mode") {
      if (v != "readline" && v != "control") throw ChardevError("-mon " + arg + ": mode must be readline or control");
      if (control) *control = v == "control";
    } else if (k == "pretty") {
      if (!is_bool_text(v)) throw ChardevError("-mon " + arg + ": pretty must be on or off");
      if (pretty) *pretty = v == "on" || v == "yes" || v == "true";
    } else if (k != "id") {
      throw ChardevError("-mon " + arg + ": invalid parameter '" + k + "'");
    }
  }
  if (chardev.empty()) throw ChardevError("-mon " + arg + ": chardev=ID is required");
  return chardev;
}

}  // namespace rwd
