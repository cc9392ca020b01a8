#include "target/riscv/mmu.h"

#include <algorithm>

#include "target/riscv/cpu.h"
#include "target/riscv/pmp.h"
#include "util/log.h"

namespace rwd::riscv {

namespace {

Priv priv_of(int idx) {
  switch (idx) {
    case kIdxU: return Priv::U;
    case kIdxM: return Priv::M;
    default: return Priv::S;
  }
}

[[noreturn]] void page_fault(AccessType type, uint64_t va) {
  if (logger().wants(kLogMmu)) {
    static const char* const kType[] = {"load", "store", "fetch"};
    logger().printf("riscv_cpu_tlb_fill: page fault on %s at 0x%016llx\n", kType[static_cast<int>(type)],
                    static_cast<unsigned long long>(va));
  }
  switch (type) {
    case AccessType::kRead: throw GuestTrap{Cause::kLoadPageFault, va};
    case AccessType::kWrite: throw GuestTrap{Cause::kStorePageFault, va};
    case AccessType::kFetch: break;
  }
  throw GuestTrap{Cause::kInsnPageFault, va};
}

[[noreturn]] void access_fault(AccessType type, uint64_t va) {
  switch (type) {
    case AccessType::kRead: throw GuestTrap{Cause::kLoadAccessFault, va};
    case AccessType::kWrite: throw GuestTrap{Cause::kStoreAccessFault, va};
    case AccessType::kFetch: break;
  }
  throw GuestTrap{Cause::kInsnAccessFault, va};
}

}  // namespace

void Mmu::flush() {
  ++mapping_generation_;
  superpages_lo_ = ~0ull;
  superpages_hi_ = 0;
  s_.attention = true;
  if (num_installed_ <= kMaxInstalled) {
    for (unsigned i = 0; i < num_installed_; ++i) flat_tlb()[installed_[i]] = TlbEntry{};
  } else {
    for (auto& per_idx : tlb_)
      for (auto& per_type : per_idx)
        for (auto& e : per_type) e = TlbEntry{};
  }
  num_installed_ = 0;
}

void Mmu::flush_page(uint64_t va) {
  uint64_t page = va & kPageMask;
  if (page >= superpages_lo_ && page <= superpages_hi_) {
    flush();
    return;
  }
  for (auto& per_idx : tlb_) {
    for (auto& per_type : per_idx) {
      TlbEntry& e = per_type[(va >> 12) % kTlbSize];
      if (e.tag == page) e = TlbEntry{};
    }
  }
  ++mapping_generation_;
  s_.attention = true;
}

void Mmu::flush_writes() {
  if (num_installed_ <= kMaxInstalled) {
    for (unsigned i = 0; i < num_installed_; ++i)
      if (is_write_entry(installed_[i])) flat_tlb()[installed_[i]] = TlbEntry{};
    return;
  }
  for (auto& per_idx : tlb_)
    for (auto& e : per_idx[static_cast<int>(AccessType::kWrite)]) e = TlbEntry{};
}

void Mmu::flush_page_writes(uint64_t pa_page) {
  auto drop = [pa_page](TlbEntry& e) {
    if (e.tag != ~0ull && e.pa_page == pa_page) e = TlbEntry{};
  };
  if (num_installed_ <= kMaxInstalled) {
    for (unsigned i = 0; i < num_installed_; ++i)
      if (is_write_entry(installed_[i])) drop(flat_tlb()[installed_[i]]);
    return;
  }
  for (auto& per_idx : tlb_)
    for (auto& e : per_idx[static_cast<int>(AccessType::kWrite)]) drop(e);
}

bool Mmu::pmp_ok(uint64_t pa, unsigned size, AccessType type, int idx) const {
  return pmp_allows(s_, pa, size, type, priv_of(idx));
}

// Sv39/Sv48/Sv57 walk as in the privileged spec, section "Virtual Address
// Translation Process". Accessed/dirty bits are set by the walker (as QEMU's
// virt does) rather than raising page faults.
uint64_t Mmu::walk(uint64_t va, AccessType type, int idx, bool update_ad) {
  Priv priv = priv_of(idx);
  uint64_t mode = s_.satp >> satp::kModeShift;
  if (priv == Priv::M || mode == satp::kModeBare) return va;

  int levels = satp::levels(mode);
  int va_bits = 12 + 9 * levels;
  // The address must be sign-extended from its top implemented bit.
  int64_t sext = static_cast<int64_t>(va << (64 - va_bits)) >> (64 - va_bits);
  if (static_cast<uint64_t>(sext) != va) page_fault(type, va);

  bool sum = idx == kIdxSSum;
  bool mxr = s_.mstatus & mstatus::kMXR;
  uint64_t table = (s_.satp & satp::kPpnMask) << 12;

  for (int level = levels - 1; level >= 0; --level) {
    uint64_t vpn = (va >> (12 + 9 * level)) & 0x1ff;
    uint64_t pte_addr = table + vpn * 8;
    if (!pmp_allows(s_, pte_addr, 8, AccessType::kRead, Priv::S)) access_fault(type, va);
    uint64_t pte = 0;
    RamBlock* rb = as_.find_ram(pte_addr, 8);
    if (!rb) access_fault(type, va);
    std::memcpy(&pte, rb->ptr(pte_addr), 8);

    if (!(pte & pte::kV) || (!(pte & pte::kR) && (pte & pte::kW)) || (pte & pte::kReservedHigh))
      page_fault(type, va);
    uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
    if (!(pte & (pte::kR | pte::kX))) {  // pointer to the next level
      if (level == 0) page_fault(type, va);
      table = ppn << 12;
      continue;
    }

    // Leaf: privilege and permission checks.
    if (priv == Priv::U && !(pte & pte::kU)) page_fault(type, va);
    if (priv == Priv::S && (pte & pte::kU) && (!sum || type == AccessType::kFetch))
      page_fault(type, va);
    switch (type) {
      case AccessType::kFetch:
        if (!(pte & pte::kX)) page_fault(type, va);
        break;
      case AccessType::kRead:
        if (!(pte & pte::kR) && !(mxr && (pte & pte::kX))) page_fault(type, va);
        break;
      case AccessType::kWrite:
        if (!(pte & pte::kW)) page_fault(type, va);
        break;
    }
    uint64_t low_mask = (1ull << (9 * level)) - 1;
    if (ppn & low_mask) page_fault(type, va);  // misaligned superpage

    uint64_t want = pte::kA | (type == AccessType::kWrite ? pte::kD : 0);
    if (update_ad && (pte & want) != want) {
      if (rb->readonly || !pmp_allows(s_, pte_addr, 8, AccessType::kWrite, Priv::S))
        access_fault(type, va);
      pte |= want;
      as_.notify_write(*rb, pte_addr, 8);
      std::memcpy(rb->ptr(pte_addr), &pte, 8);
    }
    uint64_t page_offset_mask = (1ull << (12 + 9 * level)) - 1;
    if (level > 0 && update_ad) {  // (not for debugger walks: they must not change the TLB's behaviour)
      superpages_lo_ = std::min(superpages_lo_, va & ~page_offset_mask);
      superpages_hi_ = std::max(superpages_hi_, va | page_offset_mask);
    }
    return ((ppn << 12) & ~page_offset_mask) | (va & page_offset_mask);
  }
  page_fault(type, va);
}

uint64_t Mmu::translate(uint64_t va, AccessType type, int idx, unsigned size) {
  uint64_t pa = walk(va, type, idx, true);
  if (!pmp_ok(pa, size, type, idx)) access_fault(type, va);
  return pa;
}

bool Mmu::debug_translate(uint64_t va, uint64_t& pa) {
  try {
    pa = walk(va, AccessType::kRead, data_idx_, false);
    return true;
  } catch (const GuestTrap&) {
    return false;
  }
}

void Mmu::fill(uint64_t va, uint64_t pa, AccessType type, int idx) {
  uint64_t pa_page = pa & kPageMask;
  RamBlock* rb = as_.find_ram(pa_page, kPageSize);
  if (!rb) return;  // MMIO or a partial page: always take the slow path
  if (!pmp_page_uniform(s_, pa_page)) return;
  if (watcher_ && type != AccessType::kFetch && watcher_->page_watched(va & kPageMask)) return;
  if (data_triggers_ && type != AccessType::kFetch && trigger::data_armed_on_page(s_, va & kPageMask)) return;
  if (type == AccessType::kWrite) {
    if (rb->readonly) return;
    if (rb->code_page[(pa_page - rb->base) >> 12]) return;  // stores must see the code
    if (rb->track_dirty && !rb->dirty[(pa_page - rb->base) >> 12]) return;  // first store marks it
  }
  install(va, pa_page, rb->ptr(pa_page), type, idx);
}

// The fast path's entry: accesses of `type` to va's page go to host_page.
void Mmu::install(uint64_t va, uint64_t pa_page, const uint8_t* host_page, AccessType type, int idx) {
  TlbEntry& e = tlb_[idx][static_cast<int>(type)][(va >> 12) % kTlbSize];
  if (num_installed_ < kMaxInstalled) installed_[num_installed_++] = static_cast<uint32_t>(&e - flat_tlb());
  else num_installed_ = kMaxInstalled + 1;
  e.tag = va & kPageMask;
  e.addend = reinterpret_cast<uintptr_t>(host_page) - (va & kPageMask);
  e.pa_page = pa_page;
}

// As QEMU 7.2: a matching trigger stops the instruction before its access
// (after translation: a page or access fault comes first), not counted.
void Mmu::data_trigger_check(uint64_t va, unsigned size, uint64_t what) const {
  if (trigger::data_hit(s_, va, size, what)) throw GuestTrap{Cause::kBreakpoint, 0, true};
}

uint64_t Mmu::load_slow(uint64_t va, unsigned size) {
  if ((va & ~kPageMask) + size > kPageSize) {
    check_data_triggers(va, size, trigger::kLoad);
    // Misaligned across a page boundary: byte by byte, each page translated.
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= static_cast<uint64_t>(load<uint8_t>(va + i)) << (8 * i);
    return v;
  }
  uint64_t pa = translate(va, AccessType::kRead, data_idx_, size);
  check_data_triggers(va, size, trigger::kLoad);
  uint64_t v = 0;
  if (!as_.read(pa, size, v)) access_fault(AccessType::kRead, va);
  if (watcher_ && watcher_->accessed(va, size, AccessType::kRead)) s_.attention = true;
  fill(va, pa, AccessType::kRead, data_idx_);
  return v;
}

void Mmu::store_slow(uint64_t va, unsigned size, uint64_t value) {
  if ((va & ~kPageMask) + size > kPageSize) {
    // Translate both pages first so a fault on the second leaves memory untouched.
    // (A fault on the second page reports that page's first byte.)
    translate(va, AccessType::kWrite, data_idx_);
    translate((va + size - 1) & kPageMask, AccessType::kWrite, data_idx_);
    check_data_triggers(va, size, trigger::kStore);
    for (unsigned i = 0; i < size; ++i) store<uint8_t>(va + i, static_cast<uint8_t>(value >> (8 * i)));
    return;
  }
  uint64_t pa = translate(va, AccessType::kWrite, data_idx_, size);
  check_data_triggers(va, size, trigger::kStore);
  if (!as_.write(pa, size, value)) access_fault(AccessType::kWrite, va);
  if (watcher_ && watcher_->accessed(va, size, AccessType::kWrite)) s_.attention = true;
  fill(va, pa, AccessType::kWrite, data_idx_);
}

uint8_t* Mmu::amo_ptr(uint64_t va, unsigned size, uint64_t& pa, bool check_triggers) {
  // QEMU 7.2 raises a *load* address-misaligned exception for misaligned AMOs.
  if (va % size) throw GuestTrap{Cause::kLoadMisaligned, va};
  pa = translate(va, AccessType::kWrite, data_idx_, size);
  RamBlock* rb = as_.find_ram(pa, size);
  if (!rb) access_fault(AccessType::kRead, va);  // QEMU 7.2: load access fault outside RAM
  if (rb->readonly) access_fault(AccessType::kWrite, va);
  if (check_triggers) check_data_triggers(va, size, trigger::kLoad | trigger::kStore);
  as_.notify_write(*rb, pa, size);
  if (watcher_ && (watcher_->accessed(va, size, AccessType::kRead) || watcher_->accessed(va, size, AccessType::kWrite)))
    s_.attention = true;
  return rb->ptr(pa);
}

uint8_t* Mmu::lr_ptr(uint64_t va, unsigned size, uint64_t& pa) {
  if (va % size) throw GuestTrap{Cause::kLoadMisaligned, va};
  pa = translate(va, AccessType::kRead, data_idx_, size);
  RamBlock* rb = as_.find_ram(pa, size);
  if (!rb) access_fault(AccessType::kRead, va);
  check_data_triggers(va, size, trigger::kLoad);
  if (watcher_ && watcher_->accessed(va, size, AccessType::kRead)) s_.attention = true;
  return rb->ptr(pa);
}

const uint8_t* Mmu::fetch_ptr(uint64_t va, uint64_t& pa) {
  TlbEntry& e = tlb_[fetch_idx_][2][(va >> 12) % kTlbSize];
  if (e.tag == (va & kPageMask)) {
    pa = e.pa_page | (va & ~kPageMask);
    return reinterpret_cast<const uint8_t*>(e.addend + va);
  }
  pa = translate(va, AccessType::kFetch, fetch_idx_, 2);
  RamBlock* rb = as_.find_ram(pa, 2);
  if (!rb) return fetch_rom(va, pa);
  fill(va, pa, AccessType::kFetch, fetch_idx_);
  return rb->ptr(pa);
}

// Executing in place from a ROM device (a flash bank): RAM fetches never
// come here. Its storage is mapped like RAM while it shows it (the address
// space unmaps it through on_fetch_remap when that ends); what it answers
// in a command mode is read afresh at each translation.
const uint8_t* Mmu::fetch_rom(uint64_t va, uint64_t pa) {
  bool direct = false;
  const uint8_t* host = as_.rom_fetch_ptr(pa, direct);
  if (!host) access_fault(AccessType::kFetch, va);
  uint64_t pa_page = pa & kPageMask;
  if (direct && pmp_page_uniform(s_, pa_page))
    install(va, pa_page, host - (pa & ~kPageMask), AccessType::kFetch, fetch_idx_);
  return host;
}

}  // namespace rwd::riscv
