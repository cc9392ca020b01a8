// Leaving a block: count its instructions and, when nothing needs the
// engine, jump straight into the next block (block chaining). Also the
// block-ending instructions whose semantics are fused with that exit.
#pragma once
#include <cstdint>

#include "accel/tcg/tb_cache.h"
#include "target/riscv/cpu.h"

namespace rwd {

// What an exit op needs to continue straight into the next block.
struct ChainContext {
  uint64_t stop = 0;        // icount at which the run must stop
  const uint64_t* epoch = nullptr;  // the cache's link epoch (TbCache::epoch)
  TbCache* cache = nullptr;
};

// The exit op of `tb` (appended after its last instruction).
riscv::OpFn tb_exit_for(const TranslationBlock* tb);

// If the block's last instruction is a conditional branch, jal or jalr, the handler that
// performs it and the block exit in one step (saving an indirect jump per
// block); otherwise `fn` unchanged.
riscv::OpFn fused_block_end(riscv::OpFn fn, const TranslationBlock* tb);

}  // namespace rwd
