// The network part of the command line, in QEMU's syntax:
//   -netdev TYPE,id=ID[,...]            a host-side backend (user, socket, hubport, tap)
//   -nic TYPE[,mac=M][,model=virtio-net-device][,...]   a backend and its NIC in one
//   -net nic[,macaddr=M][,netdev=ID] -net TYPE[,...]    the legacy pair
//   -nic none, -net none                 no network (rewind's default too)
//   -object filter-replay,id=ID,netdev=ID[,queue=all|rx|tx][,status=on|off]
//   -object filter-dump,id=ID,netdev=ID,file=F[,maxlen=N][,queue=...][,status=...]
// parsed and checked as a whole (ids unique, every netdev= names a netdev),
// so a typo fails before anything is opened.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hw/core/device_factory.h"

namespace rwd {

struct NetdevSpec {
  std::string type, id;
  std::vector<std::pair<std::string, std::string>> props;  // in order (hostfwd= may repeat)
  std::string get(const std::string& key, const std::string& dflt = "") const;
  std::vector<std::string> all(const std::string& key) const;
};

struct NetFilterSpec {
  std::string type, id, netdev, file;
  uint32_t maxlen = 65536;
  std::string queue = "all";
  bool enabled = true;
};

struct NetConfig {
  std::vector<NetdevSpec> netdevs;
  std::vector<NetFilterSpec> filters;
  std::vector<DeviceSpec> nics;  // NICs that -nic and -net nic add (virtio-net-device)
};

// `nics`, `nets`, `objects`: the -nic, -net and -object values in order.
bool parse_net_config(const std::vector<std::string>& netdevs, const std::vector<std::string>& nics,
                      const std::vector<std::string>& nets, const std::vector<std::string>& objects,
                      NetConfig& out, std::string& err);

// One -netdev value alone (the option parser checks each as it comes).
bool parse_netdev_spec(const std::string& arg, NetdevSpec& out, std::string& err);
bool parse_object_spec(const std::string& arg, NetFilterSpec& out, std::string& err);

}  // namespace rwd
