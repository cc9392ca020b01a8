// Tests for the RISC-V FPU (target/riscv/fpu.h): hand-written corner cases from
// the F/D chapters, plus every reference vector in fpu_vectors/ (produced by
// fpu_vectors/gen/genvec.c running the real instructions under qemu-riscv64).
//
// The vector file (gzip text, read with zlib) is located by vector_path().
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "target/riscv/fpu.h"

namespace rwd::fpu {
namespace {

constexpr uint32_t kAll = kNX | kUF | kOF | kDZ | kNV;

// ---------------------------------------------------------------- corner cases

TEST(Fpu, RoundingModesOnTies) {
  // 1 + 2^-24 is a tie between 1 and 1+2^-23 (even: 1).
  const uint32_t one = 0x3f800000, half_ulp = 0x33800000;
  struct Case { Rm rm; uint32_t pos, neg; } cases[] = {
      {Rm::RNE, 0x3f800000, 0xbf800000}, {Rm::RTZ, 0x3f800000, 0xbf800000},
      {Rm::RDN, 0x3f800000, 0xbf800001}, {Rm::RUP, 0x3f800001, 0xbf800000},
      {Rm::RMM, 0x3f800001, 0xbf800001},
  };
  for (const Case& c : cases) {
    uint32_t fl = 0;
    EXPECT_EQ(f32_add(one, half_ulp, c.rm, fl), c.pos) << int(c.rm);
    EXPECT_EQ(fl, kNX);
    fl = 0;
    EXPECT_EQ(f32_add(one | 0x80000000, half_ulp | 0x80000000, c.rm, fl), c.neg) << int(c.rm);
    EXPECT_EQ(fl, kNX);
  }
  // 1.5 -> integer: RNE 2, RMM 2; 2.5: RNE 2, RMM 3; -2.5 RMM -3.
  uint32_t fl = 0;
  EXPECT_EQ(f64_to_i64(0x4004000000000000, Rm::RNE, fl), 2);
  EXPECT_EQ(f64_to_i64(0x4004000000000000, Rm::RMM, fl), 3);
  EXPECT_EQ(f64_to_i64(0xc004000000000000, Rm::RMM, fl), -3);
  EXPECT_EQ(f64_to_i64(0xc004000000000000, Rm::RDN, fl), -3);
  EXPECT_EQ(f64_to_i64(0xc004000000000000, Rm::RUP, fl), -2);
  EXPECT_EQ(f64_to_i64(0xc004000000000000, Rm::RTZ, fl), -2);
  EXPECT_EQ(fl, kNX);
}

TEST(Fpu, CanonicalNaNEverywhere) {
  uint32_t fl = 0;
  const uint32_t qnan_payload = 0x7fc12345, snan = 0x7f800001;
  EXPECT_EQ(f32_add(qnan_payload, 0x3f800000, Rm::RNE, fl), kCanonicalNaN32);
  EXPECT_EQ(fl, 0u);
  EXPECT_EQ(f32_mul(snan, 0x3f800000, Rm::RNE, fl), kCanonicalNaN32);
  EXPECT_EQ(fl, kNV);
  fl = 0;
  EXPECT_EQ(f64_sqrt(0xfff8000000000123, Rm::RNE, fl), kCanonicalNaN64);
  EXPECT_EQ(fl, 0u);
  EXPECT_EQ(f32_to_f64(0xffc00001, fl), kCanonicalNaN64);
  EXPECT_EQ(fl, 0u);
  EXPECT_EQ(f64_to_f32(0x7ff0000000000001, Rm::RNE, fl), kCanonicalNaN32);
  EXPECT_EQ(fl, kNV);
  fl = 0;
  // inf - inf, 0 * inf, 0/0, inf/inf, sqrt(-x)
  EXPECT_EQ(f64_sub(0x7ff0000000000000, 0x7ff0000000000000, Rm::RNE, fl), kCanonicalNaN64);
  EXPECT_EQ(f64_mul(0, 0xfff0000000000000, Rm::RNE, fl), kCanonicalNaN64);
  EXPECT_EQ(f64_div(0, 0x8000000000000000, Rm::RNE, fl), kCanonicalNaN64);
  EXPECT_EQ(f32_div(0x7f800000, 0xff800000, Rm::RNE, fl), kCanonicalNaN32);
  EXPECT_EQ(f32_sqrt(0x80000001, Rm::RNE, fl), kCanonicalNaN32);
  EXPECT_EQ(fl, kNV);
  // fma: inf*0 + qNaN still raises NV on RISC-V.
  fl = 0;
  EXPECT_EQ(f32_muladd(0x7f800000, 0, 0x7fc00000, false, false, Rm::RNE, fl), kCanonicalNaN32);
  EXPECT_EQ(fl, kNV);
}

TEST(Fpu, SignedZeros) {
  uint32_t fl = 0;
  EXPECT_EQ(f64_add(0, 0x8000000000000000, Rm::RNE, fl), 0u);
  EXPECT_EQ(f64_add(0, 0x8000000000000000, Rm::RDN, fl), 0x8000000000000000u);
  EXPECT_EQ(f32_sub(0x3f800000, 0x3f800000, Rm::RUP, fl), 0u);
  EXPECT_EQ(f32_sub(0x3f800000, 0x3f800000, Rm::RDN, fl), 0x80000000u);
  EXPECT_EQ(f64_sqrt(0x8000000000000000, Rm::RNE, fl), 0x8000000000000000u);
  // fnmadd(+0, x, +0) = -(0*x) - 0 = -0
  EXPECT_EQ(f32_muladd(0, 0x3f800000, 0, true, true, Rm::RNE, fl), 0x80000000u);
  // fmadd(1, -1, 1) exact zero: +0, or -0 in RDN.
  EXPECT_EQ(f32_muladd(0x3f800000, 0xbf800000, 0x3f800000, false, false, Rm::RNE, fl), 0u);
  EXPECT_EQ(f32_muladd(0x3f800000, 0xbf800000, 0x3f800000, false, false, Rm::RDN, fl),
            0x80000000u);
  EXPECT_EQ(fl, 0u);
}

TEST(Fpu, MinMaxRiscv22) {
  uint32_t fl = 0;
  EXPECT_EQ(f32_min(0x80000000, 0, fl), 0x80000000u);
  EXPECT_EQ(f32_min(0, 0x80000000, fl), 0x80000000u);
  EXPECT_EQ(f32_max(0x80000000, 0, fl), 0u);
  EXPECT_EQ(f64_max(0x7ff8000000000000, 0xbff0000000000000, fl), 0xbff0000000000000u);
  EXPECT_EQ(f64_min(0xfff8000000000000, 0x7ff8000000000001, fl), kCanonicalNaN64);
  EXPECT_EQ(fl, 0u);
  EXPECT_EQ(f32_min(0x7f800001, 0x3f800000, fl), 0x3f800000u);  // sNaN: NV, other operand
  EXPECT_EQ(fl, kNV);
}

TEST(Fpu, Comparisons) {
  uint32_t fl = 0;
  EXPECT_TRUE(f32_eq(0, 0x80000000, fl));
  EXPECT_FALSE(f32_lt(0x80000000, 0, fl));
  EXPECT_TRUE(f32_le(0x80000000, 0, fl));
  EXPECT_FALSE(f64_eq(0x7ff8000000000000, 0x7ff8000000000000, fl));
  EXPECT_EQ(fl, 0u);  // feq is quiet on qNaN
  EXPECT_FALSE(f64_eq(0x7ff0000000000001, 0, fl));
  EXPECT_EQ(fl, kNV);
  fl = 0;
  EXPECT_FALSE(f64_lt(0x7ff8000000000000, 0, fl));  // flt/fle signal on any NaN
  EXPECT_EQ(fl, kNV);
  fl = 0;
  EXPECT_FALSE(f32_le(0, 0x7fc00000, fl));
  EXPECT_EQ(fl, kNV);
}

TEST(Fpu, Classify) {
  EXPECT_EQ(f32_classify(0xff800000), 1u << 0);
  EXPECT_EQ(f32_classify(0xbf800000), 1u << 1);
  EXPECT_EQ(f32_classify(0x80000001), 1u << 2);
  EXPECT_EQ(f32_classify(0x80000000), 1u << 3);
  EXPECT_EQ(f32_classify(0x00000000), 1u << 4);
  EXPECT_EQ(f32_classify(0x007fffff), 1u << 5);
  EXPECT_EQ(f32_classify(0x7f7fffff), 1u << 6);
  EXPECT_EQ(f32_classify(0x7f800000), 1u << 7);
  EXPECT_EQ(f32_classify(0x7fbfffff), 1u << 8);
  EXPECT_EQ(f32_classify(0xffc00000), 1u << 9);
  EXPECT_EQ(f64_classify(0x7ff0000000000001), 1u << 8);
  EXPECT_EQ(f64_classify(0x7ff8000000000000), 1u << 9);
  EXPECT_EQ(f64_classify(0x000fffffffffffff), 1u << 5);
}

TEST(Fpu, ConversionSaturation) {
  // The spec's table: NaN and +inf -> max, -inf and too-negative -> min.
  uint32_t fl = 0;
  EXPECT_EQ(f32_to_i32(0x7fc00000, Rm::RNE, fl), INT32_MAX);
  EXPECT_EQ(f32_to_i32(0x7f800000, Rm::RNE, fl), INT32_MAX);
  EXPECT_EQ(f32_to_i32(0xff800000, Rm::RNE, fl), INT32_MIN);
  EXPECT_EQ(f32_to_u32(0x7fc00000, Rm::RNE, fl), UINT32_MAX);
  EXPECT_EQ(f32_to_u32(0xff800000, Rm::RNE, fl), 0u);
  EXPECT_EQ(f64_to_i64(0xfff8000000000000, Rm::RNE, fl), INT64_MAX);
  EXPECT_EQ(f64_to_u64(0x43f0000000000000, Rm::RNE, fl), UINT64_MAX);  // 2^64
  EXPECT_EQ(f64_to_i32(0x41e0000000000000, Rm::RNE, fl), INT32_MAX);   // 2^31
  EXPECT_EQ(fl, kNV);  // invalid conversions raise NV only, never NX
  fl = 0;
  EXPECT_EQ(f64_to_i32(0xc1e0000000000000, Rm::RNE, fl), INT32_MIN);  // -2^31 is exact
  EXPECT_EQ(fl, 0u);
  EXPECT_EQ(f64_to_i32(0xc1e0000000100000, Rm::RTZ, fl), INT32_MIN);  // -2^31-0.5 truncates
  EXPECT_EQ(fl, kNX);
  fl = 0;
  EXPECT_EQ(f64_to_i32(0xc1e0000000100000, Rm::RDN, fl), INT32_MIN);  // rounds to -2^31-1
  EXPECT_EQ(fl, kNV);
  fl = 0;
  // -0.5 to unsigned: rounds to -0 -> 0 inexact, but RDN gives -1 -> invalid.
  EXPECT_EQ(f32_to_u64(0xbf000000, Rm::RNE, fl), 0u);
  EXPECT_EQ(fl, kNX);
  fl = 0;
  EXPECT_EQ(f32_to_u64(0xbf000000, Rm::RDN, fl), 0u);
  EXPECT_EQ(fl, kNV);
}

TEST(Fpu, IntToFloat) {
  uint32_t fl = 0;
  EXPECT_EQ(i32_to_f32(16777217, Rm::RNE, fl), 0x4b800000u);  // 2^24+1 tie to even
  EXPECT_EQ(i32_to_f32(16777217, Rm::RMM, fl), 0x4b800001u);
  EXPECT_EQ(i64_to_f32(INT64_MIN, Rm::RNE, fl), 0xdf000000u);
  EXPECT_EQ(u64_to_f64(UINT64_MAX, Rm::RTZ, fl), 0x43efffffffffffffu);
  EXPECT_EQ(u64_to_f64(UINT64_MAX, Rm::RNE, fl), 0x43f0000000000000u);
  EXPECT_EQ(fl, kNX);
  fl = 0;
  EXPECT_EQ(i32_to_f64(INT32_MIN, Rm::RNE, fl), 0xc1e0000000000000u);
  EXPECT_EQ(u32_to_f32(0, Rm::RDN, fl), 0u);  // +0, never -0
  EXPECT_EQ(fl, 0u);
}

TEST(Fpu, OverflowAndUnderflow) {
  uint32_t fl = 0;
  const uint32_t max = 0x7f7fffff;
  EXPECT_EQ(f32_mul(max, 0x40000000, Rm::RNE, fl), 0x7f800000u);
  EXPECT_EQ(fl, kOF | kNX);
  fl = 0;
  EXPECT_EQ(f32_mul(max, 0x40000000, Rm::RTZ, fl), max);
  EXPECT_EQ(f32_mul(max | 0x80000000, 0x40000000, Rm::RUP, fl), max | 0x80000000);
  EXPECT_EQ(f32_mul(max | 0x80000000, 0x40000000, Rm::RDN, fl), 0xff800000u);
  EXPECT_EQ(fl, kOF | kNX);
  fl = 0;
  EXPECT_EQ(f32_div(0x3f800000, 0, Rm::RNE, fl), 0x7f800000u);
  EXPECT_EQ(fl, kDZ);
  fl = 0;
  // Subnormal result that is exact: no UF.
  EXPECT_EQ(f32_mul(0x00800000, 0x3f000000, Rm::RNE, fl), 0x00400000u);
  EXPECT_EQ(fl, 0u);
  // Tininess after rounding: 2^-126 - 2^-160 (via fma, one rounding) rounds up
  // to 2^-126 under RNE even with unbounded exponent, so it is not tiny: NX
  // only. Under RTZ it stays below 2^-126: UF|NX.
  const uint32_t p80 = 0x17800000, m80 = 0x97800000, min_normal = 0x00800000;
  EXPECT_EQ(f32_muladd(p80, m80, min_normal, false, false, Rm::RNE, fl), min_normal);
  EXPECT_EQ(fl, kNX);
  fl = 0;
  EXPECT_EQ(f32_muladd(p80, m80, min_normal, false, false, Rm::RTZ, fl), 0x007fffffu);
  EXPECT_EQ(fl, kUF | kNX);
  fl = 0;
  // (2^-126)*(1-2^-24) is exact with 24 bits but not as a subnormal: tiny, UF.
  EXPECT_EQ(f32_mul(min_normal, 0x3f7fffff, Rm::RNE, fl), min_normal);
  EXPECT_EQ(fl, kUF | kNX);
  fl = 0;
  EXPECT_EQ(f64_mul(0x0000000000000001, 0x3fe0000000000000, Rm::RNE, fl), 0u);  // tie to 0
  EXPECT_EQ(f64_mul(0x0000000000000001, 0x3fe0000000000000, Rm::RMM, fl), 1u);
  EXPECT_EQ(fl, kUF | kNX);
}

TEST(Fpu, FusedSingleRounding) {
  // (1+2^-23)*(1-2^-23) = 1 - 2^-46: fma keeps it, mul+add would give 0.
  uint32_t fl = 0;
  const uint32_t a = 0x3f800001, b = 0x3f7ffffe;  // 1+2^-23, 1-2^-23
  EXPECT_EQ(f32_muladd(a, b, 0xbf800000, false, false, Rm::RNE, fl), 0xa8800000u);  // -2^-46
  EXPECT_EQ(fl, 0u);
}

TEST(Fpu, Binary32DoubleRounding) {
  // 2^16(1-2^-23) * (1+2^-23) + (2^40+2^17) = 2^40 + 2^17 + 2^16 - 2^-30: just
  // below a binary32 midpoint, but a binary64 intermediate would land exactly
  // on it and then tie to the even 2^40+2^18.
  const uint32_t x = 0x477ffffe, y = 0x3f800001, c = 0x53800001;
  const struct { Rm rm; uint32_t want; } cases[] = {
      {Rm::RNE, 0x53800001}, {Rm::RMM, 0x53800001}, {Rm::RTZ, 0x53800001},
      {Rm::RDN, 0x53800001}, {Rm::RUP, 0x53800002},
  };
  for (const auto& t : cases) {
    uint32_t fl = 0;
    EXPECT_EQ(f32_muladd(x, y, c, false, false, t.rm, fl), t.want) << int(t.rm);
    EXPECT_EQ(fl, kNX);
  }
}

TEST(Fpu, FlagsAccumulate) {
  uint32_t fl = kDZ;
  f32_add(0x3f800000, 0x33000000, Rm::RNE, fl);
  EXPECT_EQ(fl, kDZ | kNX);
  EXPECT_EQ(fl & ~kAll, 0u);
}

// ---------------------------------------------------------------- reference vectors

struct Vec {
  std::string op;
  int rm;
  uint64_t in[3];
  int nin;
  uint64_t result;
  uint32_t flags;
};

// Computes op on our implementation; returns false for an unknown mnemonic.
bool run(const Vec& v, uint64_t& res, uint32_t& fl) {
  Rm rm = Rm(v.rm);
  uint32_t a32 = uint32_t(v.in[0]), b32 = uint32_t(v.in[1]), c32 = uint32_t(v.in[2]);
  uint64_t a = v.in[0], b = v.in[1], c = v.in[2];
  auto sx32 = [](uint32_t x) { return uint64_t(int64_t(int32_t(x))); };
  const std::string& o = v.op;
  fl = 0;
  // binary32
  if (o == "fadd.s") res = f32_add(a32, b32, rm, fl);
  else if (o == "fsub.s") res = f32_sub(a32, b32, rm, fl);
  else if (o == "fmul.s") res = f32_mul(a32, b32, rm, fl);
  else if (o == "fdiv.s") res = f32_div(a32, b32, rm, fl);
  else if (o == "fsqrt.s") res = f32_sqrt(a32, rm, fl);
  else if (o == "fmin.s") res = f32_min(a32, b32, fl);
  else if (o == "fmax.s") res = f32_max(a32, b32, fl);
  else if (o == "fmadd.s") res = f32_muladd(a32, b32, c32, false, false, rm, fl);
  else if (o == "fmsub.s") res = f32_muladd(a32, b32, c32, false, true, rm, fl);
  else if (o == "fnmsub.s") res = f32_muladd(a32, b32, c32, true, false, rm, fl);
  else if (o == "fnmadd.s") res = f32_muladd(a32, b32, c32, true, true, rm, fl);
  else if (o == "feq.s") res = f32_eq(a32, b32, fl);
  else if (o == "flt.s") res = f32_lt(a32, b32, fl);
  else if (o == "fle.s") res = f32_le(a32, b32, fl);
  else if (o == "fclass.s") res = f32_classify(a32);
  else if (o == "fcvt.w.s") res = sx32(uint32_t(f32_to_i32(a32, rm, fl)));
  else if (o == "fcvt.wu.s") res = sx32(f32_to_u32(a32, rm, fl));
  else if (o == "fcvt.l.s") res = uint64_t(f32_to_i64(a32, rm, fl));
  else if (o == "fcvt.lu.s") res = f32_to_u64(a32, rm, fl);
  else if (o == "fcvt.s.w") res = i32_to_f32(int32_t(a), rm, fl);
  else if (o == "fcvt.s.wu") res = u32_to_f32(uint32_t(a), rm, fl);
  else if (o == "fcvt.s.l") res = i64_to_f32(int64_t(a), rm, fl);
  else if (o == "fcvt.s.lu") res = u64_to_f32(a, rm, fl);
  // binary64
  else if (o == "fadd.d") res = f64_add(a, b, rm, fl);
  else if (o == "fsub.d") res = f64_sub(a, b, rm, fl);
  else if (o == "fmul.d") res = f64_mul(a, b, rm, fl);
  else if (o == "fdiv.d") res = f64_div(a, b, rm, fl);
  else if (o == "fsqrt.d") res = f64_sqrt(a, rm, fl);
  else if (o == "fmin.d") res = f64_min(a, b, fl);
  else if (o == "fmax.d") res = f64_max(a, b, fl);
  else if (o == "fmadd.d") res = f64_muladd(a, b, c, false, false, rm, fl);
  else if (o == "fmsub.d") res = f64_muladd(a, b, c, false, true, rm, fl);
  else if (o == "fnmsub.d") res = f64_muladd(a, b, c, true, false, rm, fl);
  else if (o == "fnmadd.d") res = f64_muladd(a, b, c, true, true, rm, fl);
  else if (o == "feq.d") res = f64_eq(a, b, fl);
  else if (o == "flt.d") res = f64_lt(a, b, fl);
  else if (o == "fle.d") res = f64_le(a, b, fl);
  else if (o == "fclass.d") res = f64_classify(a);
  else if (o == "fcvt.w.d") res = sx32(uint32_t(f64_to_i32(a, rm, fl)));
  else if (o == "fcvt.wu.d") res = sx32(f64_to_u32(a, rm, fl));
  else if (o == "fcvt.l.d") res = uint64_t(f64_to_i64(a, rm, fl));
  else if (o == "fcvt.lu.d") res = f64_to_u64(a, rm, fl);
  else if (o == "fcvt.d.w") res = i32_to_f64(int32_t(a), rm, fl);
  else if (o == "fcvt.d.wu") res = u32_to_f64(uint32_t(a), rm, fl);
  else if (o == "fcvt.d.l") res = i64_to_f64(int64_t(a), rm, fl);
  else if (o == "fcvt.d.lu") res = u64_to_f64(a, rm, fl);
  // between formats
  else if (o == "fcvt.d.s") res = f32_to_f64(a32, fl);
  else if (o == "fcvt.s.d") res = f64_to_f32(a, rm, fl);
  else return false;
  return true;
}

// $FPU_VECTORS (a file), else $FPU_VECTORS_DIR/fpu_vectors.txt.gz, else the
// compile definition FPU_VECTORS_FILE, else the file relative to tests/unit or
// to the source root.
std::string vector_path() {
  if (const char* file = std::getenv("FPU_VECTORS")) return file;
  if (const char* dir = std::getenv("FPU_VECTORS_DIR")) return std::string(dir) + "/fpu_vectors.txt.gz";
#ifdef FPU_VECTORS_FILE
  return FPU_VECTORS_FILE;
#else
  for (const char* p : {"fpu_vectors/fpu_vectors.txt.gz", "tests/unit/fpu_vectors/fpu_vectors.txt.gz"}) {
    if (std::FILE* f = std::fopen(p, "rb")) {
      std::fclose(f);
      return p;
    }
  }
  return "fpu_vectors/fpu_vectors.txt.gz";
#endif
}

TEST(FpuVectors, MatchReference) {
  std::string path = vector_path();
  gzFile f = gzopen(path.c_str(), "rb");
  ASSERT_NE(f, nullptr) << "cannot open " << path << " (set FPU_VECTORS)";
  char line[256];
  long total = 0, bad = 0, lineno = 0;
  std::map<std::string, long> bad_by_op, total_by_op;
  while (gzgets(f, line, sizeof line)) {
    ++lineno;
    if (line[0] == '#' || line[0] == '\n') continue;
    Vec v{};
    char op[32];
    int n = 0;
    char* p = line;
    ASSERT_EQ(std::sscanf(p, "%31s %d%n", op, &v.rm, &n), 2) << "line " << lineno;
    v.op = op;
    p += n;
    while (true) {
      while (*p == ' ') ++p;
      if (p[0] == '-' && p[1] == '>') break;
      ASSERT_LT(v.nin, 3) << "line " << lineno;
      v.in[v.nin++] = std::strtoull(p, &p, 16);
    }
    p += 2;
    v.result = std::strtoull(p, &p, 16);
    v.flags = uint32_t(std::strtoul(p, &p, 16));
    uint64_t res = 0;
    uint32_t fl = 0;
    ASSERT_TRUE(run(v, res, fl)) << "unknown op " << v.op << " at line " << lineno;
    ++total;
    ++total_by_op[v.op];
    if (res != v.result || fl != v.flags) {
      if (++bad <= 30) {
        ADD_FAILURE() << "line " << lineno << ": " << line << "  got " << std::hex << res
                      << " flags " << fl;
      }
      ++bad_by_op[v.op];
    }
  }
  gzclose(f);
  for (auto& [op, n] : bad_by_op) std::printf("  %-10s %ld / %ld mismatches\n", op.c_str(), n, total_by_op[op]);
  std::printf("fpu vectors: %ld checked, %ld mismatches (%s)\n", total, bad, path.c_str());
  EXPECT_GT(total, 100000);
  EXPECT_EQ(bad, 0);
}

}  // namespace
}  // namespace rwd::fpu
