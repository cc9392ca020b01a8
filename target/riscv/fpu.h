// RISC-V F and D extension arithmetic: IEEE 754 binary32/binary64 operations,
// bit-exact with the RISC-V unprivileged spec (chapters "F" and "D").
//
// Values travel as raw bits (f32 as uint32_t, f64 as uint64_t). Every NaN result
// is the canonical NaN; tininess is detected after rounding; `flags` is
// OR-accumulated in the fflags layout and never cleared here. Sign injection,
// moves and NaN-boxing belong to the CPU, not to this file.
#pragma once
#include <cstdint>

namespace rwd::fpu {

// fflags bits, RISC-V layout.
inline constexpr uint32_t kNX = 1, kUF = 2, kOF = 4, kDZ = 8, kNV = 16;

// Static or resolved dynamic rounding mode. The caller has already rejected the
// reserved encodings 5 and 6 and replaced DYN (7) by frm.
enum class Rm : uint8_t { RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4 };

inline constexpr uint32_t kCanonicalNaN32 = 0x7fc00000;
inline constexpr uint64_t kCanonicalNaN64 = 0x7ff8000000000000;

// ---- binary32 ----
uint32_t f32_add(uint32_t a, uint32_t b, Rm rm, uint32_t& flags);
uint32_t f32_sub(uint32_t a, uint32_t b, Rm rm, uint32_t& flags);
uint32_t f32_mul(uint32_t a, uint32_t b, Rm rm, uint32_t& flags);
uint32_t f32_div(uint32_t a, uint32_t b, Rm rm, uint32_t& flags);
uint32_t f32_sqrt(uint32_t a, Rm rm, uint32_t& flags);
// (±a*b) ± c with a single rounding. fmadd: neither; fmsub: negate_addend;
// fnmsub: negate_product; fnmadd: both.
uint32_t f32_muladd(uint32_t a, uint32_t b, uint32_t c, bool negate_product,
                    bool negate_addend, Rm rm, uint32_t& flags);
// minimumNumber/maximumNumber (RISC-V >= 2.2): -0 < +0, NaN only if both are.
uint32_t f32_min(uint32_t a, uint32_t b, uint32_t& flags);
uint32_t f32_max(uint32_t a, uint32_t b, uint32_t& flags);
bool f32_eq(uint32_t a, uint32_t b, uint32_t& flags);  // quiet
bool f32_lt(uint32_t a, uint32_t b, uint32_t& flags);  // signaling
bool f32_le(uint32_t a, uint32_t b, uint32_t& flags);  // signaling
uint32_t f32_classify(uint32_t a);                      // fclass 10-bit mask
int32_t f32_to_i32(uint32_t a, Rm rm, uint32_t& flags);
uint32_t f32_to_u32(uint32_t a, Rm rm, uint32_t& flags);
int64_t f32_to_i64(uint32_t a, Rm rm, uint32_t& flags);
uint64_t f32_to_u64(uint32_t a, Rm rm, uint32_t& flags);
uint32_t i32_to_f32(int32_t v, Rm rm, uint32_t& flags);
uint32_t u32_to_f32(uint32_t v, Rm rm, uint32_t& flags);
uint32_t i64_to_f32(int64_t v, Rm rm, uint32_t& flags);
uint32_t u64_to_f32(uint64_t v, Rm rm, uint32_t& flags);

// ---- binary64 ----
uint64_t f64_add(uint64_t a, uint64_t b, Rm rm, uint32_t& flags);
uint64_t f64_sub(uint64_t a, uint64_t b, Rm rm, uint32_t& flags);
uint64_t f64_mul(uint64_t a, uint64_t b, Rm rm, uint32_t& flags);
uint64_t f64_div(uint64_t a, uint64_t b, Rm rm, uint32_t& flags);
uint64_t f64_sqrt(uint64_t a, Rm rm, uint32_t& flags);
uint64_t f64_muladd(uint64_t a, uint64_t b, uint64_t c, bool negate_product,
                    bool negate_addend, Rm rm, uint32_t& flags);
uint64_t f64_min(uint64_t a, uint64_t b, uint32_t& flags);
uint64_t f64_max(uint64_t a, uint64_t b, uint32_t& flags);
bool f64_eq(uint64_t a, uint64_t b, uint32_t& flags);
bool f64_lt(uint64_t a, uint64_t b, uint32_t& flags);
bool f64_le(uint64_t a, uint64_t b, uint32_t& flags);
uint32_t f64_classify(uint64_t a);
int32_t f64_to_i32(uint64_t a, Rm rm, uint32_t& flags);
uint32_t f64_to_u32(uint64_t a, Rm rm, uint32_t& flags);
int64_t f64_to_i64(uint64_t a, Rm rm, uint32_t& flags);
uint64_t f64_to_u64(uint64_t a, Rm rm, uint32_t& flags);
uint64_t i32_to_f64(int32_t v, Rm rm, uint32_t& flags);
uint64_t u32_to_f64(uint32_t v, Rm rm, uint32_t& flags);
uint64_t i64_to_f64(int64_t v, Rm rm, uint32_t& flags);
uint64_t u64_to_f64(uint64_t v, Rm rm, uint32_t& flags);

// ---- between formats ----
uint64_t f32_to_f64(uint32_t a, uint32_t& flags);  // exact; NV only for sNaN
uint32_t f64_to_f32(uint64_t a, Rm rm, uint32_t& flags);

}  // namespace rwd::fpu
