// The BlockNode defaults shared by every driver: block_status() that knows
// nothing, and the content digest built on block_status() and read().
#include "block/block_node.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "util/hash64.h"
#include "util/hex.h"

namespace rwd {

uint64_t BlockNode::block_status(uint64_t offset, uint64_t max, bool* zero) {
  *zero = false;
  uint64_t sz = size();
  return offset < sz ? std::min(max, sz - offset) : 0;
}

namespace {

constexpr uint64_t kDigestChunk = 64 * 1024;

bool all_zero(const uint8_t* p, size_t n) {
  static const uint8_t zeros[4096] = {};
  for (size_t i = 0; i < n; i += sizeof zeros) {
    size_t k = std::min(n - i, sizeof zeros);
    if (std::memcmp(p + i, zeros, k) != 0) return false;
  }
  return true;
}

}  // namespace

// Chunks are hashed at fixed 64 KiB offsets and all-zero chunks left out, so
// the digest is a function of the guest-visible bytes alone (see the header).
// Each chunk that may hold data is read once: `pos` only moves forward.
std::string BlockNode::content_digest() {
  const uint64_t sz = size();
  uint64_t h = hash_combine(0x6469736b, sz);  // "disk"
  std::vector<uint8_t> buf(kDigestChunk);
  uint64_t pos = 0;
  while (pos < sz) {
    bool zero = false;
    uint64_t run = block_status(pos, sz - pos, &zero);
    if (run == 0) throw BlockError(describe() + ": damaged image: cannot map it for the content digest");
    if (zero) {
      pos += run;
      continue;
    }
    uint64_t chunk = pos / kDigestChunk;
    uint64_t start = chunk * kDigestChunk;
    size_t len = static_cast<size_t>(std::min(kDigestChunk, sz - start));
    int r = read(start, buf.data(), len);
    if (r < 0) throw BlockError(describe() + ": cannot read it for the content digest: " + std::strerror(-r));
    if (!all_zero(buf.data(), len)) h = hash_combine(hash_combine(h, chunk), hash_bytes(buf.data(), len));
    pos = start + len;
  }
  return std::to_string(sz) + " bytes, content hash " + hex(hash_mix(h));
}

}  // namespace rwd
