// The `raw` format driver: the guest sees the protocol node's bytes as they
// are, and the disk is as large as the file (or block device) was at open.
#pragma once
#include <memory>

#include "block/block_node.h"

namespace rwd {

class RawNode : public BlockNode {
 public:
  // `probed`: the format was guessed, not given. As in QEMU, a guest may
  // then not write a qcow2 header into sector 0 (that would turn the image
  // into a qcow2 on the next probe and hand the guest the host's files
  // through a backing file name): such writes fail with EPERM.
  RawNode(std::unique_ptr<BlockNode> file, bool probed);

  std::string driver() const override { return "raw"; }
  std::string describe() const override { return file_->describe() + " (raw)"; }
  uint64_t size() const override { return size_; }
  bool read_only() const override { return file_->read_only(); }

  int read(uint64_t offset, void* buf, size_t len) override;
  int write(uint64_t offset, const void* buf, size_t len) override;
  int flush() override { return file_->flush(); }
  int discard(uint64_t offset, uint64_t len) override;
  int write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) override;
  uint64_t block_status(uint64_t offset, uint64_t max, bool* zero) override;

 private:
  bool in_range(uint64_t offset, uint64_t len) const { return offset <= size_ && len <= size_ - offset; }

  std::unique_ptr<BlockNode> file_;
  uint64_t size_;
  bool probed_;
};

}  // namespace rwd
