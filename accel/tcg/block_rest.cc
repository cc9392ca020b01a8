// The rest of a block that stopped before its end.
//
// A run stops inside a block when a stop count cuts it (an event, a timer
// deadline, the end of a host slice) or when an instruction ends it early
// (end_block_after: a device raised an interrupt, or host input asked for a
// service step). Some of those stops are host-timed: a recording makes them
// and its replay does not. If the engine then translated a new block from
// the stop's pc, the translation cache — and so -d in_asm, block chaining,
// which code is compiled — would depend on where runs happened to stop, and
// a recording's log would differ from its replay's. Instead the instructions
// the stopped block would still have run are decoded again and interpreted
// once, not cached and not logged; the next block starts where the whole
// block would have ended. Translation is then a function of the guest's
// execution alone.
//
// The rest is decoded from memory as it is now, with the rules translate()
// uses for where a block ends and goes on (page end, a control-flow or
// system instruction, a plain jump followed, an instruction straddling two
// pages, the block size limit, a breakpoint, an armed execute trigger): if
// the code changed meanwhile, the rest is what a fresh translation would
// have held.
#include <algorithm>
#include <cstring>

#include "accel/tcg/engine.h"
#include "target/riscv/insn_handlers.h"

namespace rwd {

namespace {

// The exit op of a rest: counts what ran (pc was set before the run).
void rest_exit(riscv::Cpu& c, const riscv::Op* o) {
  c.s.icount += static_cast<uint64_t>(o->imm);
  c.s.tb_insn_index = 0;
}

}  // namespace

// `index` instructions of the running block have retired and the hart is
// at the next one (0: nothing to remember).
void Engine::note_block_rest(uint32_t index) {
  rest_.valid = index != 0 && index < max_block_insns_;
  if (!rest_.valid) return;
  rest_.pc = cpu_.s.pc;
  rest_.icount = cpu_.s.icount;
  rest_.context = cpu_.tb_context();
  rest_.index = index;
}

// Runs the rest of the stopped block (at most up to `stop`) if the hart is
// exactly where that block stopped. Returns false when there is nothing to
// run: the caller finds or translates a block as usual.
bool Engine::run_block_rest(uint64_t stop) {
  riscv::Cpu& cpu = cpu_;
  const BlockRest r = rest_;
  rest_.valid = false;
  // Anything in between (a trap, an interrupt taken, a snapshot loaded, a
  // context switch) moved the hart: the rest no longer applies.
  if (cpu.s.pc != r.pc || cpu.s.icount != r.icount || cpu.tb_context() != r.context) return false;
  // A block never goes on into the next page (an instruction that
  // straddles two pages is a block of its own): one that reached a page's
  // start has ended.
  if ((r.pc & ~riscv::kPageMask) == 0) return false;
  uint64_t ppc;
  const uint8_t* host;
  try {
    host = cpu.mmu.fetch_ptr(r.pc, ppc);
  } catch (const riscv::GuestTrap&) {
    return false;  // find_block() raises the fault
  }
  const uint64_t limit = std::min<uint64_t>(max_block_insns_ - r.index, stop - cpu.s.icount);
  const uint64_t page_start = r.pc & riscv::kPageMask;
  const uint64_t page_end = page_start + riscv::kPageSize;
  const uint8_t* page = host - (r.pc - page_start);  // a followed jump may lead back
  rest_ops_.clear();
  uint64_t pc = r.pc;
  bool ends = false;
  while (!ends && rest_ops_.size() < limit && pc < page_end) {
    // Never the block's first instruction: a breakpoint, an armed trigger
    // or a straddling instruction here starts the next block.
    if (stops_before(pc)) break;
    uint16_t lo;
    std::memcpy(&lo, page + (pc - page_start), 2);
    uint32_t raw = lo;
    if (riscv::insn_length(lo) == 4) {
      if (pc + 2 >= page_end) break;
      uint16_t hi;
      std::memcpy(&hi, page + (pc - page_start) + 2, 2);
      raw |= static_cast<uint32_t>(hi) << 16;
    }
    riscv::Op op;
    uint64_t next;
    ends = decode_for_block(raw, pc, static_cast<uint16_t>(rest_ops_.size() + 1), op, next);
    rest_ops_.push_back(op);
    pc = next;
  }
  if (rest_ops_.empty()) return false;  // the whole block would have ended here
  const uint32_t n = static_cast<uint32_t>(rest_ops_.size());
  riscv::Op exit_op{};
  exit_op.fn = rest_exit;
  exit_op.imm = n;
  rest_ops_.push_back(exit_op);
  cpu.s.pc = pc;  // the fall-through; a taken branch or jump overwrites it
  cpu.current_op = nullptr;
  cpu.ended_after_seq = 0;
  chain_.enter(stop, true);  // a side exit taken in the rest goes no further
  chain_.stack_base = host_stack_pointer();
  try {
    rest_ops_[0].fn(cpu, rest_ops_.data());  // ops are numbered from 1 here: take_trap counts right
  } catch (const riscv::GuestTrap& t) {
    take_trap(t);
    return true;
  }
  cpu.s.tb_insn_index = 0;
  if (cpu.ended_after_seq) {
    note_block_rest(r.index + cpu.ended_after_seq);
  } else if (!ends && cpu.s.icount == stop && cpu.s.pc == pc) {
    note_block_rest(r.index + n);  // cut again by the stop count (not left by a side exit)
  }
  return true;
}

}  // namespace rwd
