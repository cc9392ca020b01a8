// Named machine snapshots kept in a file of their own, for machines without
// a writable qcow2 disk to hold them (docs/snapshot.md, "savevm without a
// disk"): under record/replay the file is RRFILE.snapshots, beside the
// recording; otherwise NAME.snapshots in the working directory (NAME from
// -name, else "rewind").
//
// Layout: magic "\x89RWN\r\n\x1a\n", u32 version, u64 body length, the body
// (varint count; per entry: str name, str id, u64 date seconds, u32 date
// nanoseconds, u64 guest clock ns, u64 instruction count, u8 flags, blob
// machine snapshot as migration/snapshot.h writes it), CRC-32 of all before.
// The whole file is rewritten (through a temporary file and a rename) by
// each change.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rwd {

struct StoredSnapshot {
  std::string name, id;
  uint64_t date_sec = 0;
  uint32_t date_nsec = 0;
  uint64_t vm_clock_ns = 0;
  uint64_t icount = 0;
  uint8_t flags = 0;
  std::vector<uint8_t> state;  // save_machine()'s bytes
};

// Set on the snapshot rrsnapshot= takes at a recording's start.
inline constexpr uint8_t kStoredAtRecordStart = 1;

class SnapshotStore {
 public:
  explicit SnapshotStore(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  // Reads the file (a missing file is an empty store). Throws DecodeError
  // naming the file on anything malformed.
  std::vector<StoredSnapshot> load() const;
  // Writes `entries` (removes the file when empty). Throws DecodeError.
  void save(const std::vector<StoredSnapshot>& entries) const;

 private:
  std::string path_;
};

// Encoding, for the file and its tests (decode throws DecodeError).
std::vector<uint8_t> encode_snapshot_store(const std::vector<StoredSnapshot>& entries);
std::vector<StoredSnapshot> decode_snapshot_store(const std::vector<uint8_t>& bytes);

}  // namespace rwd
