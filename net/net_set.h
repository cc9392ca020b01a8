// The machine's netdevs, built from the command line (net/net_options.h)
// before the board: each backend, its filters and, once the board has made
// it, its NIC. Record/replay shapes them:
//  - a netdev under record or replay without filter-replay gets one
//    implicitly, first in its chain (a note says so): every frame towards the
//    guest is recorded either way;
//  - a replay connects no backend at all (no slirp, no sockets, nothing on
//    the host's network): frames come from the recording.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/net_options.h"
#include "net/netdev.h"

namespace rwd {

class CharRegistry;
class HostLoop;
class InputPath;
class SocketHubs;

class NetSet {
 public:
  enum class Mode { kPlain, kRecord, kReplay };
  // `now_ns`: the time filter-dump stamps frames with; `chardevs`: what
  // guestfwd= forwards to (it outlives the set). Throws std::runtime_error
  // with a one-line message.
  NetSet(const NetConfig& cfg, Mode mode, HostLoop& loop, InputPath& input, std::function<uint64_t()> now_ns,
         CharRegistry* chardevs);
  ~NetSet();

  Netdev* find(const std::string& id);
  // The NICs -nic and -net nic add, for the board.
  const std::vector<DeviceSpec>& nics() const { return nics_; }
  // `info network`.
  std::string info_text() const;

 private:
  std::unique_ptr<SocketHubs> hubs_;  // before the netdevs: their ports unhook on destruction
  std::vector<std::unique_ptr<Netdev>> netdevs_;
  std::vector<DeviceSpec> nics_;
};

}  // namespace rwd
