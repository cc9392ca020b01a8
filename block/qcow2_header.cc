// qcow2 header parsing: see qcow2_header.h.
#include "block/qcow2_header.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "block/qcow2_format.h"
#include "util/hex.h"

namespace rwd {

using namespace qcow2;

namespace {

struct HeaderReader {
  const std::string& name;
  [[noreturn]] void fail(const std::string& what) const { throw BlockError("'" + name + "': " + what); }
};

// Does [offset, offset + bytes) lie inside a file of `file_size` bytes?
bool inside(uint64_t offset, uint64_t bytes, uint64_t file_size) {
  return offset <= file_size && bytes <= file_size - offset;
}

bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

// Names of the incompatible features in `bits`, from the image's feature
// name table where it has one (for features newer than this code).
std::string feature_names(uint64_t bits, const std::map<int, std::string>& table) {
  std::string out;
  for (int b = 0; b < 64; ++b) {
    if (!(bits >> b & 1)) continue;
    std::string n;
    switch (b) {
      case 2: n = "external data file"; break;
      case 3: n = "compression type other than zlib"; break;
      case 4: n = "extended L2 entries (subclusters)"; break;
      default: {
        auto it = table.find(b);
        n = it != table.end() ? it->second : "unknown incompatible feature bit " + std::to_string(b);
      }
    }
    out += (out.empty() ? "" : ", ") + n;
  }
  return out;
}

}  // namespace

uint64_t qcow2_l1_entries_needed(uint64_t size, uint32_t cluster_bits) {
  uint32_t shift = cluster_bits + (cluster_bits - 3);  // bytes mapped by one L2 table
  return (size >> shift) + ((size & ((1ull << shift) - 1)) != 0);
}

Qcow2Header read_qcow2_header(BlockNode& file, const std::string& name) {
  HeaderReader r{name};
  const uint64_t file_size = file.size();
  if (file_size < kV2HeaderLength) r.fail("truncated qcow2 header (" + std::to_string(file_size) + " bytes)");
  uint8_t fixed[kV3HeaderLength + 8] = {};
  size_t fixed_len = static_cast<size_t>(std::min<uint64_t>(file_size, sizeof fixed));
  if (file.read(0, fixed, fixed_len) < 0) r.fail("cannot read the qcow2 header");
  if (std::memcmp(fixed, kMagic, 4) != 0) r.fail("not a qcow2 image (bad magic)");

  Qcow2Header h;
  h.version = load_be32(fixed + kOffVersion);
  if (h.version != 2 && h.version != 3) r.fail("unsupported qcow2 version " + std::to_string(h.version));
  h.cluster_bits = load_be32(fixed + kOffClusterBits);
  if (h.cluster_bits < kMinClusterBits || h.cluster_bits > kMaxClusterBits)
    r.fail("unsupported cluster size 2^" + std::to_string(h.cluster_bits) + " (512 bytes to 2 MiB)");
  h.cluster_size = 1ull << h.cluster_bits;
  h.size = load_be64(fixed + kOffSize);
  if (load_be32(fixed + kOffCryptMethod) != 0) r.fail("encrypted qcow2 images are not supported");
  h.l1_size = load_be32(fixed + kOffL1Size);
  h.l1_offset = load_be64(fixed + kOffL1Offset);
  h.refcount_table_offset = load_be64(fixed + kOffRefcountTableOffset);
  h.refcount_table_clusters = load_be32(fixed + kOffRefcountTableClusters);
  h.nb_snapshots = load_be32(fixed + kOffNbSnapshots);
  h.snapshots_offset = load_be64(fixed + kOffSnapshotsOffset);
  h.header_length = kV2HeaderLength;
  uint32_t compression_type = 0;
  if (h.version == 3) {
    if (file_size < kV3HeaderLength) r.fail("truncated qcow2 v3 header");
    h.incompatible = load_be64(fixed + kOffIncompatible);
    h.compatible = load_be64(fixed + kOffCompatible);
    h.autoclear = load_be64(fixed + kOffAutoclear);
    h.refcount_order = load_be32(fixed + kOffRefcountOrder);
    h.header_length = load_be32(fixed + kOffHeaderLength);
    if (h.header_length < kV3HeaderLength || h.header_length % 8 != 0 || h.header_length > h.cluster_size ||
        h.header_length > file_size)
      r.fail("invalid header length " + std::to_string(h.header_length));
    if (h.header_length > kOffCompressionType) compression_type = fixed[kOffCompressionType];
  }
  if (h.refcount_order > 6) r.fail("invalid refcount order " + std::to_string(h.refcount_order));

  // The rest of the first cluster: header extensions and the backing name.
  std::vector<uint8_t> head(static_cast<size_t>(std::min(h.cluster_size, file_size)));
  if (file.read(0, head.data(), head.size()) < 0) r.fail("cannot read the qcow2 header");
  uint64_t backing_offset = load_be64(head.data() + kOffBackingOffset);
  uint32_t backing_size = load_be32(head.data() + kOffBackingSize);
  uint64_t ext_end = head.size();
  if (backing_offset != 0) {
    if (backing_size > kMaxBackingNameLength) r.fail("backing file name too long");
    if (backing_offset < h.header_length || !inside(backing_offset, backing_size, head.size()))
      r.fail("invalid backing file name offset " + std::to_string(backing_offset));
    h.backing_file.assign(reinterpret_cast<const char*>(head.data() + backing_offset), backing_size);
    if (h.backing_file.empty() || h.backing_file.find('\0') != std::string::npos)
      r.fail("invalid backing file name");
    ext_end = backing_offset;
  }
  std::map<int, std::string> names;  // incompatible feature bit -> name
  for (uint64_t pos = h.header_length; pos + 8 <= ext_end;) {
    uint32_t type = load_be32(head.data() + pos);
    uint32_t len = load_be32(head.data() + pos + 4);
    if (type == kExtEnd) break;
    pos += 8;
    if (len > ext_end - pos) r.fail("header extension " + hex(type) + " runs past the header cluster");
    const uint8_t* data = head.data() + pos;
    if (type == kExtBackingFormat) {
      if (len == 0 || len >= 16) r.fail("invalid backing format header extension");
      h.backing_format.assign(reinterpret_cast<const char*>(data), len);
    } else if (type == kExtFeatureNames) {
      for (uint32_t i = 0; i + 48 <= len; i += 48) {
        if (data[i] != 0 || data[i + 1] > 63) continue;  // only incompatible names are used
        const char* s = reinterpret_cast<const char*>(data + i + 2);
        names[data[i + 1]] = std::string(s, strnlen(s, 46));
      }
    } else if (type == kExtBitmaps) {
      h.has_bitmaps = true;
    }  // others (encryption, data file name, unknown) are ignored
    pos += (static_cast<uint64_t>(len) + 7) & ~7ull;
  }

  uint64_t unsupported = h.incompatible & ~(kIncompatDirty | kIncompatCorrupt);
  if (unsupported) r.fail("unsupported qcow2 feature: " + feature_names(unsupported, names));
  if (compression_type != 0) r.fail("invalid compression type " + std::to_string(compression_type));

  // Tables: aligned, inside the file, clear of the header and of each other.
  const uint64_t cs = h.cluster_size;
  if (h.size > (1ull << 62)) r.fail("virtual size " + std::to_string(h.size) + " is too large");
  uint64_t l1_needed = qcow2_l1_entries_needed(h.size, h.cluster_bits);
  if (l1_needed * 8 > kMaxL1Bytes)
    r.fail("virtual size " + std::to_string(h.size) + " needs an L1 table larger than 32 MiB");
  if (h.l1_size < l1_needed) r.fail("L1 table too small for the virtual size");
  if (static_cast<uint64_t>(h.l1_size) * 8 > kMaxL1Bytes) r.fail("L1 table larger than 32 MiB");
  const uint64_t l1_bytes = static_cast<uint64_t>(h.l1_size) * 8;
  if (h.l1_size > 0) {
    if (h.l1_offset % cs != 0 || h.l1_offset < cs) r.fail("invalid L1 table offset " + std::to_string(h.l1_offset));
    if (!inside(h.l1_offset, l1_bytes, file_size)) r.fail("L1 table runs past the end of the file");
  }
  const uint64_t rt_bytes = static_cast<uint64_t>(h.refcount_table_clusters) * cs;
  if (h.refcount_table_clusters == 0) r.fail("no refcount table");
  if (rt_bytes > kMaxRefcountTableBytes) r.fail("refcount table larger than 8 MiB");
  if (h.refcount_table_offset % cs != 0 || h.refcount_table_offset < cs)
    r.fail("invalid refcount table offset " + std::to_string(h.refcount_table_offset));
  if (!inside(h.refcount_table_offset, rt_bytes, file_size)) r.fail("refcount table runs past the end of the file");
  if (overlap(h.l1_offset, l1_bytes, h.refcount_table_offset, rt_bytes))
    r.fail("the L1 table and the refcount table overlap");
  if (h.nb_snapshots > kMaxSnapshots) r.fail("too many internal snapshots");
  if (h.nb_snapshots > 0) {
    if (h.snapshots_offset % cs != 0 || h.snapshots_offset < cs || h.snapshots_offset >= file_size)
      r.fail("invalid snapshot table offset " + std::to_string(h.snapshots_offset));
  }
  return h;
}

}  // namespace rwd
