// Rebuilding the refcounts of a dirty qcow2 image (qcow2_repair.h): every
// reference is counted afresh by walking the metadata — the header, the L1
// table, the refcount table and blocks, the internal snapshots' table and
// L1 tables, and every L2 table and data cluster they reach — and the
// stored counts are set to what was found: leaks are freed, missing counts
// added. The COPIED flags of the active tables are set to match (count ==
// 1). Then the dirty bit is cleared. The walk checks what it reads; an
// image it cannot make sense of is refused rather than "repaired".
#include "block/qcow2_repair.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "block/qcow2.h"
#include "block/qcow2_compressed.h"
#include "block/qcow2_format.h"

namespace rwd {

using namespace qcow2;

namespace {
// One count per cluster of the file is held in memory: 64 Mi clusters
// (256 MiB of counts; a 4 TiB file of 64 KiB clusters) at most.
constexpr uint64_t kMaxRepairClusters = 64ull << 20;
}  // namespace

class Qcow2Repair {
 public:
  explicit Qcow2Repair(Qcow2Node& n) : n_(n), h_(n.h_), cs_(n.h_.cluster_size) {}

  void run() {
    uint64_t file_clusters = (n_.file_->size() + cs_ - 1) / cs_;
    if (file_clusters > kMaxRepairClusters) fail("too large to rebuild its refcounts");
    if (h_.has_bitmaps) fail("has persistent bitmaps, whose clusters rewind cannot account for");
    counts_.assign(file_clusters, 0);
    ref(0, cs_);  // the header
    ref(h_.l1_offset, static_cast<uint64_t>(h_.l1_size) * 8);
    ref(n_.rc_.table_offset(), n_.rc_.table_bytes());
    for (uint64_t ti = 0; ti < n_.rc_.table_entries(); ++ti)
      if (n_.rc_.block_offset(ti)) ref(n_.rc_.block_offset(ti), cs_);
    walk_snapshots();
    for (uint64_t i = 0; i < n_.l1_.size(); ++i) walk_l2(n_.l1_[i]);
    store_counts();
    fix_copied_flags();
    int r = n_.rc_.write_back();
    if (r == 0) r = n_.l2_.flush();
    if (r == 0) r = n_.write_l1();
    if (r == 0) r = n_.file_->flush();
    if (r == 0) r = n_.set_incompatible(h_.incompatible & ~kIncompatDirty);
    if (r == 0) r = n_.file_->flush();
    if (r < 0) fail(std::string("cannot write the rebuilt refcounts: ") + std::strerror(-r));
    std::fprintf(stderr, "rewind: '%s' was not closed cleanly; its refcounts were rebuilt\n", n_.name_.c_str());
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw BlockError("'" + n_.name_ + "': the image was not closed cleanly (qcow2 dirty bit) and " + why +
                     "; open it read-only, or repair it with 'qemu-img check -r all'");
  }

  void ref(uint64_t offset, uint64_t len) {
    if (len == 0) return;
    uint64_t first = offset / cs_, last = (offset + len - 1) / cs_;
    if (offset + len < offset || last >= counts_.size()) fail("its metadata points past the end of the file");
    for (uint64_t c = first; c <= last; ++c)
      if (++counts_[c] == 0) fail("a cluster has too many references");
  }

  void walk_l2(uint64_t l1e) {
    if ((l1e & kOffsetMask) == 0) return;
    // Snapshots may share tables, but a hostile table of snapshots could
    // make the walk endless: bound it by what the file can hold.
    if (++l2_walks_ > 64 * counts_.size() + 65536) fail("has too many references to walk");
    uint64_t off;
    if (n_.l2_offset_of(l1e, &off) < 0) fail("an L1 entry is invalid");
    ref(off, cs_);
    int err = 0;
    for (uint64_t i = 0; i < h_.l2_entries(); ++i) {
      const uint8_t* t = n_.l2_.get(off, &err);
      if (!t) fail("an L2 table cannot be read");
      uint64_t e = load_be64(t + 8 * i);
      if (e & kOflagCompressed) {
        Qcow2CompressedExtent x = qcow2_decode_compressed(e, h_.cluster_bits);
        ref(x.sectors_at, x.sectors_len);
      } else if (e & kOffsetMask) {
        if ((e & kOffsetMask) % cs_ != 0) fail("an L2 entry is misaligned");
        ref(e & kOffsetMask, cs_);
      }
    }
  }

  void walk_snapshots() {
    if (h_.nb_snapshots == 0) return;
    uint64_t pos = h_.snapshots_offset;
    const uint64_t file_size = n_.file_->size();
    for (uint32_t s = 0; s < h_.nb_snapshots; ++s) {
      uint8_t e[40];
      if (pos + sizeof e > file_size || n_.file_->read(pos, e, sizeof e) < 0) fail("its snapshot table is truncated");
      uint64_t l1_off = load_be64(e), l1_size = load_be32(e + 8);
      uint64_t len = 40 + static_cast<uint64_t>(load_be32(e + 36)) + load_be16(e + 12) + load_be16(e + 14);
      pos += (len + 7) & ~7ull;
      if (l1_size * 8 > kMaxL1Bytes || l1_off % cs_ != 0 || l1_off + l1_size * 8 > file_size)
        fail("a snapshot's L1 table is invalid");
      ref(l1_off, l1_size * 8);
      std::vector<uint8_t> raw(static_cast<size_t>(l1_size * 8));
      if (!raw.empty() && n_.file_->read(l1_off, raw.data(), raw.size()) < 0) fail("a snapshot's L1 table is unreadable");
      for (uint64_t i = 0; i < l1_size; ++i) walk_l2(load_be64(raw.data() + 8 * i));
    }
    ref(h_.snapshots_offset, pos - h_.snapshots_offset);
  }

  void store_counts() {
    int r = n_.rc_.for_each_count([&](uint64_t c, uint64_t stored) {
      uint64_t want = c < counts_.size() ? counts_[c] : 0;
      return want == stored ? 0 : n_.rc_.set(c * cs_, want);
    });
    if (r < 0) fail("its refcounts cannot be rewritten");
    // References in ranges no refcount block covers.
    for (uint64_t c = 0; c < counts_.size(); ++c) {
      if (counts_[c] == 0) continue;
      uint64_t ti = c / n_.rc_.counts_per_block();
      if (ti >= n_.rc_.table_entries() || n_.rc_.block_offset(ti) == 0)
        fail("clusters in use have no refcount block");
      if (counts_[c] > n_.rc_.max_refcount()) fail("a cluster has more references than its refcount can hold");
    }
  }

  void fix_copied_flags() {
    int err = 0;
    for (uint64_t i = 0; i < n_.l1_.size(); ++i) {
      uint64_t l1e = n_.l1_[i], off = l1e & kOffsetMask;
      if (!off) continue;
      uint64_t want = (counts_[off / cs_] == 1 ? kOflagCopied : 0) | off | (l1e & ~kOffsetMask & ~kOflagCopied);
      if (want != l1e) {
        n_.l1_[i] = want;
        n_.l1_dirty_chunks_.insert(i * 8 / cs_);
      }
      for (uint64_t k = 0; k < h_.l2_entries(); ++k) {
        uint8_t* t = n_.l2_.get(off, &err);
        if (!t) fail("an L2 table cannot be read");
        uint64_t e = load_be64(t + 8 * k), host = e & kOffsetMask;
        if ((e & kOflagCompressed) || !host) continue;
        uint64_t fixed = (e & ~kOflagCopied) | (counts_[host / cs_] == 1 ? kOflagCopied : 0);
        if (fixed != e) {
          store_be64(t + 8 * k, fixed);
          n_.l2_.mark_dirty(off);
        }
      }
    }
  }

  Qcow2Node& n_;
  const Qcow2Header& h_;
  const uint64_t cs_;
  std::vector<uint32_t> counts_;
  uint64_t l2_walks_ = 0;
};

void qcow2_repair_refcounts(Qcow2Node& node) { Qcow2Repair(node).run(); }

}  // namespace rwd
