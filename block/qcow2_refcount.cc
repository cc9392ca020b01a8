// qcow2 reference counts and cluster allocation: see qcow2_refcount.h.
#include "block/qcow2_refcount.h"

#include <algorithm>
#include <cerrno>
#include <unordered_set>

#include "block/qcow2_format.h"

namespace rwd {

using namespace qcow2;

namespace {
constexpr uint64_t kMaxHostOffset = 1ull << 56;  // L1/L2 entries hold bits 9-55
}

Qcow2Refcounts::Qcow2Refcounts(BlockNode& file, const Qcow2Header& h,
                               std::function<bool(uint64_t, uint64_t)> is_metadata,
                               std::function<void(uint64_t)> on_freed)
    : file_(file),
      cs_(h.cluster_size),
      cluster_bits_(h.cluster_bits),
      order_(h.refcount_order),
      per_block_(h.cluster_size * 8 >> h.refcount_order),
      max_(h.refcount_order == 6 ? ~0ull : (1ull << (1u << h.refcount_order)) - 1),
      table_offset_(h.refcount_table_offset),
      table_(h.refcount_table_clusters * h.cluster_size / 8),
      blocks_(file, h.cluster_size, std::clamp<size_t>((2u << 20) >> h.cluster_bits, 4, 256)),
      is_metadata_(std::move(is_metadata)),
      on_freed_(std::move(on_freed)) {}

void Qcow2Refcounts::load(const std::string& name) {
  std::vector<uint8_t> raw(table_.size() * 8);
  if (file_.read(table_offset_, raw.data(), raw.size()) < 0)
    throw BlockError("'" + name + "': cannot read the refcount table");
  std::unordered_set<uint64_t> seen;
  for (size_t i = 0; i < table_.size(); ++i) {
    uint64_t e = load_be64(raw.data() + 8 * i);
    if (e == 0) continue;
    // Every block inside the file, and no two entries sharing one: that
    // bounds the work of a free-space search by the file's size.
    if ((e & kRefTableReserved) || e % cs_ != 0 || e < cs_ || e > file_.size() - cs_ || !seen.insert(e).second)
      throw BlockError("'" + name + "': invalid refcount block offset " + std::to_string(e) + " in refcount table entry " +
                       std::to_string(i));
    table_[i] = e;
  }
}

uint64_t Qcow2Refcounts::read_entry(const uint8_t* b, uint64_t i) const {
  switch (order_) {
    case 3: return b[i];
    case 4: return load_be16(b + 2 * i);
    case 5: return load_be32(b + 4 * i);
    case 6: return load_be64(b + 8 * i);
    default: {  // 1, 2 or 4 bits, bit 0 the least significant of its byte
      uint32_t bits = 1u << order_;
      uint64_t bit = i * bits;
      return (b[bit / 8] >> (bit % 8)) & ((1u << bits) - 1);
    }
  }
}

void Qcow2Refcounts::write_entry(uint8_t* b, uint64_t i, uint64_t v) const {
  switch (order_) {
    case 3: b[i] = static_cast<uint8_t>(v); break;
    case 4: store_be16(b + 2 * i, static_cast<uint16_t>(v)); break;
    case 5: store_be32(b + 4 * i, static_cast<uint32_t>(v)); break;
    case 6: store_be64(b + 8 * i, v); break;
    default: {
      uint32_t bits = 1u << order_;
      uint64_t bit = i * bits;
      uint8_t mask = static_cast<uint8_t>(((1u << bits) - 1) << (bit % 8));
      b[bit / 8] = static_cast<uint8_t>((b[bit / 8] & ~mask) | ((v << (bit % 8)) & mask));
    }
  }
}

int Qcow2Refcounts::get(uint64_t offset, uint64_t* count) {
  uint64_t cluster = offset >> cluster_bits_;
  uint64_t ti = cluster / per_block_;
  *count = 0;
  if (ti >= table_.size() || table_[ti] == 0) return 0;
  int err = 0;
  uint8_t* b = blocks_.get(table_[ti], &err);
  if (!b) return err;
  *count = read_entry(b, cluster % per_block_);
  return 0;
}

int Qcow2Refcounts::probe(uint64_t cluster, bool* free) {
  uint64_t ti = cluster / per_block_;
  if (ti >= table_.size() || table_[ti] == 0) {
    *free = cluster % per_block_ != 0;  // the first one is kept for the block
  } else {
    uint64_t count;
    int r = get(cluster << cluster_bits_, &count);
    if (r < 0) return r;
    *free = count == 0;
  }
  // Refcounts that do not cover the header or the tables (a damaged image)
  // must not hand them out.
  if (*free && is_metadata_(cluster << cluster_bits_, cs_)) *free = false;
  return 0;
}

int64_t Qcow2Refcounts::find_free_run(uint64_t n) {
  // Past the clusters that blocks cover (and the file), all is free but the
  // first cluster of each block's range: a run that does not fit between
  // two of those is never found (n >= counts per block), so stop there.
  const uint64_t covered = std::max<uint64_t>(table_.size() * per_block_, (file_.size() >> cluster_bits_) + 1);
  const uint64_t limit = std::min<uint64_t>(kMaxHostOffset >> cluster_bits_, covered + n + 2 * per_block_);
  uint64_t run_start = 0, run_len = 0, first_free = ~0ull;
  for (uint64_t c = cursor_; c < limit; ++c) {
    bool free;
    int r = probe(c, &free);
    if (r < 0) return r;
    if (!free) {
      run_len = 0;
      continue;
    }
    if (first_free == ~0ull) first_free = c;
    if (run_len++ == 0) run_start = c;
    if (run_len == n) {
      cursor_ = first_free == run_start ? run_start + n : first_free;
      return static_cast<int64_t>(run_start);
    }
  }
  return -ENOSPC;
}

int64_t Qcow2Refcounts::alloc(uint64_t n) {
  int64_t start = find_free_run(n);
  if (start < 0) return start;
  for (uint64_t c = static_cast<uint64_t>(start); c < static_cast<uint64_t>(start) + n; ++c) {
    int r = update(c, 1);
    if (r < 0) return r;
  }
  return start << cluster_bits_;
}

int Qcow2Refcounts::increment(uint64_t offset, uint64_t len) {
  if (len == 0) return 0;
  for (uint64_t c = offset >> cluster_bits_; c <= (offset + len - 1) >> cluster_bits_; ++c) {
    int r = update(c, 1);
    if (r < 0) return r;
  }
  return 0;
}

void Qcow2Refcounts::free_later(uint64_t offset, uint64_t len) {
  if (len == 0) return;
  uint64_t first = offset >> cluster_bits_, last = (offset + len - 1) >> cluster_bits_;
  pending_.emplace_back(first, last - first + 1);
}

int Qcow2Refcounts::update(uint64_t cluster, int64_t delta) {
  uint64_t ti = cluster / per_block_;
  if (ti >= table_.size() || table_[ti] == 0) {
    if (delta < 0) return -EIO;  // freeing a cluster that was never counted
    int r = ensure_block(ti);
    if (r < 0) return r;
  }
  int err = 0;
  uint8_t* b = blocks_.get(table_[ti], &err);
  if (!b) return err;
  uint64_t v = read_entry(b, cluster % per_block_);
  if (delta < 0 && v == 0) return -EIO;     // count underflow: damaged refcounts
  if (delta > 0 && v == max_) return -EIO;  // count overflow
  v = delta < 0 ? v - 1 : v + 1;
  write_entry(b, cluster % per_block_, v);
  blocks_.mark_dirty(table_[ti]);
  if (v == 0) {
    cursor_ = std::min(cursor_, cluster);
    if (on_freed_) on_freed_(cluster << cluster_bits_);
  }
  return 0;
}

int Qcow2Refcounts::set(uint64_t offset, uint64_t count) {
  uint64_t cluster = offset >> cluster_bits_;
  uint64_t ti = cluster / per_block_;
  if (ti >= table_.size() || table_[ti] == 0) return -ENOENT;
  if (count > max_) return -ERANGE;
  int err = 0;
  uint8_t* b = blocks_.get(table_[ti], &err);
  if (!b) return err;
  write_entry(b, cluster % per_block_, count);
  blocks_.mark_dirty(table_[ti]);
  if (count == 0) cursor_ = std::min(cursor_, cluster);
  return 0;
}

int Qcow2Refcounts::ensure_block(uint64_t ti) {
  if (ti >= table_.size()) {
    int r = grow_table(ti + 1);
    if (r < 0) return r;
  }
  if (table_[ti] != 0) return 0;
  uint64_t off = ti * per_block_ << cluster_bits_;
  if (off >= kMaxHostOffset) return -ENOSPC;
  if (is_metadata_(off, cs_)) return -EIO;  // counts missing for metadata: damaged image
  int err = 0;
  uint8_t* b = blocks_.create(off, nullptr, &err);
  if (!b) return err;
  write_entry(b, 0, 1);  // the block counts itself
  table_[ti] = off;
  table_dirty_ = true;
  return 0;
}

int Qcow2Refcounts::grow_table(uint64_t min_entries) {
  const uint64_t per_cluster = cs_ / 8;
  const uint64_t old_clusters = table_.size() / per_cluster;
  uint64_t nc = std::max((min_entries + per_cluster - 1) / per_cluster, old_clusters + old_clusters / 2 + 1);
  int64_t start = -1;
  for (int tries = 0; tries < 8; ++tries) {
    if (nc * cs_ > kMaxRefcountTableBytes) return -ENOSPC;
    start = find_free_run(nc);
    if (start < 0) return static_cast<int>(start);
    // The new table must also cover the blocks counting its own clusters.
    uint64_t need = (static_cast<uint64_t>(start) + nc - 1) / per_block_ + 1;
    if (need <= nc * per_cluster) break;
    nc = (need + per_cluster - 1) / per_cluster + 1;
    start = -1;
  }
  if (start < 0) return -ENOSPC;
  const uint64_t old_offset = table_offset_, old_bytes = table_.size() * 8;
  table_.resize(nc * per_cluster, 0);
  for (uint64_t c = static_cast<uint64_t>(start); c < static_cast<uint64_t>(start) + nc; ++c) {
    int r = update(c, 1);  // creates the blocks it needs: the table now covers them
    if (r < 0) return r;
  }
  // The new table and its blocks reach the disk before the header names it.
  table_offset_ = static_cast<uint64_t>(start) << cluster_bits_;
  int r = blocks_.flush();
  if (r == 0) r = write_table();
  if (r == 0) r = file_.flush();
  if (r < 0) return r;
  uint8_t field[12];
  store_be64(field, table_offset_);
  store_be32(field + 8, static_cast<uint32_t>(nc));
  r = file_.write(kOffRefcountTableOffset, field, sizeof field);
  if (r == 0) r = file_.flush();
  if (r < 0) return r;
  table_dirty_ = false;
  free_later(old_offset, old_bytes);
  return 0;
}

int Qcow2Refcounts::write_table() {
  std::vector<uint8_t> raw(table_.size() * 8);
  for (size_t i = 0; i < table_.size(); ++i) store_be64(raw.data() + 8 * i, table_[i]);
  return file_.write(table_offset_, raw.data(), raw.size());
}

int Qcow2Refcounts::write_back() {
  bool had_blocks = blocks_.has_dirty();
  int r = blocks_.flush();
  if (r < 0 || !table_dirty_) return r;
  if (had_blocks && (r = file_.flush()) < 0) return r;
  r = write_table();
  if (r == 0) table_dirty_ = false;
  return r;
}

int Qcow2Refcounts::apply_frees() {
  int first_error = 0;
  std::vector<std::pair<uint64_t, uint64_t>> todo;
  todo.swap(pending_);
  for (auto [first, count] : todo)
    for (uint64_t c = first; c < first + count; ++c) {
      int r = update(c, -1);
      if (r < 0 && first_error == 0) first_error = r;
    }
  int r = write_back();
  return first_error < 0 ? first_error : r;
}

bool Qcow2Refcounts::overlaps_metadata(uint64_t offset, uint64_t len) const {
  uint64_t tb = table_.size() * 8;
  return offset < table_offset_ + tb && table_offset_ < offset + len;
}

}  // namespace rwd
