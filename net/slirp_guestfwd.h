// guestfwd= of -netdev user: the guest's TCP connections to one address and
// port of its network end in a character device (or in a command, spawned
// for each connection, "cmd:"), with no socket on the host network.
//
//   guestfwd=[tcp]:SERVER:PORT-chardev:ID     a -chardev of the command line
//   guestfwd=[tcp]:SERVER:PORT-tcp:HOST:PORT  a chardev made for it (any -serial form)
//   guestfwd=[tcp]:SERVER:PORT-cmd:COMMAND    libslirp runs COMMAND per connection
//
// The chardev is this forward's frontend: what the guest sends is written
// to it, what it reads goes into slirp's connection as far as slirp has room
// (held back in the chardev otherwise, as any frontend's input). Nothing of
// it is recorded on its own: it reaches the guest only as the frames slirp
// sends, which filter-replay records, and a replay makes no slirp and so no
// forward (a chardev made from the rule is not opened at all).
#pragma once
#include <netinet/in.h>

#include <string>
#include <vector>

#include "chardev/char_backend.h"
#include "net/net_options.h"

struct Slirp;

namespace rwd {

class CharRegistry;

// The ids of the -chardevs that the netdevs' guestfwd= rules name
// ("chardev:ID" targets), for a replay to leave unopened.
std::vector<std::string> guestfwd_chardev_ids(const std::vector<NetdevSpec>& netdevs);

class SlirpGuestfwd : private CharReceiver {
 public:
  // `rule` is the value of guestfwd=; `name` names a chardev made for it.
  // Throws std::runtime_error with a one-line message (bad syntax, an
  // address outside the guest network or taken, an unknown chardev).
  SlirpGuestfwd(Slirp* slirp, const std::string& rule, const std::string& name, CharRegistry* chardevs);
  ~SlirpGuestfwd() override;
  SlirpGuestfwd(const SlirpGuestfwd&) = delete;
  SlirpGuestfwd& operator=(const SlirpGuestfwd&) = delete;

  // Slirp has room in the connection again: held-back input may move.
  void ready() {
    if (chardev_) chardev_->frontend_ready();
  }

 private:
  size_t can_receive() override;
  void receive(const uint8_t* data, size_t len) override;

  Slirp* slirp_;
  in_addr addr_{};
  int port_ = 0;
  CharBackend* chardev_ = nullptr;  // null for cmd:
};

}  // namespace rwd
