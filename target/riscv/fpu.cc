// RISC-V F/D arithmetic: add, sub, mul, div, sqrt and fused multiply-add.
// Each operation tries a host-FP fast path (fpu_host.h) and falls back to the
// exact integer soft-float (fpu_impl.h) for special, tiny or huge values.

// The error-free transforms must be evaluated exactly as written: never let the
// compiler fuse a*b+c (GCC does under -std=gnu++* when FMA is enabled).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <cmath>
#include <utility>

#include "target/riscv/fpu.h"
#include "target/riscv/fpu_host.h"
#include "target/riscv/fpu_impl.h"

namespace rwd::fpu {
namespace {

using namespace impl;

template <class F>
typename F::Bits nan_result(bool signaling, uint32_t& flags) {
  if (signaling) flags |= kNV;
  return F::kCanonicalNaN;
}

template <class F>
[[gnu::noinline]] typename F::Bits add(typename F::Bits a, typename F::Bits b, Rm rm, uint32_t& flags) {
  using U = typename F::Bits;
  constexpr int P = F::kPrec;
  if (is_special<F>(a) || is_special<F>(b)) [[unlikely]] {
    if (is_nan<F>(a) || is_nan<F>(b)) return nan_result<F>(is_snan<F>(a) || is_snan<F>(b), flags);
    if (is_inf<F>(a) && is_inf<F>(b) && a != b) return nan_result<F>(true, flags);
    return is_inf<F>(a) ? a : b;
  }
  U abs_a = a & ~F::kSign, abs_b = b & ~F::kSign;
  if (abs_a < abs_b) {
    std::swap(a, b);
    std::swap(abs_a, abs_b);
  }
  if (abs_b == 0) [[unlikely]] {
    if (abs_a != 0) return a;
    if (a == b) return a;                    // same-signed zeros
    return rm == Rm::RDN ? F::kSign : U(0);  // +0 + -0
  }
  bool sa = sign_of<F>(a), sb = sign_of<F>(b);
  Unpacked ua = unpack<F>(a), ub = unpack<F>(b);
  // Leading one at bit 61: room for a carry and >= 9 guard bits.
  uint64_t ma = ua.mant << (62 - P);
  uint64_t mb = shift_right_jam(ub.mant << (62 - P), ua.exp - ub.exp);
  uint64_t sum;
  if (sa == sb) {
    sum = ma + mb;
  } else {
    sum = ma - mb;
    if (sum == 0) return rm == Rm::RDN ? F::kSign : U(0);
  }
  return round_pack<F>(sa, ua.exp - 61, sum, rm, flags);
}

template <class F>
[[gnu::noinline]] typename F::Bits mul(typename F::Bits a, typename F::Bits b, Rm rm, uint32_t& flags) {
  using U = typename F::Bits;
  constexpr int P = F::kPrec;
  bool sign = sign_of<F>(a) != sign_of<F>(b);
  U s = sign ? F::kSign : 0;
  if (is_special<F>(a) || is_special<F>(b)) [[unlikely]] {
    if (is_nan<F>(a) || is_nan<F>(b)) return nan_result<F>(is_snan<F>(a) || is_snan<F>(b), flags);
    if (is_zero<F>(a) || is_zero<F>(b)) return nan_result<F>(true, flags);  // inf * 0
    return s | F::kInf;
  }
  if (is_zero<F>(a) || is_zero<F>(b)) return s;
  Unpacked ua = unpack<F>(a), ub = unpack<F>(b);
  int exp2 = ua.exp + ub.exp - 2 * (P - 1);
  if constexpr (P <= 32) {
    return round_pack<F>(sign, exp2, ua.mant * ub.mant, rm, flags);  // exact in 64 bits
  } else {
    u128 p = u128(ua.mant) * ub.mant;  // < 2^106
    constexpr int kDrop = 2 * P - 64;
    uint64_t sig = uint64_t(p >> kDrop) | ((uint64_t(p) & ((uint64_t(1) << kDrop) - 1)) != 0);
    return round_pack<F>(sign, exp2 + kDrop, sig, rm, flags);
  }
}

template <class F>
[[gnu::noinline]] typename F::Bits div(typename F::Bits a, typename F::Bits b, Rm rm, uint32_t& flags) {
  using U = typename F::Bits;
  constexpr int P = F::kPrec;
  bool sign = sign_of<F>(a) != sign_of<F>(b);
  U s = sign ? F::kSign : 0;
  if (is_special<F>(a) || is_special<F>(b)) [[unlikely]] {
    if (is_nan<F>(a) || is_nan<F>(b)) return nan_result<F>(is_snan<F>(a) || is_snan<F>(b), flags);
    if (is_inf<F>(a)) return is_inf<F>(b) ? nan_result<F>(true, flags) : (s | F::kInf);
    return s;  // finite / inf
  }
  if (is_zero<F>(b)) [[unlikely]] {
    if (is_zero<F>(a)) return nan_result<F>(true, flags);
    flags |= kDZ;
    return s | F::kInf;
  }
  if (is_zero<F>(a)) return s;
  Unpacked ua = unpack<F>(a), ub = unpack<F>(b);
  // quotient of mantissas in (1/2, 2): scale the dividend so the integer
  // quotient has >= 62 bits, the remainder becomes the sticky bit.
  constexpr int kScale = 62;
  uint64_t q;
  bool inexact;
  if constexpr (P <= 32) {
    uint64_t n = ua.mant << (kScale - P + 1);  // < 2^63
    q = n / ub.mant;
    inexact = q * ub.mant != n;
    return round_pack<F>(sign, ua.exp - ub.exp - (kScale - P + 1), q | inexact, rm, flags);
  } else {
#if defined(__x86_64__)
    // 128/64 -> 64 division; the quotient fits since mant_a < 2 * mant_b.
    uint64_t hi = ua.mant >> (64 - kScale), lo = ua.mant << kScale, r;
    asm("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(ub.mant) : "cc");
    inexact = r != 0;
#else
    u128 n = u128(ua.mant) << kScale;
    q = uint64_t(n / ub.mant);
    inexact = u128(q) * ub.mant != n;
#endif
    return round_pack<F>(sign, ua.exp - ub.exp - kScale, q | inexact, rm, flags);
  }
}

template <class F>
[[gnu::noinline]] typename F::Bits sqrt(typename F::Bits a, Rm rm, uint32_t& flags) {
  constexpr int P = F::kPrec;
  if (is_nan<F>(a)) return nan_result<F>(is_snan<F>(a), flags);
  if (is_zero<F>(a)) return a;
  if (sign_of<F>(a)) return nan_result<F>(true, flags);
  if (is_inf<F>(a)) return a;
  Unpacked ua = unpack<F>(a);
  // value = mant * 2^e. Take N = mant << k with e - k even and N of 2P+4 or
  // 2P+5 bits, so isqrt(N) has >= P+2 bits; the remainder is the sticky bit.
  int e = ua.exp - (P - 1);
  int k = P + 4 + ((e - P) & 1);
  double est = std::sqrt(std::ldexp(double(ua.mant), k));  // within a few units
  uint64_t r = uint64_t(est);
  u128 n = u128(ua.mant) << k;
  while (u128(r) * r > n) --r;
  while (u128(r + 1) * (r + 1) <= n) ++r;
  bool inexact = u128(r) * r != n;
  return round_pack<F>(false, (e - k) / 2, r | inexact, rm, flags);
}

template <class F>
[[gnu::noinline]] typename F::Bits muladd(typename F::Bits a, typename F::Bits b, typename F::Bits c, bool neg_prod,
                        bool neg_add, Rm rm, uint32_t& flags) {
  using U = typename F::Bits;
  constexpr int P = F::kPrec;
  bool sp = (sign_of<F>(a) != sign_of<F>(b)) != neg_prod;
  bool sc = sign_of<F>(c) != neg_add;
  if (is_special<F>(a) || is_special<F>(b) || is_special<F>(c)) [[unlikely]] {
    bool inf_zero = (is_inf<F>(a) && is_zero<F>(b)) || (is_zero<F>(a) && is_inf<F>(b));
    if (is_nan<F>(a) || is_nan<F>(b) || is_nan<F>(c))
      return nan_result<F>(inf_zero || is_snan<F>(a) || is_snan<F>(b) || is_snan<F>(c), flags);
    if (inf_zero) return nan_result<F>(true, flags);
    if (is_inf<F>(a) || is_inf<F>(b)) {
      if (is_inf<F>(c) && sc != sp) return nan_result<F>(true, flags);
      return (sp ? F::kSign : 0) | F::kInf;
    }
    return (sc ? F::kSign : 0) | F::kInf;  // finite product + inf
  }
  if (is_zero<F>(a) || is_zero<F>(b)) {
    if (!is_zero<F>(c)) return c ^ (neg_add ? F::kSign : 0);
    if (sp == sc) return sp ? F::kSign : 0;
    return rm == Rm::RDN ? F::kSign : U(0);
  }
  Unpacked ua = unpack<F>(a), ub = unpack<F>(b);
  // Product: leading one at bit 124 or 125 of a 128-bit word.
  constexpr int kProdShift = 126 - 2 * P;
  u128 prod = (u128(ua.mant) * ub.mant) << kProdShift;
  int ep = ua.exp + ub.exp - 2 * (P - 1) - kProdShift;  // exponent of bit 0
  bool sign = sp;
  u128 sum;
  int e;
  if (is_zero<F>(c)) {
    sum = prod;
    e = ep;
  } else {
    Unpacked uc = unpack<F>(c);
    u128 add = u128(uc.mant) << (126 - P);  // leading one at bit 125
    int ec = uc.exp - 125;
    if (ep >= ec) {
      add = shift_right_jam128(add, ep - ec);
      e = ep;
    } else {
      prod = shift_right_jam128(prod, ec - ep);
      e = ec;
    }
    if (sp == sc) {
      sum = prod + add;
    } else if (prod >= add) {
      sum = prod - add;
      if (sum == 0) return rm == Rm::RDN ? F::kSign : U(0);
    } else {
      sum = add - prod;
      sign = sc;
    }
  }
  // Fold to 64 bits with a sticky bit.
  uint64_t hi = uint64_t(sum >> 64), lo = uint64_t(sum);
  if (hi == 0) return round_pack<F>(sign, e, lo, rm, flags);
  int lz = std::countl_zero(hi);
  if (lz != 0) {
    hi = (hi << lz) | (lo >> (64 - lz));
    lo <<= lz;
  }
  return round_pack<F>(sign, e + 64 - lz, hi | (lo != 0), rm, flags);
}

// ---- host fast paths (see fpu_host.h) ----

using namespace host;

#if defined(__x86_64__) && !defined(__FMA__)
#define FPU_FMA_TARGET __attribute__((target("fma")))
bool detect_fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("fma");
}
const bool kHostFma = detect_fma();
#elif defined(__FMA__) || defined(__aarch64__)
#define FPU_FMA_TARGET
constexpr bool kHostFma = true;
#else
#define FPU_FMA_TARGET
constexpr bool kHostFma = false;
#endif

// Exact a + b = s + err (Knuth's TwoSum; valid for any finite s).
inline double two_sum_err(double a, double b, double s) {
  double bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

inline bool f64_add_fast(double x, double y, Rm rm, uint32_t& flags, uint64_t& out) {
  double s = x + y;
  uint64_t sb = bits_of(s);
  if (!f64_in(sb, 1)) return false;
  double err = two_sum_err(x, y, s);
  int dir = sign3(err);
  out = finish<uint64_t>(sb, dir, rm == Rm::RMM && dir && f64_tie(sb, err), false, rm, flags);
  return true;
}

// Products and quotients are kept >= 2^-895 so that their error terms are exact.
FPU_FMA_TARGET bool f64_mul_fast(double x, double y, Rm rm, uint32_t& flags, uint64_t& out) {
  double p = x * y;
  uint64_t pb = bits_of(p);
  if (!f64_in(pb, 0x080)) return false;
  double err = __builtin_fma(x, y, -p);
  int dir = sign3(err);
  out = finish<uint64_t>(pb, dir, rm == Rm::RMM && dir && f64_tie(pb, err), false, rm, flags);
  return true;
}

// Quotients and square roots are never exactly half-way between two floats.
FPU_FMA_TARGET bool f64_div_fast(uint64_t a, uint64_t b, Rm rm, uint32_t& flags, uint64_t& out) {
  double x = d_of(a), y = d_of(b);
  double q = x / y;
  uint64_t qb = bits_of(q);
  if (!f64_in(qb, 2) || !f64_in(a, 0x080)) return false;
  double rem = __builtin_fma(-q, y, x);  // exact
  out = finish<uint64_t>(qb, (b >> 63) ? -sign3(rem) : sign3(rem), false, false, rm, flags);
  return true;
}

FPU_FMA_TARGET bool f64_sqrt_fast(uint64_t a, Rm rm, uint32_t& flags, uint64_t& out) {
  if (a - (uint64_t(0x080) << 52) >= (uint64_t(0x7ff) << 52) - (uint64_t(0x080) << 52)) return false;
  double x = d_of(a);
  double r = __builtin_sqrt(x);
  double rem = __builtin_fma(-r, r, x);  // exact
  out = finish<uint64_t>(bits_of(r), sign3(rem), false, false, rm, flags);
  return true;
}

// Exact error of an fma: x*y + z = r1 + r2 + r3 with |r3| <= ulp(r2)/2
// (Boldo and Muller, "Exact and approximated error of the FMA", 2011).
FPU_FMA_TARGET bool f64_muladd_fast(double x, double y, double z, Rm rm, uint32_t& flags,
                                    uint64_t& out) {
  double r1 = __builtin_fma(x, y, z);
  uint64_t rb = bits_of(r1);
  if (!f64_in(rb, 2)) return false;
  double u1 = x * y;
  if (!f64_in(bits_of(u1), 0x080)) return false;
  double u2 = __builtin_fma(x, y, -u1);
  double a1 = z + u2;
  double a2 = two_sum_err(z, u2, a1);
  double b1 = u1 + a1;
  double b2 = two_sum_err(u1, a1, b1);
  double g = (b1 - r1) + b2;
  double r2 = g + a2;
  double r3 = a2 - (r2 - g);
  int dir = r2 != 0 ? sign3(r2) : sign3(r3);
  bool tie = rm == Rm::RMM && dir && r3 == 0 && f64_tie(rb, r2);
  out = finish<uint64_t>(rb, dir, tie, false, rm, flags);
  return true;
}

// binary32 through binary64: products of two binary32 are exact in binary64,
// sums are made exact with TwoSum, and f32_finish repairs double rounding.
inline double wide(uint32_t a) { return wide32(a); }

}  // namespace

uint32_t f32_add(uint32_t a, uint32_t b, Rm rm, uint32_t& flags) {
  double x = wide(a), y = wide(b), s = x + y;
  uint32_t out;
  if (f32_finish(s, two_sum_err(x, y, s), rm, flags, out)) [[likely]] return out;
  return add<F32>(a, b, rm, flags);
}
uint32_t f32_sub(uint32_t a, uint32_t b, Rm rm, uint32_t& flags) {
  return f32_add(a, b ^ F32::kSign, rm, flags);  // NaN signs do not matter: results are canonical
}
uint32_t f32_mul(uint32_t a, uint32_t b, Rm rm, uint32_t& flags) {
  uint32_t out;
  if (f32_finish(wide(a) * wide(b), 0, rm, flags, out)) [[likely]] return out;
  return mul<F32>(a, b, rm, flags);
}
uint32_t f32_div(uint32_t a, uint32_t b, Rm rm, uint32_t& flags) {
  double x = wide(a), y = wide(b), q = x / y;
  double e = x - q * y;  // exact whenever q has <= 25 significant bits
  uint32_t out;
  if (f32_finish(q, (b >> 31) ? -e : e, rm, flags, out)) [[likely]] return out;
  return div<F32>(a, b, rm, flags);
}
uint32_t f32_sqrt(uint32_t a, Rm rm, uint32_t& flags) {
  uint32_t out;
  if (a - 1 < 0x7f800000u - 1) [[likely]] {  // positive, finite, nonzero
    double x = wide(a), r = __builtin_sqrt(x);
    if (f32_finish(r, x - r * r, rm, flags, out)) return out;
  }
  return sqrt<F32>(a, rm, flags);
}
uint32_t f32_muladd(uint32_t a, uint32_t b, uint32_t c, bool negate_product, bool negate_addend,
                    Rm rm, uint32_t& flags) {
  double p = wide(a ^ (negate_product ? F32::kSign : 0)) * wide(b);  // exact
  double z = wide(c ^ (negate_addend ? F32::kSign : 0));
  double s = p + z;
  uint32_t out;
  if (f32_finish(s, two_sum_err(p, z, s), rm, flags, out)) [[likely]] return out;
  return muladd<F32>(a, b, c, negate_product, negate_addend, rm, flags);
}

uint64_t f64_add(uint64_t a, uint64_t b, Rm rm, uint32_t& flags) {
  uint64_t out;
  if (f64_add_fast(d_of(a), d_of(b), rm, flags, out)) [[likely]] return out;
  return add<F64>(a, b, rm, flags);
}
uint64_t f64_sub(uint64_t a, uint64_t b, Rm rm, uint32_t& flags) {
  return f64_add(a, b ^ F64::kSign, rm, flags);
}
uint64_t f64_mul(uint64_t a, uint64_t b, Rm rm, uint32_t& flags) {
  uint64_t out;
  if (kHostFma && f64_mul_fast(d_of(a), d_of(b), rm, flags, out)) [[likely]] return out;
  return mul<F64>(a, b, rm, flags);
}
uint64_t f64_div(uint64_t a, uint64_t b, Rm rm, uint32_t& flags) {
  uint64_t out;
  if (kHostFma && f64_div_fast(a, b, rm, flags, out)) [[likely]] return out;
  return div<F64>(a, b, rm, flags);
}
uint64_t f64_sqrt(uint64_t a, Rm rm, uint32_t& flags) {
  uint64_t out;
  if (kHostFma && f64_sqrt_fast(a, rm, flags, out)) [[likely]] return out;
  return sqrt<F64>(a, rm, flags);
}
uint64_t f64_muladd(uint64_t a, uint64_t b, uint64_t c, bool negate_product, bool negate_addend,
                    Rm rm, uint32_t& flags) {
  uint64_t out;
  if (kHostFma && f64_muladd_fast(d_of(a ^ (negate_product ? F64::kSign : 0)), d_of(b),
                                  d_of(c ^ (negate_addend ? F64::kSign : 0)), rm, flags, out))
      [[likely]]
    return out;
  return muladd<F64>(a, b, c, negate_product, negate_addend, rm, flags);
}

}  // namespace rwd::fpu
