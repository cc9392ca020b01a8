// Loads, stores and the A extension. Any path that may trap or reach a
// device records the instruction's position in its block first, so the trap
// is attributed exactly and the device sees the exact instruction count.
#include <cstring>

#include "target/riscv/cpu.h"
#include "target/riscv/insn_handlers.h"

namespace rwd::riscv {

namespace {
template <typename T>
inline uint64_t sext(T v) {
  return static_cast<uint64_t>(static_cast<int64_t>(v));
}

// Loads and stores are written out by hand rather than with DEF_OP: the TLB
// hit path must stay frameless (no call, no saved registers), so the slow
// path is a separate function reached by a tail call. Only the slow path can
// trap or reach a device, so only it records the instruction's position.
template <typename T>
[[gnu::noinline]] void load_slow(Cpu& c, const Op* o) {
  c.mark_current(*o);
  uint64_t va = c.s.x[o->rs1] + static_cast<uint64_t>(o->imm);
  c.s.x[o->rd] = sext(static_cast<T>(c.mmu.load_slow(va, sizeof(T))));
  if (c.s.attention) return end_block_after(c, o);
  return o[1].fn(c, o + 1);
}

template <typename T>
inline void load(Cpu& c, const Op* o) {
  OpFn next = o[1].fn;
  uint64_t va = c.s.x[o->rs1] + static_cast<uint64_t>(o->imm);
  uintptr_t host;
  if (!c.mmu.read_hit<T>(va, host)) [[unlikely]]
    return load_slow<T>(c, o);
  T v;
  std::memcpy(&v, reinterpret_cast<const void*>(host), sizeof v);
  c.s.x[o->rd] = sext(v);
  return next(c, o + 1);
}

template <typename T>
[[gnu::noinline]] void store_slow(Cpu& c, const Op* o) {
  c.mark_current(*o);
  uint64_t va = c.s.x[o->rs1] + static_cast<uint64_t>(o->imm);
  c.mmu.store_slow(va, sizeof(T), static_cast<T>(c.s.x[o->rs2]));
  if (c.s.attention) return end_block_after(c, o);
  return o[1].fn(c, o + 1);
}

template <typename T>
inline void store(Cpu& c, const Op* o) {
  OpFn next = o[1].fn;
  uint64_t va = c.s.x[o->rs1] + static_cast<uint64_t>(o->imm);
  uintptr_t host;
  if (!c.mmu.write_hit<T>(va, host)) [[unlikely]]
    return store_slow<T>(c, o);
  T v = static_cast<T>(c.s.x[o->rs2]);
  std::memcpy(reinterpret_cast<void*>(host), &v, sizeof v);
  return next(c, o + 1);
}
}  // namespace

void op_lb(Cpu& c, const Op* o) { return load<int8_t>(c, o); }
void op_lh(Cpu& c, const Op* o) { return load<int16_t>(c, o); }
void op_lw(Cpu& c, const Op* o) { return load<int32_t>(c, o); }
void op_ld(Cpu& c, const Op* o) { return load<int64_t>(c, o); }
void op_lbu(Cpu& c, const Op* o) { return load<uint8_t>(c, o); }
void op_lhu(Cpu& c, const Op* o) { return load<uint16_t>(c, o); }
void op_lwu(Cpu& c, const Op* o) { return load<uint32_t>(c, o); }
void op_sb(Cpu& c, const Op* o) { return store<uint8_t>(c, o); }
void op_sh(Cpu& c, const Op* o) { return store<uint16_t>(c, o); }
void op_sw(Cpu& c, const Op* o) { return store<uint32_t>(c, o); }
void op_sd(Cpu& c, const Op* o) { return store<uint64_t>(c, o); }

// --- A extension -----------------------------------------------------------
// One hart: every AMO is trivially atomic; memory ordering bits need nothing.

namespace {

template <typename T>
void load_reserved(Cpu& c, const Op& o) {
  c.mark_current(o);
  uint64_t pa;
  uint8_t* p = c.mmu.lr_ptr(c.s.x[o.rs1], sizeof(T), pa);
  T v;
  std::memcpy(&v, p, sizeof(T));
  c.s.reservation = pa;
  c.s.reservation_valid = true;
  c.s.x[o.rd] = sext(v);
}

template <typename T>
void store_conditional(Cpu& c, const Op& o) {
  c.mark_current(o);
  uint64_t va = c.s.x[o.rs1];
  if (va % sizeof(T)) {  // as on QEMU 7.2: a misaligned SC fails, without trapping
    c.s.reservation_valid = false;
    c.s.x[o.rd] = 1;
    return;
  }
  uint64_t pa;
  // Translate (and fault) as a store even when the SC will fail, as hardware does.
  uint8_t* p = c.mmu.amo_ptr(va, sizeof(T), pa, false);
  bool ok = c.s.reservation_valid && c.s.reservation == pa;
  // QEMU 7.2 accesses memory (and checks triggers, as for an AMO) only for
  // an SC that succeeds; a trigger keeps the reservation.
  if (ok) c.mmu.check_data_triggers(va, sizeof(T), trigger::kLoad | trigger::kStore);
  c.s.reservation_valid = false;
  if (ok) {
    T v = static_cast<T>(c.s.x[o.rs2]);
    std::memcpy(p, &v, sizeof(T));
  }
  c.s.x[o.rd] = ok ? 0 : 1;
}

template <typename T, typename F>
void amo(Cpu& c, const Op& o, F f) {
  c.mark_current(o);
  uint64_t pa;
  uint8_t* p = c.mmu.amo_ptr(c.s.x[o.rs1], sizeof(T), pa);
  T old;
  std::memcpy(&old, p, sizeof(T));
  T v = f(old, static_cast<T>(c.s.x[o.rs2]));
  std::memcpy(p, &v, sizeof(T));
  c.s.x[o.rd] = sext(old);
}

}  // namespace

DEF_OP_MEM(lr_w) { load_reserved<int32_t>(c, o); }
DEF_OP_MEM(lr_d) { load_reserved<int64_t>(c, o); }
DEF_OP_MEM(sc_w) { store_conditional<int32_t>(c, o); }
DEF_OP_MEM(sc_d) { store_conditional<int64_t>(c, o); }

#define DEFINE_AMO(name, expr)                                                         \
  DEF_OP_MEM(name##_w) {                                            \
    amo<int32_t>(c, o, [](int32_t a, int32_t b) -> int32_t {                           \
      using U = uint32_t; (void)sizeof(U); return (expr); });                          \
  }                                                                                    \
  DEF_OP_MEM(name##_d) {                                            \
    amo<int64_t>(c, o, [](int64_t a, int64_t b) -> int64_t {                           \
      using U = uint64_t; (void)sizeof(U); return (expr); });                          \
  }

DEFINE_AMO(amoswap, ((void)a, b))
DEFINE_AMO(amoadd, static_cast<decltype(a)>(static_cast<U>(a) + static_cast<U>(b)))
DEFINE_AMO(amoxor, a ^ b)
DEFINE_AMO(amoand, a & b)
DEFINE_AMO(amoor, a | b)
DEFINE_AMO(amomin, a < b ? a : b)
DEFINE_AMO(amomax, a > b ? a : b)
DEFINE_AMO(amominu, static_cast<U>(a) < static_cast<U>(b) ? a : b)
DEFINE_AMO(amomaxu, static_cast<U>(a) > static_cast<U>(b) ? a : b)
#undef DEFINE_AMO

}  // namespace rwd::riscv
