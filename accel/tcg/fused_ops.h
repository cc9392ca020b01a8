// Fused pairs: two adjacent ops of a block run by one handler, one dispatch
// instead of two. Block translation puts the fused handler in place of the
// first op's (op_registry.h); the second op stays in the block, reached only
// through the pair, as the fallback the pair hands over to.
#pragma once
#include <span>

#include "target/riscv/decode.h"

namespace rwd {

struct FusedPair {
  riscv::OpFn first;   // the plain handlers of the two ops...
  riscv::OpFn second;
  riscv::OpFn fused;   // ...and the handler that runs both
};

// Every fused pair there is (a table fixed at compile time).
std::span<const FusedPair> fused_pairs();

}  // namespace rwd
