// A drive as the machine uses it: the top node of its block graph (see
// block_node.h), the one host thread its requests run on, in the order the
// guest issued them (so the image's contents follow from the guest's
// requests alone), and what `info block` says about it.
//
// `driver=blkreplay` needs no node of its own here: every device request's
// completion goes through the input path (hw/core/async_requests.h), so a
// recording pins it to an instruction count and a replay completes it there,
// with or without blkreplay on the command line.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "block/block_node.h"
#include "util/host_work.h"

namespace rwd {

class Drive {
 public:
  Drive(const DriveConfig& config, std::unique_ptr<BlockNode> node, HostLoop& loop);
  ~Drive();

  const std::string& id() const { return config_.id; }
  const DriveConfig& config() const { return config_; }
  // Only from io()'s thread while the machine runs.
  BlockNode& node() { return *node_; }
  uint64_t size() const { return size_; }
  bool read_only() const { return read_only_; }
  HostWorkPool& io() { return io_; }
  // The drive a device names may be a blkreplay drive standing on this one.
  void set_blkreplay(const std::string& id) { blkreplay_id_ = id; }
  const std::string& blkreplay_id() const { return blkreplay_id_; }
  // Who uses it, for `info block` ("/machine/peripheral/ID/virtio-backend").
  void set_attached_to(const std::string& where) { attached_to_ = where; }
  std::string info_text() const;
  // The device on it: how many of its requests the guest still waits for
  // (replay navigation snapshots only where none is: their host work cannot
  // be saved). Unset: no device, none.
  std::function<size_t()> requests_in_flight;

 private:
  DriveConfig config_;
  std::unique_ptr<BlockNode> node_;
  uint64_t size_;
  bool read_only_;
  std::string description_;
  std::string blkreplay_id_, attached_to_;
  HostWorkPool io_;  // last: its thread stops before the node goes
};

}  // namespace rwd
