// F and D semantics: register access with NaN-boxing, rounding-mode
// resolution, and the calls into the FPU. FP instructions are only decoded
// while mstatus.FS is not Off (the block context includes it).
#include "target/riscv/cpu.h"
#include "target/riscv/fpu.h"
#include "target/riscv/insn_handlers.h"

namespace rwd::riscv {

namespace {

using fpu::Rm;
constexpr uint64_t kBoxMask = 0xffffffff00000000ull;

// A single-precision value is valid only when NaN-boxed; otherwise it reads as
// the canonical NaN.
inline uint32_t f32(Cpu& c, unsigned r) {
  uint64_t v = c.s.f[r];
  return (v & kBoxMask) == kBoxMask ? static_cast<uint32_t>(v) : fpu::kCanonicalNaN32;
}
inline uint64_t f64(Cpu& c, unsigned r) { return c.s.f[r]; }
inline void set_f32(Cpu& c, unsigned r, uint32_t v) {
  c.s.f[r] = kBoxMask | v;
  c.mark_fp_dirty();
}
inline void set_f64(Cpu& c, unsigned r, uint64_t v) {
  c.s.f[r] = v;
  c.mark_fp_dirty();
}
inline Rm rm_of(Cpu& c, const Op& o) {
  unsigned rm = o.rm == 7 ? c.s.frm : o.rm;
  if (rm > 4) {
    c.mark_current(o);
    throw GuestTrap{Cause::kIllegalInsn, 0, true};  // a run-time check: not counted
  }
  return static_cast<Rm>(rm);
}
inline uint64_t sx32(uint32_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }

// Every op that can raise flags accumulates into fflags and dirties FS.
struct Flags {
  Cpu& c;
  uint32_t f = 0;
  explicit Flags(Cpu& cpu) : c(cpu) {}
  ~Flags() {
    if (f) {
      c.s.fflags |= f;
      c.mark_fp_dirty();
    }
  }
};

}  // namespace

DEF_OP_MEM(flw) {
  c.mark_current(o);
  set_f32(c, o.rd, c.mmu.load<uint32_t>(c.s.x[o.rs1] + static_cast<uint64_t>(o.imm)));
}
DEF_OP_MEM(fld) {
  c.mark_current(o);
  set_f64(c, o.rd, c.mmu.load<uint64_t>(c.s.x[o.rs1] + static_cast<uint64_t>(o.imm)));
}
DEF_OP_MEM(fsw) {
  c.mark_current(o);
  c.mmu.store<uint32_t>(c.s.x[o.rs1] + static_cast<uint64_t>(o.imm), static_cast<uint32_t>(c.s.f[o.rs2]));
}
DEF_OP_MEM(fsd) {
  c.mark_current(o);
  c.mmu.store<uint64_t>(c.s.x[o.rs1] + static_cast<uint64_t>(o.imm), c.s.f[o.rs2]);
}

#define FP_BINARY(name, W, fn)                                               \
  DEF_OP(name) {                                      \
    Rm rm = rm_of(c, o);                                                     \
    Flags fl(c);                                                             \
    set_##W(c, o.rd, fpu::fn(W(c, o.rs1), W(c, o.rs2), rm, fl.f));           \
  }
FP_BINARY(fadd_s, f32, f32_add)
FP_BINARY(fsub_s, f32, f32_sub)
FP_BINARY(fmul_s, f32, f32_mul)
FP_BINARY(fdiv_s, f32, f32_div)
FP_BINARY(fadd_d, f64, f64_add)
FP_BINARY(fsub_d, f64, f64_sub)
FP_BINARY(fmul_d, f64, f64_mul)
FP_BINARY(fdiv_d, f64, f64_div)
#undef FP_BINARY

#define FP_FUSED(name, W, fn, negp, nega)                                                      \
  DEF_OP(name) {                                                        \
    Rm rm = rm_of(c, o);                                                                       \
    Flags fl(c);                                                                               \
    set_##W(c, o.rd, fpu::fn(W(c, o.rs1), W(c, o.rs2), W(c, o.rs3), negp, nega, rm, fl.f));    \
  }
FP_FUSED(fmadd_s, f32, f32_muladd, false, false)
FP_FUSED(fmsub_s, f32, f32_muladd, false, true)
FP_FUSED(fnmsub_s, f32, f32_muladd, true, false)
FP_FUSED(fnmadd_s, f32, f32_muladd, true, true)
FP_FUSED(fmadd_d, f64, f64_muladd, false, false)
FP_FUSED(fmsub_d, f64, f64_muladd, false, true)
FP_FUSED(fnmsub_d, f64, f64_muladd, true, false)
FP_FUSED(fnmadd_d, f64, f64_muladd, true, true)
#undef FP_FUSED

DEF_OP(fsqrt_s) {
  Rm rm = rm_of(c, o);
  Flags fl(c);
  set_f32(c, o.rd, fpu::f32_sqrt(f32(c, o.rs1), rm, fl.f));
}
DEF_OP(fsqrt_d) {
  Rm rm = rm_of(c, o);
  Flags fl(c);
  set_f64(c, o.rd, fpu::f64_sqrt(f64(c, o.rs1), rm, fl.f));
}

// Sign injection: pure bit operations, no flags.
DEF_OP(fsgnj_s) { set_f32(c, o.rd, (f32(c, o.rs1) & 0x7fffffff) | (f32(c, o.rs2) & 0x80000000)); }
DEF_OP(fsgnjn_s) { set_f32(c, o.rd, (f32(c, o.rs1) & 0x7fffffff) | (~f32(c, o.rs2) & 0x80000000)); }
DEF_OP(fsgnjx_s) { set_f32(c, o.rd, f32(c, o.rs1) ^ (f32(c, o.rs2) & 0x80000000)); }
constexpr uint64_t kSign64 = 1ull << 63;
DEF_OP(fsgnj_d) { set_f64(c, o.rd, (f64(c, o.rs1) & ~kSign64) | (f64(c, o.rs2) & kSign64)); }
DEF_OP(fsgnjn_d) { set_f64(c, o.rd, (f64(c, o.rs1) & ~kSign64) | (~f64(c, o.rs2) & kSign64)); }
DEF_OP(fsgnjx_d) { set_f64(c, o.rd, f64(c, o.rs1) ^ (f64(c, o.rs2) & kSign64)); }

#define FP_MINMAX(name, W, fn)                                   \
  DEF_OP(name) {                          \
    Flags fl(c);                                                 \
    set_##W(c, o.rd, fpu::fn(W(c, o.rs1), W(c, o.rs2), fl.f));   \
  }
FP_MINMAX(fmin_s, f32, f32_min)
FP_MINMAX(fmax_s, f32, f32_max)
FP_MINMAX(fmin_d, f64, f64_min)
FP_MINMAX(fmax_d, f64, f64_max)
#undef FP_MINMAX

#define FP_COMPARE(name, W, fn)                                       \
  DEF_OP(name) {                               \
    Flags fl(c);                                                      \
    c.s.x[o.rd] = fpu::fn(W(c, o.rs1), W(c, o.rs2), fl.f) ? 1 : 0;    \
  }
FP_COMPARE(feq_s, f32, f32_eq)
FP_COMPARE(flt_s, f32, f32_lt)
FP_COMPARE(fle_s, f32, f32_le)
FP_COMPARE(feq_d, f64, f64_eq)
FP_COMPARE(flt_d, f64, f64_lt)
FP_COMPARE(fle_d, f64, f64_le)
#undef FP_COMPARE

DEF_OP(fclass_s) { c.s.x[o.rd] = fpu::f32_classify(f32(c, o.rs1)); }
DEF_OP(fclass_d) { c.s.x[o.rd] = fpu::f64_classify(f64(c, o.rs1)); }

// Float -> integer: 32-bit results are sign-extended into rd.
#define FP_TO_INT(name, W, fn, widen)                           \
  DEF_OP(name) {                         \
    Rm rm = rm_of(c, o);                                        \
    Flags fl(c);                                                \
    c.s.x[o.rd] = widen(fpu::fn(W(c, o.rs1), rm, fl.f));        \
  }
#define AS_U64(v) static_cast<uint64_t>(v)
#define SX32(v) sx32(static_cast<uint32_t>(v))
FP_TO_INT(fcvt_w_s, f32, f32_to_i32, SX32)
FP_TO_INT(fcvt_wu_s, f32, f32_to_u32, SX32)
FP_TO_INT(fcvt_l_s, f32, f32_to_i64, AS_U64)
FP_TO_INT(fcvt_lu_s, f32, f32_to_u64, AS_U64)
FP_TO_INT(fcvt_w_d, f64, f64_to_i32, SX32)
FP_TO_INT(fcvt_wu_d, f64, f64_to_u32, SX32)
FP_TO_INT(fcvt_l_d, f64, f64_to_i64, AS_U64)
FP_TO_INT(fcvt_lu_d, f64, f64_to_u64, AS_U64)
#undef FP_TO_INT

#define INT_TO_FP(name, W, fn, T)                                          \
  DEF_OP(name) {                                    \
    Rm rm = rm_of(c, o);                                                   \
    Flags fl(c);                                                           \
    set_##W(c, o.rd, fpu::fn(static_cast<T>(c.s.x[o.rs1]), rm, fl.f));     \
  }
INT_TO_FP(fcvt_s_w, f32, i32_to_f32, int32_t)
INT_TO_FP(fcvt_s_wu, f32, u32_to_f32, uint32_t)
INT_TO_FP(fcvt_s_l, f32, i64_to_f32, int64_t)
INT_TO_FP(fcvt_s_lu, f32, u64_to_f32, uint64_t)
INT_TO_FP(fcvt_d_w, f64, i32_to_f64, int32_t)
INT_TO_FP(fcvt_d_wu, f64, u32_to_f64, uint32_t)
INT_TO_FP(fcvt_d_l, f64, i64_to_f64, int64_t)
INT_TO_FP(fcvt_d_lu, f64, u64_to_f64, uint64_t)
#undef INT_TO_FP

DEF_OP(fcvt_s_d) {
  Rm rm = rm_of(c, o);
  Flags fl(c);
  set_f32(c, o.rd, fpu::f64_to_f32(f64(c, o.rs1), rm, fl.f));
}
DEF_OP(fcvt_d_s) {
  rm_of(c, o);  // the rm field is still validated
  Flags fl(c);
  set_f64(c, o.rd, fpu::f32_to_f64(f32(c, o.rs1), fl.f));
}

DEF_OP(fmv_x_w) { c.s.x[o.rd] = sx32(static_cast<uint32_t>(c.s.f[o.rs1])); }
DEF_OP(fmv_w_x) { set_f32(c, o.rd, static_cast<uint32_t>(c.s.x[o.rs1])); }
DEF_OP(fmv_x_d) { c.s.x[o.rd] = c.s.f[o.rs1]; }
DEF_OP(fmv_d_x) { set_f64(c, o.rd, c.s.x[o.rs1]); }

}  // namespace rwd::riscv
