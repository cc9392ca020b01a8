// -object filter-replay,id=ID,netdev=NETDEV: the netdev's frames towards the
// guest go through the one input path (replay/input.h), as a `net-frame`
// event of source = the netdev's number:
//  - a plain run passes them on;
//  - a recording logs each frame as the NIC takes it (the netdev only sends
//    a frame on when the NIC has a buffer for it), pinned to that instruction
//    count, then passes it on;
//  - a replay drops live frames (there are none: no backend is connected)
//    and passes on the recorded frames at their recorded counts, to the
//    filters after it and the NIC.
// Frames from the guest pass through (on replay the netdev has no backend,
// so they end there); the input path pins them under -rr-net-check
// (InputPath::guest_output: a recording logs them, its replay checks them).
#pragma once
#include <memory>

#include "net/netdev.h"
#include "replay/input.h"

namespace rwd {

class FilterReplay : public NetFilter, private InputReceiver {
 public:
  FilterReplay(Netdev& link, InputPath& path, uint8_t source);
  std::string type() const override { return "filter-replay"; }
  bool filter(NetDirection dir, const uint8_t* data, size_t len, size_t position) override;

 private:
  size_t input_room() override;
  void receive_input(const uint8_t* data, size_t len) override;

  Netdev& link_;
  InputPath& path_;
  uint8_t source_;
  std::unique_ptr<InputChannel> channel_;
};

}  // namespace rwd
