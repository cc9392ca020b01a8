// The stand-in for an image a replay does not need (rrdisk=embed: every
// read's data is in the recording): it has the recorded size and never
// does I/O — a request reaching it would mean the replay left the
// recording's path, which the controller reports first.
#pragma once
#include <cerrno>

#include "block/block_node.h"

namespace rwd {

class PhantomNode : public BlockNode {
 public:
  PhantomNode(uint64_t size, bool read_only) : size_(size), read_only_(read_only) {}
  std::string driver() const override { return "embedded"; }
  std::string describe() const override { return "(reads replayed from the recording)"; }
  uint64_t size() const override { return size_; }
  bool read_only() const override { return read_only_; }
  int read(uint64_t, void*, size_t) override { return -EIO; }
  int write(uint64_t, const void*, size_t) override { return -EIO; }
  int flush() override { return 0; }
  int discard(uint64_t, uint64_t) override { return -EIO; }
  int write_zeroes(uint64_t, uint64_t, bool) override { return -EIO; }
  std::string content_digest() override { return "embedded"; }

 private:
  uint64_t size_;
  bool read_only_;
};

}  // namespace rwd
