// The block compiler's inline binary64 arithmetic (accel/tcg/jit_x86_64.cc,
// fp_arith) against the FPU reference vectors made with QEMU: every fadd.d,
// fsub.d, fmul.d, fdiv.d, fsqrt.d and fused multiply-add vector runs in a
// compiled block, once with the rounding mode taken from frm (dynamic) and
// once with it in the instruction, and must give the reference result bits
// and fflags. The inline path covers round-to-nearest-even results that are
// not NaN and raise nothing but inexact; every other vector checks that the
// fallback to the instruction's handler is taken.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_machine.h"

namespace rwd {
namespace {

using test::kRamBase;
using test::TestMachine;

struct Vec {
  uint64_t in[3] = {};
  uint64_t rm = 0, result = 0, flags = 0;
};

std::string vector_path() {
  if (const char* file = std::getenv("FPU_VECTORS")) return file;
  if (const char* dir = std::getenv("FPU_VECTORS_DIR")) return std::string(dir) + "/fpu_vectors.txt.gz";
  return "fpu_vectors/fpu_vectors.txt.gz";
}

// op name -> vectors, for the binary64 operations compiled inline.
std::map<std::string, std::vector<Vec>> load_vectors() {
  std::map<std::string, std::vector<Vec>> out;
  gzFile f = gzopen(vector_path().c_str(), "rb");
  if (!f) return out;
  const std::map<std::string, int> arity = {{"fadd.d", 2},  {"fsub.d", 2},  {"fmul.d", 2},
                                            {"fdiv.d", 2},  {"fsqrt.d", 1}, {"fmadd.d", 3},
                                            {"fmsub.d", 3}, {"fnmsub.d", 3}, {"fnmadd.d", 3}};
  char line[256];
  while (gzgets(f, line, sizeof line)) {
    char op[32];
    int rm = 0, n = 0;
    if (line[0] == '#' || std::sscanf(line, "%31s %d%n", op, &rm, &n) != 2) continue;
    auto a = arity.find(op);
    if (a == arity.end()) continue;
    Vec v;
    v.rm = static_cast<uint64_t>(rm);
    char* p = line + n;
    for (int i = 0; i < a->second; ++i) v.in[i] = std::strtoull(p, &p, 16);
    while (*p == ' ' || *p == '-' || *p == '>') ++p;
    v.result = std::strtoull(p, &p, 16);
    v.flags = std::strtoull(p, &p, 16);
    out[op].push_back(v);
  }
  gzclose(f);
  return out;
}

// --- RV64 encodings of the few instructions the test program needs ---------
uint32_t i_type(uint32_t opcode, uint32_t f3, unsigned rd, unsigned rs1, int32_t imm) {
  return (static_cast<uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
}
uint32_t s_type(uint32_t opcode, uint32_t f3, unsigned rs1, unsigned rs2, int32_t imm) {
  uint32_t u = static_cast<uint32_t>(imm) & 0xfff;
  return (u >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 31) << 7 | opcode;
}
uint32_t b_type(uint32_t f3, unsigned rs1, unsigned rs2, int32_t off) {
  uint32_t u = static_cast<uint32_t>(off);
  return ((u >> 12) & 1) << 31 | ((u >> 5) & 63) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | ((u >> 1) & 15) << 8 |
         ((u >> 11) & 1) << 7 | 0x63;
}
uint32_t csr(uint32_t f3, unsigned rd, unsigned number, unsigned rs1) { return number << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x73; }

// The instruction under test: f4 = op(f1, f2, f3) with rounding mode `rm`.
uint32_t fp_insn(const std::string& op, unsigned rm) {
  const unsigned rd = 4, rs1 = 1, rs2 = 2, rs3 = 3;
  auto r = [&](uint32_t funct7, unsigned src2) { return funct7 << 25 | src2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | 0x53; };
  auto r4 = [&](uint32_t opcode) { return rs3 << 27 | 1u << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | opcode; };
  if (op == "fadd.d") return r(0x01, rs2);
  if (op == "fsub.d") return r(0x05, rs2);
  if (op == "fmul.d") return r(0x09, rs2);
  if (op == "fdiv.d") return r(0x0d, rs2);
  if (op == "fsqrt.d") return r(0x2d, 0);
  if (op == "fmadd.d") return r4(0x43);
  if (op == "fmsub.d") return r4(0x47);
  if (op == "fnmsub.d") return r4(0x4b);
  return r4(0x4f);  // fnmadd.d
}

constexpr uint64_t kTable = kRamBase + 0x10000;
constexpr unsigned kA0 = 10, kA1 = 11, kT0 = 5, kT1 = 6, kT2 = 7;

// Runs `op` (rounding mode `insn_rm`, 7 = dynamic) over `vecs` in one
// compiled loop; returns a description of the first few mismatches.
std::string run(const std::string& op, unsigned insn_rm, const std::vector<Vec>& vecs) {
  TestMachine m(4 << 20);
  EXPECT_TRUE(m.engine.jit());
  std::vector<uint32_t> code = {
      0x2000u | kT0 << 7 | 0x37,        // lui t0, 2 (mstatus.FS = Initial)
      csr(2, 0, 0x300, kT0),            // csrrs zero, mstatus, t0
      // loop:
      i_type(0x07, 3, 1, kA0, 0),       // fld f1, 0(a0)
      i_type(0x07, 3, 2, kA0, 8),       // fld f2, 8(a0)
      i_type(0x07, 3, 3, kA0, 16),      // fld f3, 16(a0)
      i_type(0x03, 3, kT1, kA0, 24),    // ld t1, 24(a0)
      csr(1, 0, 0x002, kT1),            // csrrw zero, frm, t1
      csr(1, 0, 0x001, 0),              // csrrw zero, fflags, zero
      fp_insn(op, insn_rm),             // starts a block: compiled with what follows
      s_type(0x27, 3, kA0, 4, 32),      // fsd f4, 32(a0)
      csr(2, kT2, 0x001, 0),            // csrrs t2, fflags, zero
      s_type(0x23, 3, kA0, kT2, 40),    // sd t2, 40(a0)
      i_type(0x13, 0, kA0, kA0, 48),    // addi a0, a0, 48
      i_type(0x13, 0, kA1, kA1, -1),    // addi a1, a1, -1
      b_type(1, kA1, 0, -4 * 12),       // bne a1, zero, loop
      0x0000006f,                       // done: j done
  };
  m.load(kRamBase, code.data(), code.size() * 4);
  const uint64_t done = kRamBase + 4 * (code.size() - 1);
  for (size_t i = 0; i < vecs.size(); ++i) {
    uint64_t row[6] = {vecs[i].in[0], vecs[i].in[1], vecs[i].in[2], vecs[i].rm, 0, 0};
    m.load(kTable + 48 * i, row, sizeof row);
  }
  m.cpu.s.x[kA0] = kTable;
  m.cpu.s.x[kA1] = vecs.size();
  while (m.cpu.s.pc != done && m.cpu.s.icount < 100 * vecs.size() + 100) m.engine.run(m.cpu.s.icount + 100000);
  if (m.cpu.s.pc != done) return op + ": the program did not finish";
  std::string bad;
  int shown = 0;
  for (size_t i = 0; i < vecs.size(); ++i) {
    uint64_t result = m.read64(kTable + 48 * i + 32), flags = m.read64(kTable + 48 * i + 40);
    if (result == vecs[i].result && flags == vecs[i].flags) continue;
    if (++shown > 5) break;
    char text[200];
    std::snprintf(text, sizeof text, "%s rm %llu (insn rm %u) %016llx %016llx %016llx -> %016llx/%02llx, want %016llx/%02llx\n",
                  op.c_str(), static_cast<unsigned long long>(vecs[i].rm), insn_rm,
                  static_cast<unsigned long long>(vecs[i].in[0]), static_cast<unsigned long long>(vecs[i].in[1]),
                  static_cast<unsigned long long>(vecs[i].in[2]), static_cast<unsigned long long>(result),
                  static_cast<unsigned long long>(flags), static_cast<unsigned long long>(vecs[i].result),
                  static_cast<unsigned long long>(vecs[i].flags));
    bad += text;
  }
  return bad;
}

TEST(JitFp, Binary64MatchesReferenceVectors) {
  std::map<std::string, std::vector<Vec>> all = load_vectors();
  ASSERT_EQ(all.size(), 9u) << "cannot read the binary64 vectors from " << vector_path() << " (set FPU_VECTORS)";
  size_t checked = 0;
  for (const auto& [op, vecs] : all) {
    ASSERT_GT(vecs.size(), 1000u) << op;
    EXPECT_EQ(run(op, 7, vecs), "");
    checked += vecs.size();
    for (unsigned rm = 0; rm <= 4; ++rm) {  // the same vectors, rounding mode in the instruction
      std::vector<Vec> same;
      for (const Vec& v : vecs)
        if (v.rm == rm) same.push_back(v);
      if (same.empty()) continue;
      EXPECT_EQ(run(op, rm, same), "");
      checked += same.size();
    }
  }
  EXPECT_GT(checked, 200000u);
}

}  // namespace
}  // namespace rwd
