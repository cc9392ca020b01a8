// A fast, non-cryptographic 64-bit hash for state hashing (RAM pages, CPU
// registers) and file fingerprints. It needs to catch any accidental change,
// not resist an adversary: four independent multiply-rotate lanes over 8-byte
// words (so a 4 KiB page hashes at memory speed), folded and finished with a
// 64-bit avalanche mix. Endianness: words are read in host order; rewind runs
// on little-endian hosts only, and rrfiles record that in their header.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rwd {

inline constexpr uint64_t kHashPrime1 = 0x9e3779b97f4a7c15ull;  // 2^64 / golden ratio
inline constexpr uint64_t kHashPrime2 = 0xc2b2ae3d27d4eb4full;
inline constexpr uint64_t kHashPrime3 = 0x165667b19e3779f9ull;

inline uint64_t rotl64(uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }

// Final avalanche: every input bit affects every output bit.
inline uint64_t hash_mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

inline uint64_t hash_combine(uint64_t h, uint64_t v) {
  return hash_mix(h ^ (v * kHashPrime1) ^ rotl64(h, 29));
}

inline uint64_t hash_bytes(const void* data, size_t len, uint64_t seed = 0) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t lane[4] = {seed + kHashPrime1, seed + kHashPrime2, seed ^ kHashPrime3, seed - kHashPrime1};
  size_t i = 0;
  for (; i + 32 <= len; i += 32) {
    for (int k = 0; k < 4; ++k) {
      uint64_t w;
      std::memcpy(&w, p + i + 8 * k, 8);
      lane[k] = rotl64(lane[k] + w * kHashPrime2, 31) * kHashPrime1;
    }
  }
  uint64_t h = rotl64(lane[0], 1) + rotl64(lane[1], 7) + rotl64(lane[2], 12) + rotl64(lane[3], 18);
  h += len;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = rotl64(h ^ (w * kHashPrime2), 27) * kHashPrime1 + kHashPrime3;
  }
  for (; i < len; ++i) h = rotl64(h ^ (p[i] * kHashPrime3), 11) * kHashPrime1;
  return hash_mix(h);
}

}  // namespace rwd
