#include "hw/intc/plic.h"

#include "util/log.h"

namespace rwd {

namespace {
constexpr uint64_t kPriorityBase = 0x0;
constexpr uint64_t kPendingBase = 0x1000;
constexpr uint64_t kEnableBase = 0x2000, kEnableStride = 0x80;
constexpr uint64_t kContextBase = 0x200000, kContextStride = 0x1000;

void guest_error(const char* what, uint64_t offset, unsigned size) {
  if (logger().wants(kLogGuestErrors))
    logger().printf("plic: %s at offset 0x%llx, size %u\n", what, static_cast<unsigned long long>(offset), size);
}
}  // namespace

Plic::Plic(riscv::Cpu& cpu) : cpu_(cpu) {
  for (unsigned n = 0; n < kNumSources; ++n) sources_.push_back(std::make_unique<Source>(*this, n));
}

IrqLine* Plic::irq(unsigned n) { return n > 0 && n < kNumSources ? sources_[n].get() : nullptr; }

void Plic::set_bit(std::array<uint32_t, kWords>& a, unsigned n, bool v) {
  if (v)
    a[n / 32] |= 1u << (n % 32);
  else
    a[n / 32] &= ~(1u << (n % 32));
}

void Plic::reset() {
  priority_.fill(0);
  pending_.fill(0);
  claimed_.fill(0);
  for (auto& e : enable_) e.fill(0);
  threshold_.fill(0);
  update();
}

// Level-triggered, as QEMU's model: the pending bit follows every report of
// the line (a device re-reporting a high line re-arms a claimed source).
void Plic::set_input(unsigned n, bool level) {
  if (n == 0 || n >= kNumSources) return;
  set_bit(pending_, n, level);
  update();
}

unsigned Plic::best(unsigned ctx, uint32_t min_priority) const {
  unsigned best_src = 0;
  uint32_t best_prio = min_priority;
  for (unsigned w = 0; w < kWords; ++w) {
    uint32_t cand = pending_[w] & ~claimed_[w] & enable_[ctx][w];
    while (cand) {
      unsigned b = static_cast<unsigned>(__builtin_ctz(cand));
      cand &= cand - 1;
      unsigned n = w * 32 + b;
      if (n == 0 || n >= kNumSources) continue;
      if (priority_[n] > best_prio) {  // ties: the lowest source number wins
        best_prio = priority_[n];
        best_src = n;
      }
    }
  }
  return best_src;
}

void Plic::update() {
  static constexpr uint64_t kLine[kNumContexts] = {riscv::irq::kMEIP, riscv::irq::kSEIP};
  for (unsigned ctx = 0; ctx < kNumContexts; ++ctx) cpu_.set_mip_bit(kLine[ctx], best(ctx, threshold_[ctx]) != 0);
}

uint32_t Plic::read32(uint64_t offset) {
  if (offset < kPriorityBase + 4 * kNumSources) return priority_[(offset - kPriorityBase) / 4];
  if (offset >= kPendingBase && offset < kPendingBase + 4 * kWords) return pending_[(offset - kPendingBase) / 4];
  if (offset >= kEnableBase && offset < kEnableBase + kEnableStride * kNumContexts) {
    uint64_t ctx = (offset - kEnableBase) / kEnableStride, word = (offset - kEnableBase) % kEnableStride / 4;
    return word < kWords ? enable_[ctx][word] : 0;
  }
  if (offset >= kContextBase && offset < kContextBase + kContextStride * kNumContexts) {
    uint64_t ctx = (offset - kContextBase) / kContextStride, reg = (offset - kContextBase) % kContextStride;
    if (reg == 0) return threshold_[ctx];
    if (reg == 4) {
      // Claim: the best pending source regardless of the threshold (as QEMU).
      unsigned n = best(ctx, 0);
      if (n) {
        set_bit(pending_, n, false);
        set_bit(claimed_, n, true);
        update();
      }
      return n;
    }
  }
  guest_error("read of unimplemented register", offset, 4);
  return 0;
}

void Plic::write32(uint64_t offset, uint32_t value) {
  if (offset < kPriorityBase + 4 * kNumSources) {
    priority_[(offset - kPriorityBase) / 4] = value & kMaxPriority;
    update();
    return;
  }
  if (offset >= kPendingBase && offset < kPendingBase + 4 * kWords) {
    guest_error("write to read-only pending bits", offset, 4);
    return;
  }
  if (offset >= kEnableBase && offset < kEnableBase + kEnableStride * kNumContexts) {
    uint64_t ctx = (offset - kEnableBase) / kEnableStride, word = (offset - kEnableBase) % kEnableStride / 4;
    if (word < kWords) {
      enable_[ctx][word] = value;
      update();
      return;
    }
  } else if (offset >= kContextBase && offset < kContextBase + kContextStride * kNumContexts) {
    uint64_t ctx = (offset - kContextBase) / kContextStride, reg = (offset - kContextBase) % kContextStride;
    if (reg == 0) {
      if (value <= kMaxPriority) threshold_[ctx] = value;
      update();
      return;
    }
    if (reg == 4) {
      // Complete: ends the claim of an enabled source.
      if (value > 0 && value < kNumSources && bit(enable_[ctx], value)) {
        set_bit(claimed_, value, false);
        update();
      }
      return;
    }
  }
  guest_error("write to unimplemented register", offset, 4);
}

// Only aligned 32-bit accesses are valid; others read as 0 and are ignored.
uint64_t Plic::read(uint64_t offset, unsigned size) {
  if (size != 4 || (offset & 3)) {
    guest_error("invalid read", offset, size);
    return 0;
  }
  return read32(offset);
}

void Plic::write(uint64_t offset, unsigned size, uint64_t value) {
  if (size != 4 || (offset & 3)) {
    guest_error("invalid write", offset, size);
    return;
  }
  write32(offset, static_cast<uint32_t>(value));
}

void Plic::save(ByteWriter& w) const {
  w.section("plic");
  for (uint32_t p : priority_) w.u32(p);
  for (unsigned i = 0; i < kWords; ++i) {
    w.u32(pending_[i]);
    w.u32(claimed_[i]);
  }
  for (unsigned c = 0; c < kNumContexts; ++c) {
    for (uint32_t e : enable_[c]) w.u32(e);
    w.u32(threshold_[c]);
  }
}

void Plic::load(ByteReader& r) {
  r.expect_section("plic");
  for (uint32_t& p : priority_) p = r.u32() & kMaxPriority;
  for (unsigned i = 0; i < kWords; ++i) {
    pending_[i] = r.u32();
    claimed_[i] = r.u32();
  }
  for (unsigned c = 0; c < kNumContexts; ++c) {
    for (uint32_t& e : enable_[c]) e = r.u32();
    uint32_t t = r.u32();
    threshold_[c] = t <= kMaxPriority ? t : kMaxPriority;
  }
  update();
}

}  // namespace rwd
