// Leaving a block: count its instructions and, when nothing needs the
// engine, jump straight into the next block (block chaining). Also the
// block-ending instructions whose semantics are fused with that exit.
#pragma once
#include <cstdint>
#include <exception>

#include "accel/tcg/tb_cache.h"
#include "target/riscv/cpu.h"

namespace rwd {

// What an exit op needs to continue straight into the next block.
struct ChainContext {
  // icount at which the run must stop; 0 once something raised `attention`
  // (compiled code tests only this, not `attention` itself).
  uint64_t stop = 0;
  // Where the engine enters a chain: with `attention` up already (a
  // debugger's stops, per-block logging), no budget, so every block comes back.
  void enter(uint64_t until, bool attention) { stop = attention ? 0 : until; }
  // Host stack pointer when the engine entered the chain. Ops continue by
  // tail calls, which optimised builds turn into jumps; where a build does
  // not (-O0, sanitizers), each hop grows the stack, so chaining stops after
  // kMaxChainStack bytes and the engine re-enters. Never affects the guest.
  uintptr_t stack_base = 0;
  const uint64_t* epoch = nullptr;  // the cache's link epoch (TbCache::epoch)
  TbCache* cache = nullptr;
  // Compiled blocks (jit_x86_64.h) call interpreter handlers and cannot let
  // exceptions unwind through their frames: a trap or other exception is
  // parked here and the block returns to the engine, which takes it.
  bool op_returned = false;
  bool trap_pending = false;
  riscv::GuestTrap trap{};
  std::exception_ptr exception;
};

inline constexpr uintptr_t kMaxChainStack = 256 * 1024;

inline uintptr_t host_stack_pointer() {
#if defined(__x86_64__)
  uintptr_t sp;
  asm volatile("mov %%rsp, %0" : "=r"(sp));
  return sp;
#else
  return reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
#endif
}

// The exit op of `tb` (appended after its last instruction).
riscv::OpFn tb_exit_for(const TranslationBlock* tb);

// If the block's last instruction is a conditional branch, jal or jalr, the handler that
// performs it and the block exit in one step (saving an indirect jump per
// block); otherwise `fn` unchanged.
riscv::OpFn fused_block_end(riscv::OpFn fn, const TranslationBlock* tb);

// --- Side exits --------------------------------------------------------------
// A conditional branch whose target lies ahead (a loop's exit test, an `if`
// skipping its body) does not end its block: the block goes on at the
// fall-through, and the branch, when taken, leaves from where it stands,
// counting the instructions up to and including itself (its `seq`), through
// exit slot TranslationBlock::kSideExitSlot. A loop with such a test in its
// body is then one block, which the block compiler keeps in registers.
// Backward branches still end their block: a loop's back edge is its last
// instruction, as the block compiler's resident loops expect. Only the
// branch decides (its direction), so a block's rest makes the same choice.

// The side-exit form of a conditional branch's handler, or nullptr when `fn`
// is not one of beq, bne, blt, bge, bltu, bgeu.
riscv::OpFn side_exit_op(riscv::OpFn branch);
// The plain branch a side exit was made from, or nullptr when `fn` is not a
// side exit.
riscv::OpFn branch_of_side_exit(riscv::OpFn fn);
// Where compiled code continues after a taken side exit it has counted and
// whose target it stored in pc: `exit_op` is its block's exit op.
void leave_after_side_exit(riscv::Cpu& c, const riscv::Op* exit_op);

}  // namespace rwd
