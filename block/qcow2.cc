// qcow2: opening, the L1/L2 mapping, reads, flush and close (qcow2.h).
#include "block/qcow2.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "block/qcow2_compressed.h"
#include "block/qcow2_format.h"
#include "block/qcow2_repair.h"

namespace rwd {

using namespace qcow2;

namespace {
// L2 cache: 8 MiB (a 64 KiB-cluster image: 128 tables, 64 GiB of disk
// mapped), at least 4 tables, at most 1024.
size_t l2_cache_tables(uint32_t cluster_bits) { return std::clamp<size_t>((8u << 20) >> cluster_bits, 4, 1024); }
}  // namespace

Qcow2Node::Qcow2Node(std::unique_ptr<BlockNode> file, std::string name, const Qcow2Header& h, bool read_only)
    : file_(std::move(file)),
      name_(std::move(name)),
      h_(h),
      read_only_(read_only),
      l2_(*file_, h.cluster_size, l2_cache_tables(h.cluster_bits)),
      rc_(
          *file_, h, [this](uint64_t o, uint64_t l) { return is_metadata(o, l); },
          [this](uint64_t o) { l2_.drop(o); }),
      scratch_(h.cluster_size),
      scratch2_(h.cluster_size) {
  // On disk, a cluster is counted before a table referencing it is written.
  l2_.set_before_write([this] { return rc_.write_back(); });
}

std::unique_ptr<Qcow2Node> Qcow2Node::open(std::unique_ptr<BlockNode> file, const std::string& name, bool read_only) {
  Qcow2Header h = read_qcow2_header(*file, name);
  if (!read_only && file->read_only()) read_only = true;
  if (!read_only && (h.incompatible & kIncompatCorrupt))
    throw BlockError("'" + name +
                     "': the image is marked corrupt; open it read-only, or repair it with 'qemu-img check -r all'");
  std::unique_ptr<Qcow2Node> node(new Qcow2Node(std::move(file), name, h, read_only));
  node->load_l1();
  node->rc_.load(name);
  node->load_snapshots();
  if (!read_only && (h.incompatible & kIncompatDirty)) {
    // Not closed cleanly (or lazy refcounts were in use): the refcounts
    // may be wrong. QEMU rebuilds them before writing; so does rewind.
    qcow2_repair_refcounts(*node);
  }
  return node;
}

void Qcow2Node::load_l1() {
  l1_.assign(h_.l1_size, 0);
  std::vector<uint8_t> raw(static_cast<size_t>(h_.l1_size) * 8);
  if (!raw.empty() && file_->read(h_.l1_offset, raw.data(), raw.size()) < 0)
    throw BlockError("'" + name_ + "': cannot read the L1 table");
  for (size_t i = 0; i < l1_.size(); ++i) l1_[i] = load_be64(raw.data() + 8 * i);
}

Qcow2Node::~Qcow2Node() {
  if (read_only_) return;
  // A clean close: everything written back, then the dirty bit cleared.
  int r = flush();
  if (r == 0 && modifying_ && h_.version >= 3) {
    h_.incompatible &= ~kIncompatDirty;
    uint8_t v[8];
    store_be64(v, h_.incompatible);
    if (file_->write(kOffIncompatible, v, 8) == 0) file_->flush();
  }
}

Qcow2Node::Kind Qcow2Node::kind_of(uint64_t e) const {
  if (e & kOflagCompressed) return Kind::kCompressed;
  // v2 has no zero flag: bit 0 is reserved there and ignored.
  if (h_.version >= 3 && (e & kOflagZero)) return Kind::kZero;
  return (e & kOffsetMask) ? Kind::kNormal : Kind::kUnallocated;
}

bool Qcow2Node::is_metadata(uint64_t offset, uint64_t len) const {
  auto hit = [&](uint64_t a, uint64_t alen) { return alen != 0 && offset < a + alen && a < offset + len; };
  if (hit(0, h_.cluster_size)) return true;
  uint64_t l1_bytes = (static_cast<uint64_t>(h_.l1_size) * 8 + h_.cluster_size - 1) & ~(h_.cluster_size - 1);
  if (hit(h_.l1_offset, l1_bytes)) return true;
  if (rc_.overlaps_metadata(offset, len)) return true;
  // Cached tables are cluster-aligned: look up each cluster of a short
  // range (the usual case: one cluster), walk the caches for a long one.
  const uint64_t cs = h_.cluster_size;
  const Qcow2TableCache& blocks = const_cast<Qcow2Refcounts&>(rc_).blocks();
  if (len <= 16 * cs) {
    for (uint64_t o = offset & ~(cs - 1); o < offset + len; o += cs)
      if (l2_.cached(o) || blocks.cached(o)) return true;
    return false;
  }
  bool found = false;
  l2_.for_each_offset([&](uint64_t o) { found = found || hit(o, cs); });
  blocks.for_each_offset([&](uint64_t o) { found = found || hit(o, cs); });
  return found;
}

int Qcow2Node::l2_offset_of(uint64_t l1e, uint64_t* offset) const {
  uint64_t off = l1e & kOffsetMask;
  // An L2 table inside the header, the L1 table or the refcount table
  // would be read as mappings and written over the metadata: refuse.
  if (off % h_.cluster_size != 0 || off < h_.cluster_size) return -EIO;
  uint64_t l1_end = h_.l1_offset + static_cast<uint64_t>(h_.l1_size) * 8;
  if (off < l1_end && h_.l1_offset < off + h_.cluster_size) return -EIO;
  if (rc_.overlaps_metadata(off, h_.cluster_size)) return -EIO;
  *offset = off;
  return 0;
}

int Qcow2Node::lookup(uint64_t c, uint64_t* entry) {
  uint64_t i = c / h_.l2_entries();
  *entry = 0;
  if (i >= l1_.size()) return -EIO;
  if ((l1_[i] & kOffsetMask) == 0) return 0;
  uint64_t off;
  int r = l2_offset_of(l1_[i], &off);
  if (r < 0) return r;
  const uint8_t* t = l2_.get(off, &r);
  if (!t) return r;
  *entry = load_be64(t + 8 * (c % h_.l2_entries()));
  return 0;
}

int Qcow2Node::read_backing(uint64_t offset, uint8_t* buf, size_t n) {
  uint64_t bsize = backing_ ? backing_->size() : 0;
  size_t from_backing = offset >= bsize ? 0 : static_cast<size_t>(std::min<uint64_t>(n, bsize - offset));
  if (from_backing > 0) {
    int r = backing_->read(offset, buf, from_backing);
    if (r < 0) return r;
  }
  std::memset(buf + from_backing, 0, n - from_backing);
  return 0;
}

int Qcow2Node::read_compressed(uint64_t entry, uint8_t* cluster) {
  Qcow2CompressedExtent x = qcow2_decode_compressed(entry, h_.cluster_bits);
  if (x.offset < h_.cluster_size || x.offset >= file_->size()) return -EIO;
  // At most two clusters of input (the sector count field's limit).
  std::vector<uint8_t> in(static_cast<size_t>(x.length));
  int r = file_->read(x.offset, in.data(), in.size());
  if (r < 0) return r;
  return qcow2_inflate_cluster(in.data(), in.size(), cluster, h_.cluster_size) ? 0 : -EIO;
}

int Qcow2Node::read_piece(uint64_t offset, uint8_t* buf, size_t n) {
  const uint64_t cs = h_.cluster_size;
  uint64_t entry;
  int r = lookup(offset / cs, &entry);
  if (r < 0) return r;
  uint64_t in = offset % cs;
  switch (kind_of(entry)) {
    case Kind::kZero:
      std::memset(buf, 0, n);
      return 0;
    case Kind::kUnallocated:
      return read_backing(offset, buf, n);
    case Kind::kCompressed:
      if ((r = read_compressed(entry, scratch2_.data())) < 0) return r;
      std::memcpy(buf, scratch2_.data() + in, n);
      return 0;
    case Kind::kNormal: {
      uint64_t host = entry & kOffsetMask;
      if (host % cs != 0 || host < cs || host > file_->size() || file_->size() - host < in + n) return -EIO;
      return file_->read(host + in, buf, n);
    }
  }
  return -EIO;
}

int Qcow2Node::read(uint64_t offset, void* buf, size_t len) {
  if (!in_range(offset, len)) return -EIO;
  auto* out = static_cast<uint8_t*>(buf);
  const uint64_t cs = h_.cluster_size;
  while (len > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, cs - offset % cs));
    int r = read_piece(offset, out, n);
    if (r < 0) return r;
    out += n;
    offset += n;
    len -= n;
  }
  return 0;
}

uint64_t Qcow2Node::block_status(uint64_t offset, uint64_t max, bool* zero) {
  *zero = false;
  if (offset >= h_.size) return 0;
  max = std::min(max, h_.size - offset);
  const uint64_t cs = h_.cluster_size;
  const uint64_t bsize = backing_ ? backing_->size() : 0;
  uint64_t pos = offset;
  // Zero runs extend over following clusters; data is reported a cluster
  // at a time (the caller reads it anyway).
  while (pos < offset + max) {
    uint64_t c = pos / cs;
    uint64_t l1i = c / h_.l2_entries();
    uint64_t piece = std::min(offset + max - pos, cs - pos % cs);
    bool piece_zero;
    if (l1i < l1_.size() && (l1_[l1i] & kOffsetMask) == 0 && pos >= bsize) {
      // No L2 table and no backing data: the whole table's range is zero.
      piece = std::min(offset + max - pos, (l1i + 1) * h_.bytes_per_l1_entry() - pos);
      piece_zero = true;
    } else {
      uint64_t entry;
      if (lookup(c, &entry) < 0) return pos > offset && *zero ? pos - offset : 0;
      Kind k = kind_of(entry);
      if (k == Kind::kUnallocated && pos < bsize) {
        if (pos > offset) return pos - offset;  // end the zero run here
        return backing_->block_status(pos, std::min(piece, bsize - pos), zero);
      }
      piece_zero = k == Kind::kZero || k == Kind::kUnallocated;
    }
    if (pos == offset) *zero = piece_zero;
    if (piece_zero != *zero) break;
    pos += piece;
    if (!*zero) break;
  }
  return pos - offset;
}

int Qcow2Node::write_l1() {
  const uint64_t per_chunk = h_.cluster_size / 8;
  std::vector<uint8_t> raw(h_.cluster_size);
  for (uint64_t chunk : l1_dirty_chunks_) {
    uint64_t first = chunk * per_chunk, n = std::min<uint64_t>(per_chunk, l1_.size() - first);
    for (uint64_t i = 0; i < n; ++i) store_be64(raw.data() + 8 * i, l1_[first + i]);
    int r = file_->write(h_.l1_offset + first * 8, raw.data(), n * 8);
    if (r < 0) return r;
  }
  l1_dirty_chunks_.clear();
  return 0;
}

// Order: refcount increments, L2 tables, (sync) L1, sync, then the queued
// frees (their references are gone from disk now), sync.
int Qcow2Node::flush() {
  if (read_only_) return 0;
  if (!modifying_) return file_->flush();
  int r = rc_.write_back();
  if (r == 0) r = l2_.flush();
  if (r == 0 && new_l2_ && !l1_dirty_chunks_.empty()) r = file_->flush();
  if (r == 0) r = write_l1();
  if (r == 0) r = file_->flush();
  if (r < 0) return r;
  new_l2_ = false;
  if (rc_.pending_frees() == 0) return 0;
  r = rc_.apply_frees();
  return r < 0 ? r : file_->flush();
}

}  // namespace rwd
