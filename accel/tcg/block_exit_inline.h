// The block-exit path, inline, for the ops that end a block themselves (the
// exit ops in block_exit.cc, and fused instruction+branch pairs in
// fused_ops.cc, which include this header for speed).
#pragma once
#include <cstdint>

#include "accel/tcg/block_exit.h"
#include "accel/tcg/direct_links.h"
#include "accel/tcg/translation_block.h"

namespace rwd::chain {

using riscv::Cpu;
using riscv::Op;

inline TranslationBlock* block_of(const Op* exit_op) {
  return reinterpret_cast<TranslationBlock*>(static_cast<uintptr_t>(exit_op->imm));
}

// Links are only made between blocks of the same context, and only followed
// when nothing raised `attention` — and every instruction that changes the
// context (CSR writes, trap returns) raises it. So a hop needs no context
// check, only the epoch (invalidations), the successor's mapping and, for an
// exit whose target varies (jalr, trap returns), the target pc.

// Whether `tb`, found by its virtual pc, may run: its pc's mapping was
// confirmed since the last TLB flush, or the fetch TLB confirms it now (no
// walk: nothing in the hart changes, and a TLB miss answers no). A block
// spanning two pages is confirmed only through a physical lookup.
inline bool still_mapped(const Cpu& c, TranslationBlock& tb) {
  const uint64_t generation = c.mmu.mapping_generation();
  if (tb.mapped_generation == generation) [[likely]]
    return true;
  uint64_t ppc;
  if (tb.npages != 1 || !c.mmu.fetch_mapped(tb.vpc, ppc) || ppc != tb.ppc) return false;
  tb.mapped_generation = generation;
  return true;
}

// A block missing from the virtual-pc cache (or there for a mapping that
// no longer holds) found by its physical address when the fetch TLB maps
// `pc` already: what the engine's find_block does, without going back to the
// engine. No walk, nothing in the hart changes: a miss still goes back to
// the engine.
inline TranslationBlock* find_mapped(const Cpu& c, uint64_t pc, uint32_t context, TbCache& cache) {
  uint64_t ppc;
  if (!c.mmu.fetch_mapped(pc, ppc)) return nullptr;
  TranslationBlock* tb = cache.find_physical(ppc, pc, context);
  if (tb) {
    tb->mapped_generation = c.mmu.mapping_generation();
    cache.remember_virtual(tb);
  }
  return tb;
}

[[gnu::always_inline]] inline TranslationBlock* successor(const Cpu& c, TranslationBlock* tb, int exit, uint64_t pc,
                                                          bool fixed_target, const ChainContext& ch) {
  uint64_t epoch = *ch.epoch;
  if (tb->chain_epoch == epoch) [[likely]] {
    TranslationBlock* next = tb->chain[exit];
    if (next && (fixed_target || tb->chain_pc[exit] == pc) && still_mapped(c, *next)) [[likely]]
      return next;
  } else {
    for (TranslationBlock*& link : tb->chain) link = nullptr;
    tb->chain_epoch = epoch;
  }
  TranslationBlock* next = ch.cache->find_virtual(pc, tb->context);
  if (!next || !still_mapped(c, *next)) next = find_mapped(c, pc, tb->context, *ch.cache);
  if (next) {
    tb->chain[exit] = next;
    tb->chain_pc[exit] = pc;
    link_direct(*tb, exit, *next);
  }
  return next;
}

// Continues at c.s.pc through exit slot `exit` of `tb`, whose instructions
// that ran are counted already, if allowed.
[[gnu::always_inline]] inline void go_on(Cpu& c, TranslationBlock* tb, int exit, bool fixed_target) {
  // (tb_insn_index is left as it is: only instructions that mark themselves
  // read it, and the engine clears it when the chain returns.)
  const uint64_t icount = c.s.icount;
  ChainContext& ch = *c.chain;
  if (c.s.attention || icount >= ch.stop) return;
  if (ch.stack_base - host_stack_pointer() > kMaxChainStack) [[unlikely]]
    return;
  TranslationBlock* next = successor(c, tb, exit, c.s.pc, fixed_target, ch);
  if (!next || next->size > ch.stop - icount) return;
  c.s.pc = next->next_pc;
  return next->entry(c, next->ops.data());
}

// Counts `tb`, then continues at c.s.pc through exit slot `exit` if allowed.
[[gnu::always_inline]] inline void leave(Cpu& c, TranslationBlock* tb, int exit, bool fixed_target) {
  c.s.icount += tb->size;
  return go_on(c, tb, exit, fixed_target);
}

// Conditions of the conditional branches. The comparison is a branch's whole
// semantics; the plain handlers in target/riscv/exec_int.cc (used for blocks
// cut short) must agree with these.
struct Eq { bool operator()(uint64_t a, uint64_t b) const { return a == b; } };
struct Ne { bool operator()(uint64_t a, uint64_t b) const { return a != b; } };
struct Lt { bool operator()(uint64_t a, uint64_t b) const { return static_cast<int64_t>(a) < static_cast<int64_t>(b); } };
struct Ge { bool operator()(uint64_t a, uint64_t b) const { return static_cast<int64_t>(a) >= static_cast<int64_t>(b); } };
struct Ltu { bool operator()(uint64_t a, uint64_t b) const { return a < b; } };
struct Geu { bool operator()(uint64_t a, uint64_t b) const { return a >= b; } };


}  // namespace rwd::chain
