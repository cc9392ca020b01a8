// The `qcow2` format driver (versions 2 and 3). The pieces:
//   qcow2_header.cc      header and extensions, validated against the file
//   qcow2_table_cache.cc the LRU cache of L2 tables and refcount blocks
//   qcow2_refcount.cc    refcounts, cluster allocation, freeing
//   qcow2_compressed.cc  compressed clusters (read)
//   qcow2.cc             opening, the L1/L2 mapping, reads, flush, close
//   qcow2_write.cc       writes (allocation, copy-on-write), discard, zeroes
//   qcow2_repair.cc      rebuilding the refcounts of a dirty image
//   qcow2_create.cc      making a new image (the -snapshot overlay)
// docs/block.md lists what is supported and what is refused.
//
// Damaged metadata met during I/O fails that request with -EIO; nothing
// that an image says is trusted before it is checked against the file.
#pragma once
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "block/block_node.h"
#include "block/qcow2_header.h"
#include "block/qcow2_refcount.h"
#include "block/qcow2_snapshot.h"
#include "block/qcow2_table_cache.h"

namespace rwd {

class Qcow2Node : public BlockNode {
 public:
  // Opens the image on `file` (`name` for messages). The backing file, if
  // the header names one, is the caller's to open and attach with
  // set_backing(): until then unallocated clusters read as zeros.
  // Throws BlockError.
  static std::unique_ptr<Qcow2Node> open(std::unique_ptr<BlockNode> file, const std::string& name, bool read_only);
  ~Qcow2Node() override;

  const Qcow2Header& header() const { return h_; }
  void set_backing(std::unique_ptr<BlockNode> backing) { backing_ = std::move(backing); }
  BlockNode* backing() const { return backing_.get(); }

  std::string driver() const override { return "qcow2"; }
  std::string describe() const override { return name_ + " (qcow2)"; }
  uint64_t size() const override { return h_.size; }
  bool read_only() const override { return read_only_; }

  int read(uint64_t offset, void* buf, size_t len) override;
  int write(uint64_t offset, const void* buf, size_t len) override;
  int flush() override;
  int discard(uint64_t offset, uint64_t len) override;
  int write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) override;
  uint64_t block_status(uint64_t offset, uint64_t max, bool* zero) override;

  // --- internal snapshots (qcow2_snapshot_ops.cc) ---
  // Each returns 0 or -errno (-EROFS read-only, -ENOTSUP refcount_bits=1,
  // -EIO damaged metadata). The table is read at open (a malformed table
  // refuses the image).
  const std::vector<Qcow2Snapshot>& snapshots() const { return snaps_; }
  // Index of the snapshot with this ID or, failing that, this name; -1.
  int find_snapshot(const std::string& id_or_name) const;
  // Adds a snapshot of the disk as it is now, with `vm_state` stored after
  // the virtual disk's end, as QEMU does; `sn` gives the ID, name, dates,
  // clock and icount (the L1 fields, sizes are filled in here).
  int create_snapshot(Qcow2Snapshot sn, const std::vector<uint8_t>& vm_state);
  int delete_snapshot(size_t index);
  // Reverts the disk to snapshot `index` (the VM state area stays out of
  // the active table).
  int apply_snapshot(size_t index);
  // The snapshot's VM state; -EINVAL if larger than the image file.
  int read_vm_state(size_t index, std::vector<uint8_t>* out);

 private:
  Qcow2Node(std::unique_ptr<BlockNode> file, std::string name, const Qcow2Header& h, bool read_only);
  void load_l1();

  // --- mapping (qcow2.cc) ---
  enum class Kind { kUnallocated, kZero, kNormal, kCompressed };
  Kind kind_of(uint64_t l2_entry) const;
  // The L2 entry of guest cluster `c` (0 where no L2 table exists).
  int lookup(uint64_t c, uint64_t* entry);
  // The host offset of the L2 table in L1 entry `e`, checked. -EIO if bad.
  int l2_offset_of(uint64_t l1_entry, uint64_t* offset) const;
  bool in_range(uint64_t offset, uint64_t len) const { return offset <= h_.size && len <= h_.size - offset; }
  // Guest-visible bytes of one piece of one cluster.
  int read_piece(uint64_t offset, uint8_t* buf, size_t n);
  int read_backing(uint64_t offset, uint8_t* buf, size_t n);
  int read_compressed(uint64_t entry, uint8_t* cluster);
  bool is_metadata(uint64_t offset, uint64_t len) const;

  // --- writing (qcow2_write.cc) ---
  int begin_modify();
  int set_incompatible(uint64_t bits);
  // The L2 table for guest cluster `c`, made private to this image (new
  // or copied when shared): its host offset and the entry index.
  int writable_l2(uint64_t c, uint64_t* l2_off, uint64_t* index);
  int set_entry(uint64_t c, uint64_t entry);
  int write_piece(uint64_t offset, const uint8_t* data, size_t n);
  int zero_cluster(uint64_t c, bool unmap);
  int drop_cluster(uint64_t c);
  void release(uint64_t old_entry);
  int write_l1();
  int maybe_flush_frees();

  // --- snapshots (qcow2_snapshot_ops.cc) ---
  void load_snapshots();
  uint64_t vm_state_l1_index() const { return (h_.size + h_.bytes_per_l1_entry() - 1) / h_.bytes_per_l1_entry(); }
  int read_l1_copy(uint64_t offset, uint32_t entries, std::vector<uint64_t>* l1);
  // Calls f(offset, len) for every cluster range the L2 table in `l1e`
  // references (data, compressed extents), then for the table itself.
  template <typename F>
  int for_each_reference(uint64_t l1e, F f);
  int add_references(const std::vector<uint64_t>& l1, uint64_t entries, bool clear_copied);
  int drop_references(const std::vector<uint64_t>& l1, uint64_t entries);
  int fix_copied_flags();
  int write_snapshot_table(const std::vector<Qcow2Snapshot>& snaps);

  std::unique_ptr<BlockNode> file_;
  std::string name_;
  Qcow2Header h_;
  bool read_only_;
  std::unique_ptr<BlockNode> backing_;
  std::vector<uint64_t> l1_;
  std::set<uint64_t> l1_dirty_chunks_;  // L1 clusters to write
  bool new_l2_ = false;                 // an L2 table was allocated since the last flush
  Qcow2TableCache l2_;
  Qcow2Refcounts rc_;
  bool modifying_ = false;  // the dirty bit is set (v3) and the header updated
  std::vector<uint8_t> scratch_;  // one cluster, for compressed data and copy-on-write
  std::vector<uint8_t> scratch2_;
  std::vector<Qcow2Snapshot> snaps_;
  uint64_t snaps_bytes_ = 0;  // the table's length on disk

  friend class Qcow2Repair;
};

}  // namespace rwd
