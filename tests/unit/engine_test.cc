// Tests for the execution engine (accel/tcg/engine.h) and its "stop after
// exactly N instructions" contract, which record/replay stands on: run(N)
// never overshoots, any slicing of a run gives bit-identical state, timer
// interrupts land on the same instruction however the run is sliced, traps
// are counted as documented in engine.cc (trap_retires_instruction), and
// stores to translated code take effect.
//
// Guest programs were assembled with riscv64-linux-gnu-as -march=rv64gc
// -mno-relax; the listing (objdump -M no-aliases) is kept next to the bytes.
#include <cstdint>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "accel/tcg/debug_stops.h"
#include "test_machine.h"

namespace rwd {
namespace {

using riscv::Cause;
using riscv::CpuState;
using riscv::Priv;
using test::diff_state;
using test::kRamBase;
using test::TestMachine;
namespace mstatus = riscv::mstatus;
namespace irq = riscv::irq;
using namespace test;  // register names

// A counting loop: 300 iterations of integer, multiply, load/store, FP and
// compressed instructions with a data-dependent branch, then csrr instret/
// cycle, then `done: j done` forever. The timer handler at 0x68 records
// minstret/mepc/mcause, counts itself in s10, masks MTIE and returns.
const uint8_t kLoop[] = {
    // start:
    0x89, 0x63,                // 00: c.lui t2,0x2
    0x73, 0xa0, 0x03, 0x30,    // 02: csrrs zero,mstatus,t2
    0x81, 0x42,                // 06: c.li t0,0
    0x13, 0x03, 0xc0, 0x12,    // 08: addi t1,zero,300
    0x05, 0x45,                // 0c: c.li a0,1
    0x81, 0x45,                // 0e: c.li a1,0
    0xa1, 0x64,                // 10: c.lui s1,0x8
    0x85, 0x24,                // 12: c.addiw s1,1
    0xc2, 0x04,                // 14: c.slli s1,0x10
    0xd3, 0x75, 0x20, 0xd2,    // 16: fcvt.d.l fa1,zero
    // loop:
    0xaa, 0x95,                // 1a: c.add a1,a0
    0x93, 0x96, 0x35, 0x00,    // 1c: slli a3,a1,0x3
    0x33, 0xc7, 0xb6, 0x00,    // 20: xor a4,a3,a1
    0x0d, 0x05,                // 24: c.addi a0,3
    0xb3, 0x07, 0xa7, 0x02,    // 26: mul a5,a4,a0
    0x13, 0xf8, 0xf2, 0x01,    // 2a: andi a6,t0,31
    0x0e, 0x08,                // 2e: c.slli a6,0x3
    0x26, 0x98,                // 30: c.add a6,s1
    0x23, 0x30, 0xf8, 0x00,    // 32: sd a5,0(a6)
    0x83, 0x38, 0x08, 0x00,    // 36: ld a7,0(a6)
    0x53, 0xf5, 0x28, 0xd2,    // 3a: fcvt.d.l fa0,a7
    0xd3, 0xf5, 0xa5, 0x02,    // 3e: fadd.d fa1,fa1,fa0
    0x46, 0x89,                // 42: c.mv s2,a7
    0x13, 0x59, 0x79, 0x00,    // 44: srli s2,s2,0x7
    0x13, 0x79, 0x19, 0x00,    // 48: andi s2,s2,1
    0x63, 0x03, 0x09, 0x00,    // 4c: beq s2,zero,52
    0x85, 0x09,                // 50: c.addi s3,1
    // skip:
    0x85, 0x02,                // 52: c.addi t0,1
    0xe3, 0xc3, 0x62, 0xfc,    // 54: blt t0,t1,1a
    0x73, 0x2a, 0x20, 0xc0,    // 58: csrrs s4,instret,zero
    0xf3, 0x2a, 0x00, 0xc0,    // 5c: csrrs s5,cycle,zero
    0x53, 0x8b, 0x05, 0xe2,    // 60: fmv.x.d s6,fa1
    // done:
    0x01, 0xa0,                // 64: c.j 64
    0x01, 0x00,                // 66: c.addi zero,0
    // handler:
    0xf3, 0x2b, 0x20, 0xb0,    // 68: csrrs s7,minstret,zero
    0x73, 0x2c, 0x10, 0x34,    // 6c: csrrs s8,mepc,zero
    0xf3, 0x2c, 0x20, 0x34,    // 70: csrrs s9,mcause,zero
    0x05, 0x0d,                // 74: c.addi s10,1
    0x13, 0x0e, 0x00, 0x08,    // 76: addi t3,zero,128
    0x73, 0x30, 0x4e, 0x30,    // 7a: csrrc zero,mie,t3
    0x73, 0x00, 0x20, 0x30,    // 7e: mret
    0x01, 0x00,                // 82: c.addi zero,0
    0x13, 0x00, 0x00, 0x00,    // 84: addi zero,zero,0
};

const uint8_t kSmcFenceI[] = {
    // start:
    0x97, 0x02, 0x00, 0x00,    // 00: auipc t0,0x0
    0x93, 0x04, 0x00, 0x00,    // 04: addi s1,zero,0
    // target:
    0x13, 0x05, 0x10, 0x00,    // 08: addi a0,zero,1
    0x63, 0x9e, 0x04, 0x00,    // 0c: bne s1,zero,28
    0x93, 0x04, 0x10, 0x00,    // 10: addi s1,zero,1
    0x37, 0x03, 0x20, 0x00,    // 14: lui t1,0x200
    0x1b, 0x03, 0x33, 0x51,    // 18: addiw t1,t1,1299
    0x23, 0xa4, 0x62, 0x00,    // 1c: sw t1,8(t0)
    0x0f, 0x10, 0x00, 0x00,    // 20: fence.i
    0x6f, 0xf0, 0x5f, 0xfe,    // 24: jal zero,8
    // done:
    0x6f, 0x00, 0x00, 0x00,    // 28: jal zero,28
};
const uint8_t kSmcSameBlock[] = {
    // start:
    0x97, 0x02, 0x00, 0x00,    // 00: auipc t0,0x0
    0x37, 0x03, 0x20, 0x00,    // 04: lui t1,0x200
    0x1b, 0x03, 0x33, 0x51,    // 08: addiw t1,t1,1299
    0x23, 0xac, 0x62, 0x00,    // 0c: sw t1,24(t0)
    0x93, 0x05, 0x70, 0x00,    // 10: addi a1,zero,7
    // target:
    0x13, 0x05, 0x10, 0x00,    // 14: addi a0,zero,1
    0x13, 0x06, 0x30, 0x00,    // 18: addi a2,zero,3
    // done:
    0x6f, 0x00, 0x00, 0x00,    // 1c: jal zero,1c
};
const uint8_t kMsipStore[] = {
    // start:
    0xb7, 0x02, 0x00, 0x02,    // 00: lui t0,0x2000
    0x05, 0x43,                // 04: c.li t1,1
    0x23, 0xa0, 0x62, 0x00,    // 06: sw t1,0(t0)
    0x05, 0x05,                // 0a: c.addi a0,1
    0x05, 0x05,                // 0c: c.addi a0,1
    0x05, 0x05,                // 0e: c.addi a0,1
    // done:
    0x01, 0xa0,                // 10: c.j 10
    0x01, 0x00,                // 12: c.addi zero,0
    0x13, 0x00, 0x00, 0x00,    // 14: addi zero,zero,0
    // handler:
    0x73, 0x2c, 0x10, 0x34,    // 18: csrrs s8,mepc,zero
    0x23, 0xa0, 0x02, 0x00,    // 1c: sw zero,0(t0)
    0xf3, 0x2b, 0x20, 0xb0,    // 20: csrrs s7,minstret,zero
    0x73, 0x00, 0x20, 0x30,    // 24: mret
};
const uint8_t kEcall[] = {
    0x15, 0x45,                // 00: c.li a0,5
    0x73, 0x00, 0x00, 0x00,    // 02: ecall
};
const uint8_t kIllegal[] = {
    0x19, 0x45,                // 00: c.li a0,6
    0x0b, 0x00, 0x00, 0x00,    // 02: .word 0x0000000b
};
const uint8_t kLoadFault[] = {
    0xb7, 0x05, 0x00, 0x10,    // 00: lui a1,0x10000
    0x05, 0x45,                // 04: c.li a0,1
    0x90, 0x65,                // 06: c.ld a2,8(a1)
    0x09, 0x45,                // 08: c.li a0,2
};
const uint8_t kEbreak[] = {
    0x1d, 0x45,                // 00: c.li a0,7
    0x02, 0x90,                // 02: c.ebreak
};
const uint8_t kSpinHandler[] = {
    // handler:
    0x05, 0x04,                // 00: c.addi s0,1
    0x01, 0xa0,                // 02: c.j 2
};

constexpr uint64_t kLoopHandler = kRamBase + 0x68;
constexpr uint64_t kLoopData = 0x80010000;  // the loop's 256-byte data area
constexpr uint64_t kLoopEnd = 6000;         // past the loop's last instruction
constexpr uint64_t kMsipHandler = kRamBase + 0x18;
constexpr uint64_t kTrapHandler = kRamBase + 0x100;

std::unique_ptr<TestMachine> boot(const uint8_t* prog, size_t len, bool singlestep = false) {
  auto m = std::make_unique<TestMachine>();
  m->load(kRamBase, prog, len);
  m->engine.set_singlestep(singlestep);
  return m;
}
template <size_t N>
std::unique_ptr<TestMachine> boot(const uint8_t (&prog)[N], bool singlestep = false) {
  return boot(prog, N, singlestep);
}

std::vector<uint8_t> ram_bytes(TestMachine& m, uint64_t pa, size_t len) {
  std::vector<uint8_t> v(len);
  EXPECT_TRUE(m.as.read_bytes(pa, v.data(), len));
  return v;
}

// Runs to `end` in slices of the given sizes (cycled), checking each stop.
void run_sliced(TestMachine& m, const std::vector<uint64_t>& slices, uint64_t end) {
  size_t i = 0;
  while (m.cpu.s.icount < end) {
    uint64_t target = std::min(end, m.cpu.s.icount + slices[i++ % slices.size()]);
    ASSERT_EQ(m.engine.run(target), StopReason::kLimit);
    ASSERT_EQ(m.cpu.s.icount, target);
    ASSERT_EQ(m.cpu.s.tb_insn_index, 0u);
  }
}

std::vector<uint64_t> pseudo_random_slices(uint32_t seed, size_t n, uint64_t max) {
  std::vector<uint64_t> v;
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    v.push_back(1 + (seed >> 8) % max);
  }
  return v;
}

// ------------------------------------------------------- stop at exactly N

TEST(EngineRun, StopsAtExactlyNAndMatchesSingleStepping) {
  // Reference: one instruction per block, state recorded after each step.
  auto ref = boot(kLoop, /*singlestep=*/true);
  constexpr uint64_t kSteps = 450;  // the prologue, then ~25 loop iterations
  std::vector<CpuState> after(kSteps + 1);
  after[0] = ref->cpu.s;
  for (uint64_t n = 1; n <= kSteps; ++n) {
    ASSERT_EQ(ref->engine.run(n), StopReason::kLimit);
    ASSERT_EQ(ref->cpu.s.icount, n);
    after[n] = ref->cpu.s;
  }
  // N = 1, N inside a block, N at a block end: every N in the range.
  for (uint64_t n = 1; n <= kSteps; ++n) {
    auto m = boot(kLoop);
    ASSERT_EQ(m->engine.run(n), StopReason::kLimit) << n;
    ASSERT_EQ(m->cpu.s.icount, n);
    ASSERT_EQ(diff_state(m->cpu.s, after[n]), "") << "after run(" << n << ")";
  }
  // Far counts, including the end of the loop and the idle `j done`.
  for (uint64_t n : std::vector<uint64_t>{1000, 1023, 1024, 1025, 2999, 5000, 5400, kLoopEnd, 10007}) {
    ASSERT_EQ(ref->engine.run(n), StopReason::kLimit);
    auto m = boot(kLoop);
    ASSERT_EQ(m->engine.run(n), StopReason::kLimit);
    EXPECT_EQ(m->cpu.s.icount, n);
    EXPECT_EQ(diff_state(m->cpu.s, ref->cpu.s), "") << "after run(" << n << ")";
    EXPECT_EQ(ram_bytes(*m, kLoopData, 256), ram_bytes(*ref, kLoopData, 256));
  }
  // The loop really ran: s3/s4/s5 were written by its tail.
  EXPECT_EQ(ref->cpu.s.x[kT0], 300u);
  EXPECT_NE(ref->cpu.s.x[kS4], 0u);
}

TEST(EngineRun, RunDoesNothingWhenTheCountIsAlreadyReached) {
  auto m = boot(kLoop);
  ASSERT_EQ(m->engine.run(10), StopReason::kLimit);
  CpuState before = m->cpu.s;
  EXPECT_EQ(m->engine.run(10), StopReason::kLimit);
  EXPECT_EQ(m->engine.run(3), StopReason::kLimit);
  EXPECT_EQ(diff_state(m->cpu.s, before), "");
  EXPECT_EQ(m->engine.run(0), StopReason::kLimit);
  EXPECT_EQ(m->cpu.s.icount, 10u);
}

TEST(EngineRun, SlicedRunsAreBitIdenticalToAStraightRun) {
  auto straight = boot(kLoop);
  ASSERT_EQ(straight->engine.run(kLoopEnd), StopReason::kLimit);
  ASSERT_EQ(straight->cpu.s.icount, kLoopEnd);
  ASSERT_EQ(straight->cpu.s.x[kT0], 300u) << "the loop must have finished";
  const std::vector<std::vector<uint64_t>> slicings = {
      {1}, {2}, {3}, {5}, {7}, {13}, {17}, {18}, {19}, {127}, {128}, {129}, {1000},
      {1, 2, 3, 5, 8, 13, 21, 34}, {4999, 1},
      pseudo_random_slices(1, 64, 40), pseudo_random_slices(7, 64, 300),
  };
  for (const auto& slices : slicings) {
    auto m = boot(kLoop);
    run_sliced(*m, slices, kLoopEnd);
    EXPECT_EQ(diff_state(m->cpu.s, straight->cpu.s), "") << "first slice " << slices[0];
    EXPECT_EQ(ram_bytes(*m, kLoopData, 256), ram_bytes(*straight, kLoopData, 256));
  }
}

// Where a run stops must not change what gets translated: the rest of a
// block cut by a stop count runs untranslated (accel/tcg/block_rest.cc), so
// the translation cache ends with the same blocks however the run was
// sliced (and so -d in_asm logs the same in a recording and its replay).
TEST(EngineRun, SlicingDoesNotChangeWhatIsTranslated) {
  auto straight = boot(kLoop);
  ASSERT_EQ(straight->engine.run(kLoopEnd), StopReason::kLimit);
  const size_t blocks = straight->engine.tb_cache().size();
  ASSERT_GT(blocks, 2u);
  for (const auto& slices : std::vector<std::vector<uint64_t>>{
           {1}, {3}, {7}, {13}, {129}, pseudo_random_slices(1, 64, 40), pseudo_random_slices(7, 64, 300)}) {
    auto m = boot(kLoop);
    run_sliced(*m, slices, kLoopEnd);
    EXPECT_EQ(m->engine.tb_cache().size(), blocks) << "first slice " << slices[0];
    EXPECT_EQ(diff_state(m->cpu.s, straight->cpu.s), "") << "first slice " << slices[0];
  }
  // An interrupt raised by a store ends its block early (end_block_after):
  // the same blocks again, sliced or not.
  auto setup = [](TestMachine& m) {
    m.cpu.s.mtvec = kMsipHandler;
    m.cpu.s.mie = irq::kMSIP;
    m.cpu.s.mstatus |= mstatus::kMIE;
  };
  auto msip = boot(kMsipStore);
  setup(*msip);
  ASSERT_EQ(msip->engine.run(40), StopReason::kLimit);
  for (uint64_t first : {1, 2, 3, 4, 5}) {
    auto m = boot(kMsipStore);
    setup(*m);
    run_sliced(*m, {first, 40}, 40);
    EXPECT_EQ(m->engine.tb_cache().size(), msip->engine.tb_cache().size()) << "first slice " << first;
    EXPECT_EQ(diff_state(m->cpu.s, msip->cpu.s), "") << "first slice " << first;
  }
}

// Blocks run compiled to host code (accel/tcg/jit_x86_64.h) when the host
// allows, and interpreted when cut short; the sliced runs above mix both.
// Here the whole run is interpreted and compared with the default engine,
// with a timer interrupt landing mid-loop as well.
TEST(EngineRun, InterpretedRunIsBitIdenticalToTheDefaultEngine) {
  for (uint64_t timer_ticks : {uint64_t{0}, uint64_t{37}}) {
    auto fast = boot(kLoop);
    auto interpreted = boot(kLoop);
    interpreted->engine.set_jit(false);
    EXPECT_FALSE(interpreted->engine.jit());
    if (timer_ticks) {
      for (TestMachine* m : {fast.get(), interpreted.get()}) {
        m->cpu.s.mtvec = kLoopHandler;
        m->cpu.s.mie = irq::kMTIP;
        m->cpu.s.mstatus |= mstatus::kMIE;
        m->clint.write(kClintMtimecmp, 8, timer_ticks);
      }
    }
    ASSERT_EQ(fast->engine.run(kLoopEnd), StopReason::kLimit);
    ASSERT_EQ(interpreted->engine.run(kLoopEnd), StopReason::kLimit);
    EXPECT_EQ(diff_state(interpreted->cpu.s, fast->cpu.s), "") << "timer at " << timer_ticks;
    EXPECT_EQ(ram_bytes(*interpreted, kLoopData, 256), ram_bytes(*fast, kLoopData, 256));
  }
}

// ------------------------------------------------------- timer interrupts

// Arms the CLINT for mtime == `ticks` (100 instructions per tick at shift 0)
// and enables the machine timer interrupt into the loop's handler.
void arm_timer(TestMachine& m, uint64_t ticks) {
  m.cpu.s.mtvec = kLoopHandler;
  m.cpu.s.mie = irq::kMTIP;
  m.cpu.s.mstatus |= mstatus::kMIE;
  m.clint.write(kClintMtimecmp, 8, ticks);
  ASSERT_EQ(m.cpu.s.mip & irq::kMTIP, 0u);
}

TEST(EngineTimer, InterruptIsTakenAtTheSameCountHoweverTheRunIsSliced) {
  constexpr uint64_t kTicks = 17;  // deadline at ~1700 instructions: inside the loop
  auto straight = boot(kLoop);
  arm_timer(*straight, kTicks);
  ASSERT_EQ(straight->engine.run(kLoopEnd), StopReason::kLimit);
  const CpuState& s = straight->cpu.s;
  ASSERT_EQ(s.x[kS10], 1u) << "exactly one interrupt";
  EXPECT_EQ(s.x[kS9], riscv::kInterruptFlag | irq::kMTI);
  // The handler's first instruction reads minstret and sees itself counted,
  // so the interrupt was taken when `taken` instructions had retired.
  const uint64_t taken = s.x[kS7] - 1;
  EXPECT_GE(taken, kTicks * 100);
  EXPECT_LE(taken, kTicks * 100 + 2);
  ASSERT_EQ(s.x[kT0], 300u) << "the loop resumed after mret and finished";

  // mepc is the instruction that would have run next.
  {
    auto plain = boot(kLoop);
    ASSERT_EQ(plain->engine.run(taken), StopReason::kLimit);
    EXPECT_EQ(s.x[kS8], plain->cpu.s.pc);
  }

  std::vector<std::vector<uint64_t>> slicings = {
      {taken, kLoopEnd}, {taken - 1, 1, kLoopEnd}, {taken - 1, 2, kLoopEnd}, {taken + 1, kLoopEnd},
      {taken - 2, 1, 1, 1, 1, kLoopEnd}, {1}, {3}, {7}, {16}, {100}, {1699, 1, 1, 1},
      pseudo_random_slices(3, 100, 50), pseudo_random_slices(11, 100, 400),
  };
  for (const auto& slices : slicings) {
    auto m = boot(kLoop);
    arm_timer(*m, kTicks);
    run_sliced(*m, slices, kLoopEnd);
    EXPECT_EQ(diff_state(m->cpu.s, s), "") << "first slice " << slices[0];
  }
  // One instruction per block gives the same result too.
  auto single = boot(kLoop, /*singlestep=*/true);
  arm_timer(*single, kTicks);
  ASSERT_EQ(single->engine.run(kLoopEnd), StopReason::kLimit);
  EXPECT_EQ(diff_state(single->cpu.s, s), "");
}

TEST(EngineTimer, MaskedTimerDoesNotInterrupt) {
  auto m = boot(kLoop);
  arm_timer(*m, 5);
  m->cpu.s.mstatus &= ~mstatus::kMIE;
  ASSERT_EQ(m->engine.run(kLoopEnd), StopReason::kLimit);
  EXPECT_EQ(m->cpu.s.x[kS10], 0u);
  EXPECT_NE(m->cpu.s.mip & irq::kMTIP, 0u) << "pending, just not taken";
}

// A device write that raises an interrupt (here MSIP through the CLINT) in
// the middle of a block. Record/replay needs the interrupt to be taken at
// the same instruction however the run is sliced; QEMU (icount) takes it
// right after the store.
TEST(EngineTimer, InterruptRaisedByAStoreIsTakenAtASliceIndependentPoint) {
  auto setup = [](TestMachine& m) {
    m.cpu.s.mtvec = kMsipHandler;
    m.cpu.s.mie = irq::kMSIP;
    m.cpu.s.mstatus |= mstatus::kMIE;
  };
  auto straight = boot(kMsipStore);
  setup(*straight);
  ASSERT_EQ(straight->engine.run(40), StopReason::kLimit);
  auto sliced = boot(kMsipStore);
  setup(*sliced);
  run_sliced(*sliced, {3, 40}, 40);
  EXPECT_EQ(sliced->cpu.s.x[kS8], kRamBase + 0xa) << "mepc: the instruction after the store";
  EXPECT_EQ(straight->cpu.s.x[kS8], sliced->cpu.s.x[kS8]) << "mepc differs between slicings";
  EXPECT_EQ(diff_state(straight->cpu.s, sliced->cpu.s), "");
}

// ------------------------------------------------------------------ traps

std::unique_ptr<TestMachine> boot_trap(const uint8_t* prog, size_t len, bool singlestep) {
  auto m = boot(prog, len, singlestep);
  m->load(kTrapHandler, kSpinHandler);
  m->cpu.s.mtvec = kTrapHandler;
  return m;
}

struct TrapCase {
  const char* name;
  const uint8_t* prog;
  size_t len;
  uint64_t run_to;     // instructions to run
  Cause cause;
  uint64_t epc_off;    // offset of the trapping instruction
  uint64_t tval;
  uint64_t handler_insns;  // handler instructions executed by then (s0)
};

TEST(EngineTrap, TrapsReportCauseEpcTvalAndAreCountedAsDocumented) {
  const TrapCase cases[] = {
      // ecall, ebreak and illegal instructions count as executed: c.li + the
      // trapping instruction make 2, and the handler has not run yet.
      {"ecall", kEcall, sizeof kEcall, 2, Cause::kEcallM, 2, 0, 0},
      {"ebreak", kEbreak, sizeof kEbreak, 2, Cause::kBreakpoint, 2, 0, 0},
      {"illegal", kIllegal, sizeof kIllegal, 2, Cause::kIllegalInsn, 2, 0x0000000b, 0},
      // A faulting load does not: lui + c.li make 2, the third instruction
      // counted is the handler's first.
      {"load access fault", kLoadFault, sizeof kLoadFault, 3, Cause::kLoadAccessFault, 6, 0x10000008, 1},
  };
  for (bool singlestep : {false, true}) {
    for (const TrapCase& c : cases) {
      SCOPED_TRACE(c.name);
      SCOPED_TRACE(singlestep ? "singlestep" : "blocks");
      auto m = boot_trap(c.prog, c.len, singlestep);
      ASSERT_EQ(m->engine.run(c.run_to), StopReason::kLimit);
      const CpuState& s = m->cpu.s;
      EXPECT_EQ(s.icount, c.run_to);
      EXPECT_EQ(s.mcause, static_cast<uint64_t>(c.cause));
      EXPECT_EQ(s.mepc, kRamBase + c.epc_off);
      EXPECT_EQ(s.mtval, c.tval);
      EXPECT_EQ(s.x[kS0], c.handler_insns);
      EXPECT_EQ(s.priv, Priv::M);
      EXPECT_EQ((s.mstatus & mstatus::kMPP) >> mstatus::kMPPShift, 3u);
      // Running on stays exact: the handler spins.
      ASSERT_EQ(m->engine.run(c.run_to + 5), StopReason::kLimit);
      EXPECT_EQ(s.icount, c.run_to + 5);
      EXPECT_EQ(s.mcause, static_cast<uint64_t>(c.cause)) << "no second trap";
    }
  }
}

TEST(EngineTrap, FetchFaultIsNotCounted) {
  for (bool singlestep : {false, true}) {
    auto m = boot_trap(kEcall, sizeof kEcall, singlestep);
    m->cpu.s.pc = 0x1000;  // nothing mapped there
    ASSERT_EQ(m->engine.run(1), StopReason::kLimit);
    EXPECT_EQ(m->cpu.s.mcause, static_cast<uint64_t>(Cause::kInsnAccessFault));
    EXPECT_EQ(m->cpu.s.mepc, 0x1000u);
    EXPECT_EQ(m->cpu.s.mtval, 0x1000u);
    EXPECT_EQ(m->cpu.s.x[kS0], 1u) << "the one instruction counted is the handler's";
  }
}

TEST(EngineTrap, TrapCountingIsSliceIndependent) {
  for (const auto* prog : {kEcall, kIllegal, kLoadFault}) {
    size_t len = prog == kEcall ? sizeof kEcall : prog == kIllegal ? sizeof kIllegal : sizeof kLoadFault;
    auto straight = boot_trap(prog, len, false);
    ASSERT_EQ(straight->engine.run(20), StopReason::kLimit);
    for (uint64_t first = 1; first < 6; ++first) {
      auto m = boot_trap(prog, len, false);
      run_sliced(*m, {first, 1, 20}, 20);
      EXPECT_EQ(diff_state(m->cpu.s, straight->cpu.s), "") << "first slice " << first;
    }
  }
}

TEST(EngineTrap, EcallCauseFollowsPrivilegeAndDelegation) {
  {
    auto m = boot_trap(kEcall, sizeof kEcall, false);
    m->cpu.s.priv = Priv::U;
    m->cpu.update_mmu_context();
    ASSERT_EQ(m->engine.run(2), StopReason::kLimit);
    EXPECT_EQ(m->cpu.s.mcause, static_cast<uint64_t>(Cause::kEcallU));
    EXPECT_EQ(m->cpu.s.priv, Priv::M);
    EXPECT_EQ(m->cpu.s.mstatus & mstatus::kMPP, 0u) << "MPP = U";
  }
  {
    auto m = boot_trap(kEcall, sizeof kEcall, false);
    m->cpu.s.priv = Priv::S;
    m->cpu.s.medeleg = 1u << static_cast<int>(Cause::kEcallS);
    m->cpu.s.stvec = kTrapHandler;
    m->cpu.update_mmu_context();
    ASSERT_EQ(m->engine.run(2), StopReason::kLimit);
    EXPECT_EQ(m->cpu.s.scause, static_cast<uint64_t>(Cause::kEcallS));
    EXPECT_EQ(m->cpu.s.sepc, kRamBase + 2);
    EXPECT_EQ(m->cpu.s.mcause, 0u) << "delegated: M-mode CSRs untouched";
    EXPECT_EQ(m->cpu.s.priv, Priv::S);
    EXPECT_NE(m->cpu.s.mstatus & mstatus::kSPP, 0u);
    EXPECT_EQ(m->cpu.s.pc, kTrapHandler);
  }
}

// ------------------------------------------------------ self-modifying code

TEST(EngineSmc, StoreThenFenceIRunsTheNewInstruction) {
  for (bool singlestep : {false, true}) {
    auto m = boot(kSmcFenceI, singlestep);
    ASSERT_EQ(m->engine.run(100), StopReason::kLimit);
    EXPECT_EQ(m->cpu.s.x[kS1], 1u) << "the patch ran once";
    EXPECT_EQ(m->read32(kRamBase + 8), 0x00200513u) << "memory holds addi a0,zero,2";
    EXPECT_EQ(m->cpu.s.x[kA0], 2u) << "the second pass executed the new instruction";
    EXPECT_EQ(m->cpu.s.pc, kRamBase + 0x28);
  }
  // And the same however sliced.
  auto straight = boot(kSmcFenceI);
  ASSERT_EQ(straight->engine.run(100), StopReason::kLimit);
  for (uint64_t first = 1; first < 14; ++first) {
    auto m = boot(kSmcFenceI);
    run_sliced(*m, {first, 100}, 100);
    EXPECT_EQ(diff_state(m->cpu.s, straight->cpu.s), "") << "first slice " << first;
  }
}

// A store over a later instruction of the same block, without fence.i. The
// ISA allows either the old or the new instruction to run, but replay needs
// the choice not to depend on where run() happened to stop.
TEST(EngineSmc, StoreIntoTheRunningBlockIsSliceIndependent) {
  auto straight = boot(kSmcSameBlock);
  ASSERT_EQ(straight->engine.run(20), StopReason::kLimit);
  for (uint64_t first = 1; first < 8; ++first) {
    auto m = boot(kSmcSameBlock);
    run_sliced(*m, {first, 20}, 20);
    EXPECT_EQ(m->cpu.s.x[kA0], straight->cpu.s.x[kA0]) << "first slice " << first;
  }
}


// ------------------------------------------- breakpoints on linked blocks
// A debugger's breakpoints (DebugStops) over code the engine has already
// compiled and linked: a linked exit (a patched direct jump, a loop onto
// itself) must still bring every hit back to the engine, a resume must skip
// the breakpoint it stands on exactly once, and taking the breakpoints out
// and back in (gdb's delete/break; reverse-continue's scans) or restoring a
// snapshot must leave no link that runs past one.

// The machine at each stop.
struct BreakpointRun {
  std::vector<CpuState> hits;
  StopReason last = StopReason::kLimit;
};

// Breakpoints at the loop's head (0x1a, entered from the blt at its end) and
// at `skip` (0x52, the beq's target, which the fall-through reaches too):
// both run once per iteration. The loop first runs `warm` instructions with
// no debugger, so its blocks are compiled and linked when the breakpoints go
// in. Each resume is gdb's continue: skip the breakpoint stood on, once.
// After hit 20 the breakpoints go out for an undebugged stretch of 101
// instructions, and come back.
BreakpointRun breakpoint_hits(bool jit, uint64_t warm) {
  auto m = boot(kLoop);
  m->engine.set_jit(jit);
  BreakpointRun r;
  if (warm) {
    EXPECT_EQ(m->engine.run(warm), StopReason::kLimit);
  }
  DebugStops stops;
  stops.add_breakpoint(kRamBase + 0x1a);
  stops.add_breakpoint(kRamBase + 0x52);
  m->engine.set_debug(&stops);
  const CpuState& s = m->cpu.s;
  for (int i = 0; i < 60; ++i) {
    if (i == 20) {
      m->engine.set_debug(nullptr);
      EXPECT_EQ(m->engine.run(s.icount + 101), StopReason::kLimit);
      m->engine.set_debug(&stops);
    }
    stops.skip_once(s.pc, s.icount);
    r.last = m->engine.run(kLoopEnd);
    if (r.last != StopReason::kDebug) break;
    EXPECT_EQ(stops.hit().kind, DebugHit::Kind::kBreakpoint);
    r.hits.push_back(s);
  }
  m->engine.set_debug(nullptr);
  return r;
}

TEST(EngineDebug, BreakpointsOnLinkedBlocksStopAtEveryHitAsInterpreted) {
  for (uint64_t warm : {uint64_t{0}, uint64_t{200}, uint64_t{1003}}) {
    BreakpointRun interpreted = breakpoint_hits(false, warm);
    BreakpointRun compiled = breakpoint_hits(true, warm);
    ASSERT_EQ(interpreted.last, StopReason::kDebug) << "warm " << warm;
    ASSERT_EQ(compiled.last, StopReason::kDebug) << "warm " << warm;
    ASSERT_EQ(compiled.hits.size(), 60u);
    ASSERT_EQ(interpreted.hits.size(), 60u);
    for (size_t i = 0; i < compiled.hits.size(); ++i) {
      const CpuState& h = compiled.hits[i];
      EXPECT_EQ(diff_state(h, interpreted.hits[i]), "") << "warm " << warm << ", hit " << i;
      if (i == 0 || i == 20) continue;  // (after the warm-up / the undebugged stretch)
      // No hit missed, none reported twice: the two breakpoints alternate,
      // and the loop counter t0 moves on by one from one head to the next.
      const CpuState& prev = compiled.hits[i - 1];
      EXPECT_NE(h.pc, prev.pc) << "warm " << warm << ", hit " << i;
      EXPECT_GT(h.icount, prev.icount);
      const uint64_t step = h.pc == kRamBase + 0x1a ? 1 : 0;
      EXPECT_EQ(h.x[kT0], prev.x[kT0] + step) << "warm " << warm << ", hit " << i;
    }
  }
}

// Reverse-continue restores a snapshot (the registers, RAM, and every
// translation dropped, as Navigator::restore does) and runs forward with the
// breakpoints on: the hits after the restore are the ones seen before it.
TEST(EngineDebug, BreakpointHitsRepeatAfterASnapshotRestore) {
  auto m = boot(kLoop);
  ASSERT_EQ(m->engine.run(500), StopReason::kLimit);  // compiled and linked
  DebugStops stops;
  stops.add_breakpoint(kRamBase + 0x1a);
  const CpuState& s = m->cpu.s;
  auto next_hit = [&] {
    stops.skip_once(s.pc, s.icount);
    EXPECT_EQ(m->engine.run(kLoopEnd), StopReason::kDebug);
    return s;
  };
  m->engine.set_debug(&stops);
  CpuState saved = next_hit();
  std::vector<uint8_t> saved_data = ram_bytes(*m, kLoopData, 256);
  std::vector<CpuState> first;
  for (int i = 0; i < 10; ++i) first.push_back(next_hit());
  // The debugger switches its stops off to seek, and on again to scan.
  m->engine.set_debug(nullptr);
  ASSERT_EQ(m->engine.run(s.icount + 333), StopReason::kLimit);
  m->cpu.s = saved;
  ASSERT_TRUE(m->as.write_bytes(kLoopData, saved_data.data(), saved_data.size()));
  m->engine.flush_translations();
  m->engine.set_debug(&stops);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(diff_state(next_hit(), first[i]), "") << "hit " << i;
  m->engine.set_debug(nullptr);
}

}  // namespace
}  // namespace rwd
