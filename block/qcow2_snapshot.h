// qcow2 internal snapshots: the snapshot table's entries (QEMU's
// docs/interop/qcow2.txt, "Snapshots") and their encoding. The node's
// operations on them (create, delete, apply, read the VM state) are
// Qcow2Node's (block/qcow2_snapshot_ops.cc).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rwd {

struct Qcow2Snapshot {
  uint64_t l1_offset = 0;  // the snapshot's copy of the L1 table
  uint32_t l1_size = 0;
  std::string id;                        // unique ID ("1", "2", ... as QEMU numbers them)
  std::string name;                      // the tag savevm was given
  uint32_t date_sec = 0, date_nsec = 0;  // host time when taken
  uint64_t vm_clock_ns = 0;              // guest time when taken
  uint64_t vm_state_size = 0;            // 0: a disk-only snapshot
  uint64_t disk_size = 0;                // virtual disk size when taken
  bool has_disk_size = false;            // (extra data of 16 bytes or more)
  int64_t icount = -1;                   // instruction count, -1: unknown
  std::vector<uint8_t> extra;            // extra data as read (unknown fields kept)
};

// Limits (QEMU's): extra data per entry, and the whole table.
inline constexpr uint32_t kQcow2MaxSnapshotExtra = 1024;
inline constexpr uint64_t kQcow2MaxSnapshotTableBytes = 64ull << 20;
// Extra data rewind writes: vm_state_size (64 bits), disk size, icount.
inline constexpr uint32_t kQcow2SnapshotExtraBytes = 24;

// The length of the entry starting at `p` (`avail` bytes there), padding
// included; 0 when its fixed part does not fit.
size_t qcow2_snapshot_entry_length(const uint8_t* p, size_t avail);

// Parses the `count` entries of a snapshot table from `data`. `cluster_size`
// for the alignment check. Throws BlockError "'name': ..." on anything
// malformed (truncated entries, misaligned or absurd L1 tables, oversized
// extra data, empty or duplicate IDs).
std::vector<Qcow2Snapshot> parse_qcow2_snapshot_table(const uint8_t* data, size_t len, uint32_t count,
                                                      uint64_t cluster_size, const std::string& name);
// The table for `snaps`, entries padded to 8 bytes. Known extra fields are
// written from the struct (at least kQcow2SnapshotExtraBytes of extra data).
std::vector<uint8_t> encode_qcow2_snapshot_table(const std::vector<Qcow2Snapshot>& snaps);

// QEMU's ID for a new snapshot: one more than the largest numeric ID.
std::string qcow2_next_snapshot_id(const std::vector<Qcow2Snapshot>& snaps);

}  // namespace rwd
