// Private to fpu*.cc: fast paths that let the host FPU compute the common case.
//
// The host always runs in its default mode (round to nearest even, no
// flush-to-zero / denormals-are-zero, no traps); rounding modes and flags are
// never changed or read. Each fast path computes the round-to-nearest result r
// with host arithmetic plus the sign of the rounding error (exact, from an
// error-free transform), then derives the other rounding modes and NX from it.
// A fast path only accepts operands and results far from overflow, underflow,
// zero and NaN, where no other flag can arise; everything else returns
// "not handled" and goes to the integer soft-float in fpu_impl.h.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>

#include "target/riscv/fpu.h"

#if !defined(__SSE2_MATH__) && (defined(__i386__) || defined(__x86_64__))
#error "the FPU fast paths need SSE2 arithmetic (x87 extended precision would double-round)"
#endif

namespace rwd::fpu::host {

inline double d_of(uint64_t x) { return std::bit_cast<double>(x); }
inline uint64_t bits_of(double d) { return std::bit_cast<uint64_t>(d); }
inline float f_of(uint32_t x) { return std::bit_cast<float>(x); }
inline uint32_t bits_of(float f) { return std::bit_cast<uint32_t>(f); }
inline double wide32(uint32_t a) { return double(f_of(a)); }  // exact (NaNs become quiet)

// Final rounding from the nearest-even result `rb` (raw bits; normal and at
// least one binade away from the format's limits):
//  dir    sign of (exact - r): +1, -1, or 0 when r is exact;
//  tie    exact lies exactly half-way between r and its neighbour toward dir;
//  beyond exact lies strictly closer to that neighbour than to r (only after a
//         double rounding, see f32_finish).
template <typename U>
inline U finish(U rb, int dir, bool tie, bool beyond, Rm rm, uint32_t& flags) {
  static_assert(kNX == 1);
  flags |= uint32_t(dir != 0);
  if (rm == Rm::RNE && !beyond) [[likely]] return rb;
  if (dir == 0) return rb;
  bool neg = (rb >> (sizeof(U) * 8 - 1)) != 0;
  bool away = (dir > 0) != neg;  // the neighbour has the larger magnitude
  U n = away ? rb + 1 : rb - 1;
  switch (rm) {
    case Rm::RNE: return n;  // beyond
    case Rm::RMM: return beyond || (tie && away) ? n : rb;
    case Rm::RTZ: return away ? rb : n;
    case Rm::RUP: return dir > 0 ? n : rb;
    case Rm::RDN: return dir < 0 ? n : rb;
  }
  return rb;
}

// binary64 results: biased exponent in [lo, 0x7fd].
inline bool f64_in(uint64_t rb, uint64_t lo_exp) {
  uint64_t m = rb & ~(uint64_t(1) << 63);
  return m - (lo_exp << 52) < (uint64_t(0x7fe) << 52) - (lo_exp << 52);
}

inline int sign3(double d) { return (d > 0) - (d < 0); }

// binary64 tie test: does `err` (exact - r) equal half the gap to the neighbour?
inline bool f64_tie(uint64_t rb, double err) {
  int dir = sign3(err);
  bool away = (dir > 0) != ((rb >> 63) != 0);
  double gap = d_of(away ? rb + 1 : rb - 1) - d_of(rb);  // exact
  return err * 2 == gap;
}

// Rounds exact = s + e to binary32, where s is a double and e is either the
// exact remainder (|e| <= ulp(s)/2) or anything with its sign whenever s is a
// binary32 value or a binary32 midpoint. Returns false (leaving `out` alone)
// when the result is not comfortably inside the normal range.
inline bool f32_finish(double s, double e, Rm rm, uint32_t& flags, uint32_t& out) {
  float f = float(s);
  uint32_t fb = bits_of(f);
  if ((fb & 0x7fffffffu) - 0x01000000u >= 0x7e000000u) return false;  // exponent in [2, 0xfd]
  // The 29 bits of s below binary32 precision: 0 when s is a binary32 value,
  // 0x10000000 when it is a midpoint (then the host's tie-break may be wrong).
  uint64_t low = bits_of(s) & 0x1fffffff;
  if (rm == Rm::RNE && low != 0x10000000) [[likely]] {
    flags |= uint32_t(low != 0 || e != 0);  // kNX
    out = fb;
    return true;
  }
  double r = s - double(f);  // exact
  int dir;
  bool tie = false, beyond = false;
  if (r != 0) {
    dir = r > 0 ? 1 : -1;
    if (low == 0x10000000) {
      if (e == 0) tie = true;
      else beyond = (e > 0) == (r > 0);
    }
  } else {
    dir = sign3(e);
  }
  out = finish<uint32_t>(fb, dir, tie, beyond, rm, flags);
  return true;
}

}  // namespace rwd::fpu::host
