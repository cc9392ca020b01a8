// RISC-V F/D comparisons, min/max, fclass and conversions (fcvt.*).
#if defined(__clang__)  // no fused a*b+c in the fast paths; see fpu.cc
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <limits>
#include <type_traits>

#include "target/riscv/fpu.h"
#include "target/riscv/fpu_host.h"
#include "target/riscv/fpu_impl.h"

namespace rwd::fpu {
namespace {

using namespace impl;

// ---- min / max / compare / classify ----

// a < b for non-NaN values, ordering -0 below +0.
template <class F>
bool less_total(typename F::Bits a, typename F::Bits b) {
  bool sa = sign_of<F>(a), sb = sign_of<F>(b);
  if (sa != sb) return sa;
  return sa ? a > b : a < b;
}

template <class F>
typename F::Bits min_max(typename F::Bits a, typename F::Bits b, bool want_max, uint32_t& flags) {
  bool na = is_nan<F>(a), nb = is_nan<F>(b);
  if (na || nb) [[unlikely]] {
    if (is_snan<F>(a) || is_snan<F>(b)) flags |= kNV;
    if (na && nb) return F::kCanonicalNaN;
    return na ? b : a;
  }
  return less_total<F>(a, b) != want_max ? a : b;
}

template <class F>
bool eq(typename F::Bits a, typename F::Bits b, uint32_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) [[unlikely]] {
    if (is_snan<F>(a) || is_snan<F>(b)) flags |= kNV;
    return false;
  }
  return a == b || ((a | b) & ~F::kSign) == 0;
}

template <class F>
bool lt(typename F::Bits a, typename F::Bits b, uint32_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) [[unlikely]] {
    flags |= kNV;
    return false;
  }
  if (((a | b) & ~F::kSign) == 0) return false;
  return less_total<F>(a, b);
}

template <class F>
bool le(typename F::Bits a, typename F::Bits b, uint32_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) [[unlikely]] {
    flags |= kNV;
    return false;
  }
  if (((a | b) & ~F::kSign) == 0) return true;
  return a == b || less_total<F>(a, b);
}

template <class F>
uint32_t classify(typename F::Bits a) {
  bool s = sign_of<F>(a);
  typename F::Bits mag = a & ~F::kSign;
  if (mag == F::kInf) return s ? 1u << 0 : 1u << 7;
  if (mag > F::kInf) return (a & F::kQuiet) ? 1u << 9 : 1u << 8;
  if (mag == 0) return s ? 1u << 3 : 1u << 4;
  if (mag <= F::kFracMask) return s ? 1u << 2 : 1u << 5;
  return s ? 1u << 1 : 1u << 6;
}

// ---- float -> integer ----

// Rounds to an integer of type I; out-of-range and NaN inputs saturate and
// raise only NV (NaN and +inf give the maximum).
template <class F, class I>
[[gnu::noinline]] I to_int(typename F::Bits a, Rm rm, uint32_t& flags) {
  using L = std::numeric_limits<I>;
  constexpr int P = F::kPrec;
  bool sign = sign_of<F>(a);
  if (is_special<F>(a)) [[unlikely]] {
    flags |= kNV;
    return (is_nan<F>(a) || !sign) ? L::max() : L::min();
  }
  if (is_zero<F>(a)) return 0;
  Unpacked u = unpack<F>(a);
  uint64_t mag, rest = 0;
  if (u.exp >= 64) {
    flags |= kNV;
    return sign ? L::min() : L::max();
  }
  int sh = (P - 1) - u.exp;
  if (sh <= 0) {
    mag = u.mant << -sh;
  } else if (sh < 64) {
    mag = u.mant >> sh;
    rest = u.mant << (64 - sh);
  } else {
    mag = 0;
    rest = sh == 64 ? u.mant : 1;
  }
  if (rest && round_up(rm, sign, mag & 1, rest)) ++mag;  // mag < 2^53 here: no wrap
  if constexpr (std::is_signed_v<I>) {
    uint64_t limit = uint64_t(L::max()) + sign;
    if (mag > limit) {
      flags |= kNV;
      return sign ? L::min() : L::max();
    }
    if (rest) flags |= kNX;
    return sign ? I(0 - mag) : I(mag);
  } else {
    if (sign && mag != 0) {
      flags |= kNV;
      return 0;
    }
    if (mag > uint64_t(L::max())) {
      flags |= kNV;
      return L::max();
    }
    if (rest) flags |= kNX;
    return I(mag);
  }
}

// ---- integer -> float ----

template <class F, class I>
[[gnu::noinline]] typename F::Bits from_int(I v, Rm rm, uint32_t& flags) {
  if (v == 0) return 0;
  bool sign = false;
  uint64_t mag = uint64_t(v);
  if constexpr (std::is_signed_v<I>) {
    if (v < 0) {
      sign = true;
      mag = 0 - uint64_t(int64_t(v));
    }
  }
  return round_pack<F>(sign, 0, mag, rm, flags);
}

// ---- host fast paths ----

// Float to integer for |x| well inside the target range (and x >= 0 for
// unsigned targets): truncate on the host, then round from the exact fraction.
template <class I>
inline bool to_int_fast(double x, Rm rm, uint32_t& flags, I& out) {
  constexpr double kLim = sizeof(I) == 4 ? 0x1p31 : 0x1p52;
  constexpr double kLow = std::is_signed_v<I> ? -kLim : 0.0;
  if (!(x >= kLow && x < kLim)) [[unlikely]] return false;  // also NaN
  int64_t t = int64_t(x);
  double frac = x - double(t);  // exact
  flags |= uint32_t(frac != 0);  // kNX
  int64_t up = frac > 0 ? 1 : -1;  // step away from t toward x
  switch (rm) {
    case Rm::RNE:
      if (frac > 0.5 || frac < -0.5 || ((frac == 0.5 || frac == -0.5) && (t & 1))) t += up;
      break;
    case Rm::RMM:
      if (frac >= 0.5 || frac <= -0.5) t += up;
      break;
    case Rm::RTZ: break;
    case Rm::RDN: t -= frac < 0; break;
    case Rm::RUP: t += frac > 0; break;
  }
  if constexpr (std::is_signed_v<I> && sizeof(I) == 4) {
    if (t > std::numeric_limits<I>::max()) return false;  // 2^31 - 0.5 rounding up
  }
  if constexpr (std::is_unsigned_v<I> && sizeof(I) == 4) {
    if (t > int64_t(std::numeric_limits<I>::max())) return false;
  }
  out = I(t);
  return true;
}

template <class F, class I>
inline I to_int_entry(typename F::Bits a, Rm rm, uint32_t& flags) {
  double x;
  if constexpr (sizeof(typename F::Bits) == 4) x = host::wide32(a);
  else x = host::d_of(a);
  I out;
  uint32_t fl = 0;
  if (to_int_fast<I>(x, rm, fl, out)) [[likely]] {
    flags |= fl;
    return out;
  }
  return to_int<F, I>(a, rm, flags);
}

}  // namespace

uint32_t f32_min(uint32_t a, uint32_t b, uint32_t& flags) { return min_max<F32>(a, b, false, flags); }
uint32_t f32_max(uint32_t a, uint32_t b, uint32_t& flags) { return min_max<F32>(a, b, true, flags); }
bool f32_eq(uint32_t a, uint32_t b, uint32_t& flags) { return eq<F32>(a, b, flags); }
bool f32_lt(uint32_t a, uint32_t b, uint32_t& flags) { return lt<F32>(a, b, flags); }
bool f32_le(uint32_t a, uint32_t b, uint32_t& flags) { return le<F32>(a, b, flags); }
uint32_t f32_classify(uint32_t a) { return classify<F32>(a); }
int32_t f32_to_i32(uint32_t a, Rm rm, uint32_t& flags) { return to_int_entry<F32, int32_t>(a, rm, flags); }
uint32_t f32_to_u32(uint32_t a, Rm rm, uint32_t& flags) { return to_int_entry<F32, uint32_t>(a, rm, flags); }
int64_t f32_to_i64(uint32_t a, Rm rm, uint32_t& flags) { return to_int_entry<F32, int64_t>(a, rm, flags); }
uint64_t f32_to_u64(uint32_t a, Rm rm, uint32_t& flags) { return to_int_entry<F32, uint64_t>(a, rm, flags); }

// Integers of at most 24 (binary32) or 53 (binary64) bits convert exactly.
uint32_t i32_to_f32(int32_t v, Rm rm, uint32_t& flags) {
  if (uint32_t(v) + (1u << 24) <= (1u << 25)) return host::bits_of(float(v));
  return from_int<F32>(v, rm, flags);
}
uint32_t u32_to_f32(uint32_t v, Rm rm, uint32_t& flags) {
  if (v <= (1u << 24)) return host::bits_of(float(v));
  return from_int<F32>(v, rm, flags);
}
uint32_t i64_to_f32(int64_t v, Rm rm, uint32_t& flags) {
  if (uint64_t(v) + (1u << 24) <= (1u << 25)) return host::bits_of(float(v));
  return from_int<F32>(v, rm, flags);
}
uint32_t u64_to_f32(uint64_t v, Rm rm, uint32_t& flags) {
  if (v <= (1u << 24)) return host::bits_of(float(v));
  return from_int<F32>(v, rm, flags);
}

uint64_t f64_min(uint64_t a, uint64_t b, uint32_t& flags) { return min_max<F64>(a, b, false, flags); }
uint64_t f64_max(uint64_t a, uint64_t b, uint32_t& flags) { return min_max<F64>(a, b, true, flags); }
bool f64_eq(uint64_t a, uint64_t b, uint32_t& flags) { return eq<F64>(a, b, flags); }
bool f64_lt(uint64_t a, uint64_t b, uint32_t& flags) { return lt<F64>(a, b, flags); }
bool f64_le(uint64_t a, uint64_t b, uint32_t& flags) { return le<F64>(a, b, flags); }
uint32_t f64_classify(uint64_t a) { return classify<F64>(a); }
int32_t f64_to_i32(uint64_t a, Rm rm, uint32_t& flags) { return to_int_entry<F64, int32_t>(a, rm, flags); }
uint32_t f64_to_u32(uint64_t a, Rm rm, uint32_t& flags) { return to_int_entry<F64, uint32_t>(a, rm, flags); }
int64_t f64_to_i64(uint64_t a, Rm rm, uint32_t& flags) { return to_int_entry<F64, int64_t>(a, rm, flags); }
uint64_t f64_to_u64(uint64_t a, Rm rm, uint32_t& flags) { return to_int_entry<F64, uint64_t>(a, rm, flags); }
uint64_t i32_to_f64(int32_t v, Rm, uint32_t&) { return host::bits_of(double(v)); }  // always exact
uint64_t u32_to_f64(uint32_t v, Rm, uint32_t&) { return host::bits_of(double(v)); }
uint64_t i64_to_f64(int64_t v, Rm rm, uint32_t& flags) {
  if (uint64_t(v) + (uint64_t(1) << 53) <= (uint64_t(1) << 54)) return host::bits_of(double(v));
  return from_int<F64>(v, rm, flags);
}
uint64_t u64_to_f64(uint64_t v, Rm rm, uint32_t& flags) {
  if (v <= (uint64_t(1) << 53)) return host::bits_of(double(v));
  return from_int<F64>(v, rm, flags);
}

uint64_t f32_to_f64(uint32_t a, uint32_t& flags) {
  if (is_nan<F32>(a)) [[unlikely]] {
    if (is_snan<F32>(a)) flags |= kNV;
    return kCanonicalNaN64;
  }
  return host::bits_of(host::wide32(a));  // exact, subnormals included
}

uint32_t f64_to_f32(uint64_t a, Rm rm, uint32_t& flags) {
  uint32_t out;
  if (host::f32_finish(host::d_of(a), 0, rm, flags, out)) [[likely]] return out;
  bool sign = sign_of<F64>(a);
  uint32_t s = sign ? F32::kSign : 0;
  if (is_special<F64>(a)) [[unlikely]] {
    if (is_nan<F64>(a)) {
      if (is_snan<F64>(a)) flags |= kNV;
      return kCanonicalNaN32;
    }
    return s | F32::kInf;
  }
  if (is_zero<F64>(a)) return s;
  Unpacked u = unpack<F64>(a);
  return round_pack<F32>(sign, u.exp - 52, u.mant, rm, flags);
}

}  // namespace rwd::fpu
