// Guest code -> translation blocks.
#include <cstring>
#include <memory>

#include "accel/tcg/engine.h"
#include "accel/tcg/op_registry.h"
#include "target/riscv/cpu_dump.h"
#include "target/riscv/insn_handlers.h"
#include "util/log.h"

namespace rwd {

using riscv::Op;

bool Engine::stops_before(uint64_t pc) const {
  return (debug_ && debug_->has_breakpoint(pc)) ||
         (execute_triggers_ && riscv::trigger::execute_armed_at(cpu_.s, pc));  // see check_execute_triggers
}

bool Engine::decode_for_block(uint32_t raw, uint64_t pc, uint16_t seq, Op& op, uint64_t& next) const {
  // The extension set is fixed for the machine: no part of the block's key.
  const riscv::InsnDesc* d = riscv::decode(raw, pc, op, cpu_.decode_set());
  op.seq = seq;
  next = pc + op.len;
  bool ends = d == nullptr || (d->flags & riscv::kEndsBlock);
  if (d && (d->flags & riscv::kFloat) && !cpu_.fp_enabled()) {
    op.fn = riscv::op_illegal;
    ends = true;
  }
  if (ends && follows_jump(op)) {
    op.fn = riscv::op_jump_followed;
    next = op.pc + static_cast<uint64_t>(op.imm);
    ends = false;
  }
  // A branch forward is a side exit (block_exit.h): the block goes on.
  if (ends && op.imm > 0) {
    if (riscv::OpFn side = side_exit_op(op.fn)) {
      op.fn = side;
      ends = false;
    }
  }
  return ends;
}

// A plain jump (`j`, `jal x0`) within its page does not end the block: the
// block goes on at the target, and the jump is counted where it stands. A
// loop whose test sits at its top ("while" as compilers lay it out: a
// head block with the test, the body ending in a jump back to it) is then
// one block, the body and the test, which the block compiler keeps in
// registers like any loop onto itself (jit_x86_64.cc). Only the jump itself
// decides this (target and page), so a block's rest (block_rest.cc) makes
// the same choice without knowing the block's start. Not followed: a jump
// to itself (nothing to gain), a jump to the page's first byte (a rest
// starting there is taken as a block that reached its page's end), and
// jumps that link a register (calls).
bool Engine::follows_jump(const Op& op) {
  if (op.fn != riscv::op_jal || op.rd != riscv::kSinkReg) return false;
  const uint64_t target = op.pc + static_cast<uint64_t>(op.imm);
  return target != op.pc && (target & riscv::kPageMask) == (op.pc & riscv::kPageMask) &&
         (target & ~riscv::kPageMask) != 0;
}

// Builds a block starting at `vpc` (physical `ppc`, host bytes at `host`).
// The block stops after a control-flow or system instruction (but goes on
// at the target of a plain jump within the page, follows_jump, and past a
// branch forward, a side exit), at an
// illegal instruction, at the end of the page, or after max_block_insns_.
TranslationBlock* Engine::translate(uint64_t vpc, uint64_t ppc, const uint8_t* host) {
  const bool jit = this->jit();
  if (jit && code_.available() < BlockCompiler::kMaxBlockCode) {
    // The code buffer is full: start it again with no translations at all.
    // Nothing is running (translation happens between runs of blocks).
    tb_cache_.clear();
    tb_cache_.free_retired();
    code_.reset();
  }
  auto tb = std::make_unique<TranslationBlock>();
  tb->vpc = vpc;
  tb->ppc = ppc;
  tb->context = cpu_.tb_context();
  tb->pages[0] = ppc & riscv::kPageMask;
  tb->npages = 1;
  uint64_t pc = vpc;
  // A followed jump may lead back before vpc: the page's bytes are read
  // from its start (guest memory regions are whole pages).
  const uint64_t page_start = vpc & riscv::kPageMask;
  const uint64_t page_end = page_start + riscv::kPageSize;
  const uint8_t* page = host - (vpc - page_start);
  while (tb->ops.size() < max_block_insns_) {
    if (pc >= page_end) break;
    if (!tb->ops.empty() && stops_before(pc)) break;
    uint16_t lo;
    std::memcpy(&lo, page + (pc - page_start), 2);
    uint32_t raw = lo;
    if (riscv::insn_length(lo) == 4) {
      uint16_t hi;
      if (pc + 2 >= page_end) {
        // The instruction straddles two pages: translate it alone so the
        // block depends on both pages and nothing else.
        if (!tb->ops.empty()) break;
        uint64_t ppc2;
        const uint8_t* host2 = cpu_.mmu.fetch_ptr(pc + 2, ppc2);
        std::memcpy(&hi, host2, 2);
        tb->pages[tb->npages++] = ppc2 & riscv::kPageMask;
      } else {
        std::memcpy(&hi, page + (pc - page_start) + 2, 2);
      }
      raw |= static_cast<uint32_t>(hi) << 16;
    }
    Op op;
    uint64_t next;
    bool ends = decode_for_block(raw, pc, static_cast<uint16_t>(tb->ops.size() + 1), op, next);
    tb->ops.push_back(op);
    pc = next;
    if (ends || tb->npages == 2) break;
  }
  tb->next_pc = pc;
  tb->size = static_cast<uint32_t>(tb->ops.size());
  for (uint32_t i = 0; i < tb->size; ++i) {
    if (branch_of_side_exit(tb->ops[i].fn)) tb->ops[i].exit_distance = static_cast<uint16_t>(tb->size - i);
  }
  Op exit_op{};
  exit_op.fn = tb_exit_for(tb.get());
  exit_op.pc = pc;
  exit_op.imm = static_cast<int64_t>(reinterpret_cast<uintptr_t>(tb.get()));
  tb->ops.push_back(exit_op);
  if (jit) tb->entry = compiler_.compile(*tb, code_);
  // Fuse adjacent pairs (looked up by their plain handlers), replicate the
  // rest, and let the last instruction perform the block exit itself when it
  // can. The last op keeps that form even when a pair absorbed it: it is the
  // fallback a pair hands over to.
  riscv::OpFn last_plain = tb->ops[tb->size - 1].fn;
  for (uint32_t i = 0; i < tb->size; ++i) {
    Op& op = tb->ops[i];
    if (i + 1 < tb->size) {
      if (riscv::OpFn pair = pair_for(op.fn, tb->ops[i + 1].fn)) {
        op.fn = pair;
        ++i;  // the second op stays, but is reached only through the pair
        continue;
      }
    }
    op.fn = replica_for(op.fn, op.pc);
  }
  riscv::OpFn fused_end = fused_block_end(last_plain, tb.get());
  if (fused_end != last_plain) tb->ops[tb->size - 1].fn = fused_end;
  if (!tb->entry) tb->entry = tb->ops[0].fn;
  tb->first_op = tb->ops.data();

  for (int i = 0; i < tb->npages; ++i) {
    if (RamBlock* rb = as_.find_ram(tb->pages[i])) {
      if (!rb->code_page[(tb->pages[i] - rb->base) >> 12]) {
        as_.mark_code_page(*rb, tb->pages[i]);
        cpu_.mmu.flush_page_writes(tb->pages[i]);
      }
    } else {
      as_.mark_rom_code_page(tb->pages[i]);  // a flash bank executed in place
    }
  }

  Logger& log = logger();
  if (log.wants(kLogInAsm, cpu_.s.icount)) {
    log.printf("----------------\nIN: \nPriv: %u; Virt: 0\n", static_cast<unsigned>(cpu_.s.priv));
    for (uint32_t i = 0; i < tb->size; ++i) {
      const Op& o = tb->ops[i];
      std::string text = riscv::disassemble(o.raw, o.pc);
      if (o.len == 2)
        log.printf("0x%016llx:  %04x              %s\n", static_cast<unsigned long long>(o.pc), o.raw, text.c_str());
      else
        log.printf("0x%016llx:  %08x          %s\n", static_cast<unsigned long long>(o.pc), o.raw, text.c_str());
    }
    log.printf("\n");
  }

  TranslationBlock* raw_tb = tb.get();
  tb_cache_.insert(std::move(tb));
  return raw_tb;
}

}  // namespace rwd
