// qcow2 compressed clusters: see qcow2_compressed.h.
#include "block/qcow2_compressed.h"

#include <zlib.h>

namespace rwd {

Qcow2CompressedExtent qcow2_decode_compressed(uint64_t e, uint32_t cluster_bits) {
  // The descriptor's low x = 62 - (cluster_bits - 8) bits are the offset; the
  // bits above, up to bit 61, count the sectors after the first one.
  const uint32_t x = 62 - (cluster_bits - 8);
  const uint64_t offset = e & ((1ull << x) - 1);
  const uint64_t sectors = ((e >> x) & ((1ull << (cluster_bits - 8)) - 1)) + 1;
  Qcow2CompressedExtent c;
  c.offset = offset;
  c.sectors_at = offset & ~511ull;
  c.sectors_len = sectors * 512;
  c.length = c.sectors_len - (offset & 511);
  return c;
}

bool qcow2_inflate_cluster(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) {
  z_stream z{};
  // Raw deflate (negative window bits); the largest window reads streams
  // written with any smaller one (QEMU uses 2^12).
  if (inflateInit2(&z, -15) != Z_OK) return false;
  z.next_in = const_cast<uint8_t*>(in);
  z.avail_in = static_cast<uInt>(in_len);
  z.next_out = out;
  z.avail_out = static_cast<uInt>(out_len);
  int r = inflate(&z, Z_FINISH);
  bool ok = (r == Z_STREAM_END || r == Z_BUF_ERROR || r == Z_OK) && z.avail_out == 0;
  inflateEnd(&z);
  return ok;
}

}  // namespace rwd
