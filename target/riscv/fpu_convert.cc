// RISC-V F/D comparisons, min/max, fclass and conversions (fcvt.*).
#include <limits>
#include <type_traits>

#include "target/riscv/fpu.h"
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
I to_int(typename F::Bits a, Rm rm, uint32_t& flags) {
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
typename F::Bits from_int(I v, Rm rm, uint32_t& flags) {
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

}  // namespace

uint32_t f32_min(uint32_t a, uint32_t b, uint32_t& flags) { return min_max<F32>(a, b, false, flags); }
uint32_t f32_max(uint32_t a, uint32_t b, uint32_t& flags) { return min_max<F32>(a, b, true, flags); }
bool f32_eq(uint32_t a, uint32_t b, uint32_t& flags) { return eq<F32>(a, b, flags); }
bool f32_lt(uint32_t a, uint32_t b, uint32_t& flags) { return lt<F32>(a, b, flags); }
bool f32_le(uint32_t a, uint32_t b, uint32_t& flags) { return le<F32>(a, b, flags); }
uint32_t f32_classify(uint32_t a) { return classify<F32>(a); }
int32_t f32_to_i32(uint32_t a, Rm rm, uint32_t& flags) { return to_int<F32, int32_t>(a, rm, flags); }
uint32_t f32_to_u32(uint32_t a, Rm rm, uint32_t& flags) { return to_int<F32, uint32_t>(a, rm, flags); }
int64_t f32_to_i64(uint32_t a, Rm rm, uint32_t& flags) { return to_int<F32, int64_t>(a, rm, flags); }
uint64_t f32_to_u64(uint32_t a, Rm rm, uint32_t& flags) { return to_int<F32, uint64_t>(a, rm, flags); }
uint32_t i32_to_f32(int32_t v, Rm rm, uint32_t& flags) { return from_int<F32>(v, rm, flags); }
uint32_t u32_to_f32(uint32_t v, Rm rm, uint32_t& flags) { return from_int<F32>(v, rm, flags); }
uint32_t i64_to_f32(int64_t v, Rm rm, uint32_t& flags) { return from_int<F32>(v, rm, flags); }
uint32_t u64_to_f32(uint64_t v, Rm rm, uint32_t& flags) { return from_int<F32>(v, rm, flags); }

uint64_t f64_min(uint64_t a, uint64_t b, uint32_t& flags) { return min_max<F64>(a, b, false, flags); }
uint64_t f64_max(uint64_t a, uint64_t b, uint32_t& flags) { return min_max<F64>(a, b, true, flags); }
bool f64_eq(uint64_t a, uint64_t b, uint32_t& flags) { return eq<F64>(a, b, flags); }
bool f64_lt(uint64_t a, uint64_t b, uint32_t& flags) { return lt<F64>(a, b, flags); }
bool f64_le(uint64_t a, uint64_t b, uint32_t& flags) { return le<F64>(a, b, flags); }
uint32_t f64_classify(uint64_t a) { return classify<F64>(a); }
int32_t f64_to_i32(uint64_t a, Rm rm, uint32_t& flags) { return to_int<F64, int32_t>(a, rm, flags); }
uint32_t f64_to_u32(uint64_t a, Rm rm, uint32_t& flags) { return to_int<F64, uint32_t>(a, rm, flags); }
int64_t f64_to_i64(uint64_t a, Rm rm, uint32_t& flags) { return to_int<F64, int64_t>(a, rm, flags); }
uint64_t f64_to_u64(uint64_t a, Rm rm, uint32_t& flags) { return to_int<F64, uint64_t>(a, rm, flags); }
uint64_t i32_to_f64(int32_t v, Rm rm, uint32_t& flags) { return from_int<F64>(v, rm, flags); }
uint64_t u32_to_f64(uint32_t v, Rm rm, uint32_t& flags) { return from_int<F64>(v, rm, flags); }
uint64_t i64_to_f64(int64_t v, Rm rm, uint32_t& flags) { return from_int<F64>(v, rm, flags); }
uint64_t u64_to_f64(uint64_t v, Rm rm, uint32_t& flags) { return from_int<F64>(v, rm, flags); }

uint64_t f32_to_f64(uint32_t a, uint32_t& flags) {
  bool sign = sign_of<F32>(a);
  uint64_t s = sign ? F64::kSign : 0;
  if (is_special<F32>(a)) [[unlikely]] {
    if (is_nan<F32>(a)) {
      if (is_snan<F32>(a)) flags |= kNV;
      return kCanonicalNaN64;
    }
    return s | F64::kInf;
  }
  if (is_zero<F32>(a)) return s;
  Unpacked u = unpack<F32>(a);  // exact in binary64
  return s | (uint64_t(u.exp + F64::kBias) << 52) | ((u.mant << 29) & F64::kFracMask);
}

uint32_t f64_to_f32(uint64_t a, Rm rm, uint32_t& flags) {
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
