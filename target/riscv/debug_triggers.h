// The debug trigger module (Sdtrig) as QEMU 7.2's rv64 hart has it: two
// triggers, each an address match (mcontrol, type 2, or mcontrol6, type 6)
// on instruction execution, loads or stores, whose only action is a
// breakpoint exception (mcause 3, mtval 0) taken before the instruction
// executes or the access happens. Facts from probing QEMU 7.2 with
// tests/tcg/sdtrig.S; the field layout is the RISC-V debug spec's.
//
// This file is the field logic (what a CSR write leaves, what matches); the
// CSRs are wired in csr.cc, execute triggers are checked by the engine
// between blocks (accel/tcg/engine.cc cuts blocks at armed addresses) and
// load/store triggers by the MMU's slow path (pages holding an armed range
// stay out of the TLB, so with no trigger armed nothing costs anything).
#pragma once
#include <cstdint>

#include "target/riscv/cpu_bits.h"

namespace rwd::riscv {

struct CpuState;

namespace csr {
inline constexpr uint16_t kTselect = 0x7a0, kTdata1 = 0x7a1, kTdata2 = 0x7a2, kTdata3 = 0x7a3, kTinfo = 0x7a4;
}

namespace trigger {

inline constexpr unsigned kCount = 2;  // QEMU 7.2: tselect takes 0 and 1 only
inline constexpr uint64_t kTypeShift = 60;
inline constexpr uint64_t kTypeMcontrol = 2, kTypeMcontrol6 = 6;
// tinfo: the types tdata1 accepts.
inline constexpr uint64_t kTinfo = (1ull << kTypeMcontrol) | (1ull << kTypeMcontrol6);
// A trigger at reset: type 2, matching nothing.
inline constexpr uint64_t kTdata1Reset = kTypeMcontrol << kTypeShift;

// Bits shared by both types (their low byte).
inline constexpr uint64_t kLoad = 1 << 0, kStore = 1 << 1, kExecute = 1 << 2;
inline constexpr uint64_t kU = 1 << 3, kS = 1 << 4, kM = 1 << 6;
// mcontrol6's VU/VS (hypervisor modes): kept as QEMU 7.2 (which has H) keeps
// them, matching nothing here.
inline constexpr uint64_t kVU = 1ull << 23, kVS = 1ull << 24;

// What a tdata1 write leaves, given the value there before. QEMU 7.2 keeps
// the type, the mode bits (m, s, u; vs, vu for type 6), execute/store/load
// and a size it supports (1, 2, 3 or 5); dmode, action, chain, match, timing,
// select, hit and maskmax read back 0. A write of another type leaves tdata1
// unchanged (QEMU 7.2 aborts on types 1 and 8-14; rewind ignores those too).
uint64_t write_tdata1(uint64_t old, uint64_t v);

// Bytes a load/store trigger watches from tdata2: QEMU 7.2 takes the size
// encoding as the length (1, 2, 3 or 5 bytes; the spec's 3 and 5 mean 4
// and 8), and 8 bytes for "any size".
unsigned data_length(uint64_t tdata1);

// Whether trigger i is armed for `what` (kExecute, kLoad, kStore bits) in
// any mode.
bool armed(const CpuState& s, unsigned i, uint64_t what);
bool any_armed(const CpuState& s, uint64_t what);

// An execute trigger matches pc in the current privilege mode.
bool execute_hit(const CpuState& s, uint64_t pc);
// Some execute trigger is armed at pc, whatever the mode (blocks end there).
bool execute_armed_at(const CpuState& s, uint64_t pc);
// A load/store trigger (`what`: kLoad and/or kStore) matches the access of
// `size` bytes at virtual address va in the current privilege mode (the
// hart's, not MPRV's effective one, as QEMU 7.2).
bool data_hit(const CpuState& s, uint64_t va, unsigned size, uint64_t what);
// Some load/store trigger's range touches the virtual page.
bool data_armed_on_page(const CpuState& s, uint64_t va_page);

}  // namespace trigger
}  // namespace rwd::riscv
