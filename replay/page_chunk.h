// A navigation snapshot's RAM (replay/navigator.h), in chunks of 512 pages
// (2 MiB of guest RAM) that snapshots share while none of their pages
// changed. A replay keeps a snapshot every 4 million instructions; most of
// RAM is the same from one to the next, and sharing it page by page cost a
// pass over every page's kept copy (a reference count and a hash each, one
// cache miss per page) at every snapshot and again when it was dropped:
// about a tenth of a Linux replay's time. A chunk also keeps its pages'
// hashes side by side, so an unchanged chunk is found by comparing 4 KiB of
// hashes, and a changed one shares its unchanged pages without reading them.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "replay/page_store.h"

namespace rwd {

struct PageChunk {
  static constexpr size_t kPages = 512;

  PageChunk(PageStore& store, size_t& live, size_t count) : store_(store), live_(live), count(count) { ++live_; }
  ~PageChunk() {
    for (size_t i = 0; i < count; ++i) store_.release(pages[i]);
    --live_;
  }
  PageChunk(const PageChunk&) = delete;
  PageChunk& operator=(const PageChunk&) = delete;

 private:
  PageStore& store_;
  size_t& live_;  // the owner's count of chunks alive (its memory figure)

 public:
  const size_t count;  // pages in use (the last chunk of a RAM block may be short)
  // Page i of the chunk (nullptr: all zeros) and the hash the state hasher
  // gave it when the snapshot was taken.
  std::array<PageStore::Page*, kPages> pages{};
  std::array<uint64_t, kPages> hashes{};
};

}  // namespace rwd
