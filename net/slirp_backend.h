// -netdev user: a user-mode network on libslirp. The guest sees a private
// network (10.0.2.0/24 by default): a gateway at .2 that forwards TCP/UDP to
// the host's sockets (and .2 itself to the host's loopback), DNS at .3,
// DHCP handing out .15 on. hostfwd= forwards host ports into the guest,
// guestfwd= a guest address and port to a chardev (net/slirp_guestfwd.h).
//
// libslirp's sockets and timers run on the host loop (one GSource that asks
// slirp for its fds before each poll and hands the results back after), so
// all of it happens on the emulator thread between blocks. Slirp's clock is
// the host's monotonic clock: host time reaches the guest only as the frames
// slirp sends, which filter-replay records. A replay creates no slirp.
#pragma once
#include <memory>
#include <string>

#include "net/net_options.h"
#include "net/netdev.h"

namespace rwd {

class CharRegistry;
class HostLoop;

class SlirpBackend : public NetBackend {
 public:
  // Throws std::runtime_error with a one-line message (a bad address, a
  // host port already in use). `chardevs`: where guestfwd= finds or makes
  // its chardevs (null: guestfwd= is refused).
  SlirpBackend(const NetdevSpec& spec, HostLoop& loop, CharRegistry* chardevs);
  ~SlirpBackend() override;

  std::string type() const override { return "user"; }
  void receive(const uint8_t* data, size_t len) override;
  std::string info() const override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwd
