#include "migration/snapshot_store.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "migration/snapshot.h"
#include "util/byte_codec.h"
#include "util/crc32.h"
#include "util/file_io.h"

namespace rwd {

namespace {
constexpr uint8_t kStoreMagic[8] = {0x89, 'R', 'W', 'N', '\r', '\n', 0x1a, '\n'};
constexpr uint32_t kStoreVersion = 1;
constexpr size_t kStoreHeader = 20;

}  // namespace

std::vector<uint8_t> encode_snapshot_store(const std::vector<StoredSnapshot>& entries) {
  ByteWriter body;
  body.varint(entries.size());
  for (const StoredSnapshot& s : entries) {
    body.str(s.name);
    body.str(s.id);
    body.u64(s.date_sec);
    body.u32(s.date_nsec);
    body.u64(s.vm_clock_ns);
    body.u64(s.icount);
    body.u8(s.flags);
    body.blob(s.state.data(), s.state.size());
  }
  ByteWriter w;
  w.bytes(kStoreMagic, sizeof kStoreMagic);
  w.u32(kStoreVersion);
  w.u64(body.size());
  w.bytes(body.data().data(), body.size());
  w.u32(crc32_of(w.data().data(), w.size()));
  return w.data();
}

std::vector<StoredSnapshot> decode_snapshot_store(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < kStoreHeader + 4 || std::memcmp(bytes.data(), kStoreMagic, 8) != 0)
    throw DecodeError("not a rewind snapshot store (bad magic)");
  ByteReader head(bytes.data() + 8, kStoreHeader - 8);
  uint32_t version = head.u32();
  uint64_t len = head.u64();
  if (version != kStoreVersion) throw DecodeError("unsupported snapshot store version " + std::to_string(version));
  if (len != bytes.size() - kStoreHeader - 4) throw DecodeError("truncated (or trailing bytes)");
  uint32_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
  if (stored != crc32_of(bytes.data(), bytes.size() - 4)) throw DecodeError("checksum mismatch");
  ByteReader r(bytes.data() + kStoreHeader, static_cast<size_t>(len));
  uint64_t n = r.varint();
  if (n > len) throw DecodeError("impossible entry count");
  std::vector<StoredSnapshot> out;
  for (uint64_t i = 0; i < n; ++i) {
    StoredSnapshot s;
    s.name = r.str(4096);
    s.id = r.str(4096);
    s.date_sec = r.u64();
    s.date_nsec = r.u32();
    s.vm_clock_ns = r.u64();
    s.icount = r.u64();
    s.flags = r.u8();
    s.state = r.blob(SIZE_MAX);
    out.push_back(std::move(s));
  }
  if (!r.at_end()) throw DecodeError("trailing bytes in the body");
  return out;
}

std::vector<StoredSnapshot> SnapshotStore::load() const {
  if (access(path_.c_str(), F_OK) != 0 && errno == ENOENT) return {};
  std::vector<uint8_t> bytes;
  std::string err;
  if (!read_whole_file(path_, bytes, err)) throw DecodeError("cannot read snapshot store '" + path_ + "': " + err);
  try {
    return decode_snapshot_store(bytes);
  } catch (const DecodeError& e) {
    throw DecodeError("snapshot store '" + path_ + "': " + e.what());
  }
}

void SnapshotStore::save(const std::vector<StoredSnapshot>& entries) const {
  if (entries.empty()) {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
      throw DecodeError("cannot remove snapshot store '" + path_ + "': " + std::strerror(errno));
    return;
  }
  write_snapshot_file(path_, encode_snapshot_store(entries));
}

}  // namespace rwd
