#include "accel/tcg/op_registry.h"

#include <array>
#include <cassert>
#include <functional>
#include <unordered_map>
#include <utility>

#include "accel/tcg/fused_ops.h"
#include "target/riscv/insn_handlers.h"

namespace rwd {

using riscv::OpFn;

namespace {

struct PairHash {
  size_t operator()(const std::pair<OpFn, OpFn>& p) const {
    return std::hash<const void*>()(reinterpret_cast<const void*>(p.first)) * 31 ^
           std::hash<const void*>()(reinterpret_cast<const void*>(p.second));
  }
};

// Built on first use, so from data only: the handler copies the target
// published while it was statically initialised (riscv::HandlerCopies) and
// the fused pairs' compile-time table. Nothing here depends on the order in
// which files are initialised.
struct Registry {
  std::unordered_map<OpFn, std::array<OpFn, riscv::kReplicas>> replicas;
  std::unordered_map<std::pair<OpFn, OpFn>, OpFn, PairHash> pairs;
  std::unordered_map<OpFn, OpFn> unfuse;

  Registry() {
    for (const riscv::HandlerCopies* h = riscv::HandlerCopies::first; h; h = h->next) replicas[h->fns[0]] = h->fns;
    for (const FusedPair& p : fused_pairs()) {
      pairs[{p.first, p.second}] = p.fused;
      unfuse[p.fused] = p.first;
    }
    // Only empty if built before static initialisation (no translation
    // happens then): every handler would silently lose its copies.
    assert(!replicas.empty());
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

}  // namespace

OpFn replica_for(OpFn fn, uint64_t pc) {
  const Registry& r = registry();
  auto it = r.replicas.find(fn);
  if (it == r.replicas.end()) return fn;
  return it->second[(pc >> 1) % riscv::kReplicas];
}

OpFn pair_for(OpFn first, OpFn second) {
  const Registry& r = registry();
  auto it = r.pairs.find({first, second});
  return it == r.pairs.end() ? nullptr : it->second;
}

OpFn unfused(OpFn fn) {
  const Registry& r = registry();
  auto it = r.unfuse.find(fn);
  return it == r.unfuse.end() ? fn : it->second;
}

}  // namespace rwd
