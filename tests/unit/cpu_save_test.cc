// Tests for saving and loading the hart (save_cpu_state/load_cpu_state in
// target/riscv/cpu_fields.h, and Cpu::load_state): round trips, damaged data
// refused with DecodeError (never installed, never a crash), and a loaded
// hart running on exactly as the saved one did.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "target/riscv/cpu_fields.h"
#include "target/riscv/cpu_fields.h"
#include "test_machine.h"
#include "util/byte_codec.h"

namespace rwd::riscv {
namespace {

using test::diff_state;
using test::kRamBase;
using test::TestMachine;

// Every saved element random, then made valid (cpu_fields.h's rules).
CpuState random_state(uint64_t seed) {
  std::mt19937_64 rng(seed);
  CpuState s;
  for (const CpuField& f : kCpuFields) {
    if (!f.has(kSaved)) continue;
    for (size_t i = 0; i < f.count; ++i) {
      uint64_t v = rng();
      if (f.width < 8) v &= (1ull << (8 * f.width)) - 1;
      if (!f.set(s, i, v)) {
        EXPECT_TRUE(f.set(s, i, v & 1)) << f.name;  // bools
      }
    }
  }
  const Priv privs[] = {Priv::U, Priv::S, Priv::M};
  s.priv = privs[rng() % 3];
  s.x[0] = 0;
  s.mstatus = (s.mstatus & ~mstatus::kMPP) | (3ull << mstatus::kMPPShift);
  s.mstatus = (s.mstatus & ~(mstatus::kUXL | mstatus::kSXL)) | (2ull << 32) | (2ull << 34);
  s.misa = kMisaValue;
  s.satp = (s.satp & ((1ull << 60) - 1)) | (satp::kModeSv48 << satp::kModeShift);
  s.fflags &= 0x1f;
  s.frm &= 7;
  for (uint8_t& c : s.pmpcfg) c &= 0x9f;
  s.tselect &= 1;
  for (uint64_t& t : s.tdata1) t = trigger::write_tdata1(trigger::kTdata1Reset, (6ull << 60) | (t & ((1ull << 60) - 1)));
  return s;
}

std::vector<uint8_t> saved(const CpuState& s) {
  ByteWriter w;
  save_cpu_state(s, w);
  return w.data();
}

// The saved fields as the format lays them out (cpu_fields.h), to damage one.
using Fields = std::vector<std::vector<uint64_t>>;
Fields parse(const std::vector<uint8_t>& bytes) {
  ByteReader r(bytes);
  r.expect_section("cpu");
  Fields fields(r.varint());
  for (auto& f : fields) {
    f.resize(r.varint());
    for (uint64_t& v : f) v = r.u64();
  }
  EXPECT_TRUE(r.at_end());
  return fields;
}
std::vector<uint8_t> encode(const Fields& fields) {
  ByteWriter w;
  w.section("cpu");
  w.varint(fields.size());
  for (const auto& f : fields) {
    w.varint(f.size());
    for (uint64_t v : f) w.u64(v);
  }
  return w.data();
}
// Position of the field called `name` among the saved ones.
size_t saved_index(const char* name) {
  size_t n = 0;
  for (const CpuField& f : kCpuFields) {
    if (!f.has(kSaved)) continue;
    if (std::string(f.name) == name) return n;
    ++n;
  }
  ADD_FAILURE() << name << " is not saved";
  return 0;
}

TEST(CpuSave, RoundTripRestoresEverySavedField) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const CpuState s = random_state(seed);
    std::vector<uint8_t> bytes = saved(s);
    CpuState loaded = random_state(seed + 100);
    loaded.tb_insn_index = 7;
    ByteReader r(bytes);
    load_cpu_state(loaded, r);
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(diff_state(loaded, s), "") << "seed " << seed;
    EXPECT_EQ(loaded.tb_insn_index, 0u);
    EXPECT_TRUE(loaded.attention) << "the engine must look at a loaded hart";
    EXPECT_EQ(saved(loaded), bytes);
  }
}

TEST(CpuSave, TruncatedDataThrows) {
  std::vector<uint8_t> bytes = saved(random_state(1));
  for (size_t len = 0; len < bytes.size(); ++len) {
    ByteReader r(bytes.data(), len);
    CpuState s;
    EXPECT_THROW(load_cpu_state(s, r), DecodeError) << "cut at " << len;
  }
}

// Every single-bit flip is refused, or loads a state that differs from the
// saved one; a refused load leaves the destination as it was.
TEST(CpuSave, EveryBitFlipIsRefusedOrLoadsADifferentState) {
  const CpuState s = random_state(2);
  const CpuState before = random_state(3);
  const std::vector<uint8_t> bytes = saved(s);
  size_t refused = 0;
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    std::vector<uint8_t> bad = bytes;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    CpuState loaded = before;
    ByteReader r(bad);
    try {
      load_cpu_state(loaded, r);
      EXPECT_NE(diff_state(loaded, s), "") << "bit " << bit;
    } catch (const DecodeError&) {
      ++refused;
      EXPECT_EQ(diff_state(loaded, before), "") << "bit " << bit << ": a refused load changed the hart";
    }
  }
  EXPECT_GT(refused, 0u);
}

TEST(CpuSave, InvalidValuesAreRefused) {
  const Fields good = parse(saved(random_state(4)));
  struct Case {
    const char* field;
    size_t element;
    uint64_t value;
  };
  const Case cases[] = {
      {"priv", 0, 2},  // reserved (H's level)
      {"priv", 0, 0x103},
      {"x", 0, 1},
      {"mstatus", 0, (good[saved_index("mstatus")][0] & ~mstatus::kMPP) | (2ull << mstatus::kMPPShift)},
      {"mstatus", 0, good[saved_index("mstatus")][0] & ~mstatus::kUXL},
      {"misa", 0, kMisaValue | (1u << ('V' - 'A'))},
      {"satp", 0, 1ull << satp::kModeShift},
      {"fflags", 0, 0x20},
      {"frm", 0, 8},
      {"pmpcfg", 3, 0x20},
      {"pmpcfg", 3, 0x100},  // wider than a byte
      {"wfi", 0, 2},
      {"reservation_valid", 0, 0x100},
      {"tselect", 0, 2},                 // past the two triggers
      {"tdata1", 1, 1ull << 60},         // a type tdata1 never holds
      {"tdata1", 0, (2ull << 60) | 0x1000},  // an action bit a write drops
  };
  for (const Case& c : cases) {
    Fields bad = good;
    bad[saved_index(c.field)][c.element] = c.value;
    std::vector<uint8_t> bytes = encode(bad);
    ByteReader r(bytes);
    CpuState s;
    try {
      load_cpu_state(s, r);
      ADD_FAILURE() << c.field << " = " << c.value << " was accepted";
    } catch (const DecodeError& e) {
      EXPECT_NE(std::string(e.what()).find(c.field), std::string::npos) << e.what();
    }
  }
  // The unchanged fields load.
  std::vector<uint8_t> bytes = encode(good);
  ByteReader r(bytes);
  CpuState s;
  EXPECT_NO_THROW(load_cpu_state(s, r));
}

TEST(CpuSave, OtherLayoutsAreRefused) {
  const Fields good = parse(saved(random_state(5)));
  Fields fewer = good;
  fewer.pop_back();
  Fields shorter = good;
  shorter[saved_index("pmpaddr")].pop_back();
  for (const Fields& bad : {fewer, shorter}) {
    std::vector<uint8_t> bytes = encode(bad);
    ByteReader r(bytes);
    CpuState s;
    EXPECT_THROW(load_cpu_state(s, r), DecodeError);
  }
  ByteWriter w;
  w.section("clint");
  ByteReader r(w.data());
  CpuState s;
  EXPECT_THROW(load_cpu_state(s, r), DecodeError);
}

// M mode maps RAM with one Sv39 gigapage (VA = PA), enables FP, drops to S
// mode, which runs 1000 iterations of integer, memory, LR/SC and FP work.
// Assembled with riscv64-linux-gnu-as -march=rv64gc -mno-relax.
const uint8_t kSModeLoop[] = {
    // start:
    0x97, 0x02, 0x01, 0x00,    // 00: auipc t0,0x10         (root table 0x80010000)
    0x37, 0x03, 0x00, 0x20,    // 04: lui t1,0x20000
    0x1b, 0x03, 0xf3, 0x0c,    // 08: addiw t1,t1,207       (gigapage PPN 0x80000, DAXWRV)
    0x23, 0xb8, 0x62, 0x00,    // 0c: sd t1,16(t0)
    0x93, 0xd3, 0xc2, 0x00,    // 10: srli t2,t0,0xc
    0x13, 0x0e, 0x80, 0x00,    // 14: addi t3,zero,8
    0x13, 0x1e, 0xce, 0x03,    // 18: slli t3,t3,0x3c
    0xb3, 0xe3, 0xc3, 0x01,    // 1c: or t2,t2,t3
    0x73, 0x90, 0x03, 0x18,    // 20: csrrw zero,satp,t2
    0x73, 0x00, 0x00, 0x12,    // 24: sfence.vma zero,zero
    0x37, 0x23, 0x00, 0x00,    // 28: lui t1,0x2
    0x73, 0x20, 0x03, 0x30,    // 2c: csrrs zero,mstatus,t1 (FS = initial)
    0x37, 0x23, 0x00, 0x00,    // 30: lui t1,0x2
    0x1b, 0x03, 0x03, 0x80,    // 34: addiw t1,t1,-2048
    0x73, 0x30, 0x03, 0x30,    // 38: csrrc zero,mstatus,t1
    0x37, 0x13, 0x00, 0x00,    // 3c: lui t1,0x1
    0x1b, 0x03, 0x03, 0x80,    // 40: addiw t1,t1,-2048
    0x73, 0x20, 0x03, 0x30,    // 44: csrrs zero,mstatus,t1 (MPP = S)
    0x17, 0x03, 0x00, 0x00,    // 48: auipc t1,0x0
    0x13, 0x03, 0x03, 0x01,    // 4c: addi t1,t1,16
    0x73, 0x10, 0x13, 0x34,    // 50: csrrw zero,mepc,t1
    0x73, 0x00, 0x20, 0x30,    // 54: mret
    // s_entry:
    0x93, 0x02, 0x00, 0x00,    // 58: addi t0,zero,0
    0x13, 0x03, 0x80, 0x3e,    // 5c: addi t1,zero,1000
    0x13, 0x05, 0x10, 0x00,    // 60: addi a0,zero,1
    0x97, 0x04, 0x02, 0x00,    // 64: auipc s1,0x20
    0x93, 0xf4, 0x04, 0xf0,    // 68: andi s1,s1,-256
    0xd3, 0x75, 0x20, 0xd2,    // 6c: fcvt.d.l fa1,zero
    // loop:
    0xb3, 0x85, 0xa5, 0x00,    // 70: add a1,a1,a0
    0x93, 0x96, 0x35, 0x00,    // 74: slli a3,a1,0x3
    0x33, 0xc7, 0xb6, 0x00,    // 78: xor a4,a3,a1
    0x13, 0x05, 0x35, 0x00,    // 7c: addi a0,a0,3
    0xb3, 0x07, 0xa7, 0x02,    // 80: mul a5,a4,a0
    0x13, 0xf8, 0xf2, 0x01,    // 84: andi a6,t0,31
    0x13, 0x18, 0x38, 0x00,    // 88: slli a6,a6,0x3
    0x33, 0x08, 0x98, 0x00,    // 8c: add a6,a6,s1
    0x23, 0x30, 0xf8, 0x00,    // 90: sd a5,0(a6)
    0x83, 0x38, 0x08, 0x00,    // 94: ld a7,0(a6)
    0x53, 0xf5, 0x28, 0xd2,    // 98: fcvt.d.l fa0,a7
    0xd3, 0xf5, 0xa5, 0x02,    // 9c: fadd.d fa1,fa1,fa0
    0x2f, 0x39, 0x08, 0x10,    // a0: lr.d s2,(a6)
    0xaf, 0x39, 0x18, 0x19,    // a4: sc.d s3,a7,(a6)
    0x93, 0x82, 0x12, 0x00,    // a8: addi t0,t0,1
    0xe3, 0xc2, 0x62, 0xfc,    // ac: blt t0,t1,70
    // done:
    0x6f, 0x00, 0x00, 0x00,    // b0: jal zero,b0
};
constexpr uint64_t kLoopEnd = 16200;  // past the loop's 16000-odd instructions

std::vector<uint8_t> ram(TestMachine& m) {
  std::vector<uint8_t> v(m.ram->size);
  EXPECT_TRUE(m.as.read_bytes(kRamBase, v.data(), v.size()));
  return v;
}

// Saved at `at` and loaded into a machine that ran elsewhere (other
// privilege, translation context and TLB contents), the hart runs on to the
// same state as the original. Everything it caches must be re-derived.
TEST(CpuSave, LoadedHartRunsOnLikeTheSavedOne) {
  for (uint64_t at : {1u, 9u, 21u, 22u, 23u, 30u, 500u, 4321u}) {
    TestMachine a;
    a.load(kRamBase, kSModeLoop);
    ASSERT_EQ(a.engine.run(at), StopReason::kLimit);
    ByteWriter w;
    a.clint.save(w);
    a.cpu.save_state(w);
    const std::vector<uint8_t> memory = ram(a);

    TestMachine b;
    b.load(kRamBase, kSModeLoop);
    ASSERT_EQ(b.engine.run(at < 100 ? 3000 : 5), StopReason::kLimit);  // warm, in the other mode
    b.load(kRamBase, memory.data(), memory.size());
    ByteReader r(w.data());
    b.clint.load(r);
    b.cpu.load_state(r);
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(b.cpu.tb_context(), a.cpu.tb_context()) << "at " << at;
    EXPECT_EQ(b.cpu.mmu.data_idx(), a.cpu.mmu.data_idx()) << "at " << at;
    EXPECT_EQ(b.cpu.mmu.fetch_idx(), a.cpu.mmu.fetch_idx()) << "at " << at;

    ASSERT_EQ(a.engine.run(kLoopEnd), StopReason::kLimit);
    ASSERT_EQ(b.engine.run(kLoopEnd), StopReason::kLimit);
    EXPECT_EQ(diff_state(b.cpu.s, a.cpu.s), "") << "saved at " << at;
    EXPECT_TRUE(ram(b) == ram(a)) << "saved at " << at;
  }
  TestMachine m;
  m.load(kRamBase, kSModeLoop);
  ASSERT_EQ(m.engine.run(kLoopEnd), StopReason::kLimit);
  EXPECT_EQ(m.cpu.s.priv, Priv::S) << "the program must reach S mode";
  EXPECT_EQ(m.cpu.s.x[test::kT0], 1000u) << "and finish its loop";
}

// The TLB is flushed: a translation cached before the load is not used after.
TEST(CpuSave, LoadDropsStaleTranslations) {
  TestMachine m;
  m.load(kRamBase, kSModeLoop);
  ASSERT_EQ(m.engine.run(kLoopEnd), StopReason::kLimit);  // S mode, VA 0x80000000.. = PA
  ByteWriter w;
  m.cpu.save_state(w);
  const uint64_t va = kRamBase + 0x30000;
  m.write64(va, 0x1111);
  m.write64(va + 0x1000, 0x2222);
  ASSERT_EQ(m.cpu.mmu.load<uint64_t>(va), 0x1111u);
  // Map VA to the next page with 4 KiB tables, behind the TLB's back.
  const uint64_t root = kRamBase + 0x10000, l1 = kRamBase + 0x11000, l0 = kRamBase + 0x12000;
  auto table_pte = [](uint64_t pa) { return ((pa >> 12) << 10) | pte::kV; };
  m.write64(root + 2 * 8, table_pte(l1));
  m.write64(l1 + 0 * 8, table_pte(l0));
  m.write64(l0 + 0x30 * 8, (((va + 0x1000) >> 12) << 10) | 0xcf);
  ASSERT_EQ(m.cpu.mmu.load<uint64_t>(va), 0x1111u) << "the TLB still holds the old translation";
  ByteReader r(w.data());
  m.cpu.load_state(r);
  EXPECT_EQ(m.cpu.mmu.load<uint64_t>(va), 0x2222u);
}

}  // namespace
}  // namespace rwd::riscv
