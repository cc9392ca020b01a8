// The raw format: see raw.h.
#include "block/raw.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rwd {

RawNode::RawNode(std::unique_ptr<BlockNode> file, bool probed)
    : file_(std::move(file)), size_(file_->size()), probed_(probed) {}

int RawNode::read(uint64_t offset, void* buf, size_t len) {
  if (!in_range(offset, len)) return -EIO;
  return file_->read(offset, buf, len);
}

int RawNode::write(uint64_t offset, const void* buf, size_t len) {
  if (!in_range(offset, len)) return -EIO;
  if (probed_ && offset < 4 && len > 0) {
    // Would the first four bytes become the qcow2 magic?
    uint8_t head[4];
    int r = file_->read(0, head, 4);
    if (r < 0) return r;
    std::memcpy(head + offset, buf, std::min<size_t>(len, 4 - offset));
    if (std::memcmp(head, "QFI\xfb", 4) == 0) return -EPERM;
  }
  return file_->write(offset, buf, len);
}

int RawNode::discard(uint64_t offset, uint64_t len) {
  if (!in_range(offset, len)) return -EIO;
  return file_->discard(offset, len);
}

int RawNode::write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) {
  if (!in_range(offset, len)) return -EIO;
  return file_->write_zeroes(offset, len, may_unmap);
}

uint64_t RawNode::block_status(uint64_t offset, uint64_t max, bool* zero) {
  *zero = false;
  if (offset >= size_) return 0;
  return file_->block_status(offset, std::min(max, size_ - offset), zero);
}

}  // namespace rwd
