// Private to fpu*.cc: the format description and the integer soft-float core
// (unpacking, rounding and packing) shared by the arithmetic and conversion files.
//
// Numbers are handled as sign, exponent and an integer significand; every
// operation forms its exact result, or a truncation of it whose lowest bit is a
// "sticky" bit standing for everything cut off, and rounds exactly once in
// round_pack().
#pragma once
#include <bit>
#include <cstdint>

#include "target/riscv/fpu.h"

namespace rwd::fpu::impl {

using u128 = unsigned __int128;

template <typename U, int kExpBitsV, int kFracBitsV>
struct Format {
  using Bits = U;
  static constexpr int kWidth = sizeof(U) * 8;
  static constexpr int kFracBits = kFracBitsV;
  static constexpr int kPrec = kFracBits + 1;  // significand bits incl. hidden one
  static constexpr int kBias = (1 << (kExpBitsV - 1)) - 1;
  static constexpr int kExpInf = (1 << kExpBitsV) - 1;  // biased exponent of inf/NaN
  static constexpr U kSign = U(1) << (kWidth - 1);
  static constexpr U kFracMask = (U(1) << kFracBits) - 1;
  static constexpr U kInf = U(kExpInf) << kFracBits;
  static constexpr U kQuiet = U(1) << (kFracBits - 1);
  static constexpr U kCanonicalNaN = kInf | kQuiet;
  static constexpr U kMaxFinite = kInf - 1;
};
using F32 = Format<uint32_t, 8, 23>;
using F64 = Format<uint64_t, 11, 52>;
static_assert(F32::kCanonicalNaN == kCanonicalNaN32);
static_assert(F64::kCanonicalNaN == kCanonicalNaN64);

template <class F> constexpr bool is_nan(typename F::Bits a) { return (a & ~F::kSign) > F::kInf; }
template <class F> constexpr bool is_snan(typename F::Bits a) {
  return is_nan<F>(a) && !(a & F::kQuiet);
}
template <class F> constexpr bool is_inf(typename F::Bits a) { return (a & ~F::kSign) == F::kInf; }
template <class F> constexpr bool is_zero(typename F::Bits a) { return (a & ~F::kSign) == 0; }
// True for inf and NaN.
template <class F> constexpr bool is_special(typename F::Bits a) {
  return (a & F::kInf) == F::kInf;
}
template <class F> constexpr bool sign_of(typename F::Bits a) { return (a >> (F::kWidth - 1)) != 0; }

// A finite nonzero number: value = mant * 2^(exp - (kPrec-1)), with
// mant in [2^(kPrec-1), 2^kPrec) (subnormals are normalized here).
struct Unpacked {
  int exp;
  uint64_t mant;
};

template <class F>
inline Unpacked unpack(typename F::Bits a) {
  int e = int((a >> F::kFracBits) & F::kExpInf);
  uint64_t m = a & F::kFracMask;
  if (e == 0) [[unlikely]] {
    int sh = std::countl_zero(m) - (64 - F::kPrec);
    return {1 - sh - F::kBias, m << sh};
  }
  return {e - F::kBias, m | (uint64_t(1) << F::kFracBits)};
}

// x >> n, with bit 0 set if any 1 bit was shifted out.
inline uint64_t shift_right_jam(uint64_t x, int n) {
  if (n == 0) return x;
  if (n >= 64) return x != 0;
  return (x >> n) | ((x << (64 - n)) != 0);
}
inline u128 shift_right_jam128(u128 x, int n) {
  if (n == 0) return x;
  if (n >= 128) return x != 0;
  return (x >> n) | ((x << (128 - n)) != 0);
}

// Whether to add one unit in the last place, given the discarded bits `rest`
// aligned to the top of a 64-bit word (so 2^63 is exactly half an ulp); rest != 0.
inline bool round_up(Rm rm, bool sign, uint64_t lsb, uint64_t rest) {
  constexpr uint64_t kHalf = uint64_t(1) << 63;
  switch (rm) {
    case Rm::RNE: return rest > kHalf || (rest == kHalf && lsb);
    case Rm::RTZ: return false;
    case Rm::RDN: return sign;
    case Rm::RUP: return !sign;
    case Rm::RMM: return rest >= kHalf;
  }
  return false;
}

template <class F>
inline typename F::Bits overflow_result(bool sign, Rm rm) {
  bool to_inf = rm == Rm::RNE || rm == Rm::RMM || (rm == Rm::RDN && sign) || (rm == Rm::RUP && !sign);
  return (sign ? F::kSign : 0) | (to_inf ? F::kInf : F::kMaxFinite);
}

// Rounds value = sig * 2^exp2 (sig != 0) to format F. If bit 0 of sig is a
// sticky bit, sig must hold at least kPrec+2 significant bits.
template <class F>
inline typename F::Bits round_pack(bool sign, int exp2, uint64_t sig, Rm rm, uint32_t& flags) {
  using U = typename F::Bits;
  constexpr int P = F::kPrec;
  int lz = std::countl_zero(sig);
  sig <<= lz;
  int eb = exp2 + 63 - lz + F::kBias;  // biased exponent of the leading bit
  U s = sign ? F::kSign : 0;
  if (eb >= 1) [[likely]] {
    uint64_t m = sig >> (64 - P);
    uint64_t rest = sig << P;
    if (rest) {
      flags |= kNX;
      if (round_up(rm, sign, m & 1, rest)) {
        ++m;
        if (m >> P) {
          m >>= 1;
          ++eb;
        }
      }
    }
    if (eb >= F::kExpInf) [[unlikely]] {
      flags |= kOF | kNX;
      return overflow_result<F>(sign, rm);
    }
    return s | ((U(eb) << F::kFracBits) + (U(m) & F::kFracMask));
  }
  // Below the normal range. Tininess is judged after rounding: the result is
  // not tiny only if rounding to kPrec bits with unbounded exponent carries up
  // to 2^emin.
  bool tiny = true;
  if (eb == 0) {
    uint64_t m = sig >> (64 - P);
    uint64_t rest = sig << P;
    if (rest && m == (uint64_t(1) << P) - 1 && round_up(rm, sign, 1, rest)) tiny = false;
  }
  int sh = 64 - P + 1 - eb;
  uint64_t m, rest;
  if (sh < 64) {
    m = sig >> sh;
    rest = sig << (64 - sh);
  } else {
    m = 0;
    rest = sh == 64 ? sig : 1;
  }
  if (rest) {
    flags |= tiny ? (kNX | kUF) : kNX;
    if (round_up(rm, sign, m & 1, rest)) ++m;  // may carry into the exponent: min normal
  }
  return s | U(m);
}

}  // namespace rwd::fpu::impl
