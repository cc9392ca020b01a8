// Parsing and validating a qcow2 image's header and header extensions.
// Everything the header says is checked against the file's size before
// anything is allocated from it: a hostile header is refused here with a
// one-line BlockError, and the driver can trust these fields.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "block/block_node.h"

namespace rwd {

struct Qcow2Header {
  uint32_t version = 0;
  uint32_t cluster_bits = 0;
  uint64_t cluster_size = 0;
  uint64_t size = 0;  // the virtual disk size
  uint32_t l1_size = 0;
  uint64_t l1_offset = 0;
  uint64_t refcount_table_offset = 0;
  uint32_t refcount_table_clusters = 0;
  uint32_t nb_snapshots = 0;
  uint64_t snapshots_offset = 0;
  uint64_t incompatible = 0;
  uint64_t compatible = 0;
  uint64_t autoclear = 0;
  uint32_t refcount_order = 4;
  uint32_t header_length = 0;
  std::string backing_file;    // empty: no backing file
  std::string backing_format;  // from the header extension; empty: probe
  bool has_bitmaps = false;    // a bitmaps extension (not maintained by rewind)

  uint64_t l2_entries() const { return cluster_size / 8; }
  // Guest bytes one L1 entry (one L2 table) maps.
  uint64_t bytes_per_l1_entry() const { return cluster_size * l2_entries(); }
};

// Reads the header of `file` (a qcow2 image by its magic) and checks it:
// supported version, cluster size, features, and tables that lie inside the
// file without overlapping the header or each other. `name` starts every
// message. Throws BlockError.
Qcow2Header read_qcow2_header(BlockNode& file, const std::string& name);

// The L1 size a disk of `size` bytes needs (QEMU refuses smaller tables).
uint64_t qcow2_l1_entries_needed(uint64_t size, uint32_t cluster_bits);

}  // namespace rwd
