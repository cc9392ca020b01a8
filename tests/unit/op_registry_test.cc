// Tests for the engine's op registry (accel/tcg/op_registry.h): every
// replicated handler and every fused pair must be found, wherever its file
// sits in the link and however static initialisation is ordered. A lost
// registration would not break the guest, only make it slower, so nothing
// else would notice it.
#include <cstdint>
#include <set>

#include <gtest/gtest.h>

#include "accel/tcg/fused_ops.h"
#include "accel/tcg/op_registry.h"
#include "accel/tcg/translation_block.h"
#include "target/riscv/insn_handlers.h"
#include "test_machine.h"

namespace rwd {
namespace {

using riscv::OpFn;
using test::kRamBase;
using test::TestMachine;

// kReplicas distinct handlers over consecutive instruction addresses; the
// first one at an address that picks copy 0 is the handler itself.
void expect_replicated(OpFn fn, const char* name) {
  std::set<OpFn> copies;
  for (uint64_t pc = kRamBase; pc < kRamBase + 2 * riscv::kReplicas; pc += 2) copies.insert(replica_for(fn, pc));
  EXPECT_EQ(copies.size(), static_cast<size_t>(riscv::kReplicas)) << name;
  EXPECT_EQ(replica_for(fn, kRamBase), fn) << name;
}

TEST(OpRegistry, EveryKindOfHandlerHasItsCopies) {
  // One from each file that defines handlers with DEF_OP or DEF_OP_HANDLERS.
  expect_replicated(riscv::op_add, "add (int_steps.h)");
  expect_replicated(riscv::op_slti, "slti (exec_int.cc)");
  expect_replicated(riscv::op_fadd_d, "fadd.d (exec_fp.cc)");
  expect_replicated(riscv::op_csrrw, "csrrw (exec_system.cc)");
  expect_replicated(riscv::op_illegal, "illegal (exec_system.cc)");
}

TEST(OpRegistry, HandWrittenHandlersHaveNoCopies) {
  EXPECT_EQ(replica_for(riscv::op_ld, kRamBase + 2), riscv::op_ld);
  EXPECT_EQ(replica_for(riscv::op_fld, kRamBase + 2), riscv::op_fld);
}

TEST(OpRegistry, EveryFusedPairIsFoundAndUnfuses) {
  // Each of the 42 fusable instructions pairs with each of them and with the
  // six conditional branches.
  EXPECT_EQ(fused_pairs().size(), 42u * (42u + 6u));
  std::set<OpFn> fused;
  for (const FusedPair& p : fused_pairs()) {
    ASSERT_EQ(pair_for(p.first, p.second), p.fused);
    ASSERT_EQ(unfused(p.fused), p.first);
    fused.insert(p.fused);
  }
  EXPECT_EQ(fused.size(), fused_pairs().size()) << "each pair has its own handler";
}

TEST(OpRegistry, OtherPairsDoNotFuse) {
  EXPECT_EQ(pair_for(riscv::op_beq, riscv::op_addi), nullptr);  // a branch ends its block
  EXPECT_EQ(pair_for(riscv::op_div, riscv::op_add), nullptr);
  EXPECT_EQ(pair_for(riscv::op_add, riscv::op_jal), nullptr);
  EXPECT_EQ(unfused(riscv::op_add), riscv::op_add);
}

// Translation uses the registry: plain ops become copies, a fusable
// instruction before a branch becomes the pair.
TEST(OpRegistry, TranslatedBlocksUseCopiesAndPairs) {
  const uint8_t kBlock[] = {
      0x13, 0x26, 0x55, 0x00,  // 00: slti a2,a0,5
      0x93, 0x26, 0x75, 0x00,  // 04: slti a3,a0,7
      0x13, 0x05, 0x15, 0x00,  // 08: addi a0,a0,1
      0xe3, 0x1a, 0xb5, 0xfe,  // 0c: bne a0,a1,00
  };
  TestMachine m;
  m.engine.set_jit(false);
  m.load(kRamBase, kBlock);
  m.cpu.s.x[test::kA1] = 3;
  m.engine.run(4);
  const TranslationBlock* tb = m.engine.tb_cache().find_virtual(kRamBase, m.cpu.tb_context());
  ASSERT_NE(tb, nullptr);
  ASSERT_EQ(tb->size, 4u);
  EXPECT_EQ(tb->ops[0].fn, riscv::op_slti);  // copy 0
  EXPECT_EQ(tb->ops[1].fn, replica_for(riscv::op_slti, kRamBase + 4));
  EXPECT_NE(tb->ops[1].fn, riscv::op_slti);
  EXPECT_EQ(tb->ops[2].fn, pair_for(riscv::op_addi, riscv::op_bne));
  EXPECT_NE(tb->ops[2].fn, nullptr);
  EXPECT_EQ(m.cpu.s.x[test::kA0], 1u);
  EXPECT_EQ(m.cpu.s.pc, kRamBase);
}

}  // namespace
}  // namespace rwd
