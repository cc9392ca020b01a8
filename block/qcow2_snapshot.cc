// The qcow2 snapshot table's encoding (qcow2_snapshot.h). Entry layout, all
// big-endian: L1 offset (8), L1 entries (4), ID length (2), name length (2),
// date seconds (4), date nanoseconds (4), VM clock ns (8), VM state size
// (4), extra data size (4), extra data, ID, name, padding to 8 bytes.
#include "block/qcow2_snapshot.h"

#include <algorithm>
#include <set>

#include "block/block_node.h"
#include "block/qcow2_format.h"

namespace rwd {

using namespace qcow2;

namespace {
constexpr size_t kFixed = 40;
}

size_t qcow2_snapshot_entry_length(const uint8_t* p, size_t avail) {
  if (avail < kFixed) return 0;
  uint64_t len = kFixed + uint64_t{load_be32(p + 36)} + load_be16(p + 12) + load_be16(p + 14);
  return static_cast<size_t>((len + 7) & ~uint64_t{7});
}

std::vector<Qcow2Snapshot> parse_qcow2_snapshot_table(const uint8_t* data, size_t len, uint32_t count,
                                                      uint64_t cluster_size, const std::string& name) {
  auto fail = [&](uint32_t i, const std::string& why) {
    throw BlockError("'" + name + "': snapshot table entry " + std::to_string(i) + ": " + why);
  };
  std::vector<Qcow2Snapshot> out;
  std::set<std::string> ids;
  size_t pos = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* p = data + pos;
    if (len - pos < kFixed) fail(i, "truncated");
    uint32_t extra = load_be32(p + 36);
    if (extra > kQcow2MaxSnapshotExtra) fail(i, "too much extra data (" + std::to_string(extra) + " bytes)");
    size_t entry = qcow2_snapshot_entry_length(p, len - pos);
    if (entry > len - pos) fail(i, "truncated");
    Qcow2Snapshot s;
    s.l1_offset = load_be64(p);
    s.l1_size = load_be32(p + 8);
    if (s.l1_offset % cluster_size != 0 || (s.l1_size != 0 && s.l1_offset == 0))
      fail(i, "misaligned L1 table offset " + std::to_string(s.l1_offset));
    if (uint64_t{s.l1_size} * 8 > kMaxL1Bytes)
      fail(i, "L1 table too large (" + std::to_string(s.l1_size) + " entries)");
    uint16_t id_len = load_be16(p + 12), name_len = load_be16(p + 14);
    s.date_sec = load_be32(p + 16);
    s.date_nsec = load_be32(p + 20);
    s.vm_clock_ns = load_be64(p + 24);
    s.vm_state_size = load_be32(p + 32);
    s.extra.assign(p + kFixed, p + kFixed + extra);
    if (extra >= 8) s.vm_state_size = load_be64(p + kFixed);
    if (extra >= 16) {
      s.disk_size = load_be64(p + kFixed + 8);
      s.has_disk_size = true;
    }
    if (extra >= 24) s.icount = static_cast<int64_t>(load_be64(p + kFixed + 16));
    const char* strings = reinterpret_cast<const char*>(p + kFixed + extra);
    s.id.assign(strings, id_len);
    s.name.assign(strings + id_len, name_len);
    if (s.id.empty()) fail(i, "empty ID");
    if (!ids.insert(s.id).second) fail(i, "duplicate ID '" + s.id + "'");
    out.push_back(std::move(s));
    pos += entry;
  }
  return out;
}

std::vector<uint8_t> encode_qcow2_snapshot_table(const std::vector<Qcow2Snapshot>& snaps) {
  std::vector<uint8_t> out;
  for (const Qcow2Snapshot& s : snaps) {
    std::vector<uint8_t> extra = s.extra;
    if (extra.size() < kQcow2SnapshotExtraBytes) extra.resize(kQcow2SnapshotExtraBytes, 0);
    store_be64(extra.data(), s.vm_state_size);
    store_be64(extra.data() + 8, s.has_disk_size ? s.disk_size : 0);
    store_be64(extra.data() + 16, static_cast<uint64_t>(s.icount));
    size_t base = out.size();
    size_t len = kFixed + extra.size() + s.id.size() + s.name.size();
    out.resize(base + ((len + 7) & ~size_t{7}), 0);
    uint8_t* p = out.data() + base;
    store_be64(p, s.l1_offset);
    store_be32(p + 8, s.l1_size);
    store_be16(p + 12, static_cast<uint16_t>(s.id.size()));
    store_be16(p + 14, static_cast<uint16_t>(s.name.size()));
    store_be32(p + 16, s.date_sec);
    store_be32(p + 20, s.date_nsec);
    store_be64(p + 24, s.vm_clock_ns);
    // The 32-bit field is ignored when the 64-bit one is present; keep it
    // exact where it fits.
    store_be32(p + 32, s.vm_state_size > UINT32_MAX ? 0 : static_cast<uint32_t>(s.vm_state_size));
    store_be32(p + 36, static_cast<uint32_t>(extra.size()));
    std::copy(extra.begin(), extra.end(), p + kFixed);
    std::copy(s.id.begin(), s.id.end(), p + kFixed + extra.size());
    std::copy(s.name.begin(), s.name.end(), p + kFixed + extra.size() + s.id.size());
  }
  return out;
}

std::string qcow2_next_snapshot_id(const std::vector<Qcow2Snapshot>& snaps) {
  uint64_t max = 0;
  for (const Qcow2Snapshot& s : snaps) {
    if (s.id.empty() || s.id.size() > 18 || s.id.find_first_not_of("0123456789") != std::string::npos) continue;
    max = std::max<uint64_t>(max, std::stoull(s.id));
  }
  return std::to_string(max + 1);
}

}  // namespace rwd
