// A checkpoint: the full machine state summary a recording carries every
// `check-interval` instructions (docs/rrfile.md, "Checkpoint payload"), and
// the replay compares against, naming every register, value and RAM page
// that differs. Made and compared by StateHasher; encoded here.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "util/byte_codec.h"

namespace rwd {

// Named 64-bit values besides the CPU's that a checkpoint covers (the
// virtual clock, device state hashes).
using NamedValues = std::vector<std::pair<std::string, uint64_t>>;

struct Checkpoint {
  // A page whose contents changed since the previous checkpoint: its number
  // within its RAM block and the low 32 bits of its hash.
  struct Page {
    uint32_t number = 0;
    uint32_t hash = 0;
  };
  std::vector<uint64_t> cpu;  // cpu_values(), in cpu_value_name() order
  NamedValues extra;
  uint64_t ram_hash = 0;
  std::vector<std::vector<Page>> pages;  // per RAM block, ascending

  // Layout: varint N, N varint CPU values; varint M, M (string name, u64
  // value); u64 RAM hash; varint number of RAM blocks, and per block: varint
  // count, then (varint page delta, u32 page hash) for each changed page.
  void encode(ByteWriter& w) const;
  // Throws DecodeError on anything malformed (sizes past their limits,
  // pages out of order).
  static Checkpoint decode(ByteReader& r);

  static constexpr size_t kMaxCpuValues = 4096, kMaxExtra = 1024, kMaxName = 256, kMaxRamBlocks = 64;
};

}  // namespace rwd
