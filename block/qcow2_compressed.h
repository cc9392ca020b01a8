// qcow2 compressed clusters: decoding the L2 descriptor and inflating the
// data (zlib's raw deflate, as qemu-img convert -c writes it). Writing
// compressed clusters is not supported: a write to one copies it, inflated,
// to a new cluster.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rwd {

struct Qcow2CompressedExtent {
  uint64_t offset;      // where the compressed bytes start (any byte)
  uint64_t length;      // how many bytes to read
  uint64_t sectors_at;  // the 512-byte sectors holding them, which are what
  uint64_t sectors_len; // the refcounts count
};

Qcow2CompressedExtent qcow2_decode_compressed(uint64_t l2_entry, uint32_t cluster_bits);

// Inflates `in` into exactly `out_len` bytes. False when the data do not
// decompress to a whole cluster (a damaged image).
bool qcow2_inflate_cluster(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len);

}  // namespace rwd
