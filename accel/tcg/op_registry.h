// Which handler variants exist and which pairs fuse: block translation
// (translate.cc) puts them in place of an op's plain handler, and the engine
// (engine.cc) takes a pair apart when a budget cut splits it. All lookups are
// by plain handler, the one decoding gives an op.
#pragma once
#include <cstdint>

#include "target/riscv/decode.h"

namespace rwd {

// The copy of `fn` to use for the instruction at `pc` (fn itself when it has
// no copies): see riscv::kReplicas for why handlers are replicated.
riscv::OpFn replica_for(riscv::OpFn fn, uint64_t pc);

// The handler running `first` and `second` (adjacent in a block) in one
// dispatch (fused_ops.h), or nullptr when they do not fuse.
riscv::OpFn pair_for(riscv::OpFn first, riscv::OpFn second);

// The plain handler of a fused handler's first op; `fn` itself for any other.
riscv::OpFn unfused(riscv::OpFn fn);

}  // namespace rwd
