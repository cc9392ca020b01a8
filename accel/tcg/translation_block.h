// A translation block: guest instructions from one entry point to the first
// control-flow or state-changing instruction (or a page end), decoded once
// into Ops that the engine runs back to back.
#pragma once
#include <cstdint>
#include <vector>

#include "target/riscv/decode.h"

namespace rwd {

struct TranslationBlock {
  uint64_t vpc = 0;        // guest virtual address of the first instruction
  uint64_t ppc = 0;        // its physical address
  uint32_t context = 0;    // Cpu::tb_context() it was translated under
  uint64_t next_pc = 0;    // fall-through address after the last instruction
  uint64_t pages[2] = {};  // physical pages the instructions came from
  int npages = 0;
  bool valid = true;
  // Direct links to the blocks that followed this one last time, by exit:
  // [0] fall-through, [1] the last instruction's other target, [2] the side
  // exits (forward branches the block goes on past, block_exit.h), shared
  // and so always checked against chain_pc. Trusted only while chain_epoch
  // equals the cache's epoch (any invalidation bumps it), and followed only
  // into a successor whose mapping holds (mapped_generation).
  static constexpr int kExitSlots = 3, kSideExitSlot = 2;
  TranslationBlock* chain[kExitSlots] = {};
  uint64_t chain_pc[kExitSlots] = {};
  uint64_t chain_epoch = 0;
  // The Mmu's mapping generation at which vpc was last seen to translate to
  // ppc. A TLB flush (a guest's context switch) leaves links and the
  // virtual-pc cache in place; a block reached through them with an older
  // generation is checked against the fetch TLB (chain::still_mapped)
  // before it runs, instead of every block being looked up afresh.
  uint64_t mapped_generation = 0;
  uint32_t size = 0;            // instructions in the block
  std::vector<riscv::Op> ops;   // size instructions, then an exit op
  // Where a full run of the block starts: its compiled host code, or
  // ops[0].fn when it is interpreted.
  riscv::OpFn entry = nullptr;
  const riscv::Op* first_op = nullptr;  // ops.data(), for compiled code that chains here
  // For compiled blocks: copies of the ops the code hands to their
  // interpreter handlers, each followed by a return op (jit_x86_64.h).
  std::vector<riscv::Op> jit_ops;
  // Compiled blocks: where a linked predecessor jumps in, past the prologue,
  // with the new instruction count in rax (not stored yet); it checks the
  // budget for itself and returns to the engine when it does not fit.
  const uint8_t* linked_entry = nullptr;
  // Direct links (jit_x86_64.h): exits with a constant target in the same
  // virtual page end in a jmp rel32 that falls through to the generic exit
  // until it is patched to the successor's linked_entry. Such a link stays
  // valid across TLB flushes (the source runs only while its page maps to
  // its physical page, so the target does too; targets spanning two pages
  // are not linked) and is undone only when the target is invalidated,
  // through its `incoming` list. Every side exit whose target is in the
  // page has such a jump of its own.
  uint8_t* jump_field[2] = {};   // the rel32 of exit slot [i], or nullptr
  uint64_t jump_target[2] = {};  // the guest pc that slot leaves for
  struct SideJump {
    uint8_t* field;
    uint64_t target;
  };
  std::vector<SideJump> side_jumps;
  std::vector<uint8_t*> incoming;  // rel32 fields patched to jump here
};

}  // namespace rwd
