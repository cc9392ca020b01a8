// Block compiler: turns a translation block into x86-64 host code.
//
// The threaded interpreter (one indirect jump per guest instruction) stays
// the reference; a compiled block is only a faster way to run the same ops:
//  - Integer ALU instructions and the TLB-hit paths of loads and stores
//    become inline host instructions on the guest registers in CpuState.
//  - Every other instruction, and every load/store that misses the TLB, runs
//    its own interpreter handler, called through run_op_from_jit(); the
//    handler is given a copy of its op followed by a "return" op, so it
//    executes exactly as in the interpreter and comes back.
//  - A block ending in a branch or jump (or in an inline instruction, at a
//    page end) exits inline: it counts itself and jumps straight into the
//    next block's code when the exit is linked and the instruction budget
//    allows (raising `attention` zeroes the budget, so compiled code tests
//    only the budget); a block that loops onto itself jumps back to its own
//    start, keeping its registers in host registers when it uses few. Anything else goes through the block's exit op,
//    as interpreted blocks do (which also makes the links). Blocks ending in
//    any other instruction (CSR access, ecall, ...) jump to that op's
//    handler, which performs it and the exit.
// So a compiled block retires the same instructions, stops at the same
// points (an access that raises `attention`) and attributes traps the same
// way as the interpreter: blocks cut short by an instruction budget run
// interpreted, and both must agree for replay to be deterministic.
//
// Traps cannot unwind through host code that has no unwind tables, so the
// helper catches them, parks them in the ChainContext and makes the block
// return; Engine::execute takes them from there.
#pragma once
#include <cstdint>
#include <cstdio>

#include "accel/tcg/block_exit.h"
#include "accel/tcg/code_buffer.h"
#include "accel/tcg/translation_block.h"
#include "target/riscv/cpu.h"

namespace rwd {

class BlockCompiler {
 public:
  // Compiled code refers to the engine's chaining state and the block
  // cache's link epoch by address.
  BlockCompiler(riscv::Cpu& cpu, const ChainContext& chain, const uint64_t* epoch);
  ~BlockCompiler();

#if defined(__x86_64__)
  static constexpr bool kHostSupported = true;
#else
  static constexpr bool kHostSupported = false;  // other hosts interpret
#endif

  // Largest code one block can need (checked against the buffer first).
  static constexpr size_t kMaxBlockCode = 64 * 1024;

  // Compiles `tb` (its ops still holding their plain handlers: call this
  // before pair fusion) into `buf`. Fills tb.jit_ops. Returns the entry
  // point, or nullptr when the block is not worth compiling.
  riscv::OpFn compile(TranslationBlock& tb, CodeBuffer& buf);

  void enable_perf_map();
  // Debug: every compiled mul gets its result's low bit flipped, so that
  // rewind-diverge can be shown to find a bug that only compiled code has.
  void plant_mul_bug() { mul_bug_ = true; }

 private:
  riscv::Cpu& cpu_;
  const ChainContext& chain_;
  const uint64_t* epoch_;
  std::FILE* perf_map_ = nullptr;
  bool mul_bug_ = false;
};

}  // namespace rwd
