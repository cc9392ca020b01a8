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

void op_lb(Cpu& c, const Op& o) { c.s.x[o.rd] = sext(c.mmu.load<int8_t>(addr(c, o))); }
void op_lh(Cpu& c, const Op& o) { c.s.x[o.rd] = sext(c.mmu.load<int16_t>(addr(c, o))); }
void op_lw(Cpu& c, const Op& o) { c.s.x[o.rd] = sext(c.mmu.load<int32_t>(addr(c, o))); }
void op_ld(Cpu& c, const Op& o) { c.s.x[o.rd] = c.mmu.load<uint64_t>(addr(c, o)); }
void op_lbu(Cpu& c, const Op& o) { c.s.x[o.rd] = c.mmu.load<uint8_t>(addr(c, o)); }
void op_lhu(Cpu& c, const Op& o) { c.s.x[o.rd] = c.mmu.load<uint16_t>(addr(c, o)); }
void op_lwu(Cpu& c, const Op& o) { c.s.x[o.rd] = c.mmu.load<uint32_t>(addr(c, o)); }
void op_sb(Cpu& c, const Op& o) { c.mmu.store<uint8_t>(addr(c, o), static_cast<uint8_t>(c.s.x[o.rs2])); }
void op_sh(Cpu& c, const Op& o) { c.mmu.store<uint16_t>(addr(c, o), static_cast<uint16_t>(c.s.x[o.rs2])); }
void op_sw(Cpu& c, const Op& o) { c.mmu.store<uint32_t>(addr(c, o), static_cast<uint32_t>(c.s.x[o.rs2])); }
void op_sd(Cpu& c, const Op& o) { c.mmu.store<uint64_t>(addr(c, o), c.s.x[o.rs2]); }

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
  uint64_t pa;
  // Translate (and fault) as a store even when the SC will fail, as hardware does.
  uint8_t* p = c.mmu.amo_ptr(c.s.x[o.rs1], sizeof(T), pa);
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

void op_lr_w(Cpu& c, const Op& o) { load_reserved<int32_t>(c, o); }
void op_lr_d(Cpu& c, const Op& o) { load_reserved<int64_t>(c, o); }
void op_sc_w(Cpu& c, const Op& o) { store_conditional<int32_t>(c, o); }
void op_sc_d(Cpu& c, const Op& o) { store_conditional<int64_t>(c, o); }

#define DEFINE_AMO(name, expr)                                                         \
  void op_##name##_w(Cpu& c, const Op& o) {                                            \
    amo<int32_t>(c, o, [](int32_t a, int32_t b) -> int32_t {                           \
      using U = uint32_t; (void)sizeof(U); return (expr); });                          \
  }                                                                                    \
  void op_##name##_d(Cpu& c, const Op& o) {                                            \
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
