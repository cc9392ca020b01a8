#include "net/net_options.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace rwd {

namespace {

// The properties each backend type takes (besides id=).
const std::map<std::string, std::set<std::string>>& backend_props() {
  static const std::map<std::string, std::set<std::string>> m = {
      {"user", {"net", "host", "dhcpstart", "dns", "hostname", "restrict", "restricted", "hostfwd", "guestfwd",
                "ipv4", "ipv6", "domainname", "dnssearch"}},
      {"socket", {"listen", "connect", "udp", "localaddr", "mcast"}},
      {"hubport", {"hubid", "netdev"}},
      {"tap", {"ifname", "script", "downscript"}},
  };
  return m;
}

std::vector<std::pair<std::string, std::string>> split_props(const std::string& arg) {
  std::vector<std::pair<std::string, std::string>> out;
  std::stringstream ss(arg);
  for (std::string item; std::getline(ss, item, ',');) {
    auto eq = item.find('=');
    out.emplace_back(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
  }
  return out;
}

bool valid_id(const std::string& id) {
  if (id.empty() || !std::isalpha(static_cast<unsigned char>(id[0]))) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'; });
}

// TYPE first, then the type's properties; `extra` names more keys the
// caller handles itself (-nic's mac=, model=).
bool parse_backend(const std::string& opt, const std::string& arg, const std::set<std::string>& extra,
                   NetdevSpec& out, std::vector<std::pair<std::string, std::string>>& extras, std::string& err) {
  auto props = split_props(arg);
  out = NetdevSpec{};
  out.type = props.empty() ? "" : (props[0].first == "type" ? props[0].second : props[0].first);
  auto t = backend_props().find(out.type);
  if (t == backend_props().end()) {
    if (out.type == "bridge" || out.type == "vde" || out.type == "l2tpv3" || out.type == "vhost-user" ||
        out.type == "stream" || out.type == "dgram")
      return err = "-" + opt + " " + out.type + ": this backend is not supported (user, socket, hubport, tap are)", false;
    return err = "-" + opt + " " + out.type + ": unknown network backend type (user, socket, hubport, tap)", false;
  }
  for (size_t i = 1; i < props.size(); ++i) {
    const auto& [k, v] = props[i];
    if (k == "id") {
      if (!valid_id(v)) return err = "-" + opt + " " + arg + ": invalid id '" + v + "'", false;
      out.id = v;
    } else if (extra.count(k)) {
      extras.emplace_back(k, v);
    } else if (t->second.count(k)) {
      out.props.emplace_back(k, v);
    } else {
      return err = "-" + opt + " " + out.type + ": invalid parameter '" + k + "'", false;
    }
  }
  return true;
}

bool parse_bool(const std::string& v, bool& b) {
  if (v == "on" || v == "yes" || v == "true") return b = true, true;
  if (v == "off" || v == "no" || v == "false") return b = false, true;
  return false;
}

}  // namespace

std::string NetdevSpec::get(const std::string& key, const std::string& dflt) const {
  for (const auto& [k, v] : props)
    if (k == key) return v;
  return dflt;
}

std::vector<std::string> NetdevSpec::all(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : props)
    if (k == key) out.push_back(v);
  return out;
}

bool parse_netdev_spec(const std::string& arg, NetdevSpec& out, std::string& err) {
  std::vector<std::pair<std::string, std::string>> none;
  if (!parse_backend("netdev", arg, {}, out, none, err)) return false;
  if (out.id.empty()) return err = "-netdev " + arg + ": parameter 'id' is missing", false;
  return true;
}

bool parse_object_spec(const std::string& arg, NetFilterSpec& out, std::string& err) {
  auto props = split_props(arg);
  out = NetFilterSpec{};
  out.type = props.empty() ? "" : (props[0].first == "qom-type" ? props[0].second : props[0].first);
  if (out.type != "filter-replay" && out.type != "filter-dump")
    return err = "-object " + out.type + ": unsupported object type (filter-replay and filter-dump are)", false;
  bool has_maxlen = false;
  for (size_t i = 1; i < props.size(); ++i) {
    const auto& [k, v] = props[i];
    if (k == "id") {
      if (!valid_id(v)) return err = "-object " + arg + ": invalid id '" + v + "'", false;
      out.id = v;
    } else if (k == "netdev") {
      out.netdev = v;
    } else if (k == "queue") {
      if (v != "all" && v != "rx" && v != "tx") return err = "-object " + out.type + ": queue must be all, rx or tx", false;
      out.queue = v;
    } else if (k == "status") {
      if (!parse_bool(v, out.enabled)) return err = "-object " + out.type + ": status must be on or off", false;
    } else if (k == "position" || k == "insert") {
      if (!(k == "position" && v == "tail") && !(k == "insert" && v == "behind"))
        return err = "-object " + out.type + ": only position=tail,insert=behind (command-line order) is supported", false;
    } else if (out.type == "filter-dump" && k == "file") {
      out.file = v;
    } else if (out.type == "filter-dump" && k == "maxlen") {
      char* end = nullptr;
      unsigned long n = std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || *end || n == 0 || n > 0x7fffffff) return err = "-object filter-dump: maxlen must be a positive number", false;
      out.maxlen = static_cast<uint32_t>(n);
      has_maxlen = true;
    } else {
      return err = "-object " + out.type + ": invalid parameter '" + k + "'", false;
    }
  }
  (void)has_maxlen;
  if (out.id.empty()) return err = "-object " + arg + ": parameter 'id' is missing", false;
  if (out.netdev.empty()) return err = "-object " + out.type + ",id=" + out.id + ": parameter 'netdev' is missing", false;
  if (out.type == "filter-dump" && out.file.empty())
    return err = "-object filter-dump,id=" + out.id + ": parameter 'file' is missing", false;
  return true;
}

bool parse_net_config(const std::vector<std::string>& netdevs, const std::vector<std::string>& nics,
                      const std::vector<std::string>& nets, const std::vector<std::string>& objects, NetConfig& out,
                      std::string& err) {
  out = NetConfig{};
  std::set<std::string> ids;
  auto add = [&](NetdevSpec s, const std::string& opt) {
    if (!ids.insert(s.id).second) return err = opt + ": duplicate netdev id '" + s.id + "'", false;
    out.netdevs.push_back(std::move(s));
    return true;
  };
  for (const std::string& a : netdevs) {
    NetdevSpec s;
    if (!parse_netdev_spec(a, s, err) || !add(s, "-netdev " + a)) return false;
  }
  auto nic_device = [&](const std::string& opt, const std::string& netdev,
                        const std::vector<std::pair<std::string, std::string>>& extras) {
    DeviceSpec d{"virtio-net-device", "", {{"netdev", netdev}}};
    for (const auto& [k, v] : extras) {
      if (k == "model") {
        if (v != "virtio-net-device" && v != "virtio" && v != "virtio-net-pci" && v != "virtio-net")
          return err = opt + ": model=" + v + ": rewind has virtio-net-device", false;
      } else if (k == "mac" || k == "macaddr") {
        d.props["mac"] = v;
      }
    }
    out.nics.push_back(d);
    return true;
  };
  for (size_t n = 0; n < nics.size(); ++n) {
    const std::string& a = nics[n];
    if (a == "none") continue;
    NetdevSpec s;
    std::vector<std::pair<std::string, std::string>> extras;
    if (!parse_backend("nic", a, {"mac", "model"}, s, extras, err)) return false;
    if (s.id.empty()) s.id = "__nic" + std::to_string(n);
    if (!nic_device("-nic " + a, s.id, extras) || !add(s, "-nic " + a)) return false;
  }
  // -net: backends first, each -net nic takes the netdev= it names or the
  // next backend not yet used (rewind has no hub between several NICs).
  std::vector<std::string> legacy_backends;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> legacy_nics;
  for (size_t n = 0; n < nets.size(); ++n) {
    const std::string& a = nets[n];
    if (a == "none") continue;
    auto props = split_props(a);
    if (!props.empty() && props[0].first == "nic") {
      std::vector<std::pair<std::string, std::string>> extras;
      std::string netdev;
      for (size_t i = 1; i < props.size(); ++i) {
        const auto& [k, v] = props[i];
        if (k == "netdev") netdev = v;
        else if (k == "macaddr" || k == "model") extras.emplace_back(k, v);
        else if (k != "name" && k != "id" && !(k == "vlan" && v == "0"))
          return err = "-net nic: invalid parameter '" + k + "'", false;
      }
      legacy_nics.emplace_back(netdev, extras);
      continue;
    }
    NetdevSpec s;
    std::vector<std::pair<std::string, std::string>> extras;
    if (!parse_backend("net", a, {"name", "vlan"}, s, extras, err)) return false;
    if (s.id.empty()) s.id = "__net" + std::to_string(n);
    legacy_backends.push_back(s.id);
    if (!add(s, "-net " + a)) return false;
  }
  size_t next_backend = 0;
  for (auto& [netdev, extras] : legacy_nics) {
    std::string nd = netdev;
    if (nd.empty()) {
      if (next_backend >= legacy_backends.size())
        return err = "-net nic: no -net backend for it (add -net user, or -nic user instead of both)", false;
      nd = legacy_backends[next_backend++];
    }
    if (!nic_device("-net nic", nd, extras)) return false;
  }
  std::set<std::string> filter_ids;
  for (const std::string& a : objects) {
    NetFilterSpec f;
    if (!parse_object_spec(a, f, err)) return false;
    if (!filter_ids.insert(f.id).second) return err = "-object " + a + ": duplicate id '" + f.id + "'", false;
    if (!ids.count(f.netdev)) return err = "-object " + f.type + ",id=" + f.id + ": netdev '" + f.netdev + "' not found", false;
    out.filters.push_back(f);
  }
  for (const NetdevSpec& s : out.netdevs)
    if (s.type == "hubport" && s.get("hubid").empty())
      return err = "-netdev hubport,id=" + s.id + ": parameter 'hubid' is missing", false;
  return true;
}

}  // namespace rwd
