// Tests for the CpuState field table (target/riscv/cpu_fields.h) and what is
// derived from it where a format is frozen: the replay checkpoint's CPU
// values (rrfile version 1, replay/state_hash.cc) and QEMU's `-d cpu` dump
// (target/riscv/cpu_dump.cc). Each is compared with a copy of the code that
// listed the members by hand before the table existed, on random states.
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "replay/state_hash.h"
#include "target/riscv/cpu_dump.h"
#include "target/riscv/cpu_fields.h"
#include "target/riscv/decode.h"
#include "test_machine.h"
#include "util/hash64.h"

namespace rwd::riscv {
namespace {

using test::TestMachine;

// Every element of every field random (bools 0/1, priv a valid level).
CpuState random_state(uint64_t seed) {
  std::mt19937_64 rng(seed);
  CpuState s;
  for (const CpuField& f : kCpuFields) {
    for (size_t i = 0; i < f.count; ++i) {
      uint64_t v = rng();
      if (f.width < 8) v &= (1ull << (8 * f.width)) - 1;
      if (!f.set(s, i, v)) {
        EXPECT_TRUE(f.set(s, i, v & 1));  // bools
      }
    }
  }
  s.priv = rng() % 2 ? Priv::S : Priv::U;
  return s;
}

// ---------------------------------------------- the checkpoint, version 1

const char* const kV1Names[] = {
    "x1 (ra)", "x2 (sp)", "x3 (gp)", "x4 (tp)", "x5 (t0)", "x6 (t1)", "x7 (t2)", "x8 (s0)", "x9 (s1)",
    "x10 (a0)", "x11 (a1)", "x12 (a2)", "x13 (a3)", "x14 (a4)", "x15 (a5)", "x16 (a6)", "x17 (a7)",
    "x18 (s2)", "x19 (s3)", "x20 (s4)", "x21 (s5)", "x22 (s6)", "x23 (s7)", "x24 (s8)", "x25 (s9)",
    "x26 (s10)", "x27 (s11)", "x28 (t3)", "x29 (t4)", "x30 (t5)", "x31 (t6)",
    "f0 (ft0)", "f1 (ft1)", "f2 (ft2)", "f3 (ft3)", "f4 (ft4)", "f5 (ft5)", "f6 (ft6)", "f7 (ft7)",
    "f8 (fs0)", "f9 (fs1)", "f10 (fa0)", "f11 (fa1)", "f12 (fa2)", "f13 (fa3)", "f14 (fa4)", "f15 (fa5)",
    "f16 (fa6)", "f17 (fa7)", "f18 (fs2)", "f19 (fs3)", "f20 (fs4)", "f21 (fs5)", "f22 (fs6)", "f23 (fs7)",
    "f24 (fs8)", "f25 (fs9)", "f26 (fs10)", "f27 (fs11)", "f28 (ft8)", "f29 (ft9)", "f30 (ft10)", "f31 (ft11)",
    "pc", "privilege", "mstatus", "misa", "medeleg", "mideleg", "mie", "mip", "mtvec", "mscratch", "mepc",
    "mcause", "mtval", "mcounteren", "mcountinhibit", "menvcfg", "stvec", "sscratch", "sepc", "scause",
    "stval", "satp", "scounteren", "senvcfg", "stimecmp", "fflags", "frm", "pmpcfg0-7", "pmpcfg8-15",
    "pmpaddr0", "pmpaddr1", "pmpaddr2", "pmpaddr3", "pmpaddr4", "pmpaddr5", "pmpaddr6", "pmpaddr7",
    "pmpaddr8", "pmpaddr9", "pmpaddr10", "pmpaddr11", "pmpaddr12", "pmpaddr13", "pmpaddr14", "pmpaddr15",
    "hpm counters/events (hash)", "mcycle offset", "minstret offset", "LR reservation",
    "LR reservation valid", "waiting for interrupt",
};

// replay/state_hash.cc's cpu_values() as it was written by hand.
std::vector<uint64_t> v1_values(const CpuState& s, uint64_t pc) {
  std::vector<uint64_t> out;
  for (unsigned r = 1; r < 32; ++r) out.push_back(s.x[r]);
  for (unsigned r = 0; r < 32; ++r) out.push_back(s.f[r]);
  for (uint64_t v : {pc, static_cast<uint64_t>(s.priv), s.mstatus, s.misa, s.medeleg, s.mideleg, s.mie, s.mip,
                     s.mtvec, s.mscratch, s.mepc, s.mcause, s.mtval, s.mcounteren, s.mcountinhibit, s.menvcfg,
                     s.stvec, s.sscratch, s.sepc, s.scause, s.stval, s.satp, s.scounteren, s.senvcfg, s.stimecmp,
                     static_cast<uint64_t>(s.fflags), static_cast<uint64_t>(s.frm)})
    out.push_back(v);
  uint64_t cfg[2];
  std::memcpy(cfg, s.pmpcfg.data(), 16);
  out.push_back(cfg[0]);
  out.push_back(cfg[1]);
  for (uint64_t a : s.pmpaddr) out.push_back(a);
  out.push_back(hash_bytes(s.hpm.data(), sizeof s.hpm));
  for (uint64_t v : {s.mcycle_offset, s.minstret_offset, s.reservation, uint64_t{s.reservation_valid},
                     uint64_t{s.wfi}})
    out.push_back(v);
  return out;
}

TEST(CpuFields, CheckpointNamesAreVersion1s) {
  ASSERT_EQ(cpu_value_count(), std::size(kV1Names));
  EXPECT_EQ(cpu_value_count(), 114u);
  for (size_t i = 0; i < cpu_value_count(); ++i) EXPECT_STREQ(cpu_value_name(i), kV1Names[i]) << i;
}

TEST(CpuFields, CheckpointValuesAreVersion1s) {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    const CpuState s = random_state(seed);
    std::vector<uint64_t> v(cpu_value_count());
    cpu_values(s, 0x80001234 + seed, v.data());
    EXPECT_EQ(v, v1_values(s, 0x80001234 + seed)) << "seed " << seed;
  }
}

// ------------------------------------------------------------ the dump

// target/riscv/cpu_dump.cc as it was written by hand (QEMU 7.2's layout).
void v1_dump(const CpuState& s, FILE* out, bool with_fpu) {
  struct Row {
    const char* name;
    uint64_t value;
  };
  const Row rows[] = {
      {"pc", s.pc},         {"mhartid", 0},         {"mstatus", s.mstatus}, {"mip", s.mip},
      {"mie", s.mie},       {"mideleg", s.mideleg}, {"medeleg", s.medeleg}, {"mtvec", s.mtvec},
      {"stvec", s.stvec},   {"mepc", s.mepc},       {"sepc", s.sepc},       {"mcause", s.mcause},
      {"scause", s.scause}, {"mtval", s.mtval},     {"stval", s.stval},     {"mscratch", s.mscratch},
      {"sscratch", s.sscratch}, {"satp", s.satp},
  };
  for (const Row& r : rows) std::fprintf(out, " %-8s %016" PRIx64 "\n", r.name, r.value);
  char name[16];
  for (int i = 0; i < 32; ++i) {
    std::snprintf(name, sizeof name, "x%d/%s", i, int_reg_name(i));
    std::fprintf(out, " %-8s %016" PRIx64, name, s.x[i]);
    if ((i & 3) == 3) std::fputc('\n', out);
  }
  if (with_fpu) {
    for (int i = 0; i < 32; ++i) {
      std::snprintf(name, sizeof name, "f%d/%s", i, fp_reg_name(i));
      std::fprintf(out, " %-8s %016" PRIx64, name, s.f[i]);
      if ((i & 3) == 3) std::fputc('\n', out);
    }
  }
}

template <class F>
std::string printed(F&& print) {
  char* text = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&text, &len);
  print(f);
  std::fclose(f);
  std::string out(text, len);
  std::free(text);
  return out;
}

TEST(CpuFields, DumpIsQemusLayout) {
  TestMachine m;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    m.cpu.s = random_state(seed);
    m.cpu.s.x[0] = 0;
    for (bool fpu : {false, true}) {
      std::string now = printed([&](FILE* f) { dump_cpu_state(m.cpu, f, fpu); });
      EXPECT_EQ(now, printed([&](FILE* f) { v1_dump(m.cpu.s, f, fpu); })) << "seed " << seed;
    }
  }
}

// ------------------------------------------------------------ the table

// Each element reads and writes its own bytes of CpuState, where the table
// says they are: elements are stored row-major, `width` bytes each.
TEST(CpuFields, ElementsAreWhereTheTableSaysTheyAre) {
  for (const CpuField& f : kCpuFields) {
    for (size_t i = 0; i < f.count; ++i) {
      CpuState s;
      const uint64_t old = f.get(s, i);
      const uint64_t v = old ^ 1;  // fits every element type
      unsigned char before[sizeof s], after[sizeof s];
      std::memcpy(before, &s, sizeof s);
      ASSERT_TRUE(f.set(s, i, v)) << f.name;
      EXPECT_EQ(f.get(s, i), v) << cpu_element_name(f, i);
      std::memcpy(after, &s, sizeof s);
      for (size_t b = 0; b < sizeof s; ++b) {
        bool inside = b >= f.offset + i * f.width && b < f.offset + (i + 1) * f.width;
        if (!inside) {
          EXPECT_EQ(before[b], after[b]) << cpu_element_name(f, i) << " wrote byte " << b;
        }
      }
    }
  }
}

TEST(CpuFields, ValuesThatDoNotFitAreRefused) {
  CpuState s;
  EXPECT_FALSE(cpu_field("wfi").set(s, 0, 2));
  EXPECT_FALSE(cpu_field("priv").set(s, 0, 0x100));
  EXPECT_FALSE(cpu_field("pmpcfg").set(s, 15, 0x100));
  EXPECT_FALSE(cpu_field("frm").set(s, 0, 1ull << 32));
  EXPECT_TRUE(cpu_field("frm").set(s, 0, 0xffffffff));
  EXPECT_EQ(s.frm, 0xffffffffu);
}

TEST(CpuFields, DiffStateNamesEachDifferingElement) {
  const CpuState a = random_state(1);
  CpuState b = a;
  EXPECT_EQ(test::diff_state(a, b), "");
  b.x[5] = a.x[5] ^ 0x10;
  b.hpm[1][4] = a.hpm[1][4] ^ 0x20;
  b.tb_insn_index = a.tb_insn_index + 1;
  b.attention = !a.attention;  // engine bookkeeping: not compared
  const std::string d = test::diff_state(a, b);
  EXPECT_EQ(d.rfind("x5: 0x", 0), 0u) << d;
  EXPECT_NE(d.find("\nhpm[1][4]: 0x"), std::string::npos) << d;
  EXPECT_NE(d.find("\ntb_insn_index: 0x"), std::string::npos) << d;
  EXPECT_EQ(std::count(d.begin(), d.end(), '\n'), 3) << d;
}

}  // namespace
}  // namespace rwd::riscv
