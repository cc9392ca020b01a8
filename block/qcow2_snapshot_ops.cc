// qcow2 internal snapshots on a node (qcow2.h): creating, deleting and
// applying them, and reading their VM state.
//
// Reference counting follows the qcow2 rule that qemu-img check verifies:
// a cluster's count is the number of references to it from the header,
// the tables, and every L1 table (active or a snapshot's) through the L2
// tables it names, a shared L2 table's data counted once per L1 table that
// names it. A snapshot shares the active L2 tables and data; the first
// write to a shared cluster copies it (qcow2_write.cc: count > 1).
//
// The COPIED flag (bit 63) of the active L1 and L2 entries says "count is
// exactly one"; after each operation it is made true again (QEMU's check
// reports any mismatch).
//
// The VM state is stored like disk contents at guest offsets starting at the
// first L1 entry past the virtual disk, in clusters and L2 tables that only
// the snapshot's L1 table references (as QEMU leaves it after savevm).
//
// Ordering on disk: counts go up, then the tables referencing the clusters
// are written, then the snapshot table, then the header names it; a
// deletion removes the entry from the table first and drops the counts
// afterwards. A crash leaks clusters at worst.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "block/qcow2.h"
#include "block/qcow2_compressed.h"
#include "block/qcow2_format.h"

namespace rwd {

using namespace qcow2;

void Qcow2Node::load_snapshots() {
  if (h_.nb_snapshots == 0) return;
  const uint64_t file_size = file_->size();
  std::vector<uint8_t> table;
  uint64_t pos = h_.snapshots_offset;
  auto fail = [&](const std::string& why) { throw BlockError("'" + name_ + "': snapshot table: " + why); };
  for (uint32_t i = 0; i < h_.nb_snapshots; ++i) {
    uint8_t fixed[40];
    if (pos > file_size || file_size - pos < sizeof fixed || file_->read(pos, fixed, sizeof fixed) < 0)
      fail("entry " + std::to_string(i) + " lies past the end of the file");
    size_t len = qcow2_snapshot_entry_length(fixed, sizeof fixed);
    if (table.size() + len > kQcow2MaxSnapshotTableBytes) fail("larger than 64 MiB");
    // The last entry's padding may be missing at the end of the file (QEMU
    // writes the table unpadded): it reads as zeros.
    const size_t unpadded = 40 + size_t{load_be32(fixed + 36)} + load_be16(fixed + 12) + load_be16(fixed + 14);
    if (file_size - pos < unpadded) fail("entry " + std::to_string(i) + " lies past the end of the file");
    size_t at = table.size();
    table.resize(at + len, 0);
    if (file_->read(pos, table.data() + at, std::min<uint64_t>(len, file_size - pos)) < 0) fail("cannot be read");
    pos += len;
  }
  snaps_ = parse_qcow2_snapshot_table(table.data(), table.size(), h_.nb_snapshots, h_.cluster_size, name_);
  snaps_bytes_ = table.size();
  for (const Qcow2Snapshot& s : snaps_) {
    uint64_t bytes = uint64_t{s.l1_size} * 8;
    if (s.l1_offset > file_size || file_size - s.l1_offset < bytes)
      fail("snapshot '" + s.name + "' has its L1 table past the end of the file");
  }
}

int Qcow2Node::find_snapshot(const std::string& key) const {
  for (size_t i = 0; i < snaps_.size(); ++i)
    if (snaps_[i].id == key) return static_cast<int>(i);
  for (size_t i = 0; i < snaps_.size(); ++i)
    if (snaps_[i].name == key) return static_cast<int>(i);
  return -1;
}

int Qcow2Node::read_l1_copy(uint64_t offset, uint32_t entries, std::vector<uint64_t>* l1) {
  std::vector<uint8_t> raw(size_t{entries} * 8);
  if (!raw.empty()) {
    if (offset < h_.cluster_size || offset > file_->size() || file_->size() - offset < raw.size()) return -EIO;
    int r = file_->read(offset, raw.data(), raw.size());
    if (r < 0) return r;
  }
  l1->resize(entries);
  for (size_t i = 0; i < entries; ++i) (*l1)[i] = load_be64(raw.data() + 8 * i);
  return 0;
}

template <typename F>
int Qcow2Node::for_each_reference(uint64_t l1e, F f) {
  if ((l1e & kOffsetMask) == 0) return 0;
  uint64_t off;
  int r = l2_offset_of(l1e, &off);
  if (r < 0) return r;
  for (uint64_t i = 0; i < h_.l2_entries(); ++i) {
    const uint8_t* t = l2_.get(off, &r);  // again each time: f may use the cache
    if (!t) return r;
    uint64_t e = load_be64(t + 8 * i);
    if (e & kOflagCompressed) {
      Qcow2CompressedExtent x = qcow2_decode_compressed(e, h_.cluster_bits);
      r = f(x.sectors_at, x.sectors_len, off, i);
    } else if (e & kOffsetMask) {
      if ((e & kOffsetMask) % h_.cluster_size != 0) return -EIO;
      r = f(e & kOffsetMask, h_.cluster_size, off, i);
    }
    if (r < 0) return r;
  }
  return f(off, h_.cluster_size, uint64_t{0}, UINT64_MAX);
}

// One more reference to everything the first `entries` entries of `l1`
// reach. `clear_copied`: the active tables' entries lose their COPIED flag
// (the clusters are shared now).
int Qcow2Node::add_references(const std::vector<uint64_t>& l1, uint64_t entries, bool clear_copied) {
  for (uint64_t i = 0; i < std::min<uint64_t>(entries, l1.size()); ++i) {
    int r = for_each_reference(l1[i], [&](uint64_t o, uint64_t len, uint64_t table, uint64_t index) {
      int e = rc_.increment(o, len);
      if (e < 0 || !clear_copied || index == UINT64_MAX) return e;
      uint8_t* t = l2_.get(table, &e);
      if (!t) return e;
      uint64_t v = load_be64(t + 8 * index);
      if (v & kOflagCopied) {
        store_be64(t + 8 * index, v & ~kOflagCopied);
        l2_.mark_dirty(table);
      }
      return 0;
    });
    if (r < 0) return r;
  }
  return 0;
}

int Qcow2Node::drop_references(const std::vector<uint64_t>& l1, uint64_t entries) {
  for (uint64_t i = 0; i < std::min<uint64_t>(entries, l1.size()); ++i) {
    int r = for_each_reference(l1[i], [&](uint64_t o, uint64_t len, uint64_t, uint64_t) {
      rc_.free_later(o, len);
      return 0;
    });
    if (r < 0) return r;
  }
  return 0;
}

// COPIED flags of the active tables := (count == 1).
int Qcow2Node::fix_copied_flags() {
  for (uint64_t i = 0; i < l1_.size(); ++i) {
    if ((l1_[i] & kOffsetMask) == 0) continue;
    uint64_t off, count;
    int r = l2_offset_of(l1_[i], &off);
    if (r == 0) r = rc_.get(off, &count);
    if (r < 0) return r;
    uint64_t want = count == 1 ? (l1_[i] | kOflagCopied) : (l1_[i] & ~kOflagCopied);
    if (want != l1_[i]) {
      l1_[i] = want;
      l1_dirty_chunks_.insert(i * 8 / h_.cluster_size);
    }
    for (uint64_t k = 0; k < h_.l2_entries(); ++k) {
      const uint8_t* t = l2_.get(off, &r);
      if (!t) return r;
      uint64_t e = load_be64(t + 8 * k);
      if ((e & kOflagCompressed) || (e & kOffsetMask) == 0) continue;
      if ((r = rc_.get(e & kOffsetMask, &count)) < 0) return r;
      uint64_t w = count == 1 ? (e | kOflagCopied) : (e & ~kOflagCopied);
      if (w == e) continue;
      uint8_t* wt = l2_.get(off, &r);
      if (!wt) return r;
      store_be64(wt + 8 * k, w);
      l2_.mark_dirty(off);
    }
  }
  return 0;
}

// Writes `snaps` as the new table in fresh clusters, switches the header to
// it, then frees the old one.
int Qcow2Node::write_snapshot_table(const std::vector<Qcow2Snapshot>& snaps) {
  std::vector<uint8_t> table = encode_qcow2_snapshot_table(snaps);
  if (table.size() > kQcow2MaxSnapshotTableBytes) return -EFBIG;
  uint64_t new_offset = 0;
  int r = 0;
  if (!table.empty()) {
    const uint64_t cs = h_.cluster_size;
    int64_t off = rc_.alloc((table.size() + cs - 1) / cs);
    if (off < 0) return static_cast<int>(off);
    new_offset = static_cast<uint64_t>(off);
    table.resize((table.size() + cs - 1) / cs * cs, 0);
    if ((r = flush()) < 0 || (r = file_->write(new_offset, table.data(), table.size())) < 0) return r;
    if ((r = file_->flush()) < 0) return r;
  }
  uint8_t field[12];
  store_be32(field, static_cast<uint32_t>(snaps.size()));
  store_be64(field + 4, new_offset);
  if ((r = file_->write(kOffNbSnapshots, field, sizeof field)) < 0 || (r = file_->flush()) < 0) return r;
  if (h_.nb_snapshots > 0) rc_.free_later(h_.snapshots_offset, snaps_bytes_);
  h_.nb_snapshots = static_cast<uint32_t>(snaps.size());
  h_.snapshots_offset = new_offset;
  snaps_ = snaps;
  snaps_bytes_ = encode_qcow2_snapshot_table(snaps).size();
  return flush();
}

int Qcow2Node::create_snapshot(Qcow2Snapshot sn, const std::vector<uint8_t>& vm_state) {
  if (read_only_) return -EROFS;
  if (rc_.max_refcount() < 2 || snaps_.size() >= kMaxSnapshots) return -ENOTSUP;
  int r = begin_modify();
  if (r == 0) r = flush();
  if (r < 0) return r;
  const uint64_t cs = h_.cluster_size, per_l2 = h_.l2_entries();
  const uint64_t vm_index = vm_state_l1_index();
  const uint64_t data_clusters = (vm_state.size() + cs - 1) / cs;
  const uint64_t vm_tables = (data_clusters + per_l2 - 1) / per_l2;
  if ((vm_index + vm_tables) * 8 > kMaxL1Bytes) return -EFBIG;

  // The snapshot's L1 table: the disk part of the active one, then the VM
  // state's tables.
  std::vector<uint64_t> l1(vm_index + vm_tables, 0);
  for (uint64_t i = 0; i < std::min<uint64_t>(vm_index, l1_.size()); ++i) l1[i] = l1_[i] & ~kOflagCopied;
  if (data_clusters > 0) {
    // Data in runs alloc() can always find (a run cannot span the cluster
    // kept for a future refcount block).
    std::vector<uint8_t> padded(vm_state);
    padded.resize(data_clusters * cs, 0);
    std::vector<uint64_t> host(data_clusters);
    for (uint64_t c = 0; c < data_clusters;) {
      uint64_t n = std::min(data_clusters - c, rc_.max_run());
      int64_t data = rc_.alloc(n);
      if (data < 0) return static_cast<int>(data);
      if ((r = file_->write(static_cast<uint64_t>(data), padded.data() + c * cs, n * cs)) < 0) return r;
      for (uint64_t k = 0; k < n; ++k) host[c + k] = static_cast<uint64_t>(data) + k * cs;
      c += n;
    }
    std::vector<uint8_t> table(cs);
    for (uint64_t t = 0; t < vm_tables; ++t) {
      int64_t toff = rc_.alloc(1);
      if (toff < 0) return static_cast<int>(toff);
      std::fill(table.begin(), table.end(), 0);
      for (uint64_t k = 0; k < per_l2 && t * per_l2 + k < data_clusters; ++k)
        store_be64(table.data() + 8 * k, host[t * per_l2 + k]);
      if ((r = file_->write(static_cast<uint64_t>(toff), table.data(), cs)) < 0) return r;
      l1[vm_index + t] = static_cast<uint64_t>(toff);
    }
  }
  // The disk's clusters are shared from now on.
  if ((r = add_references(l1_, vm_index, true)) < 0) return r;
  for (uint64_t i = 0; i < std::min<uint64_t>(vm_index, l1_.size()); ++i)
    if (l1_[i] & kOflagCopied) {
      l1_[i] &= ~kOflagCopied;
      l1_dirty_chunks_.insert(i * 8 / cs);
    }
  std::vector<uint8_t> raw((l1.size() * 8 + cs - 1) / cs * cs, 0);
  for (size_t i = 0; i < l1.size(); ++i) store_be64(raw.data() + 8 * i, l1[i]);
  int64_t l1_off = raw.empty() ? 0 : rc_.alloc(raw.size() / cs);
  if (l1_off < 0) return static_cast<int>(l1_off);
  if (!raw.empty() && (r = file_->write(static_cast<uint64_t>(l1_off), raw.data(), raw.size())) < 0) return r;
  if ((r = flush()) < 0) return r;  // counts, tables, the L1 copy on disk before the entry

  sn.l1_offset = static_cast<uint64_t>(l1_off);
  sn.l1_size = static_cast<uint32_t>(l1.size());
  sn.vm_state_size = vm_state.size();
  sn.disk_size = h_.size;
  sn.has_disk_size = true;
  std::vector<Qcow2Snapshot> snaps = snaps_;
  snaps.push_back(std::move(sn));
  return write_snapshot_table(snaps);
}

int Qcow2Node::delete_snapshot(size_t index) {
  if (read_only_) return -EROFS;
  if (index >= snaps_.size()) return -ENOENT;
  int r = begin_modify();
  if (r == 0) r = flush();
  if (r < 0) return r;
  const Qcow2Snapshot sn = snaps_[index];
  std::vector<uint64_t> l1;
  if ((r = read_l1_copy(sn.l1_offset, sn.l1_size, &l1)) < 0) return r;
  std::vector<Qcow2Snapshot> snaps = snaps_;
  snaps.erase(snaps.begin() + static_cast<std::ptrdiff_t>(index));
  if ((r = write_snapshot_table(snaps)) < 0) return r;  // the entry is gone from disk: drop its references
  if ((r = drop_references(l1, l1.size())) < 0) return r;
  rc_.free_later(sn.l1_offset, uint64_t{sn.l1_size} * 8);
  if ((r = flush()) < 0) return r;
  if ((r = fix_copied_flags()) < 0) return r;
  return flush();
}

int Qcow2Node::apply_snapshot(size_t index) {
  if (read_only_) return -EROFS;
  if (index >= snaps_.size()) return -ENOENT;
  const Qcow2Snapshot& sn = snaps_[index];
  if (sn.has_disk_size && sn.disk_size != h_.size) return -ENOTSUP;  // resized since: not supported
  int r = begin_modify();
  if (r == 0) r = flush();
  if (r < 0) return r;
  std::vector<uint64_t> l1;
  if ((r = read_l1_copy(sn.l1_offset, sn.l1_size, &l1)) < 0) return r;
  const uint64_t disk_entries = std::min<uint64_t>(vm_state_l1_index(), l1_.size());
  std::vector<uint64_t> fresh = l1_;  // entries past the disk stay as they are
  for (uint64_t i = 0; i < disk_entries; ++i) fresh[i] = i < l1.size() ? l1[i] & ~kOflagCopied : 0;
  // Count the snapshot's clusters for the active table before it names
  // them; the old active references go after it no longer does.
  if ((r = add_references(fresh, disk_entries, false)) < 0) return r;
  std::vector<uint64_t> old = l1_;
  if ((r = rc_.write_back()) < 0) return r;
  l1_ = fresh;
  for (uint64_t i = 0; i < disk_entries; ++i) l1_dirty_chunks_.insert(i * 8 / h_.cluster_size);
  if ((r = flush()) < 0) return r;
  if ((r = drop_references(old, disk_entries)) < 0) return r;
  if ((r = flush()) < 0) return r;
  if ((r = fix_copied_flags()) < 0) return r;
  return flush();
}

int Qcow2Node::read_vm_state(size_t index, std::vector<uint8_t>* out) {
  if (index >= snaps_.size()) return -ENOENT;
  const Qcow2Snapshot& sn = snaps_[index];
  if (sn.vm_state_size > file_->size()) return -EINVAL;
  std::vector<uint64_t> l1;
  int r = read_l1_copy(sn.l1_offset, sn.l1_size, &l1);
  if (r < 0) return r;
  const uint64_t cs = h_.cluster_size, per_l2 = h_.l2_entries(), vm_index = vm_state_l1_index();
  out->assign(static_cast<size_t>(sn.vm_state_size), 0);
  for (uint64_t pos = 0; pos < sn.vm_state_size; pos += cs) {
    uint64_t c = pos / cs, li = vm_index + c / per_l2;
    size_t n = static_cast<size_t>(std::min<uint64_t>(cs, sn.vm_state_size - pos));
    if (li >= l1.size() || (l1[li] & kOffsetMask) == 0) continue;  // reads as zeros
    uint64_t toff;
    if ((r = l2_offset_of(l1[li], &toff)) < 0) return r;
    const uint8_t* t = l2_.get(toff, &r);
    if (!t) return r;
    uint64_t e = load_be64(t + 8 * (c % per_l2));
    if (e & kOflagCompressed) {
      if ((r = read_compressed(e, scratch2_.data())) < 0) return r;
      std::memcpy(out->data() + pos, scratch2_.data(), n);
    } else if (kind_of(e) == Kind::kNormal) {
      uint64_t host = e & kOffsetMask;
      if (host % cs != 0 || host < cs || host > file_->size() || file_->size() - host < n) return -EIO;
      if ((r = file_->read(host, out->data() + pos, n)) < 0) return r;
    }
  }
  return 0;
}

}  // namespace rwd
