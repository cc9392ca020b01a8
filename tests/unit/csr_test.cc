// Tests for CSR access (target/riscv/csr.cc): counters derived from the
// instruction count, counter-enable gating from S/U, read-only and privilege
// checks, WARL fields, delegation masks and the supervisor views of the
// machine registers.
#include <cstdint>

#include <gtest/gtest.h>

#include "test_machine.h"

namespace rwd::riscv {
namespace {

using namespace test;  // TestMachine, kRamBase, register names

// Programs assembled with riscv64-linux-gnu-as -march=rv64gc (.option norvc).
const uint8_t kCounters[] = {
    0x73, 0x25, 0x20, 0xc0,    // 00: csrrs a0,instret,zero
    0xf3, 0x25, 0x00, 0xc0,    // 04: csrrs a1,cycle,zero
    0x13, 0x00, 0x00, 0x00,    // 08: addi zero,zero,0
    0x13, 0x00, 0x00, 0x00,    // 0c: addi zero,zero,0
    0x73, 0x26, 0x20, 0xc0,    // 10: csrrs a2,instret,zero
    0xf3, 0x26, 0x20, 0xb0,    // 14: csrrs a3,minstret,zero
    0x73, 0x27, 0x00, 0xb0,    // 18: csrrs a4,mcycle,zero
    0x93, 0x02, 0x40, 0x06,    // 1c: addi t0,zero,100
    0x73, 0x90, 0x22, 0xb0,    // 20: csrrw zero,minstret,t0
    0xf3, 0x27, 0x20, 0xb0,    // 24: csrrs a5,minstret,zero
    0x73, 0x28, 0x20, 0xc0,    // 28: csrrs a6,instret,zero
    0x6f, 0x00, 0x00, 0x00,    // 2c: jal zero,2c
};
const uint8_t kTime[] = {
    0x73, 0x25, 0x10, 0xc0,    // 00: csrrs a0,time,zero
    0x13, 0x00, 0x00, 0x00,    // 04: addi zero,zero,0
    0xf3, 0x25, 0x10, 0xc0,    // 08: csrrs a1,time,zero
    0x6f, 0x00, 0x00, 0x00,    // 0c: jal zero,c
};
// Reads of read-only CSRs (csrrs/csrrc with x0, csrrsi with 0) do not write;
// the final csrrw does and must trap.
const uint8_t kReadOnly[] = {
    0x73, 0x25, 0x00, 0xc0,    // 00: csrrs a0,cycle,zero
    0xf3, 0x65, 0x20, 0xc0,    // 04: csrrsi a1,instret,0
    0x73, 0x36, 0x10, 0xc0,    // 08: csrrc a2,time,zero
    0x73, 0x90, 0x05, 0xc0,    // 0c: csrrw zero,cycle,a1
};
const uint8_t kReadOnlyCsrrci[] = {
    0x73, 0xf6, 0x40, 0xf1,    // 00: csrrci a2,mhartid,1
};
const uint8_t kReadOnlyCsrrs[] = {
    0x73, 0xa6, 0x12, 0xf1,    // 00: csrrs a2,mvendorid,t0  (t0 != 0)
};
const uint8_t kSpin[] = {
    0x6f, 0x00, 0x00, 0x00,    // 00: jal zero,0
};
constexpr uint64_t kHandler = kRamBase + 0x100;

class CsrTest : public testing::Test {
 protected:
  Cpu& cpu() { return m.cpu; }
  void set_priv(Priv p) {
    cpu().s.priv = p;
    cpu().update_mmu_context();
  }
  uint64_t read_as(Priv p, uint16_t num) {
    Priv old = cpu().s.priv;
    set_priv(p);
    uint64_t v = 0;
    try {
      v = cpu().csr_read(num);
    } catch (...) {
      set_priv(old);
      throw;
    }
    set_priv(old);
    return v;
  }
  void write_as(Priv p, uint16_t num, uint64_t v) {
    Priv old = cpu().s.priv;
    set_priv(p);
    try {
      cpu().csr_write(num, v);
    } catch (...) {
      set_priv(old);
      throw;
    }
    set_priv(old);
  }
  uint64_t rd(uint16_t num) { return read_as(Priv::M, num); }
  void wr(uint16_t num, uint64_t v) { write_as(Priv::M, num, v); }

  template <typename F>
  void expect_illegal(F&& f, const char* what) {
    try {
      f();
      ADD_FAILURE() << what << ": no trap";
    } catch (const GuestTrap& t) {
      EXPECT_EQ(static_cast<uint64_t>(t.cause), static_cast<uint64_t>(Cause::kIllegalInsn)) << what;
    }
  }
  bool readable(Priv p, uint16_t num) {
    try {
      read_as(p, num);
      return true;
    } catch (const GuestTrap&) {
      return false;
    }
  }

  TestMachine m;
};

// ---------------------------------------------------------------- counters

TEST_F(CsrTest, CountersSeeTheReadingInstructionCounted) {
  m.load(kRamBase, kCounters);
  ASSERT_EQ(m.engine.run(50), StopReason::kLimit);
  const CpuState& s = cpu().s;
  EXPECT_EQ(s.x[kA0], 1u) << "first instruction reads instret = 1";
  EXPECT_EQ(s.x[kA1], 2u) << "cycle counts instructions too";
  EXPECT_EQ(s.x[kA2], 5u);
  EXPECT_EQ(s.x[kA3], 6u) << "minstret is the same counter";
  EXPECT_EQ(s.x[kA4], 7u) << "mcycle";
  // After writing 100, the next instruction reads 100 plus itself.
  EXPECT_EQ(s.x[kA5], 101u);
  EXPECT_EQ(s.x[kA6], 102u) << "instret shadows the written minstret";
  // Between runs the counter equals icount plus the written offset.
  EXPECT_EQ(rd(csr::kMinstret), s.icount + 100 - 9);
  EXPECT_EQ(rd(csr::kMcycle), s.icount) << "mcycle was not written";
}

TEST_F(CsrTest, CountersAreExactWhenStartedMidBlockOrSingleStepped) {
  for (uint64_t first = 1; first < 12; ++first) {
    TestMachine other;
    other.load(kRamBase, kCounters);
    ASSERT_EQ(other.engine.run(first), StopReason::kLimit);
    ASSERT_EQ(other.engine.run(50), StopReason::kLimit);
    EXPECT_EQ(other.cpu.s.x[kA0], 1u) << first;
    EXPECT_EQ(other.cpu.s.x[kA2], 5u) << first;
    EXPECT_EQ(other.cpu.s.x[kA5], 101u) << first;
    EXPECT_EQ(other.cpu.s.x[kA6], 102u) << first;
  }
}

TEST_F(CsrTest, TimeFollowsTheInstructionCount) {
  // shift 0: 1 ns per instruction, mtime ticks every 100 ns. Starting at
  // icount 1099, the first instruction is number 1100: time = 11.
  m.load(kRamBase, kTime);
  cpu().s.icount = 1099;
  ASSERT_EQ(m.engine.run(1099 + 10), StopReason::kLimit);
  EXPECT_EQ(cpu().s.x[kA0], 11u);
  EXPECT_EQ(cpu().s.x[kA1], 11u);
  EXPECT_EQ(rd(csr::kTime), (1099 + 10) / 100u);
  // Guest writes to mtime move the time CSR with it.
  m.clint.write(kClintMtime, 8, 5000);
  EXPECT_EQ(rd(csr::kTime), 5000u);
}

TEST_F(CsrTest, CounterEnableGatesSAndUMode) {
  struct Counter {
    uint16_t num;
    unsigned bit;
  } counters[] = {{csr::kCycle, 0}, {csr::kTime, 1}, {csr::kInstret, 2}, {csr::kHpmCounter3, 3},
                  {static_cast<uint16_t>(csr::kHpmCounter3 + 15), 18}};
  // As QEMU 7.2 (pmu-num=16): hpmcounter19..31 do not exist, even for M.
  EXPECT_FALSE(readable(Priv::M, csr::kHpmCounter31));
  for (const Counter& c : counters) {
    SCOPED_TRACE(c.num);
    wr(csr::kMcounteren, 0);
    wr(csr::kScounteren, 0);
    EXPECT_TRUE(readable(Priv::M, c.num));
    EXPECT_FALSE(readable(Priv::S, c.num));
    EXPECT_FALSE(readable(Priv::U, c.num));
    wr(csr::kMcounteren, 1u << c.bit);
    EXPECT_TRUE(readable(Priv::S, c.num));
    EXPECT_FALSE(readable(Priv::U, c.num)) << "U also needs scounteren";
    wr(csr::kScounteren, 1u << c.bit);
    EXPECT_TRUE(readable(Priv::U, c.num));
    wr(csr::kMcounteren, ~(1ull << c.bit));
    EXPECT_FALSE(readable(Priv::S, c.num)) << "only this counter's bit counts";
    EXPECT_FALSE(readable(Priv::U, c.num)) << "scounteren alone is not enough";
  }
  // The enables gate reads only of the user-level aliases.
  wr(csr::kMcounteren, 0);
  EXPECT_TRUE(readable(Priv::M, csr::kMcycle));
  EXPECT_FALSE(readable(Priv::S, csr::kMcycle)) << "M-level CSR from S";
  // S may write scounteren; U may not.
  write_as(Priv::S, csr::kScounteren, 5);
  EXPECT_EQ(rd(csr::kScounteren), 5u);
  expect_illegal([&] { write_as(Priv::U, csr::kScounteren, 0); }, "scounteren from U");
}

// ------------------------------------------------------- access violations

TEST_F(CsrTest, WritesToReadOnlyCsrsTrap) {
  for (uint16_t num : {csr::kCycle, csr::kTime, csr::kInstret, csr::kHpmCounter3, csr::kMvendorid,
                       csr::kMarchid, csr::kMimpid, csr::kMhartid, csr::kMconfigptr}) {
    SCOPED_TRACE(num);
    EXPECT_NO_THROW(rd(num));
    expect_illegal([&] { wr(num, 0); }, "write");
  }
  // Unknown CSRs and the odd pmpcfg registers (absent on RV64).
  expect_illegal([&] { rd(0x7c0); }, "read of an unimplemented CSR");
  expect_illegal([&] { wr(0x5c0, 1); }, "write of an unimplemented CSR");
  expect_illegal([&] { rd(csr::kPmpcfg0 + 1); }, "pmpcfg1");
  expect_illegal([&] { wr(csr::kPmpcfg0 + 3, 0); }, "pmpcfg3");
  // Privilege: the CSR number's bits 9:8.
  expect_illegal([&] { read_as(Priv::S, csr::kMstatus); }, "mstatus from S");
  expect_illegal([&] { read_as(Priv::U, csr::kSstatus); }, "sstatus from U");
  expect_illegal([&] { write_as(Priv::S, csr::kMepc, 0); }, "mepc from S");
  EXPECT_NO_THROW(read_as(Priv::S, csr::kSstatus));
  // Floating-point CSRs need mstatus.FS on.
  wr(csr::kMstatus, rd(csr::kMstatus) & ~mstatus::kFS);
  expect_illegal([&] { rd(csr::kFcsr); }, "fcsr with FS off");
  wr(csr::kMstatus, rd(csr::kMstatus) | (1ull << mstatus::kFSShift));
  wr(csr::kFcsr, 0xff);
  EXPECT_EQ(rd(csr::kFrm), 7u);
  EXPECT_EQ(rd(csr::kFflags), 0x1fu);
  EXPECT_EQ(rd(csr::kMstatus) & mstatus::kFS, mstatus::kFSDirty) << "writing fcsr dirties FS";
}

struct RoCase {
  const char* name;
  const uint8_t* prog;
  size_t len;
  uint64_t epc_off;
  uint32_t raw;
};

TEST_F(CsrTest, ReadOnlyCsrInstructionsTrapOnlyWhenTheyWrite) {
  const RoCase cases[] = {
      {"csrrw zero,cycle,a1", kReadOnly, sizeof kReadOnly, 0xc, 0xc0059073},
      {"csrrci a2,mhartid,1", kReadOnlyCsrrci, sizeof kReadOnlyCsrrci, 0, 0xf140f673},
      {"csrrs a2,mvendorid,t0", kReadOnlyCsrrs, sizeof kReadOnlyCsrrs, 0, 0xf112a673},
  };
  for (const RoCase& c : cases) {
    SCOPED_TRACE(c.name);
    TestMachine t;
    t.load(kRamBase, c.prog, c.len);
    t.load(kHandler, kSpin);
    t.cpu.s.mtvec = kHandler;
    t.cpu.s.x[kT0] = 1;
    ASSERT_EQ(t.engine.run(10), StopReason::kLimit);
    EXPECT_EQ(t.cpu.s.mcause, static_cast<uint64_t>(Cause::kIllegalInsn));
    EXPECT_EQ(t.cpu.s.mepc, kRamBase + c.epc_off) << "the reads before it did not trap";
    EXPECT_EQ(t.cpu.s.mtval, c.raw) << "mtval holds the instruction";
    EXPECT_EQ(t.cpu.s.x[kA2], 0u) << "rd is not written";
  }
}

// ---------------------------------------------------------------- WARL

TEST_F(CsrTest, MstatusMppIsWarl) {
  auto mpp = [&] { return (rd(csr::kMstatus) & mstatus::kMPP) >> mstatus::kMPPShift; };
  auto set_mpp = [&](uint64_t v) {
    wr(csr::kMstatus, (rd(csr::kMstatus) & ~mstatus::kMPP) | (v << mstatus::kMPPShift));
  };
  set_mpp(1);
  EXPECT_EQ(mpp(), 1u);
  set_mpp(2);
  EXPECT_EQ(mpp(), 1u) << "2 is reserved: the old value stays";
  set_mpp(3);
  EXPECT_EQ(mpp(), 3u);
  set_mpp(2);
  EXPECT_EQ(mpp(), 3u);
  set_mpp(0);
  EXPECT_EQ(mpp(), 0u);
  // Other fields change in the same write even when MPP is rejected.
  wr(csr::kMstatus, (2ull << mstatus::kMPPShift) | mstatus::kSUM);
  EXPECT_EQ(mpp(), 0u);
  EXPECT_NE(rd(csr::kMstatus) & mstatus::kSUM, 0u);
}

TEST_F(CsrTest, MstatusReadOnlyFieldsAndSd) {
  const uint64_t xl = rd(csr::kMstatus) & (mstatus::kUXL | mstatus::kSXL);
  EXPECT_EQ(xl, (2ull << 32) | (2ull << 34)) << "UXL = SXL = 64";
  wr(csr::kMstatus, ~0ull);
  uint64_t st = rd(csr::kMstatus);
  EXPECT_EQ(st & (mstatus::kUXL | mstatus::kSXL), xl) << "XLEN fields are read-only";
  EXPECT_EQ(st & mstatus::kXS, 0u) << "no extension state";
  EXPECT_EQ(st & mstatus::kUBE, 0u) << "little-endian only";
  EXPECT_NE(st & mstatus::kSD, 0u) << "SD summarises FS = dirty";
  EXPECT_EQ((st & mstatus::kMPP) >> mstatus::kMPPShift, 3u);
  wr(csr::kMstatus, 1ull << mstatus::kFSShift);  // FS = initial
  EXPECT_EQ(rd(csr::kMstatus) & mstatus::kSD, 0u);
  wr(csr::kMstatus, mstatus::kSD);  // SD itself is not writable
  EXPECT_EQ(rd(csr::kMstatus) & mstatus::kSD, 0u);
}

TEST_F(CsrTest, SatpWithAnUnsupportedModeIsIgnored) {
  const uint64_t sv39 = (satp::kModeSv39 << satp::kModeShift) | 0x80123;
  wr(csr::kSatp, sv39);
  EXPECT_EQ(rd(csr::kSatp), sv39);
  for (uint64_t mode : {1ull, 7ull, 11ull, 15ull}) {
    wr(csr::kSatp, (mode << satp::kModeShift) | 0x80456);
    EXPECT_EQ(rd(csr::kSatp), sv39) << "mode " << mode;
  }
  const uint64_t sv48 = (satp::kModeSv48 << satp::kModeShift) | 0x80789;
  wr(csr::kSatp, sv48);
  EXPECT_EQ(rd(csr::kSatp), sv48);
  const uint64_t sv57 = (satp::kModeSv57 << satp::kModeShift) | 0x80abc;
  wr(csr::kSatp, sv57);
  EXPECT_EQ(rd(csr::kSatp), sv57);
  wr(csr::kSatp, 0);
  EXPECT_EQ(rd(csr::kSatp), 0u);
  // mstatus.TVM traps satp accesses from S, not from M.
  wr(csr::kMstatus, rd(csr::kMstatus) | mstatus::kTVM);
  expect_illegal([&] { read_as(Priv::S, csr::kSatp); }, "satp read with TVM");
  expect_illegal([&] { write_as(Priv::S, csr::kSatp, sv39); }, "satp write with TVM");
  EXPECT_NO_THROW(rd(csr::kSatp));
  wr(csr::kMstatus, rd(csr::kMstatus) & ~mstatus::kTVM);
  write_as(Priv::S, csr::kSatp, sv39);
  EXPECT_EQ(read_as(Priv::S, csr::kSatp), sv39);
}

TEST_F(CsrTest, OtherWarlRegisters) {
  const uint64_t misa = rd(csr::kMisa);
  EXPECT_EQ(misa, kMisaValue);
  wr(csr::kMisa, 0);
  EXPECT_EQ(rd(csr::kMisa), misa) << "extensions cannot be disabled";
  wr(csr::kMtvec, kRamBase | 1);
  EXPECT_EQ(rd(csr::kMtvec), kRamBase | 1) << "vectored mode";
  wr(csr::kMtvec, kRamBase | 2);
  EXPECT_EQ(rd(csr::kMtvec), kRamBase | 1) << "reserved mode 2 is ignored";
  wr(csr::kMepc, 0x80000003);
  EXPECT_EQ(rd(csr::kMepc), 0x80000002u) << "IALIGN = 16: bit 0 is zero";
  wr(csr::kSepc, 0x80000005);
  EXPECT_EQ(rd(csr::kSepc), 0x80000004u);
  wr(csr::kMie, ~0ull);
  EXPECT_EQ(rd(csr::kMie), irq::kAll);
}

// ------------------------------------------------------------- delegation

TEST_F(CsrTest, DelegationMasks) {
  wr(csr::kMedeleg, ~0ull);
  const uint64_t medeleg = rd(csr::kMedeleg);
  EXPECT_EQ(medeleg & (1ull << 11), 0u) << "ecall from M cannot be delegated";
  for (int c : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 15})
    EXPECT_NE(medeleg & (1ull << c), 0u) << "exception " << c << " is delegable";
  EXPECT_EQ(medeleg >> 16, 0u) << "no exceptions above 15";
  EXPECT_EQ(medeleg & (1ull << 14), 0u) << "14 is reserved";
  wr(csr::kMedeleg, 0);
  EXPECT_EQ(rd(csr::kMedeleg), 0u);

  wr(csr::kMideleg, ~0ull);
  EXPECT_EQ(rd(csr::kMideleg), irq::kSSIP | irq::kSTIP | irq::kSEIP) << "only S interrupts";
}

// ------------------------------------------------- supervisor views

TEST_F(CsrTest, SstatusIsARestrictedViewOfMstatus) {
  wr(csr::kMstatus, mstatus::kMIE | mstatus::kMPIE | (3ull << mstatus::kMPPShift) | mstatus::kSIE |
                        mstatus::kSUM | mstatus::kTSR);
  const uint64_t m = rd(csr::kMstatus);
  EXPECT_EQ(read_as(Priv::S, csr::kSstatus), m & mstatus::kSstatusMask);
  EXPECT_EQ(read_as(Priv::S, csr::kSstatus) & (mstatus::kMIE | mstatus::kMPP | mstatus::kTSR), 0u);

  // Writing all ones through sstatus changes only supervisor fields.
  write_as(Priv::S, csr::kSstatus, ~0ull);
  const uint64_t after = rd(csr::kMstatus);
  EXPECT_EQ(after & (mstatus::kMIE | mstatus::kMPIE | mstatus::kMPP | mstatus::kTSR),
            m & (mstatus::kMIE | mstatus::kMPIE | mstatus::kMPP | mstatus::kTSR));
  EXPECT_EQ(after & (mstatus::kMPRV | mstatus::kTVM | mstatus::kTW), 0u);
  for (uint64_t bit : {mstatus::kSIE, mstatus::kSPIE, mstatus::kSPP, mstatus::kSUM, mstatus::kMXR})
    EXPECT_NE(after & bit, 0u) << std::hex << bit;
  EXPECT_EQ(after & mstatus::kFS, mstatus::kFS);
  EXPECT_NE(read_as(Priv::S, csr::kSstatus) & mstatus::kSD, 0u) << "SD is visible in sstatus";

  write_as(Priv::S, csr::kSstatus, 0);
  const uint64_t cleared = rd(csr::kMstatus);
  EXPECT_EQ(cleared & (mstatus::kSIE | mstatus::kSUM | mstatus::kFS), 0u);
  EXPECT_NE(cleared & mstatus::kMIE, 0u) << "MIE untouched";
}

TEST_F(CsrTest, SieAndSipAreViewsOfMieAndMipThroughMideleg) {
  wr(csr::kMie, irq::kAll);
  wr(csr::kMideleg, irq::kSSIP | irq::kSTIP);
  EXPECT_EQ(read_as(Priv::S, csr::kSie), irq::kSSIP | irq::kSTIP);

  write_as(Priv::S, csr::kSie, 0);
  EXPECT_EQ(rd(csr::kMie), irq::kAll & ~(irq::kSSIP | irq::kSTIP)) << "only delegated bits change";
  write_as(Priv::S, csr::kSie, ~0ull);
  EXPECT_EQ(rd(csr::kMie), irq::kAll);

  // mip: M-mode may set the S bits; devices drive the rest.
  wr(csr::kMip, ~0ull);
  EXPECT_EQ(rd(csr::kMip), irq::kSSIP | irq::kSTIP | irq::kSEIP);
  cpu().set_mip_bit(irq::kMTIP, true);
  EXPECT_EQ(read_as(Priv::S, csr::kSip), irq::kSSIP | irq::kSTIP) << "sip shows delegated bits only";
  wr(csr::kMip, 0);
  EXPECT_EQ(rd(csr::kMip), irq::kMTIP) << "MTIP is not writable";

  // S may set/clear SSIP through sip, but not STIP, and only when delegated.
  write_as(Priv::S, csr::kSip, ~0ull);
  EXPECT_EQ(rd(csr::kMip), irq::kMTIP | irq::kSSIP);
  write_as(Priv::S, csr::kSip, 0);
  EXPECT_EQ(rd(csr::kMip), irq::kMTIP);
  wr(csr::kMideleg, irq::kSTIP);
  write_as(Priv::S, csr::kSip, irq::kSSIP);
  EXPECT_EQ(rd(csr::kMip) & irq::kSSIP, 0u) << "SSIP not delegated";
  EXPECT_EQ(read_as(Priv::S, csr::kSie), irq::kSTIP);
}

}  // namespace
}  // namespace rwd::riscv
