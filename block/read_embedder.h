// rrdisk=embed: the data of every guest read goes into the recording, so a
// replay needs no image (as KRR's DMA log does). Reads are cut into 4 KiB
// pages and each page is stored once: a page read again (the same data,
// anywhere on the disk, by any request) becomes a reference to its first
// occurrence. The recording's blocks are zlib-compressed on top of that.
//
// Both sides see the same sequence of results (the completions, in order),
// so the page table they build is the same. A recorder keeps only each
// page's 64-bit hash (two different pages with one hash are as likely as a
// random 2^-64 event per pair); a replay keeps the pages.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "hw/core/async_requests.h"

namespace rwd {

class ReadEmbedder : public ResultCodec {
 public:
  static constexpr size_t kPage = 4096;
  void encode(const AsyncResult& result, ByteWriter& w) override;
  AsyncResult decode(ByteReader& r) override;

  // Statistics for the end-of-run summary.
  uint64_t pages_stored() const { return next_index_; }
  uint64_t pages_referenced() const { return referenced_; }

 private:
  std::unordered_map<uint64_t, uint64_t> index_of_;  // record: page hash -> its index
  std::vector<std::vector<uint8_t>> pages_;          // replay: the pages by index
  uint64_t next_index_ = 0, referenced_ = 0;
};

}  // namespace rwd
