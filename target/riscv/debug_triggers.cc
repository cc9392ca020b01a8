// Sdtrig field logic (see debug_triggers.h).
#include "target/riscv/debug_triggers.h"

#include "target/riscv/cpu.h"

namespace rwd::riscv::trigger {

namespace {

constexpr uint64_t kModeBits = kM | kS | kU;
constexpr uint64_t kMatchBits = kModeBits | kExecute | kStore | kLoad;

// mcontrol's size is sizehi:sizelo (bits 22:21, 17:16), mcontrol6's bits 19:16.
unsigned size_encoding(uint64_t tdata1) {
  if ((tdata1 >> kTypeShift) == kTypeMcontrol6) return (tdata1 >> 16) & 0xf;
  return static_cast<unsigned>(((tdata1 >> 16) & 3) | (((tdata1 >> 21) & 3) << 2));
}

uint64_t size_bits(uint64_t type, unsigned enc) {
  if (type == kTypeMcontrol6) return uint64_t{enc} << 16;
  return (uint64_t{enc & 3} << 16) | (uint64_t{enc >> 2} << 21);
}

bool supported_size(unsigned enc) { return enc == 1 || enc == 2 || enc == 3 || enc == 5; }

uint64_t mode_bit(Priv p) {
  switch (p) {
    case Priv::M: return kM;
    case Priv::S: return kS;
    case Priv::U: return kU;
  }
  return 0;
}

}  // namespace

uint64_t write_tdata1(uint64_t old, uint64_t v) {
  const uint64_t type = v >> kTypeShift;
  if (type != kTypeMcontrol && type != kTypeMcontrol6) return old;
  uint64_t keep = kMatchBits | (type == kTypeMcontrol6 ? kVU | kVS : 0);
  uint64_t out = (type << kTypeShift) | (v & keep);
  unsigned enc = size_encoding(v);
  if (supported_size(enc)) out |= size_bits(type, enc);
  return out;
}

unsigned data_length(uint64_t tdata1) {
  unsigned enc = size_encoding(tdata1);
  return supported_size(enc) ? enc : 8;
}

bool armed(const CpuState& s, unsigned i, uint64_t what) {
  return (s.tdata1[i] & what) != 0 && (s.tdata1[i] & kModeBits) != 0;
}

bool any_armed(const CpuState& s, uint64_t what) {
  for (unsigned i = 0; i < kCount; ++i)
    if (armed(s, i, what)) return true;
  return false;
}

bool execute_hit(const CpuState& s, uint64_t pc) {
  const uint64_t mode = mode_bit(s.priv);
  for (unsigned i = 0; i < kCount; ++i)
    if ((s.tdata1[i] & kExecute) && (s.tdata1[i] & mode) && s.tdata2[i] == pc) return true;
  return false;
}

bool execute_armed_at(const CpuState& s, uint64_t pc) {
  for (unsigned i = 0; i < kCount; ++i)
    if (armed(s, i, kExecute) && s.tdata2[i] == pc) return true;
  return false;
}

bool data_hit(const CpuState& s, uint64_t va, unsigned size, uint64_t what) {
  const uint64_t mode = mode_bit(s.priv);
  for (unsigned i = 0; i < kCount; ++i) {
    const uint64_t t1 = s.tdata1[i];
    if (!(t1 & what) || !(t1 & mode)) continue;
    const uint64_t first = s.tdata2[i], last = first + (data_length(t1) - 1);
    if (last < first) continue;  // QEMU 7.2 sets no watchpoint that wraps around
    if (va <= last && first <= va + (size - 1)) return true;
  }
  return false;
}

bool data_armed_on_page(const CpuState& s, uint64_t va_page) {
  for (unsigned i = 0; i < kCount; ++i) {
    if (!armed(s, i, kLoad | kStore)) continue;
    const uint64_t first = s.tdata2[i], last = first + (data_length(s.tdata1[i]) - 1);
    if (first <= va_page + (kPageSize - 1) && va_page <= last) return true;
  }
  return false;
}

}  // namespace rwd::riscv::trigger
