// Reference vector generator for rewind's FPU (target/riscv/fpu*.cc).
//
// Runs real RISC-V F/D instructions (under qemu-riscv64, or on hardware) on a
// deterministic mix of edge-case and pseudo-random operands, for every
// rounding mode, and prints one line per execution:
//
//   <mnemonic> <rm> <operand>... -> <result> <fflags>
//
// all in hex; operands/results are raw bits (f32: 8 digits, f64 and integers:
// 16 digits; 32-bit integer results are the 64-bit sign-extended register).
// Build and regenerate: tests/unit/fpu_vectors/gen/regen.sh.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------- PRNG
static uint64_t g_state = 0x243f6a8885a308d3ull;
static uint64_t rnd(void) {  // splitmix64
  uint64_t z = (g_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return rnd() % n; }
static int chance(int percent) { return (int)below(100) < percent; }

// ---------------------------------------------------------------- instructions
// Operands travel through integer registers as raw bits; fmv.w.x NaN-boxes.
#define FL(f) unsigned f
#define S_BIN(fn, insn)                                                                  \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned* fl) {                 \
    uint64_t r;                                                                          \
    FL(f);                                                                               \
    (void)c;                                                                             \
    asm volatile("fmv.w.x ft0, %2\n\tfmv.w.x ft1, %3\n\tfsflags zero\n\t" insn           \
                 " ft2, ft0, ft1\n\tfrflags %1\n\tfmv.x.w %0, ft2"                        \
                 : "=r"(r), "=r"(f) : "r"(a), "r"(b) : "ft0", "ft1", "ft2");               \
    *fl = f;                                                                             \
    return r & 0xffffffffu;                                                              \
  }
#define D_BIN(fn, insn)                                                                  \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned* fl) {                 \
    uint64_t r;                                                                          \
    FL(f);                                                                               \
    (void)c;                                                                             \
    asm volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfsflags zero\n\t" insn           \
                 " ft2, ft0, ft1\n\tfrflags %1\n\tfmv.x.d %0, ft2"                        \
                 : "=r"(r), "=r"(f) : "r"(a), "r"(b) : "ft0", "ft1", "ft2");               \
    *fl = f;                                                                             \
    return r;                                                                            \
  }
#define S_FMA(fn, insn)                                                                  \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned* fl) {                 \
    uint64_t r;                                                                          \
    FL(f);                                                                               \
    asm volatile("fmv.w.x ft0, %2\n\tfmv.w.x ft1, %3\n\tfmv.w.x ft2, %4\n\tfsflags zero\n\t" insn \
                 " ft3, ft0, ft1, ft2\n\tfrflags %1\n\tfmv.x.w %0, ft3"                   \
                 : "=r"(r), "=r"(f) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3"); \
    *fl = f;                                                                             \
    return r & 0xffffffffu;                                                              \
  }
#define D_FMA(fn, insn)                                                                  \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned* fl) {                 \
    uint64_t r;                                                                          \
    FL(f);                                                                               \
    asm volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft2, %4\n\tfsflags zero\n\t" insn \
                 " ft3, ft0, ft1, ft2\n\tfrflags %1\n\tfmv.x.d %0, ft3"                   \
                 : "=r"(r), "=r"(f) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3"); \
    *fl = f;                                                                             \
    return r;                                                                            \
  }
// float -> float, one operand (fsqrt, fcvt between formats)
#define F_UN(fn, mvin, insn, mvout, mask)                                                \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned* fl) {                 \
    uint64_t r;                                                                          \
    FL(f);                                                                               \
    (void)b, (void)c;                                                                    \
    asm volatile(mvin " ft0, %2\n\tfsflags zero\n\t" insn " ft2, ft0\n\tfrflags %1\n\t"  \
                 mvout " %0, ft2"                                                         \
                 : "=r"(r), "=r"(f) : "r"(a) : "ft0", "ft2");                             \
    *fl = f;                                                                             \
    return r & (mask);                                                                   \
  }
// float -> integer register (compares, fclass, fcvt to integer)
#define F_TOX(fn, mvin, insn, two)                                                       \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned* fl) {                 \
    uint64_t r;                                                                          \
    FL(f);                                                                               \
    (void)c;                                                                             \
    asm volatile(mvin " ft0, %2\n\t" mvin " ft1, %3\n\tfsflags zero\n\t" insn             \
                 " %0, ft0" two "\n\tfrflags %1"                                          \
                 : "=&r"(r), "=r"(f) : "r"(a), "r"(b) : "ft0", "ft1");                     \
    *fl = f;                                                                             \
    return r;                                                                            \
  }
// integer register -> float
#define X_TOF(fn, insn, mvout, mask)                                                     \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned* fl) {                 \
    uint64_t r;                                                                          \
    FL(f);                                                                               \
    (void)b, (void)c;                                                                    \
    asm volatile("fsflags zero\n\t" insn " ft2, %2\n\tfrflags %1\n\t" mvout " %0, ft2"    \
                 : "=r"(r), "=r"(f) : "r"(a) : "ft2");                                    \
    *fl = f;                                                                             \
    return r & (mask);                                                                   \
  }

S_BIN(fadd_s, "fadd.s") S_BIN(fsub_s, "fsub.s") S_BIN(fmul_s, "fmul.s") S_BIN(fdiv_s, "fdiv.s")
S_BIN(fmin_s, "fmin.s") S_BIN(fmax_s, "fmax.s")
D_BIN(fadd_d, "fadd.d") D_BIN(fsub_d, "fsub.d") D_BIN(fmul_d, "fmul.d") D_BIN(fdiv_d, "fdiv.d")
D_BIN(fmin_d, "fmin.d") D_BIN(fmax_d, "fmax.d")
S_FMA(fmadd_s, "fmadd.s") S_FMA(fmsub_s, "fmsub.s") S_FMA(fnmsub_s, "fnmsub.s") S_FMA(fnmadd_s, "fnmadd.s")
D_FMA(fmadd_d, "fmadd.d") D_FMA(fmsub_d, "fmsub.d") D_FMA(fnmsub_d, "fnmsub.d") D_FMA(fnmadd_d, "fnmadd.d")
F_UN(fsqrt_s, "fmv.w.x", "fsqrt.s", "fmv.x.w", 0xffffffffu)
F_UN(fsqrt_d, "fmv.d.x", "fsqrt.d", "fmv.x.d", ~0ull)
F_UN(fcvt_d_s, "fmv.w.x", "fcvt.d.s", "fmv.x.d", ~0ull)
F_UN(fcvt_s_d, "fmv.d.x", "fcvt.s.d", "fmv.x.w", 0xffffffffu)
F_TOX(feq_s, "fmv.w.x", "feq.s", ", ft1") F_TOX(flt_s, "fmv.w.x", "flt.s", ", ft1")
F_TOX(fle_s, "fmv.w.x", "fle.s", ", ft1") F_TOX(fclass_s, "fmv.w.x", "fclass.s", "")
F_TOX(feq_d, "fmv.d.x", "feq.d", ", ft1") F_TOX(flt_d, "fmv.d.x", "flt.d", ", ft1")
F_TOX(fle_d, "fmv.d.x", "fle.d", ", ft1") F_TOX(fclass_d, "fmv.d.x", "fclass.d", "")
F_TOX(fcvt_w_s, "fmv.w.x", "fcvt.w.s", "") F_TOX(fcvt_wu_s, "fmv.w.x", "fcvt.wu.s", "")
F_TOX(fcvt_l_s, "fmv.w.x", "fcvt.l.s", "") F_TOX(fcvt_lu_s, "fmv.w.x", "fcvt.lu.s", "")
F_TOX(fcvt_w_d, "fmv.d.x", "fcvt.w.d", "") F_TOX(fcvt_wu_d, "fmv.d.x", "fcvt.wu.d", "")
F_TOX(fcvt_l_d, "fmv.d.x", "fcvt.l.d", "") F_TOX(fcvt_lu_d, "fmv.d.x", "fcvt.lu.d", "")
X_TOF(fcvt_s_w, "fcvt.s.w", "fmv.x.w", 0xffffffffu) X_TOF(fcvt_s_wu, "fcvt.s.wu", "fmv.x.w", 0xffffffffu)
X_TOF(fcvt_s_l, "fcvt.s.l", "fmv.x.w", 0xffffffffu) X_TOF(fcvt_s_lu, "fcvt.s.lu", "fmv.x.w", 0xffffffffu)
X_TOF(fcvt_d_w, "fcvt.d.w", "fmv.x.d", ~0ull) X_TOF(fcvt_d_wu, "fcvt.d.wu", "fmv.x.d", ~0ull)
X_TOF(fcvt_d_l, "fcvt.d.l", "fmv.x.d", ~0ull) X_TOF(fcvt_d_lu, "fcvt.d.lu", "fmv.x.d", ~0ull)

// ---------------------------------------------------------------- operands
enum Kind { S, D, W, WU, L, LU };  // operand types

static const uint32_t kEdge32[] = {
    0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x00000002, 0x00000003, 0x007fffff, 0x807fffff,
    0x00400000, 0x00400001, 0x003fffff, 0x00800000, 0x80800000, 0x00800001, 0x00ffffff, 0x01000000,
    0x7f7fffff, 0xff7fffff, 0x7f7ffffe, 0x7f000000, 0x7e800000, 0x7f800000, 0xff800000, 0x7fc00000,
    0xffc00000, 0x7f800001, 0xff800001, 0x7fbfffff, 0x7fc00001, 0x7fffffff, 0x3f800000, 0xbf800000,
    0x3f800001, 0x3f7fffff, 0x3f000000, 0xbf000000, 0x3fc00000, 0xbfc00000, 0x40200000, 0xc0200000,
    0x3effffff, 0x3f000001, 0x40000000, 0x40400000, 0x4b000000, 0x4b000001, 0x4b7fffff, 0x4b800000,
    0x4b800001, 0x4affffff, 0x34000000, 0x33800000, 0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001,
    0xceffffff, 0x4f800000, 0x4f7fffff, 0xcf800000, 0x5f000000, 0x5effffff, 0xdf000000, 0xdf000001,
    0xdeffffff, 0x5f800000, 0x5f7fffff, 0xdf800000, 0x3fb504f3, 0x40490fdb, 0x1f800000, 0x1f7fffff,
    0x5f7fffff, 0x60000000, 0x20000000, 0x3e800000,
};
static const uint64_t kEdge64[] = {
    0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x8000000000000001,
    0x0000000000000002, 0x0000000000000003, 0x000fffffffffffff, 0x800fffffffffffff,
    0x0008000000000000, 0x0008000000000001, 0x0007ffffffffffff, 0x0010000000000000,
    0x8010000000000000, 0x0010000000000001, 0x001fffffffffffff, 0x0020000000000000,
    0x7fefffffffffffff, 0xffefffffffffffff, 0x7feffffffffffffe, 0x7fe0000000000000,
    0x7fd0000000000000, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
    0xfff8000000000000, 0x7ff0000000000001, 0xfff0000000000001, 0x7ff7ffffffffffff,
    0x7ff8000000000001, 0x7fffffffffffffff, 0x3ff0000000000000, 0xbff0000000000000,
    0x3ff0000000000001, 0x3fefffffffffffff, 0x3fe0000000000000, 0xbfe0000000000000,
    0x3ff8000000000000, 0xbff8000000000000, 0x4004000000000000, 0xc004000000000000,
    0x3fdfffffffffffff, 0x3fe0000000000001, 0x4000000000000000, 0x4008000000000000,
    0x4330000000000000, 0x4330000000000001, 0x433fffffffffffff, 0x4340000000000000,
    0x4340000000000001, 0x432fffffffffffff, 0x3cb0000000000000, 0x3ca0000000000000,
    0x41e0000000000000, 0x41dfffffffc00000, 0x41dfffffffffffff, 0x41e0000000100000,
    0xc1e0000000000000, 0xc1e0000000100000, 0xc1e0000000000001, 0xc1dfffffffffffff,
    0x41f0000000000000, 0x41efffffffffffff, 0x41effffffff00000, 0x41effffffff80000,
    0xc1f0000000000000, 0x43e0000000000000, 0x43dfffffffffffff, 0xc3e0000000000000,
    0xc3e0000000000001, 0xc3dfffffffffffff, 0x43f0000000000000, 0x43efffffffffffff,
    0xc3f0000000000000, 0x3ff6a09e667f3bcd, 0x400921fb54442d18, 0x36a0000000000000,
    0x369fffffffffffff, 0x47efffffe0000000, 0x47efffffefffffff, 0x47effffff0000000,
    0x47f0000000000000, 0x3810000000000000, 0x380fffffffffffff, 0x3800000000000000,
    0x37f0000000000000, 0x3690000000000000, 0x381fffffe0000000, 0x381ffffff0000000,
    0x41dfffffffe00000, 0xc1e0000000200000,
};
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

// A mantissa with structure: random, sparse, runs of ones, or a rounding
// boundary pattern in the low bits.
static uint64_t mant_pattern(int bits) {
  uint64_t mask = (bits == 64) ? ~0ull : ((1ull << bits) - 1);
  uint64_t m;
  switch (below(8)) {
    case 0: case 1: case 2: m = rnd(); break;
    case 3: m = rnd() & rnd() & rnd(); break;            // sparse
    case 4: m = rnd() | rnd() | rnd(); break;            // dense
    case 5: m = ~0ull << below(bits + 1); m = below(2) ? ~m : m; break;  // a run
    case 6: m = rnd() & (~0ull << below(bits + 1)); break;  // trailing zeros
    default: {  // low bits near a tie: ...x1000, ...x0111, ...x1001
      int k = (int)below(bits < 40 ? bits : 40) + 1;
      uint64_t hi = rnd() << k;
      uint64_t half = 1ull << (k - 1);
      uint64_t d = below(3);
      m = hi | (d == 0 ? half : d == 1 ? half - 1 : half + 1);
    }
  }
  return m & mask;
}

// Exponent field (biased) for a format with `ebits` exponent bits.
static uint64_t exp_pattern(int ebits) {
  int64_t max = (1 << ebits) - 1, bias = max >> 1;
  int64_t e;
  switch (below(10)) {
    case 0: case 1: e = below(max + 1); break;                       // anything
    case 2: e = below(4); break;                                      // subnormal / tiny
    case 3: e = max - 1 - below(4); break;                            // near overflow
    case 4: e = bias + 20 + below(50); break;                         // integer range
    default: e = bias - 12 + below(25); break;                        // near 1
  }
  if (e > max) e = max;
  if (e < 0) e = 0;
  return (uint64_t)e;
}

static uint64_t gen_float(int is_d) {
  if (chance(12)) return is_d ? kEdge64[below(NELEM(kEdge64))] : kEdge32[below(NELEM(kEdge32))];
  int eb = is_d ? 11 : 8, fb = is_d ? 52 : 23;
  uint64_t e = exp_pattern(eb);
  if (e == (uint64_t)((1 << eb) - 1) && chance(60)) e--;  // keep NaN/inf rarer
  uint64_t bits = (e << fb) | mant_pattern(fb);
  if (chance(45)) bits |= 1ull << (eb + fb);
  return bits;
}

static uint64_t gen_int(int bits, int is_signed) {
  uint64_t v;
  int len = (int)below(bits + 1);
  switch (below(6)) {
    case 0: v = rnd(); break;
    case 1: {  // near a power of two / the type limits
      static const int64_t d[] = {0, 1, -1, 2, -2};
      v = (len >= 64 ? 0 : (1ull << len)) + (uint64_t)d[below(5)];
      break;
    }
    default: v = mant_pattern(64) & (len >= 64 ? ~0ull : ((1ull << len) - 1)); break;
  }
  if (is_signed && chance(50)) v = 0 - v;
  if (bits == 32) v = is_signed ? (uint64_t)(int64_t)(int32_t)v : (uint32_t)v;
  return v;
}

static double as_d(uint64_t x) { double d; memcpy(&d, &x, 8); return d; }
static uint64_t from_d(double d) { uint64_t x; memcpy(&x, &d, 8); return x; }
static float as_s(uint64_t x) { float f; uint32_t u = (uint32_t)x; memcpy(&f, &u, 4); return f; }
static uint64_t from_s(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

// ---------------------------------------------------------------- op table
enum Shape { BIN, FMA, UN, CMP, TOINT, FROMINT };
struct Op {
  const char* name;
  uint64_t (*fn)(uint64_t, uint64_t, uint64_t, unsigned*);
  enum Shape shape;
  enum Kind in, out;  // in: operand kind; out: result kind (for TOINT/FROMINT)
  int uses_rm;
  int count;          // operand tuples (each run in every rounding mode if uses_rm)
};
#define N_ARITH 2400
#define N_FMA 2400
#define N_CVT 1600
#define N_OTHER 1500
static const struct Op kOps[] = {
    {"fadd.s", fadd_s, BIN, S, S, 1, N_ARITH},     {"fsub.s", fsub_s, BIN, S, S, 1, N_ARITH},
    {"fmul.s", fmul_s, BIN, S, S, 1, N_ARITH},     {"fdiv.s", fdiv_s, BIN, S, S, 1, N_ARITH},
    {"fsqrt.s", fsqrt_s, UN, S, S, 1, N_ARITH},    {"fmin.s", fmin_s, BIN, S, S, 0, N_OTHER},
    {"fmax.s", fmax_s, BIN, S, S, 0, N_OTHER},     {"fmadd.s", fmadd_s, FMA, S, S, 1, N_FMA},
    {"fmsub.s", fmsub_s, FMA, S, S, 1, N_FMA},     {"fnmsub.s", fnmsub_s, FMA, S, S, 1, N_FMA},
    {"fnmadd.s", fnmadd_s, FMA, S, S, 1, N_FMA},   {"feq.s", feq_s, CMP, S, L, 0, N_OTHER},
    {"flt.s", flt_s, CMP, S, L, 0, N_OTHER},       {"fle.s", fle_s, CMP, S, L, 0, N_OTHER},
    {"fclass.s", fclass_s, TOINT, S, L, 0, N_OTHER},
    {"fcvt.w.s", fcvt_w_s, TOINT, S, W, 1, N_CVT}, {"fcvt.wu.s", fcvt_wu_s, TOINT, S, WU, 1, N_CVT},
    {"fcvt.l.s", fcvt_l_s, TOINT, S, L, 1, N_CVT}, {"fcvt.lu.s", fcvt_lu_s, TOINT, S, LU, 1, N_CVT},
    {"fcvt.s.w", fcvt_s_w, FROMINT, W, S, 1, N_CVT}, {"fcvt.s.wu", fcvt_s_wu, FROMINT, WU, S, 1, N_CVT},
    {"fcvt.s.l", fcvt_s_l, FROMINT, L, S, 1, N_CVT}, {"fcvt.s.lu", fcvt_s_lu, FROMINT, LU, S, 1, N_CVT},
    {"fadd.d", fadd_d, BIN, D, D, 1, N_ARITH},     {"fsub.d", fsub_d, BIN, D, D, 1, N_ARITH},
    {"fmul.d", fmul_d, BIN, D, D, 1, N_ARITH},     {"fdiv.d", fdiv_d, BIN, D, D, 1, N_ARITH},
    {"fsqrt.d", fsqrt_d, UN, D, D, 1, N_ARITH},    {"fmin.d", fmin_d, BIN, D, D, 0, N_OTHER},
    {"fmax.d", fmax_d, BIN, D, D, 0, N_OTHER},     {"fmadd.d", fmadd_d, FMA, D, D, 1, N_FMA},
    {"fmsub.d", fmsub_d, FMA, D, D, 1, N_FMA},     {"fnmsub.d", fnmsub_d, FMA, D, D, 1, N_FMA},
    {"fnmadd.d", fnmadd_d, FMA, D, D, 1, N_FMA},   {"feq.d", feq_d, CMP, D, L, 0, N_OTHER},
    {"flt.d", flt_d, CMP, D, L, 0, N_OTHER},       {"fle.d", fle_d, CMP, D, L, 0, N_OTHER},
    {"fclass.d", fclass_d, TOINT, D, L, 0, N_OTHER},
    {"fcvt.w.d", fcvt_w_d, TOINT, D, W, 1, N_CVT}, {"fcvt.wu.d", fcvt_wu_d, TOINT, D, WU, 1, N_CVT},
    {"fcvt.l.d", fcvt_l_d, TOINT, D, L, 1, N_CVT}, {"fcvt.lu.d", fcvt_lu_d, TOINT, D, LU, 1, N_CVT},
    {"fcvt.d.w", fcvt_d_w, FROMINT, W, D, 0, N_OTHER}, {"fcvt.d.wu", fcvt_d_wu, FROMINT, WU, D, 0, N_OTHER},
    {"fcvt.d.l", fcvt_d_l, FROMINT, L, D, 1, N_CVT}, {"fcvt.d.lu", fcvt_d_lu, FROMINT, LU, D, 1, N_CVT},
    {"fcvt.d.s", fcvt_d_s, UN, S, D, 0, N_OTHER},  {"fcvt.s.d", fcvt_s_d, UN, D, S, 1, N_CVT},
};

// Operands for one tuple; correlations make the interesting cases common:
// cancellation, exact quotients and roots, products near the exponent limits,
// fma addends that nearly cancel the product.
static void gen_operands(const struct Op* op, uint64_t v[3]) {
  int d = op->in == D;
  if (op->shape == FROMINT) {
    v[0] = gen_int(op->in == W || op->in == WU ? 32 : 64, op->in == W || op->in == L);
    return;
  }
  int fb = d ? 52 : 23;
  v[0] = gen_float(d), v[1] = gen_float(d), v[2] = gen_float(d);
  int r = (int)below(100);
  if (op->shape == TOINT && r < 50) {
    // integer-ish magnitudes: exponent within the target range (+/- a few)
    int ob = (op->out == W || op->out == WU) ? 32 : 64;
    uint64_t bias = d ? 1023 : 127;
    uint64_t e = bias - 2 + below(ob + 4);
    v[0] = (e << fb) | mant_pattern(fb) | (chance(40) ? (1ull << (fb + (d ? 11 : 8))) : 0);
  } else if ((op->shape == BIN || op->shape == CMP) && r < 25) {
    // b close to +-a
    uint64_t delta = below(5);
    v[1] = v[0] + (chance(50) ? delta : -delta);
    if (chance(50)) v[1] ^= 1ull << (d ? 63 : 31);
  } else if (op->shape == BIN && r < 40) {
    // b's exponent chosen relative to a's (near-limit products/quotients, near-ulp sums)
    uint64_t emask = d ? 0x7ff : 0xff, bias = emask >> 1;
    int64_t ea = (int64_t)((v[0] >> fb) & emask);
    int64_t target = chance(50) ? (int64_t)(2 * bias) - ea + (int64_t)below(9) - 4
                                : ea - (int64_t)below(d ? 60 : 30);
    if (chance(30)) target = (int64_t)below(2 * bias);
    if (target < 0) target = 0;
    if (target >= (int64_t)emask) target = emask - 1;
    v[1] = (v[1] & ~(emask << fb)) | ((uint64_t)target << fb);
  } else if (op->shape == BIN && r < 50 && strncmp(op->name, "fdiv", 4) == 0) {
    // exact quotient: a = b * q with a short q
    if (d) v[0] = from_d(as_d(v[1]) * (double)(int)(below(4096) - 2048));
    else v[0] = from_s(as_s(v[1]) * (float)(int)(below(256) - 128));
  } else if (op->shape == UN && r < 30 && strncmp(op->name, "fsqrt", 5) == 0) {
    // exact squares and near-squares
    uint64_t x = v[0] & ~(1ull << (d ? 63 : 31));
    x &= ~((1ull << (fb / 2)) - 1);
    if (d) v[0] = from_d(as_d(x) * as_d(x)) + below(3) - 1;
    else v[0] = (uint32_t)(from_s(as_s(x) * as_s(x)) + below(3) - 1);
  } else if (op->shape == FMA && r < 40) {
    // c ~= -(a*b): heavy cancellation; or c tiny / c huge relative to a*b
    if (d) {
      uint64_t p = from_d(as_d(v[0]) * as_d(v[1]));
      if (r < 25) v[2] = (p ^ (chance(70) ? 0x8000000000000000ull : 0)) + below(5) - 2;
      else v[2] = (v[2] & 0x800fffffffffffffull) |
                  ((uint64_t)(((p >> 52) & 0x7ff) + below(130) - 65) & 0x7ff) << 52;
    } else {
      uint64_t p = from_s(as_s(v[0]) * as_s(v[1]));
      if (r < 25) v[2] = (uint32_t)((p ^ (chance(70) ? 0x80000000u : 0)) + below(5) - 2);
      else v[2] = (v[2] & 0x807fffffu) | ((uint64_t)(((p >> 23) & 0xff) + below(60) - 30) & 0xff) << 23;
    }
  } else if (op->shape == FMA && !d && r < 50) {
    // binary32 double-rounding traps: a*b = 2^k (1 - 2w^2 2^-47) lands just off a
    // midpoint of c, where a binary64 intermediate would round onto the midpoint.
    uint64_t w = 1 + below(1024), ex = 100 + below(51), ey = 100 + below(51);
    uint64_t k = ex + ey - 253 + 151;  // biased exponent of c with ulp(c)/2 = 2^k
    v[0] = (below(2) << 31) | (ex << 23) | ((0x1000000 - 2 * w) & 0x7fffff);
    v[1] = (below(2) << 31) | (ey << 23) | w;
    v[2] = (below(2) << 31) | (k << 23) | (mant_pattern(23) | below(2));
  } else if (op->shape == FMA && r < 55) {
    // product near the exponent limits
    uint64_t emask = d ? 0x7ff : 0xff, bias = emask >> 1;
    int64_t ea = (int64_t)((v[0] >> fb) & emask);
    int64_t target = (int64_t)(chance(50) ? 2 * bias : bias - fb) - ea + (int64_t)below(9) - 4;
    if (target < 0) target = 0;
    if (target >= (int64_t)emask) target = emask - 1;
    v[1] = (v[1] & ~(emask << fb)) | ((uint64_t)target << fb);
  }
}

static void print_val(enum Kind k, uint64_t x) {
  if (k == S) printf(" %08llx", (unsigned long long)(uint32_t)x);
  else printf(" %016llx", (unsigned long long)x);
}

int main(int argc, char** argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;  // multiplies every count
  for (size_t i = 0; i < NELEM(kOps); ++i) {
    const struct Op* op = &kOps[i];
    int nin = op->shape == BIN || op->shape == CMP ? 2 : op->shape == FMA ? 3 : 1;
    if (strcmp(op->name, "fclass.s") == 0 || strcmp(op->name, "fclass.d") == 0) nin = 1;
    enum Kind rk = (op->shape == CMP || op->shape == TOINT) ? L : op->out;
    enum Kind ik = op->in;
    if (ik == W || ik == WU || ik == LU) ik = L;  // integer operands print as 64-bit
    int nedge = op->in == D ? (int)NELEM(kEdge64) : op->in == S ? (int)NELEM(kEdge32) : 0;
    long count = (long)op->count * scale;
    for (long t = 0; t < count; ++t) {
      uint64_t v[3];
      gen_operands(op, v);
      // The first tuples walk the edge list exhaustively for unary ops and as
      // (edge[i], edge[j]) pairs for the others.
      if (t < nedge && nin == 1) {
        v[0] = op->in == D ? kEdge64[t] : kEdge32[t];
      } else if (t < (long)nedge * nedge && nin >= 2 && t < count / 2) {
        const uint64_t* e64 = kEdge64;
        const uint32_t* e32 = kEdge32;
        v[0] = op->in == D ? e64[t / nedge] : e32[t / nedge];
        v[1] = op->in == D ? e64[t % nedge] : e32[t % nedge];
      }
      for (int rm = 0; rm < (op->uses_rm ? 5 : 1); ++rm) {
        unsigned fl;
        asm volatile("fsrm %0" ::"r"(rm));
        uint64_t res = op->fn(v[0], v[1], v[2], &fl);
        printf("%s %d", op->name, rm);
        for (int k = 0; k < nin; ++k) print_val(ik, v[k]);
        printf(" ->");
        print_val(rk, res);
        printf(" %02x\n", fl);
      }
    }
  }
  return 0;
}
