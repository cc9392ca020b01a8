// Physical memory protection (16 entries, 4-byte granularity), as the
// privileged spec defines it.
#pragma once
#include <cstdint>

#include "target/riscv/cpu_bits.h"

namespace rwd::riscv {

struct CpuState;
enum class AccessType : uint8_t;

namespace pmpcfg {
inline constexpr uint8_t kR = 1, kW = 2, kX = 4, kL = 0x80;
inline constexpr int kAShift = 3;
inline constexpr uint8_t kA = 3 << kAShift;
inline constexpr uint8_t kOff = 0, kTor = 1, kNa4 = 2, kNapot = 3;
}  // namespace pmpcfg

// Whether an access of `size` bytes at `pa` by privilege `priv` is allowed.
bool pmp_allows(const CpuState& s, uint64_t pa, unsigned size, AccessType type, Priv priv);
// Whether every byte of the 4 KiB page at `pa_page` has the same PMP outcome,
// so a TLB entry may cache the result for the whole page.
bool pmp_page_uniform(const CpuState& s, uint64_t pa_page);

}  // namespace rwd::riscv
