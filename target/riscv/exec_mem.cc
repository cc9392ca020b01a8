// Loads, stores and the A extension. Each records its position in the block
// first, so a device or counter it reaches sees the exact instruction count.
#include "target/riscv/cpu.h"
#include "target/riscv/insn_handlers.h"

namespace rwd::riscv {

namespace {
inline uint64_t addr(Cpu& c, const Op& o) {
  c.s.tb_insn_index = o.seq;
  return c.s.x[o.rs1] + static_cast<uint64_t>(o.imm);
}
template <typename T>
inline uint64_t sext(T v) {
  return static_cast<uint64_t>(static_cast<int64_t>(v));
}
}  // namespace

DEF_OP(lb) { c.s.x[o.rd] = sext(c.mmu.load<int8_t>(addr(c, o))); }
DEF_OP(lh) { c.s.x[o.rd] = sext(c.mmu.load<int16_t>(addr(c, o))); }
DEF_OP(lw) { c.s.x[o.rd] = sext(c.mmu.load<int32_t>(addr(c, o))); }
DEF_OP(ld) { c.s.x[o.rd] = c.mmu.load<uint64_t>(addr(c, o)); }
DEF_OP(lbu) { c.s.x[o.rd] = c.mmu.load<uint8_t>(addr(c, o)); }
DEF_OP(lhu) { c.s.x[o.rd] = c.mmu.load<uint16_t>(addr(c, o)); }
DEF_OP(lwu) { c.s.x[o.rd] = c.mmu.load<uint32_t>(addr(c, o)); }
DEF_OP(sb) { c.mmu.store<uint8_t>(addr(c, o), static_cast<uint8_t>(c.s.x[o.rs2])); }
DEF_OP(sh) { c.mmu.store<uint16_t>(addr(c, o), static_cast<uint16_t>(c.s.x[o.rs2])); }
DEF_OP(sw) { c.mmu.store<uint32_t>(addr(c, o), static_cast<uint32_t>(c.s.x[o.rs2])); }
DEF_OP(sd) { c.mmu.store<uint64_t>(addr(c, o), c.s.x[o.rs2]); }

// --- A extension -----------------------------------------------------------
// One hart: every AMO is trivially atomic; memory ordering bits need nothing.

namespace {

template <typename T>
void load_reserved(Cpu& c, const Op& o) {
  c.s.tb_insn_index = o.seq;
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
  c.s.tb_insn_index = o.seq;
  uint64_t va = c.s.x[o.rs1];
  if (va % sizeof(T)) {  // as on QEMU 7.2: a misaligned SC fails, without trapping
    c.s.reservation_valid = false;
    c.s.x[o.rd] = 1;
    return;
  }
  uint64_t pa;
  // Translate (and fault) as a store even when the SC will fail, as hardware does.
  uint8_t* p = c.mmu.amo_ptr(va, sizeof(T), pa);
  bool ok = c.s.reservation_valid && c.s.reservation == pa;
  c.s.reservation_valid = false;
  if (ok) {
    T v = static_cast<T>(c.s.x[o.rs2]);
    std::memcpy(p, &v, sizeof(T));
  }
  c.s.x[o.rd] = ok ? 0 : 1;
}

template <typename T, typename F>
void amo(Cpu& c, const Op& o, F f) {
  c.s.tb_insn_index = o.seq;
  uint64_t pa;
  uint8_t* p = c.mmu.amo_ptr(c.s.x[o.rs1], sizeof(T), pa);
  T old;
  std::memcpy(&old, p, sizeof(T));
  T v = f(old, static_cast<T>(c.s.x[o.rs2]));
  std::memcpy(p, &v, sizeof(T));
  c.s.x[o.rd] = sext(old);
}

}  // namespace

DEF_OP(lr_w) { load_reserved<int32_t>(c, o); }
DEF_OP(lr_d) { load_reserved<int64_t>(c, o); }
DEF_OP(sc_w) { store_conditional<int32_t>(c, o); }
DEF_OP(sc_d) { store_conditional<int64_t>(c, o); }

#define DEFINE_AMO(name, expr)                                                         \
  DEF_OP(name##_w) {                                            \
    amo<int32_t>(c, o, [](int32_t a, int32_t b) -> int32_t {                           \
      using U = uint32_t; (void)sizeof(U); return (expr); });                          \
  }                                                                                    \
  DEF_OP(name##_d) {                                            \
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
