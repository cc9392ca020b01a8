// Hashing the machine state so that a replay can prove, at every event and
// every checkpoint, that it is where the recording was — and say precisely
// what differs when it is not.
//
// RAM is hashed incrementally: a hash per 4 KiB page, kept up to date by
// rehashing only pages written since the last hash. Writes are tracked with
// the TLB, as translated-code pages are: while tracking is on, the MMU
// installs a write entry only for a page already marked dirty, so the first
// store to a clean page takes the slow path, which marks it (DMA and page-
// table updates mark it too, through AddressSpace::notify_write). After a
// hash the dirty pages are clean again and all TLB write entries are dropped.
// The RAM hash is the sum of per-page hashes keyed by page number, so it is
// updated in O(pages written).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hw/core/memory.h"
#include "replay/checkpoint.h"
#include "target/riscv/cpu.h"
#include "util/page_hash.h"

namespace rwd {

// What a checkpoint comparison found: a report of every difference (empty
// when none), and which side differs.
struct CheckpointDiff {
  std::string report;
  bool cpu_or_values = false;  // a register, CSR or named value differs
  bool ram = false;            // a page or the RAM hash differs
  bool any() const { return cpu_or_values || ram; }
};

class StateHasher {
 public:
  // `page_hash`: how pages are hashed (util/page_hash.h); a replay uses the
  // recording's.
  StateHasher(AddressSpace& as, riscv::Cpu& cpu, PageHash page_hash = PageHash::kLanes);
  // The hash of a page of zeros (pages the guest never wrote).
  uint64_t zero_page_hash() const { return zero_page_; }
  // Starts write tracking; the first hash covers all of RAM.
  void enable();
  bool enabled() const { return enabled_; }

  // The per-event check at instruction count `icount`: 16 bits of the CPU
  // hash, 16 bits of the RAM hash, so a mismatch says which side differs.
  // `pc` is the pc of the executing instruction (synchronous events happen
  // inside one). The RAM part is hashed afresh at the first check, and at
  // the first check at least ram_check_interval instructions after the
  // previous fresh one; checks in between repeat that value (0: every check
  // hashes). Rehashing the pages an event stream dirties at every event
  // (each network frame, each disk completion) was 3.3% of a network
  // recording's samples, about a third of what recording added to -icount.
  // The checks fall on the same counts in the recording and every replay,
  // so the rule is as deterministic as hashing every time, and a RAM
  // difference is still caught within the interval (the CPU part as before).
  // `fresh`: hash RAM now regardless (trail points and checkpoints).
  uint32_t quick_check(uint64_t pc, uint64_t icount, bool fresh = false);
  void set_ram_check_interval(uint64_t n) { ram_check_interval_ = n; }
  static bool cpu_part_differs(uint32_t a, uint32_t b) { return (a ^ b) >> 16; }
  static bool ram_part_differs(uint32_t a, uint32_t b) { return (a ^ b) & 0xffff; }

  uint64_t cpu_hash(uint64_t pc) const;
  uint64_t ram_hash();

  // A checkpoint: every CPU register and CSR, `extra` values, the RAM hash,
  // and the hash of each page that changed since the previous checkpoint.
  Checkpoint take_checkpoint(const NamedValues& extra);
  // Compares a recorded checkpoint with the current state (and makes the
  // current state the base of the next comparison).
  CheckpointDiff compare_checkpoint(const Checkpoint& recorded, const NamedValues& extra);

  // Replay navigation (replay/navigator.h) keeps RAM per page and puts it
  // back page by page. page_hash() is current after ram_hash(). What a
  // snapshot of the hashing keeps besides the page hashes: the pages written
  // since the last checkpoint and their hash at that checkpoint.
  struct Tracking {
    struct Page {
      uint32_t block, page;
      uint64_t at_checkpoint;
    };
    std::vector<Page> since_checkpoint;
    // quick_check's RAM part and where it was hashed (valid: hashed yet).
    bool ram_part_valid = false;
    uint64_t ram_part_at = 0, ram_part = 0;
  };
  size_t block_count() const { return blocks_.size(); }
  const std::vector<uint64_t>& page_hashes(size_t block) const { return blocks_[block].hash; }
  Tracking tracking() const;
  // RAM was put back to a state whose page hashes are `hashes` (per block),
  // behind the hasher's back: adopt them, and `t`.
  void restore(std::vector<std::vector<uint64_t>> hashes, const Tracking& t);

  // Debug: how many pages the last hash rehashed.
  uint64_t pages_rehashed() const { return pages_rehashed_; }

 private:
  struct PageTable {
    RamBlock* rb;
    std::vector<uint64_t> hash;        // current hash of each page
    std::vector<uint64_t> at_checkpoint;  // hash at the previous checkpoint
  };
  uint64_t ram_check_interval_ = 0;
  bool ram_part_valid_ = false;  // false: the next check hashes RAM
  uint64_t ram_part_at_ = 0, ram_part_ = 0;
  std::vector<uint64_t> cpu_state(uint64_t pc) const;  // cpu_values() of the hart
  void rehash_dirty();
  std::vector<uint32_t> changed_pages_since_checkpoint(size_t block) const;
  void commit_checkpoint();

  AddressSpace& as_;
  riscv::Cpu& cpu_;
  PageHash page_hash_;
  uint64_t zero_page_;
  bool enabled_ = false;
  std::vector<PageTable> blocks_;
  uint64_t ram_sum_ = 0;
  uint64_t pages_rehashed_ = 0;
  // Pages whose hash may differ from at_checkpoint: (block, page) pairs.
  std::vector<std::pair<uint32_t, uint32_t>> touched_;
  std::vector<std::vector<uint8_t>> touched_flag_;
};

// The CPU values a checkpoint lists, in order, and their names: the
// kCheckpoint fields of target/riscv/cpu_fields.h (frozen: recordings hold them).
size_t cpu_value_count();
// One value for the kLateCheckpoint fields (the debug triggers): the named
// checkpoint value "debug triggers", and part of cpu_hash once it differs
// from a reset CPU's.
uint64_t late_cpu_value(const riscv::CpuState& s);
const char* cpu_value_name(size_t i);
void cpu_values(const riscv::CpuState& s, uint64_t pc, uint64_t* out);

}  // namespace rwd
