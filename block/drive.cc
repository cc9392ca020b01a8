#include "block/drive.h"

namespace rwd {

Drive::Drive(const DriveConfig& config, std::unique_ptr<BlockNode> node, HostLoop& loop)
    : config_(config),
      node_(std::move(node)),
      size_(node_->size()),
      read_only_(node_->read_only()),
      description_(node_->describe()),
      io_(loop, 1) {}

// What the guest wrote must reach the image: queued requests run, then the
// node is flushed (and closed cleanly by its destructor).
Drive::~Drive() {
  io_.drain();
  node_->flush();
}

// QEMU's layout of `info block`.
std::string Drive::info_text() const {
  std::string s = (blkreplay_id_.empty() ? id() : blkreplay_id_) + ": " + description_;
  if (read_only_) s += " (read-only)";
  if (config_.snapshot) s += " (snapshot: writes go to a temporary overlay)";
  s += "\n";
  if (!attached_to_.empty()) s += "    Attached to:      " + attached_to_ + "\n";
  s += "    Cache mode:       " + (config_.cache.empty() ? std::string("writeback") : config_.cache) + "\n";
  if (!blkreplay_id_.empty()) s += "    Record/replay:    blkreplay on " + id() + "\n";
  return s;
}

}  // namespace rwd
