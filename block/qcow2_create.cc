// Making a new qcow2 image: see qcow2_create.h.
#include "block/qcow2_create.h"

#include <cstring>
#include <vector>

#include "block/qcow2_format.h"
#include "block/qcow2_header.h"

namespace rwd {

using namespace qcow2;

void qcow2_create(BlockNode& file, uint64_t size, const std::string& backing_name, const std::string& backing_format) {
  const uint32_t cluster_bits = 16;
  const uint64_t cs = 1ull << cluster_bits;
  const uint64_t l1_entries = qcow2_l1_entries_needed(size, cluster_bits);
  if (l1_entries * 8 > kMaxL1Bytes) throw BlockError("cannot make a qcow2 image of " + std::to_string(size) + " bytes");
  if (backing_name.size() > kMaxBackingNameLength || backing_format.size() >= 16)
    throw BlockError("backing file name too long for a qcow2 header: '" + backing_name + "'");
  const uint64_t l1_clusters = l1_entries == 0 ? 1 : (l1_entries * 8 + cs - 1) / cs;
  // Clusters: 0 header, 1 refcount table, 2 refcount block, 3.. L1 table.
  const uint64_t total = 3 + l1_clusters;
  std::vector<uint8_t> img(total * cs, 0);
  uint8_t* h = img.data();
  std::memcpy(h, kMagic, 4);
  store_be32(h + kOffVersion, 3);
  store_be32(h + kOffClusterBits, cluster_bits);
  store_be64(h + kOffSize, size);
  store_be32(h + kOffL1Size, static_cast<uint32_t>(l1_entries));
  store_be64(h + kOffL1Offset, 3 * cs);
  store_be64(h + kOffRefcountTableOffset, cs);
  store_be32(h + kOffRefcountTableClusters, 1);
  store_be32(h + kOffRefcountOrder, 4);
  store_be32(h + kOffHeaderLength, kV3HeaderLength);
  uint64_t pos = kV3HeaderLength;
  if (!backing_format.empty()) {
    store_be32(h + pos, kExtBackingFormat);
    store_be32(h + pos + 4, static_cast<uint32_t>(backing_format.size()));
    std::memcpy(h + pos + 8, backing_format.data(), backing_format.size());
    pos += 8 + ((backing_format.size() + 7) & ~size_t{7});
  }
  pos += 8;  // the end-of-extensions marker (zeros)
  if (!backing_name.empty()) {
    store_be64(h + kOffBackingOffset, pos);
    store_be32(h + kOffBackingSize, static_cast<uint32_t>(backing_name.size()));
    std::memcpy(h + pos, backing_name.data(), backing_name.size());
  }
  store_be64(img.data() + cs, 2 * cs);  // refcount table entry 0: the block
  for (uint64_t c = 0; c < total; ++c) store_be16(img.data() + 2 * cs + 2 * c, 1);
  int r = file.write(0, img.data(), img.size());
  if (r == 0) r = file.flush();
  if (r < 0) throw BlockError("'" + file.describe() + "': cannot write a new qcow2 image: " + std::strerror(-r));
}

}  // namespace rwd
