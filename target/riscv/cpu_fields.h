// The one list of CpuState's fields. Whatever must cover "the whole CPU
// state" walks this table instead of naming members: save/load (below), the
// replay checkpoint and state hash (replay/state_hash.cc), the `-d cpu` and
// `info registers` dump (cpu_dump.cc) and the unit tests' diff_state.
//
// Adding a member to CpuState is one line in kCpuFields below (which uses it
// belongs to, and any invariant a loaded value must satisfy); the
// static_asserts at the end of this file fail until that line exists.
#pragma once
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "target/riscv/cpu.h"
#include "target/riscv/cpu_field_access.h"
#include "util/byte_codec.h"

namespace rwd::riscv {

// The whole-state uses a field belongs to.
enum CpuFieldUse : uint8_t {
  kSaved = 1 << 0,       // save_cpu_state / load_cpu_state (below)
  kCompared = 1 << 1,    // the unit tests' diff_state
  kCheckpoint = 1 << 2,  // the replay checkpoint's CPU values and the state hash
  // Fields added after rrfile version 1 froze the checkpoint's values: one
  // named checkpoint value ("debug triggers") hashes them all, and the state
  // hash covers them once any differs from its reset value, so recordings
  // made before they existed replay unchanged (replay/state_hash.cc).
  kLateCheckpoint = 1 << 3,
};
inline constexpr uint8_t kArchitectural = kSaved | kCompared | kCheckpoint;

// How a kCheckpoint field becomes checkpoint values. Recordings store the
// values by position, so forms, names and the table's order are frozen: the
// list (114 values) is rrfile version 1's (docs/rrfile.md), and
// tests/unit/cpu_fields_test.cc pins it.
enum class CheckpointForm : uint8_t {
  kEach,        // a value per element
  kSkipFirst,   // a value per element but the first (x0, always zero)
  kPcArgument,  // the pc of the executing instruction rather than s.pc
  kPacked,      // the elements packed little-endian into 64-bit values
  kHash,        // one value: hash_bytes of the elements as uint64s
};

// ABI names of a register file's elements ("x2/sp" in dumps).
enum class RegNames : uint8_t { kNone, kInt, kFp };

// A loaded value's invariant, beyond fitting the element's type: nullptr
// when `v` (element i) is acceptable, else why it is not.
using CpuFieldCheck = const char* (*)(size_t i, uint64_t v);

struct CpuField {
  const char* name;  // the member's name
  size_t offset;     // offsetof(CpuState, member)
  uint16_t count;    // elements described (a scalar has one)
  uint16_t columns;  // elements per row: count, but 32 for hpm[2][32]
  uint8_t width;     // bytes of one element in CpuState
  uint8_t uses;
  uint64_t (*get)(const CpuState&, size_t i);
  bool (*set)(CpuState&, size_t i, uint64_t v);  // false: v does not fit the element's type
  CheckpointForm checkpoint = CheckpointForm::kEach;
  const char* checkpoint_name = nullptr;  // scalars and hashes; else derived from name
  RegNames reg_names = RegNames::kNone;
  CpuFieldCheck check = nullptr;

  constexpr bool has(uint8_t use) const { return (uses & use) != 0; }

  // Modifiers for the table's lines.
  constexpr CpuField elements(uint16_t n) const { CpuField f = *this; f.count = f.columns = n; return f; }
  constexpr CpuField checkpoint_as(CheckpointForm form, const char* cname = nullptr) const {
    CpuField f = *this;
    f.checkpoint = form;
    f.checkpoint_name = cname;
    return f;
  }
  constexpr CpuField checkpoint_named(const char* cname) const { return checkpoint_as(CheckpointForm::kEach, cname); }
  constexpr CpuField registers(RegNames r) const { CpuField f = *this; f.reg_names = r; return f; }
  constexpr CpuField checked(CpuFieldCheck c) const { CpuField f = *this; f.check = c; return f; }
};

// Invariants of loaded values: what the CPU itself never produces and would
// misbehave on (or a snapshot of a different CPU model).
namespace cpu_field_check {
inline const char* x0_zero(size_t i, uint64_t v) { return i == 0 && v ? "x0 must be zero" : nullptr; }
inline const char* priv(size_t, uint64_t v) {
  return v == 0 || v == 1 || v == 3 ? nullptr : "not a privilege level (U=0, S=1, M=3)";
}
inline const char* mstatus(size_t, uint64_t v) {
  // mret installs MPP as the privilege; UXL/SXL are fixed at 64-bit.
  if ((v & mstatus::kMPP) == (2ull << mstatus::kMPPShift)) return "MPP holds the reserved level 2";
  if ((v & (mstatus::kUXL | mstatus::kSXL)) != ((2ull << 32) | (2ull << 34))) return "UXL/SXL are not 64-bit";
  return nullptr;
}
inline const char* misa(size_t, uint64_t v) { return v == kMisaValue ? nullptr : "not this hart's fixed extensions"; }
inline const char* satp(size_t, uint64_t v) {
  uint64_t m = v >> satp::kModeShift;
  return m == satp::kModeBare || m == satp::kModeSv39 || m == satp::kModeSv48 || m == satp::kModeSv57
             ? nullptr
             : "unsupported translation mode";
}
inline const char* fflags(size_t, uint64_t v) { return v <= 0x1f ? nullptr : "more than the 5 exception flags"; }
inline const char* frm(size_t, uint64_t v) { return v <= 7 ? nullptr : "rounding mode wider than 3 bits"; }
inline const char* pmpcfg(size_t, uint64_t v) { return v & 0x60 ? "reserved bits 5-6 set" : nullptr; }
inline const char* tselect(size_t, uint64_t v) { return v < trigger::kCount ? nullptr : "no such trigger"; }
inline const char* tdata1(size_t, uint64_t v) {
  return trigger::write_tdata1(~v, v) == v ? nullptr : "not a value a tdata1 write leaves";
}
}  // namespace cpu_field_check

namespace cpu_field_detail {
template <auto M>
consteval CpuField describe(const char* name, size_t offset, uint8_t uses) {
  using A = Access<M>;
  return CpuField{name, offset, A::kCount, A::kColumns, A::kWidth, uses, &A::get, &A::set};
}
}  // namespace cpu_field_detail

#define RWD_CPU_FIELD(member, uses) \
  cpu_field_detail::describe<&CpuState::member>(#member, offsetof(CpuState, member), uses)

// In CpuState's declaration order (checked below), which is also the order
// of the checkpoint's values.
inline constexpr CpuField kCpuFields[] = {
    // x[32] is the decoder's write sink for rd = x0: not state.
    RWD_CPU_FIELD(x, kArchitectural)
        .elements(32)
        .registers(RegNames::kInt)
        .checkpoint_as(CheckpointForm::kSkipFirst)
        .checked(cpu_field_check::x0_zero),
    RWD_CPU_FIELD(f, kArchitectural).registers(RegNames::kFp),
    RWD_CPU_FIELD(pc, kArchitectural).checkpoint_as(CheckpointForm::kPcArgument),
    RWD_CPU_FIELD(priv, kArchitectural).checkpoint_named("privilege").checked(cpu_field_check::priv),
    RWD_CPU_FIELD(mstatus, kArchitectural).checked(cpu_field_check::mstatus),
    RWD_CPU_FIELD(misa, kArchitectural).checked(cpu_field_check::misa),
    RWD_CPU_FIELD(medeleg, kArchitectural),
    RWD_CPU_FIELD(mideleg, kArchitectural),
    RWD_CPU_FIELD(mie, kArchitectural),
    RWD_CPU_FIELD(mip, kArchitectural),
    RWD_CPU_FIELD(mtvec, kArchitectural),
    RWD_CPU_FIELD(mscratch, kArchitectural),
    RWD_CPU_FIELD(mepc, kArchitectural),
    RWD_CPU_FIELD(mcause, kArchitectural),
    RWD_CPU_FIELD(mtval, kArchitectural),
    RWD_CPU_FIELD(mcounteren, kArchitectural),
    RWD_CPU_FIELD(mcountinhibit, kArchitectural),
    RWD_CPU_FIELD(menvcfg, kArchitectural),
    RWD_CPU_FIELD(stvec, kArchitectural),
    RWD_CPU_FIELD(sscratch, kArchitectural),
    RWD_CPU_FIELD(sepc, kArchitectural),
    RWD_CPU_FIELD(scause, kArchitectural),
    RWD_CPU_FIELD(stval, kArchitectural),
    RWD_CPU_FIELD(satp, kArchitectural).checked(cpu_field_check::satp),
    RWD_CPU_FIELD(scounteren, kArchitectural),
    RWD_CPU_FIELD(senvcfg, kArchitectural),
    RWD_CPU_FIELD(stimecmp, kArchitectural),
    RWD_CPU_FIELD(fflags, kArchitectural).checked(cpu_field_check::fflags),
    RWD_CPU_FIELD(frm, kArchitectural).checked(cpu_field_check::frm),
    RWD_CPU_FIELD(pmpcfg, kArchitectural).checkpoint_as(CheckpointForm::kPacked).checked(cpu_field_check::pmpcfg),
    RWD_CPU_FIELD(pmpaddr, kArchitectural),
    // hpm[0][N] is mhpmcounterN, hpm[1][N] mhpmeventN.
    RWD_CPU_FIELD(hpm, kArchitectural).checkpoint_as(CheckpointForm::kHash, "hpm counters/events (hash)"),
    // Checkpoints are taken at an instruction count; the count itself is not
    // one of their values.
    RWD_CPU_FIELD(icount, kSaved | kCompared),
    // Engine state, not architectural, so not saved: the position inside the
    // executing block (a CPU is saved between blocks, where it is 0) and a
    // request to stop chaining (a loaded CPU sets it).
    RWD_CPU_FIELD(tb_insn_index, kCompared),
    RWD_CPU_FIELD(attention, 0),
    RWD_CPU_FIELD(mcycle_offset, kArchitectural).checkpoint_named("mcycle offset"),
    RWD_CPU_FIELD(minstret_offset, kArchitectural).checkpoint_named("minstret offset"),
    RWD_CPU_FIELD(reservation, kArchitectural).checkpoint_named("LR reservation"),
    RWD_CPU_FIELD(reservation_valid, kArchitectural).checkpoint_named("LR reservation valid"),
    RWD_CPU_FIELD(wfi, kArchitectural).checkpoint_named("waiting for interrupt"),
    RWD_CPU_FIELD(tselect, kSaved | kCompared | kLateCheckpoint).checked(cpu_field_check::tselect),
    RWD_CPU_FIELD(tdata1, kSaved | kCompared | kLateCheckpoint).checked(cpu_field_check::tdata1),
    RWD_CPU_FIELD(tdata2, kSaved | kCompared | kLateCheckpoint),
    // Not a checkpoint value (their list is frozen): stimecmp and mip are,
    // and a replay reaching a different deadline diverges in mip.STIP.
    RWD_CPU_FIELD(stimecmp_deadline, kSaved | kCompared),
};

#undef RWD_CPU_FIELD

// The field called `name`; a name that is not in the table does not compile.
consteval const CpuField& cpu_field(std::string_view name) {
  for (const CpuField& f : kCpuFields)
    if (name == f.name) return f;
  throw "no such CpuState field";
}

// "x5", "pmpaddr3", "hpm[1][4]", "pc": an element as diff_state and load
// errors name it.
std::string cpu_element_name(const CpuField& f, size_t i);
// "sp", "fa0": the ABI name of a register file's element, else nullptr.
const char* cpu_reg_abi_name(const CpuField& f, size_t i);

// Saving and loading a hart's state for snapshots: every kSaved field, in
// table order.
//
// Format: section "cpu"; varint number of saved fields; per field a varint
// element count, then each element as u64. A build whose table saves other
// fields, or other array sizes, refuses the data instead of misreading it.
//
// Loading decodes into a fresh CpuState and installs it only when every value
// is acceptable, so on DecodeError the destination is unchanged. Refused:
// a value that does not fit its element (a bool other than 0/1, a byte or
// 32-bit field with higher bits set) and anything failing the field's check
// in the table: priv not U/S/M, x0 not zero, mstatus.MPP = 2 or UXL/SXL not
// 64-bit, misa not this hart's, satp in an unsupported mode, fflags above
// 0x1f, frm above 7, pmpcfg reserved bits.
//
// Not saved (not architectural): tb_insn_index, the position inside the
// executing block, because a CPU is saved between blocks (asserted), and a
// loaded one is between blocks too (0); `attention`, which a loaded CPU sets
// so the engine re-examines interrupts before running; x[32], the x0 write
// sink (zero).
//
// load_cpu_state leaves the Cpu's cached state (MMU context, TLB, block
// context) stale: Cpu::load_state re-derives it.
void save_cpu_state(const CpuState& s, ByteWriter& w);
// Throws DecodeError for truncated, foreign or invalid data.
void load_cpu_state(CpuState& s, ByteReader& r);

namespace cpu_field_detail {
consteval bool in_member_order(const auto& fields) {
  for (size_t i = 1; i < std::size(fields); ++i)
    if (fields[i].offset <= fields[i - 1].offset) return false;
  return true;
}
consteval bool packing_fits(const auto& fields) {
  for (const CpuField& f : fields)
    if (f.checkpoint == CheckpointForm::kPacked && (8 % f.width || f.count % (8 / f.width))) return false;
  return true;
}
}  // namespace cpu_field_detail

// Every CpuState member is in the table exactly once: as many entries as the
// aggregate has members, in increasing offsets (so none twice). A member that
// is a C array would be counted once per element: use std::array.
static_assert(cpu_field_detail::aggregate_members<CpuState>() == std::size(kCpuFields),
              "a CpuState member is missing from kCpuFields (target/riscv/cpu_fields.h)");
static_assert(cpu_field_detail::in_member_order(kCpuFields),
              "kCpuFields must list CpuState's members once each, in declaration order");
static_assert(cpu_field_detail::packing_fits(kCpuFields), "a kPacked field does not fill whole 64-bit values");

}  // namespace rwd::riscv
