// The drive options that QEMU applies above the format driver: discard=
// (ignore, the default, drops the guest's discards; unmap passes them on)
// and detect-zeroes= (off; on: writes of zeros become write_zeroes; unmap:
// and may free space, which needs discard=unmap, as in QEMU).
#pragma once
#include <memory>
#include <string>

#include "block/block_node.h"

namespace rwd {

enum class DetectZeroes { kOff, kOn, kUnmap };

class DrivePolicyNode : public BlockNode {
 public:
  DrivePolicyNode(std::unique_ptr<BlockNode> inner, bool unmap, DetectZeroes detect)
      : inner_(std::move(inner)), unmap_(unmap), detect_(detect) {}

  // Shows as the node below it: the policy is not a driver of its own.
  std::string driver() const override { return inner_->driver(); }
  std::string describe() const override { return inner_->describe(); }
  uint64_t size() const override { return inner_->size(); }
  bool read_only() const override { return inner_->read_only(); }

  int read(uint64_t offset, void* buf, size_t len) override { return inner_->read(offset, buf, len); }
  int write(uint64_t offset, const void* buf, size_t len) override;
  int flush() override { return inner_->flush(); }
  int discard(uint64_t offset, uint64_t len) override;
  int write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) override {
    return inner_->write_zeroes(offset, len, may_unmap && unmap_);
  }
  uint64_t block_status(uint64_t offset, uint64_t max, bool* zero) override {
    return inner_->block_status(offset, max, zero);
  }
  std::string content_digest() override { return inner_->content_digest(); }
  // The format node (or -snapshot overlay) below: internal snapshots.
  BlockNode& inner() { return *inner_; }

 private:
  std::unique_ptr<BlockNode> inner_;
  bool unmap_;
  DetectZeroes detect_;
};

// Parses discard= and detect-zeroes=; throws BlockError naming `drive`.
void parse_drive_policy(const std::string& drive, const std::string& discard, const std::string& detect_zeroes,
                        bool* unmap, DetectZeroes* detect);

}  // namespace rwd
