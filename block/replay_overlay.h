// A replay's disk overlay (docs/replay-navigation.md, "Disks"): the writes a
// replay makes go to memory, never to the image, and the overlay's state at
// any moment can be kept as a cheap copy-on-write generation, so replay
// navigation can put the disk back as it was at a snapshot.
//
// The overlay holds 4 KiB clusters in 1 MiB chunks (256 cluster pointers
// each), both shared between generations: saving a generation copies the
// map of chunks written so far (one pointer per MiB written); the first
// write to a chunk or cluster that a saved generation still holds copies it
// first. A generation therefore costs the clusters written since the
// previous one, plus a chunk table per chunk written to.
//
// Reads and writes run on the drive's I/O thread; save() and restore() on
// the emulation thread while the drive is drained (no request running), as
// DriveSet does it. Dropping a generation may happen at any time: the
// shared pointers' counts are atomic, and a write that sees a count above
// one merely copies a cluster it could have written in place.
//
// Semantics are those of the temporary qcow2 overlay (64 KiB clusters, v3,
// image as backing) that a replay used before: discard turns whole 64 KiB
// clusters into zeros and leaves partial ones alone, write_zeroes reads as
// zeros over the whole range. So what the replayed guest reads is what the
// recorded guest read.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "block/block_node.h"

namespace rwd {

class ReplayOverlayNode : public BlockNode {
 public:
  static constexpr uint64_t kClusterBytes = 4096;
  static constexpr size_t kClustersPerChunk = 256;
  static constexpr uint64_t kChunkBytes = kClusterBytes * kClustersPerChunk;
  static constexpr uint64_t kDiscardGranule = 64 * 1024;  // the qcow2 overlay's cluster

  // `image`: opened read-only, never written.
  explicit ReplayOverlayNode(std::unique_ptr<BlockNode> image);
  ~ReplayOverlayNode() override;

  std::string driver() const override { return image_->driver(); }
  std::string describe() const override { return image_->describe(); }
  uint64_t size() const override { return size_; }
  bool read_only() const override { return false; }

  int read(uint64_t offset, void* buf, size_t len) override;
  int write(uint64_t offset, const void* buf, size_t len) override;
  int flush() override { return 0; }
  int discard(uint64_t offset, uint64_t len) override;
  int write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) override;
  uint64_t block_status(uint64_t offset, uint64_t max, bool* zero) override;

  // A saved generation: what the overlay held when it was saved.
  class Generation;
  std::shared_ptr<const Generation> save() const;
  void restore(const std::shared_ptr<const Generation>& g);
  // Memory held by clusters and chunk tables, of the live overlay and of
  // every generation still kept (each shared cluster counted once).
  uint64_t bytes() const { return accounting_->bytes.load(); }

 private:
  struct Accounting {
    std::atomic<uint64_t> bytes{0};
  };
  struct Cluster;
  struct Chunk;
  using ChunkMap = std::map<uint64_t, std::shared_ptr<Chunk>>;

  // The live cluster at `index`, made private to the live overlay (copied
  // if a generation shares it, filled from the image if new).
  Cluster* writable_cluster(uint64_t index, int* err);
  const Cluster* find_cluster(uint64_t index) const;
  int read_image(uint64_t offset, uint8_t* buf, size_t len);

  std::unique_ptr<BlockNode> image_;
  uint64_t size_;
  std::shared_ptr<Accounting> accounting_ = std::make_shared<Accounting>();
  ChunkMap live_;
};

// A drive's chain for a replay: as open_drive() with snapshot=on, but the
// overlay is a ReplayOverlayNode (returned in `*overlay`; null for a
// readonly=on drive, which gets none). Throws BlockError.
std::unique_ptr<BlockNode> open_drive_for_replay(const DriveConfig& config, ReplayOverlayNode** overlay);

}  // namespace rwd
