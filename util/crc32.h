// zlib's CRC-32 over a buffer of any size (zlib takes a uInt length, so
// larger buffers go in chunks). `start` continues an earlier CRC. Used by
// the rrfile, the snapshot stream and the snapshot store.
#pragma once
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace rwd {

inline uint32_t crc32_of(const uint8_t* p, size_t n, uint32_t start = 0) {
  uLong c = start;
  while (n > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    c = crc32(c, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(c);
}

}  // namespace rwd
