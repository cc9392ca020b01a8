// qcow2 reference counts: the refcount table (held in memory whole; 8 MiB
// at most) and refcount blocks (through a Qcow2TableCache), cluster
// allocation, and freeing.
//
// Allocation takes the lowest run of free clusters at or after a cursor
// (QEMU's first-fit). A refcount block that does not exist yet is put in
// the first cluster of the range it describes, which is free by definition
// (no block, so every count in the range is zero) and which the free-space
// search keeps for it: a new block never needs another block to count it.
// The table grows (to a new, larger copy in free space, then the header is
// switched to it) when a block is needed past its end.
//
// Ordering on disk: counts go up before any table referencing the cluster
// is written (the L2 cache writes refcount blocks first), and go down only
// after the reference is gone from disk: frees are queued and applied by
// apply_frees() after the L2 tables were written. A crash can leak
// clusters, never leave one referenced and free.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "block/qcow2_header.h"
#include "block/qcow2_table_cache.h"

namespace rwd {

class Qcow2Refcounts {
 public:
  // `is_metadata(offset, len)`: does the range overlap the image's header,
  // L1 or refcount table (new blocks must not be put there); `on_freed`:
  // a cluster's count fell to zero (drop it from caches).
  Qcow2Refcounts(BlockNode& file, const Qcow2Header& h, std::function<bool(uint64_t, uint64_t)> is_metadata,
                 std::function<void(uint64_t)> on_freed);

  // Reads and checks the refcount table; throws BlockError naming `name`.
  void load(const std::string& name);

  uint64_t max_refcount() const { return max_; }
  // The count of the host cluster at `offset`. 0 or -errno.
  int get(uint64_t offset, uint64_t* count);
  // Sets the count of the host cluster at `offset` (the repair of a dirty
  // image). -ENOENT when no refcount block covers it.
  int set(uint64_t offset, uint64_t count);
  // Calls f(cluster, count) for every cluster that an existing refcount
  // block covers. Stops at the first error.
  template <typename F>
  int for_each_count(F f) {
    for (uint64_t ti = 0; ti < table_.size(); ++ti) {
      if (table_[ti] == 0) continue;
      int err = 0;
      const uint8_t* b = blocks_.get(table_[ti], &err);
      if (!b) return err;
      for (uint64_t i = 0; i < per_block_; ++i) {
        int r = f(ti * per_block_ + i, read_entry(b, i));
        if (r < 0) return r;
        if (!(b = blocks_.get(table_[ti], &err))) return err;  // f may have used the cache
      }
    }
    return 0;
  }
  uint64_t table_entries() const { return table_.size(); }
  uint64_t block_offset(uint64_t ti) const { return table_[ti]; }
  uint64_t counts_per_block() const { return per_block_; }
  // The most clusters alloc() can always find in one run.
  uint64_t max_run() const { return per_block_ > 1 ? per_block_ - 1 : 1; }

  // Allocates `n` contiguous clusters with count 1: their offset, or -errno
  // (-ENOSPC when no run of `n` can exist: see find_free_run).
  int64_t alloc(uint64_t n);
  // Adds a reference to each cluster touching [offset, offset + len) at
  // once (an internal snapshot now shares them). -EIO on overflow.
  int increment(uint64_t offset, uint64_t len);
  // Queues a decrement for each cluster touching [offset, offset + len).
  void free_later(uint64_t offset, uint64_t len);
  size_t pending_frees() const { return pending_.size(); }

  // Writes changed refcount blocks, then the table (with a sync between,
  // the table must never point at an unwritten block).
  int write_back();
  // Applies the queued decrements (call after the referencing L2 tables
  // were written and synced), then write_back().
  int apply_frees();

  bool overlaps_metadata(uint64_t offset, uint64_t len) const;
  Qcow2TableCache& blocks() { return blocks_; }
  uint64_t table_offset() const { return table_offset_; }
  uint64_t table_bytes() const { return table_.size() * 8; }

 private:
  int update(uint64_t cluster, int64_t delta);
  uint64_t read_entry(const uint8_t* block, uint64_t index) const;
  void write_entry(uint8_t* block, uint64_t index, uint64_t value) const;
  // Count of `cluster` for the free-space search: blocks not yet created
  // read as zero, except their reserved first cluster.
  int probe(uint64_t cluster, bool* free);
  int64_t find_free_run(uint64_t n);
  int ensure_block(uint64_t table_index);
  int grow_table(uint64_t min_entries);
  int write_table();

  BlockNode& file_;
  uint64_t cs_;
  uint32_t cluster_bits_;
  uint32_t order_;
  uint64_t per_block_;  // counts in one block
  uint64_t max_;
  uint64_t table_offset_;
  std::vector<uint64_t> table_;  // host offsets of refcount blocks, 0 = none
  bool table_dirty_ = false;
  Qcow2TableCache blocks_;
  uint64_t cursor_ = 0;  // no free cluster below this one
  std::vector<std::pair<uint64_t, uint64_t>> pending_;  // first cluster, count
  std::function<bool(uint64_t, uint64_t)> is_metadata_;
  std::function<void(uint64_t)> on_freed_;
};

}  // namespace rwd
