// Random bytes the board hands to the guest at boot (the device tree's
// /chosen/rng-seed). With `-seed N` they are deterministic and equal to
// QEMU 7.2's: MT19937 seeded like GLib's g_rand_new_with_seed_array({N low,
// N high}), skipping the 2 outputs QEMU consumes before the board's first
// draw (the tree built at machine creation gets #2..#9, what dumpdtb shows;
// the first reset #10..#17, what the guest sees), each 32-bit output stored
// little-endian (docs/lockstep.md, section 4). Without -seed they come from
// the host.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "util/byte_codec.h"

namespace rwd {

// The Mersenne Twister MT19937 (Matsumoto & Nishimura, 1998), seeded with
// init_by_array as in the authors' reference description.
class Mt19937 {
 public:
  Mt19937(const uint32_t* key, size_t len);
  uint32_t next();
  void save(ByteWriter& w) const;
  void load(ByteReader& r);

 private:
  static constexpr int kN = 624, kM = 397;
  void seed(uint32_t s);
  void refill();
  std::array<uint32_t, kN> mt_{};
  int index_ = kN;
};

class GuestRandom {
 public:
  explicit GuestRandom(std::optional<uint64_t> seed);
  void fill(uint8_t* out, size_t len);
  // A snapshot carries the generator's position, so that resets after a
  // load draw what they would have drawn.
  void save(ByteWriter& w) const;
  void load(ByteReader& r);

 private:
  std::optional<Mt19937> mt_;
};

}  // namespace rwd
