// qcow2 writes: cluster allocation and copy-on-write, discard, zeroes
// (qcow2.h). A cluster is written in place only when this image alone
// owns it (refcount 1); anything shared (internal snapshots), compressed
// or not yet allocated gets a new cluster holding the old contents merged
// with the new data, and the old one is released.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "block/qcow2.h"
#include "block/qcow2_compressed.h"
#include "block/qcow2_format.h"

namespace rwd {

using namespace qcow2;

namespace {
// Queued frees are applied at flush; a guest that discards a lot without
// flushing gets a flush every this many.
constexpr size_t kMaxPendingFrees = 4096;
}  // namespace

int Qcow2Node::set_incompatible(uint64_t bits) {
  uint8_t v[8];
  store_be64(v, bits);
  int r = file_->write(kOffIncompatible, v, 8);
  if (r == 0) h_.incompatible = bits;
  return r;
}

// First change to the image: mark it dirty (v3) so that a crash before the
// clean close makes the next open check the refcounts, and clear the
// autoclear features (bitmaps) this driver does not keep up to date.
int Qcow2Node::begin_modify() {
  if (read_only_) return -EROFS;
  if (modifying_) return 0;
  if (h_.version >= 3) {
    int r = set_incompatible(h_.incompatible | kIncompatDirty);
    if (r == 0 && h_.autoclear != 0) {
      uint8_t zero[8] = {};
      r = file_->write(kOffAutoclear, zero, 8);
      if (r == 0) h_.autoclear = 0;
    }
    if (r == 0) r = file_->flush();
    if (r < 0) return r;
  }
  modifying_ = true;
  return 0;
}

void Qcow2Node::release(uint64_t e) {
  switch (kind_of(e)) {
    case Kind::kCompressed: {
      Qcow2CompressedExtent x = qcow2_decode_compressed(e, h_.cluster_bits);
      rc_.free_later(x.sectors_at, x.sectors_len);
      break;
    }
    case Kind::kNormal:
    case Kind::kZero:  // a zero cluster may keep its preallocated host cluster
      if (e & kOffsetMask) rc_.free_later(e & kOffsetMask, h_.cluster_size);
      break;
    case Kind::kUnallocated:
      break;
  }
}

int Qcow2Node::writable_l2(uint64_t c, uint64_t* l2_off, uint64_t* index) {
  const uint64_t i = c / h_.l2_entries();
  *index = c % h_.l2_entries();
  if (i >= l1_.size()) return -EIO;
  int r = 0;
  const uint64_t l1e = l1_[i];
  if ((l1e & kOffsetMask) == 0) {  // no table yet: a new, empty one
    int64_t off = rc_.alloc(1);
    if (off < 0) return static_cast<int>(off);
    if (!l2_.create(static_cast<uint64_t>(off), nullptr, &r)) return r;
    new_l2_ = true;
    l1_[i] = static_cast<uint64_t>(off) | kOflagCopied;
  } else {
    uint64_t old;
    if ((r = l2_offset_of(l1e, &old)) < 0) return r;
    if (!(l1e & kOflagCopied)) {
      uint64_t count;
      if ((r = rc_.get(old, &count)) < 0) return r;
      if (count == 0) return -EIO;  // a table in use but not counted: damaged
      if (count == 1) {
        l1_[i] = old | kOflagCopied;
      } else {  // shared with an internal snapshot: copy it
        const uint8_t* t = l2_.get(old, &r);
        if (!t) return r;
        std::memcpy(scratch2_.data(), t, h_.cluster_size);
        int64_t off = rc_.alloc(1);
        if (off < 0) return static_cast<int>(off);
        if (!l2_.create(static_cast<uint64_t>(off), scratch2_.data(), &r)) return r;
        new_l2_ = true;
        l1_[i] = static_cast<uint64_t>(off) | kOflagCopied;
        rc_.free_later(old, h_.cluster_size);
      }
    }
  }
  if (l1_[i] != l1e) l1_dirty_chunks_.insert(i * 8 / h_.cluster_size);
  *l2_off = l1_[i] & kOffsetMask;
  return 0;
}

int Qcow2Node::set_entry(uint64_t c, uint64_t entry) {
  uint64_t l2_off, index;
  int r = writable_l2(c, &l2_off, &index);
  if (r < 0) return r;
  uint8_t* t = l2_.get(l2_off, &r);
  if (!t) return r;
  store_be64(t + 8 * index, entry);
  l2_.mark_dirty(l2_off);
  return 0;
}

int Qcow2Node::write_piece(uint64_t offset, const uint8_t* data, size_t n) {
  const uint64_t cs = h_.cluster_size;
  const uint64_t c = offset / cs, in = offset % cs;
  uint64_t entry;
  int r = lookup(c, &entry);
  if (r < 0) return r;
  const Kind kind = kind_of(entry);
  const uint64_t host = entry & kOffsetMask;
  bool owned = false;  // this image alone owns the host cluster
  if ((kind == Kind::kNormal || kind == Kind::kZero) && host != 0) {
    if (host % cs != 0 || is_metadata(host, cs)) return -EIO;
    uint64_t count = 1;
    if (!(entry & kOflagCopied) && (r = rc_.get(host, &count)) < 0) return r;
    owned = count == 1;
  }
  if (kind == Kind::kNormal && owned) {
    if (host > file_->size() || file_->size() - host < in + n) return -EIO;
    if ((r = file_->write(host + in, data, n)) < 0) return r;
    return (entry & kOflagCopied) ? 0 : set_entry(c, host | kOflagCopied);
  }
  // The whole cluster: what the guest sees there now, with the new data.
  const uint8_t* full = data;
  if (n != cs) {
    if (kind == Kind::kZero)
      std::memset(scratch_.data(), 0, cs);
    else if ((r = read_piece(c * cs, scratch_.data(), cs)) < 0)
      return r;
    std::memcpy(scratch_.data() + in, data, n);
    full = scratch_.data();
  }
  uint64_t target = host;  // a zero cluster keeps its preallocated cluster
  if (!(kind == Kind::kZero && owned)) {
    int64_t off = rc_.alloc(1);
    if (off < 0) return static_cast<int>(off);
    target = static_cast<uint64_t>(off);
  }
  if ((r = file_->write(target, full, cs)) < 0) return r;
  if ((r = set_entry(c, target | kOflagCopied)) < 0) return r;
  if (target != host || kind == Kind::kCompressed) release(entry);
  return maybe_flush_frees();
}

int Qcow2Node::write(uint64_t offset, const void* buf, size_t len) {
  if (read_only_) return -EROFS;
  if (!in_range(offset, len)) return -EIO;
  int r = begin_modify();
  if (r < 0) return r;
  const auto* in = static_cast<const uint8_t*>(buf);
  const uint64_t cs = h_.cluster_size;
  while (len > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, cs - offset % cs));
    if ((r = write_piece(offset, in, n)) < 0) return r;
    in += n;
    offset += n;
    len -= n;
  }
  return 0;
}

int Qcow2Node::maybe_flush_frees() { return rc_.pending_frees() > kMaxPendingFrees ? flush() : 0; }

// Guest cluster `c` reads as zeros from now on (v3 zero flag). `unmap`: its
// host cluster may be freed; otherwise an owned one stays preallocated.
int Qcow2Node::zero_cluster(uint64_t c, bool unmap) {
  uint64_t entry;
  int r = lookup(c, &entry);
  if (r < 0) return r;
  Kind kind = kind_of(entry);
  if (kind == Kind::kZero && (unmap ? (entry & kOffsetMask) == 0 : true)) return 0;
  if (kind == Kind::kUnallocated && !backing_) return 0;
  uint64_t host = entry & kOffsetMask;
  if (!unmap && kind == Kind::kNormal && (entry & kOflagCopied)) {
    if (host % h_.cluster_size != 0 || is_metadata(host, h_.cluster_size)) return -EIO;
    return set_entry(c, host | kOflagCopied | kOflagZero);
  }
  if ((r = set_entry(c, kOflagZero)) < 0) return r;
  release(entry);
  return maybe_flush_frees();
}

// Guest cluster `c` forgets its data: unallocated, or (v3 with a backing
// file, as QEMU) a zero cluster, so the backing file's data does not show
// through again.
int Qcow2Node::drop_cluster(uint64_t c) {
  uint64_t entry;
  int r = lookup(c, &entry);
  if (r < 0) return r;
  Kind kind = kind_of(entry);
  const bool hide_backing = h_.version >= 3 && backing_;
  if (kind == Kind::kZero && (entry & kOffsetMask) == 0) return 0;
  if (kind == Kind::kUnallocated && !hide_backing) return 0;
  uint64_t replacement = hide_backing ? kOflagZero : 0;
  if ((r = set_entry(c, replacement)) < 0) return r;
  release(entry);
  return maybe_flush_frees();
}

int Qcow2Node::discard(uint64_t offset, uint64_t len) {
  if (read_only_) return -EROFS;
  if (!in_range(offset, len)) return -EIO;
  int r = begin_modify();
  if (r < 0) return r;
  // Only whole clusters can be dropped; discard is a hint, the rest stays.
  const uint64_t cs = h_.cluster_size;
  for (uint64_t c = (offset + cs - 1) / cs; (c + 1) * cs <= offset + len; ++c)
    if ((r = drop_cluster(c)) < 0) return r;
  return 0;
}

int Qcow2Node::write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) {
  if (read_only_) return -EROFS;
  if (!in_range(offset, len)) return -EIO;
  int r = begin_modify();
  if (r < 0) return r;
  const uint64_t cs = h_.cluster_size;
  while (len > 0) {
    uint64_t n = std::min<uint64_t>(len, cs - offset % cs);
    if (n == cs && h_.version >= 3) {
      r = zero_cluster(offset / cs, may_unmap);
    } else if (n == cs && !backing_ && may_unmap) {
      r = drop_cluster(offset / cs);  // v2: unallocated reads as zeros
    } else {
      std::vector<uint8_t> zeros(static_cast<size_t>(n));
      r = write_piece(offset, zeros.data(), static_cast<size_t>(n));
    }
    if (r < 0) return r;
    offset += n;
    len -= n;
  }
  return 0;
}

}  // namespace rwd
