// Virtual memory for one hart: Sv39/Sv48 page walks, PMP, and a software TLB
// per (privilege context, access type) that maps guest pages straight to host
// memory, so a load or store that hits costs a compare and a memcpy.
#pragma once
#include <cstdint>
#include <cstring>

#include "hw/core/memory.h"
#include "target/riscv/debug_triggers.h"

namespace rwd::riscv {

struct CpuState;

enum class AccessType : uint8_t { kRead = 0, kWrite = 1, kFetch = 2 };

// Translation contexts. Each has its own TLB so privilege changes (every trap
// and return) cost nothing; satp writes, sfence.vma and PMP writes flush all.
enum MmuIdx : int { kIdxU = 0, kIdxS = 1, kIdxSSum = 2, kIdxM = 3, kNumMmuIdx = 4 };

inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t kPageMask = ~(kPageSize - 1);

// A debugger's data watchpoints (accel/tcg/debug_stops.h): pages it watches
// never enter the TLB, so their accesses take the slow path, which reports
// each one after it succeeded. `accessed` returns true on a hit.
class MemWatcher {
 public:
  virtual ~MemWatcher() = default;
  virtual bool page_watched(uint64_t va_page) const = 0;
  virtual bool accessed(uint64_t va, unsigned size, AccessType type) = 0;
};

// 32 bytes, a power of two: compiled code finds an entry with one shift
// and one mask of the address (jit_x86_64.cc, tlb_lookup).
struct alignas(32) TlbEntry {
  uint64_t tag = ~0ull;      // guest virtual page, or ~0 when empty
  uintptr_t addend = 0;      // host address = guest virtual address + addend
  uint64_t pa_page = 0;      // guest physical page (for selective flushes)
};

class Mmu {
 public:
  static constexpr unsigned kTlbSize = 1024;

  Mmu(CpuState& state, AddressSpace& as) : s_(state), as_(as) { flush(); }

  template <typename T>
  T load(uint64_t va) {
    const TlbEntry& e = read_tlb_[(va >> 12) % kTlbSize];
    if (e.tag == (va & kPageMask) && (va & ~kPageMask) <= kPageSize - sizeof(T)) [[likely]] {
      T v;
      std::memcpy(&v, reinterpret_cast<const void*>(e.addend + va), sizeof(T));
      return v;
    }
    return static_cast<T>(load_slow(va, sizeof(T)));
  }

  template <typename T>
  void store(uint64_t va, T value) {
    const TlbEntry& e = write_tlb_[(va >> 12) % kTlbSize];
    if (e.tag == (va & kPageMask) && (va & ~kPageMask) <= kPageSize - sizeof(T)) [[likely]] {
      std::memcpy(reinterpret_cast<void*>(e.addend + va), &value, sizeof(T));
      return;
    }
    store_slow(va, sizeof(T), value);
  }

  // TLB-hit fast paths for the load/store ops: a host pointer, or nullptr
  // when the access must take the slow path (miss, MMIO, page crossing).
  template <typename T>
  bool read_hit(uint64_t va, uintptr_t& host) const {
    const TlbEntry& e = read_tlb_[(va >> 12) % kTlbSize];
    host = e.addend + va;
    return e.tag == (va & kPageMask) && (va & ~kPageMask) <= kPageSize - sizeof(T);
  }
  template <typename T>
  bool write_hit(uint64_t va, uintptr_t& host) const {
    const TlbEntry& e = write_tlb_[(va >> 12) % kTlbSize];
    host = e.addend + va;
    return e.tag == (va & kPageMask) && (va & ~kPageMask) <= kPageSize - sizeof(T);
  }
  uint64_t load_slow(uint64_t va, unsigned size);
  void store_slow(uint64_t va, unsigned size, uint64_t value);

  // Atomic memory operations: a host pointer to `size` naturally aligned bytes
  // of RAM, translated and permission-checked as a store. `pa` receives the
  // physical address (for LR/SC reservations).
  // Load and store triggers are checked unless `check_triggers` is false
  // (SC checks them itself: it accesses memory only when it succeeds).
  uint8_t* amo_ptr(uint64_t va, unsigned size, uint64_t& pa, bool check_triggers = true);
  // LR: translated as a load, must be aligned.
  uint8_t* lr_ptr(uint64_t va, unsigned size, uint64_t& pa);

  // Instruction fetch for the translator: host pointer to the byte at `va`
  // (valid to the end of its page) and its physical address.
  const uint8_t* fetch_ptr(uint64_t va, uint64_t& pa);

  // Full translation (page walk + PMP) for an access; throws GuestTrap.
  uint64_t translate(uint64_t va, AccessType type, int idx, unsigned size = 1);
  // Side-effect-free translation for debuggers and the monitor.
  bool debug_translate(uint64_t va, uint64_t& pa);

  // Drops every TLB entry.
  void flush();
  // nullptr: no watchpoints (the TLB is flushed either way).
  void set_watcher(MemWatcher* w) {
    watcher_ = w;
    flush();
  }
  // Bumped by every flush and page flush: any virtual-to-physical
  // translation may have changed since. Translated blocks remember the
  // generation at which their pc's mapping was last confirmed
  // (TranslationBlock::mapped_generation), so the engine's block lookups and
  // links survive a flush and are checked against the fetch TLB instead.
  uint64_t mapping_generation() const { return mapping_generation_; }
  const uint64_t* mapping_generation_ptr() const { return &mapping_generation_; }
  // Some load/store debug trigger is armed (Cpu::triggers_changed): pages
  // its range touches stay out of the data TLBs, so their accesses reach
  // the slow paths, which check the triggers before accessing. Flushes.
  void set_data_triggers(bool armed) {
    if (!armed && !data_triggers_) return;  // no entry was left out for them
    data_triggers_ = armed;
    flush();
  }
  // Raises the breakpoint exception of a load/store trigger (`what`:
  // trigger::kLoad and/or kStore) matching the access, before it happens.
  // For the accesses that do not go through load_slow/store_slow (LR, SC, AMOs).
  void check_data_triggers(uint64_t va, unsigned size, uint64_t what) const {
    if (data_triggers_) [[unlikely]] data_trigger_check(va, size, what);
  }
  // Drops the translations of the page holding `va` (sfence.vma with an
  // address), or everything when a superpage translation may cover it, as
  // the TLB holds superpages as 4 KiB pieces. Linux fences single pages
  // thousands of times while booting; keeping the rest of the TLB warm is
  // what makes that cheap.
  void flush_page(uint64_t va);
  void flush_page_writes(uint64_t pa_page);
  // Drops every write entry (state hashing: clean pages must fault again).
  void flush_writes();
  void set_context(int data_idx, int fetch_idx) {
    data_idx_ = data_idx;
    fetch_idx_ = fetch_idx;
    read_tlb_ = tlb_[data_idx][0];
    write_tlb_ = tlb_[data_idx][1];
  }
  int data_idx() const { return data_idx_; }
  // Where the current context's data TLB pointers live (compiled code
  // indexes them directly, accel/tcg/jit_x86_64.cc).
  // The guest physical address of a fetch at `va` when the fetch TLB maps
  // its page already (no walk: nothing changes); false otherwise.
  bool fetch_mapped(uint64_t va, uint64_t& pa) const {
    const TlbEntry& e = tlb_[fetch_idx_][2][(va >> 12) % kTlbSize];
    if (e.tag != (va & kPageMask)) return false;
    pa = e.pa_page | (va & ~kPageMask);
    return true;
  }
  const TlbEntry* const* read_tlb_slot() const { return &read_tlb_; }
  const TlbEntry* const* write_tlb_slot() const { return &write_tlb_; }
  int fetch_idx() const { return fetch_idx_; }

 private:
  uint64_t walk(uint64_t va, AccessType type, int idx, bool update_ad);
  void fill(uint64_t va, uint64_t pa, AccessType type, int idx);
  void install(uint64_t va, uint64_t pa_page, const uint8_t* host_page, AccessType type, int idx);
  const uint8_t* fetch_rom(uint64_t va, uint64_t pa);
  bool pmp_ok(uint64_t pa, unsigned size, AccessType type, int idx) const;
  void data_trigger_check(uint64_t va, unsigned size, uint64_t what) const;

  CpuState& s_;
  AddressSpace& as_;
  int data_idx_ = kIdxM;
  int fetch_idx_ = kIdxM;
  const TlbEntry* read_tlb_ = tlb_[kIdxM][0];  // the data TLBs of the current context
  const TlbEntry* write_tlb_ = tlb_[kIdxM][1];
  uint64_t mapping_generation_ = 0;
  MemWatcher* watcher_ = nullptr;
  bool data_triggers_ = false;
  // Virtual range covered by every superpage walked since the last full
  // flush (empty when lo > hi).
  uint64_t superpages_lo_ = ~0ull, superpages_hi_ = 0;
  TlbEntry tlb_[kNumMmuIdx][3][kTlbSize];
  // Where install() put entries since the last full flush (places in tlb_
  // as one flat array), so that the flushes visit those and not all 12,288
  // entries: a Linux guest flushes at every context switch, having filled
  // a few hundred. Past kMaxInstalled they visit everything.
  static constexpr unsigned kMaxInstalled = 1024;
  uint32_t installed_[kMaxInstalled] = {};
  unsigned num_installed_ = 0;  // kMaxInstalled + 1: overflowed
  TlbEntry* flat_tlb() { return &tlb_[0][0][0]; }
  static bool is_write_entry(uint32_t place) { return place / kTlbSize % 3 == static_cast<int>(AccessType::kWrite); }
};

}  // namespace rwd::riscv
