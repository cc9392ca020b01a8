// -netdev socket (listen=, connect=, udp=/localaddr=, mcast=), -netdev
// hubport and -netdev tap.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "net/net_options.h"
#include "net/netdev.h"

namespace rwd {

class HostLoop;

std::unique_ptr<NetBackend> make_socket_backend(const NetdevSpec& spec, HostLoop& loop);
std::unique_ptr<NetBackend> make_tap_backend(const NetdevSpec& spec, HostLoop& loop);

// The hubs of -netdev hubport,hubid=N: a frame one port's guest sends goes
// to every other port of its hub.
class SocketHubs {
 public:
  std::unique_ptr<NetBackend> port(const NetdevSpec& spec, HostLoop& loop);
  class Port;
 private:
  std::map<std::string, std::vector<Port*>> hubs_;
  friend class Port;
};

}  // namespace rwd
