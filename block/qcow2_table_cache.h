// A bounded LRU cache of cluster-sized qcow2 metadata tables (L2 tables,
// refcount blocks), keyed by their offset in the image file. Changed tables
// are written back when evicted and on flush(), so a run of guest writes
// into one table costs one metadata write, not one per request.
//
// A pointer returned by get()/create() stays valid until the next get() or
// create() on the same cache (which may evict it).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "block/block_node.h"

namespace rwd {

class Qcow2TableCache {
 public:
  Qcow2TableCache(BlockNode& file, uint64_t table_bytes, size_t capacity);

  // The table at `offset`, read from the file if it is not cached. nullptr
  // with *err = -EIO when the table lies past the end of the file, or the
  // read's error.
  uint8_t* get(uint64_t offset, int* err);
  // A new table at `offset` (a freshly allocated cluster): `init`, or zeros,
  // without reading the file. Dirty.
  uint8_t* create(uint64_t offset, const uint8_t* init, int* err);
  void mark_dirty(uint64_t offset);
  // Forgets a table whose cluster was freed (without writing it).
  void drop(uint64_t offset);
  bool cached(uint64_t offset) const { return index_.count(offset) != 0; }
  // Every cached table's offset (the metadata overlap check).
  template <typename F>
  void for_each_offset(F f) const {
    for (const Entry& e : entries_)
      if (e.data) f(e.offset);
  }

  bool has_dirty() const;
  // Writes every dirty table (the caller syncs).
  int flush();
  // Run before any table is written: a cache of L2 tables sets this to
  // write the refcount blocks first, so that on disk a cluster is never
  // referenced before it is counted.
  void set_before_write(std::function<int()> f) { before_write_ = std::move(f); }

 private:
  struct Entry {
    uint64_t offset = 0;
    uint64_t last_use = 0;
    bool dirty = false;
    std::unique_ptr<uint8_t[]> data;
  };
  Entry* slot_for(uint64_t offset, int* err);
  int write_entry(Entry& e);

  BlockNode& file_;
  uint64_t table_bytes_;
  std::vector<Entry> entries_;
  std::unordered_map<uint64_t, size_t> index_;
  uint64_t clock_ = 0;
  std::function<int()> before_write_;
};

}  // namespace rwd
