#include "target/riscv/pmp.h"

#include "target/riscv/cpu.h"

namespace rwd::riscv {

namespace {

struct Range {
  uint64_t lo, hi;  // [lo, hi)
};

uint8_t mode_of(uint8_t cfg) { return (cfg & pmpcfg::kA) >> pmpcfg::kAShift; }

// Byte range covered by entry i; empty when the entry is off.
Range entry_range(const CpuState& s, int i) {
  uint8_t cfg = s.pmpcfg[i];
  uint64_t addr = s.pmpaddr[i];
  switch (mode_of(cfg)) {
    case pmpcfg::kTor: {
      uint64_t lo = i == 0 ? 0 : s.pmpaddr[i - 1] << 2;
      uint64_t hi = addr << 2;
      return lo < hi ? Range{lo, hi} : Range{0, 0};
    }
    case pmpcfg::kNa4:
      return {addr << 2, (addr << 2) + 4};
    case pmpcfg::kNapot: {
      if (~addr == 0) return {0, ~0ull};  // all ones (ctz of 0 is undefined)
      int ones = __builtin_ctzll(~addr);  // trailing ones
      if (ones >= 54) return {0, ~0ull};  // whole address space
      uint64_t size = 8ull << ones;
      uint64_t base = (addr << 2) & ~(size - 1);
      return {base, base + size};
    }
    default:
      return {0, 0};
  }
}

bool any_active(const CpuState& s) {
  for (uint8_t cfg : s.pmpcfg) {
    if (mode_of(cfg) != pmpcfg::kOff) return true;
  }
  return false;
}

}  // namespace

bool pmp_allows(const CpuState& s, uint64_t pa, unsigned size, AccessType type, Priv priv) {
  if (!any_active(s)) return true;
  uint64_t end = pa + size;
  for (int i = 0; i < 16; ++i) {
    Range r = entry_range(s, i);
    if (r.lo >= r.hi) continue;
    bool overlaps = pa < r.hi && end > r.lo;
    if (!overlaps) continue;
    bool inside = pa >= r.lo && end <= r.hi;
    if (!inside) return false;  // an access that straddles an entry boundary fails
    uint8_t cfg = s.pmpcfg[i];
    if (priv == Priv::M && !(cfg & pmpcfg::kL)) return true;
    switch (type) {
      case AccessType::kRead: return cfg & pmpcfg::kR;
      case AccessType::kWrite: return cfg & pmpcfg::kW;
      case AccessType::kFetch: return cfg & pmpcfg::kX;
    }
  }
  return priv == Priv::M;
}

bool pmp_page_uniform(const CpuState& s, uint64_t pa_page) {
  uint64_t end = pa_page + 4096;
  for (int i = 0; i < 16; ++i) {
    Range r = entry_range(s, i);
    if (r.lo >= r.hi) continue;
    bool overlaps = pa_page < r.hi && end > r.lo;
    bool covers = pa_page >= r.lo && end <= r.hi;
    if (overlaps && !covers) return false;
    if (covers) return true;  // higher-numbered entries cannot matter
  }
  return true;
}

}  // namespace rwd::riscv
