#include "accel/tcg/jit_x86_64.h"

#include <unistd.h>

#include <algorithm>
#include <deque>
#include <exception>
#include <optional>
#include <unordered_map>
#include <utility>

#include "accel/tcg/block_exit.h"
#include "accel/tcg/x86_64_assembler.h"
#include "target/riscv/insn_handlers.h"

namespace rwd {

using riscv::Cpu;
using riscv::Op;
using riscv::OpFn;
using namespace x86;

namespace {

// --- Calls from compiled code back into handlers -----------------------------

// The op placed after each fallback copy: the handler's tail call lands here
// and the call returns to the compiled code.
void return_to_jit(Cpu& c, const Op*) { c.chain->op_returned = true; }

// Runs one op by its interpreter handler. Returns 0 to continue the block,
// 1 when the block must return to the engine: the op trapped (parked in the
// ChainContext) or ended the block itself (end_block_after, which counted it).
int run_op_from_jit(Cpu& c, const Op* o) {
  ChainContext& ch = *c.chain;
  ch.op_returned = false;
  try {
    o->fn(c, o);
  } catch (const riscv::GuestTrap& t) {
    ch.trap = t;
    ch.trap_pending = true;
    return 1;
  } catch (...) {
    ch.exception = std::current_exception();
    return 1;
  }
  // Compiled code does not test `attention`: a zero budget stops the chain
  // at the next linked entry or exit instead.
  if (c.s.attention) ch.stop = 0;
  return ch.op_returned ? 0 : 1;
}

// --- What is compiled inline ---------------------------------------------------

enum class Kind : uint8_t {
  kAluImm, kAluImmW, kShiftImm, kShiftImmW, kAluReg, kAluRegW, kShiftReg, kShiftRegW,
  kSetLtImm, kSetLtReg, kMul, kMulW, kDiv, kDivW, kConst, kLoad, kStore, kFLoad, kFStore,
  kFpArith, kFpFma,  // binary64, inline when the result is easy (fp_arith)
  kNop,              // a jump the block goes on through (op_jump_followed)
  kSideExit,         // a branch forward the block goes on past (op: its Cond)
};

enum DivResult : uint8_t { kQuotient, kRemainder };

struct Native {
  Kind kind;
  uint8_t op = 0;        // Alu, Shift or Cond; kDiv/kDivW: kQuotient or kRemainder
  uint8_t size = 0;      // memory access bytes
  bool is_signed = false;  // loads: sign-extend
  bool pc_relative = false;  // kConst: value is pc + imm (auipc) rather than imm
};

const std::unordered_map<OpFn, Native>& native_table() {
  using namespace riscv;
  static const std::unordered_map<OpFn, Native> table = {
      {op_addi, {Kind::kAluImm, kAdd}},   {op_xori, {Kind::kAluImm, kXor}},
      {op_ori, {Kind::kAluImm, kOr}},     {op_andi, {Kind::kAluImm, kAnd}},
      {op_addiw, {Kind::kAluImmW, kAdd}},
      {op_slli, {Kind::kShiftImm, kShl}}, {op_srli, {Kind::kShiftImm, kShr}},
      {op_srai, {Kind::kShiftImm, kSar}},
      {op_slliw, {Kind::kShiftImmW, kShl}}, {op_srliw, {Kind::kShiftImmW, kShr}},
      {op_sraiw, {Kind::kShiftImmW, kSar}},
      {op_add, {Kind::kAluReg, kAdd}},    {op_sub, {Kind::kAluReg, kSub}},
      {op_and, {Kind::kAluReg, kAnd}},    {op_or, {Kind::kAluReg, kOr}},
      {op_xor, {Kind::kAluReg, kXor}},
      {op_addw, {Kind::kAluRegW, kAdd}},  {op_subw, {Kind::kAluRegW, kSub}},
      {op_sll, {Kind::kShiftReg, kShl}},  {op_srl, {Kind::kShiftReg, kShr}},
      {op_sra, {Kind::kShiftReg, kSar}},
      {op_sllw, {Kind::kShiftRegW, kShl}}, {op_srlw, {Kind::kShiftRegW, kShr}},
      {op_sraw, {Kind::kShiftRegW, kSar}},
      {op_slti, {Kind::kSetLtImm, kL}},   {op_sltiu, {Kind::kSetLtImm, kB}},
      {op_slt, {Kind::kSetLtReg, kL}},    {op_sltu, {Kind::kSetLtReg, kB}},
      {op_mul, {Kind::kMul}},             {op_mulw, {Kind::kMulW}},
      {op_div, {Kind::kDiv, kQuotient, 0, true}},  {op_divu, {Kind::kDiv, kQuotient, 0, false}},
      {op_rem, {Kind::kDiv, kRemainder, 0, true}}, {op_remu, {Kind::kDiv, kRemainder, 0, false}},
      {op_divw, {Kind::kDivW, kQuotient, 0, true}},  {op_divuw, {Kind::kDivW, kQuotient, 0, false}},
      {op_remw, {Kind::kDivW, kRemainder, 0, true}}, {op_remuw, {Kind::kDivW, kRemainder, 0, false}},
      {op_lui, {Kind::kConst}},           {op_auipc, {Kind::kConst, 0, 0, false, true}},
      {op_lb, {Kind::kLoad, 0, 1, true}}, {op_lbu, {Kind::kLoad, 0, 1, false}},
      {op_lh, {Kind::kLoad, 0, 2, true}}, {op_lhu, {Kind::kLoad, 0, 2, false}},
      {op_lw, {Kind::kLoad, 0, 4, true}}, {op_lwu, {Kind::kLoad, 0, 4, false}},
      {op_ld, {Kind::kLoad, 0, 8, true}},
      {op_sb, {Kind::kStore, 0, 1}},      {op_sh, {Kind::kStore, 0, 2}},
      {op_sw, {Kind::kStore, 0, 4}},      {op_sd, {Kind::kStore, 0, 8}},
      {op_flw, {Kind::kFLoad, 0, 4}},     {op_fld, {Kind::kFLoad, 0, 8}},
      {op_fsw, {Kind::kFStore, 0, 4}},    {op_fsd, {Kind::kFStore, 0, 8}},
      {op_fadd_d, {Kind::kFpArith, Assembler::kAddSd}}, {op_fsub_d, {Kind::kFpArith, Assembler::kSubSd}},
      {op_fmul_d, {Kind::kFpArith, Assembler::kMulSd}}, {op_fdiv_d, {Kind::kFpArith, Assembler::kDivSd}},
      {op_fsqrt_d, {Kind::kFpArith, Assembler::kSqrt}},
      {op_jump_followed, {Kind::kNop}},
      {side_exit_op(op_beq), {Kind::kSideExit, kE}},   {side_exit_op(op_bne), {Kind::kSideExit, kNE}},
      {side_exit_op(op_blt), {Kind::kSideExit, kL}},   {side_exit_op(op_bge), {Kind::kSideExit, kGE}},
      {side_exit_op(op_bltu), {Kind::kSideExit, kB}},  {side_exit_op(op_bgeu), {Kind::kSideExit, kAE}},
  };
  return table;
}

// The fused multiply-adds need FMA3 on the host (checked at run time); the
// opcode of the vfm*231sd that computes each one's sign pattern.
const std::unordered_map<OpFn, uint8_t>& fma_table() {
  using namespace riscv;
  static const std::unordered_map<OpFn, uint8_t> table = [] {
    std::unordered_map<OpFn, uint8_t> t;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("fma")) {
      t = {{op_fmadd_d, 0xb9}, {op_fmsub_d, 0xbb}, {op_fnmsub_d, 0xbd}, {op_fnmadd_d, 0xbf}};
    }
    return t;
  }();
  return table;
}

static_assert(sizeof(riscv::TlbEntry) == 32, "the TLB index is the page number shifted by 5");
static_assert((riscv::Mmu::kTlbSize & (riscv::Mmu::kTlbSize - 1)) == 0, "the TLB index is a mask of the page number");

// Emits one block. Register use: rbx holds the Cpu, r12 the instruction
// count at the block's start (the chain of linked blocks passes it in r12,
// and CpuState's icount is brought up to date only where C++ code may read
// it: before a handler call, an exit through an op, a return to the
// engine), r13 the ChainContext; all three callee-saved, so they survive
// helper calls. rax, rcx, rdx are scratch; r8-r11, rsi and rdi cache guest
// registers.
class Emitter {
 public:
  Emitter(Cpu& cpu, const ChainContext& chain, const uint64_t* epoch, TranslationBlock& tb, bool mul_bug)
      : cpu_(cpu), chain_(chain), epoch_(epoch), tb_(tb), mul_bug_(mul_bug) {}

  // Returns false when the block is not worth compiling.
  bool block() {
    const Op& last = tb_.ops[tb_.size - 1];
    std::optional<Native> last_native = native_of(last.fn);
    ExitKind exit = exit_kind(last.fn);
    if (tb_.size == 1 && exit == ExitKind::kNone && !last_native) return false;

    // The engine's entry (and an interpreted exit's) follows the C calling
    // convention; a linked predecessor jumps to linked_, already in a frame.
    a_.push(RBX);
    a_.push(R12);
    a_.push(R13);  // three pushes: the stack stays aligned for calls
    a_.alu_imm(kSub, RSP, kFrameBytes);  // a multiple of 16: still aligned
    a_.mov(RBX, RDI);
    a_.mov(R12, mem(RBX, offset_of(&cpu_.s.icount)));
    a_.mov_imm(R13, reinterpret_cast<uintptr_t>(&chain_));
    a_.jmp(body_);
    linked_offset_ = a_.size();
    a_.bind(linked_);
    // r12: the instruction count with the predecessor counted. This block
    // runs whole only if it fits the budget; otherwise the engine runs it
    // cut short.
    a_.lea(RDI, mem(R12, static_cast<int32_t>(tb_.size)));
    a_.alu(kCmp, RDI, mem(R13, offsetof(ChainContext, stop)));
    a_.jcc(kA, give_up_);
    // Only an exit through the last op's own handler compares pc with
    // next_pc; every other exit stores its target itself.
    if (exit == ExitKind::kNone && !last_native) store_pc(tb_.next_pc);
    a_.bind(body_);
    for (uint32_t i = 0; i < tb_.size; ++i) {
      std::optional<Native> n = native_of(tb_.ops[i].fn);
      has_fp_arith_ = has_fp_arith_ || (n && (n->kind == Kind::kFpArith || n->kind == Kind::kFpFma));
    }
    resident_ = loops_onto_itself(last, exit) && preload_registers();
    a_.bind(loop_head_);
    for (uint32_t i = 0; i + 1 < tb_.size; ++i) {
      const Op& o = tb_.ops[i];
      unlock_all();
      if (i + 2 < tb_.size && fold_constant(o, tb_.ops[i + 1])) {
        ++i;  // both instructions done (neither can trap)
        continue;
      }
      if (std::optional<Native> n = native_of(o.fn)) emit(o, *n);
      else call_handler(o);
    }
    unlock_all();
    if (exit != ExitKind::kNone) {
      branch_exit(last, exit);
    } else if (last_native) {
      emit(last, *last_native);
      chain_exit(0, tb_.next_pc);
    } else {
      // Anything else (CSR access, ecall, mret, ...): the op's own handler
      // performs it and the exit, entered as the interpreter would enter it.
      write_back_all();
      a_.mov(mem(RBX, offset_of(&cpu_.s.icount)), R12);
      a_.mov(RDI, RBX);
      a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(&last));
      leave_frame();
      a_.jmp(mem(RSI, 0));  // Op::fn is the first field
    }
    for (PageMiss& m : page_misses_) emit_page_miss(m);
    for (SideExit& e : side_exits_) emit_side_exit(e);
    for (SlowPath& s : slow_paths_) {
      a_.bind(s.entry);
      store_registers(s.store);
      call_handler_raw(*s.op);
      for (const auto& [host, guest] : s.reload) a_.mov(host, x(guest));
      if (has_fp_arith_) load_default_mxcsr();  // the handler may have left it otherwise
      forget_pages();
      a_.jmp(s.resume);
    }
    a_.bind(give_up_);
    a_.mov(mem(RBX, offset_of(&cpu_.s.icount)), R12);
    store_pc(tb_.vpc);
    a_.bind(return_);
    leave_frame();
    a_.ret();
    return true;
  }
  size_t linked_offset() const { return linked_offset_; }
  // Offsets of the patchable rel32 fields by exit slot (0: none).
  const size_t* jump_fields() const { return jump_fields_; }
  const uint64_t* jump_targets() const { return jump_targets_; }
  const std::vector<std::pair<size_t, uint64_t>>& side_jumps() const { return side_jumps_; }
  const std::vector<uint8_t>& code() const { return a_.code(); }

 private:
  static std::optional<Native> native_of(OpFn fn) {
    const std::unordered_map<OpFn, Native>& natives = native_table();
    if (auto it = natives.find(fn); it != natives.end()) return it->second;
    const std::unordered_map<OpFn, uint8_t>& fmas = fma_table();
    if (auto it = fmas.find(fn); it != fmas.end()) return Native{Kind::kFpFma, it->second};
    return std::nullopt;
  }

  static bool accesses_memory(Kind k) {
    return k == Kind::kLoad || k == Kind::kStore || k == Kind::kFLoad || k == Kind::kFStore;
  }

  enum class ExitKind { kNone, kJal, kJalr, kBranch };
  static ExitKind exit_kind(OpFn fn) {
    using namespace riscv;
    if (fn == op_jal) return ExitKind::kJal;
    if (fn == op_jalr) return ExitKind::kJalr;
    if (fn == op_beq || fn == op_bne || fn == op_blt || fn == op_bge || fn == op_bltu || fn == op_bgeu)
      return ExitKind::kBranch;
    return ExitKind::kNone;
  }
  static Cond branch_condition(OpFn fn) {
    using namespace riscv;
    if (fn == op_beq) return kE;
    if (fn == op_bne) return kNE;
    if (fn == op_blt) return kL;
    if (fn == op_bge) return kGE;
    if (fn == op_bltu) return kB;
    return kAE;  // bgeu
  }

  // The block's last instruction when it is a jump or branch, then the exit.
  void branch_exit(const Op& o, ExitKind kind) {
    switch (kind) {
      case ExitKind::kBranch: {
        if (resident_) return resident_branch_exit(o);
        Assembler::Label taken;
        write_back_all();  // once, for both exits
        a_.alu(kCmp, src(o.rs1), src(o.rs2));
        a_.jcc(branch_condition(o.fn), taken);
        chain_exit(0, tb_.next_pc);
        a_.bind(taken);
        chain_exit(1, o.pc + static_cast<uint64_t>(o.imm));
        return;
      }
      case ExitKind::kJal:
        write_back_all();
        store_const(o.rd, o.pc + o.len);
        chain_exit(1, o.pc + static_cast<uint64_t>(o.imm));
        return;
      case ExitKind::kJalr:
        write_back_all();  // rsi, one of the cache's registers, is about to be clobbered
        a_.mov(RSI, src(o.rs1));  // the target first: rd may be rs1
        forget_all();
        if (o.imm != 0) a_.alu_imm(kAdd, RSI, static_cast<int32_t>(o.imm));
        a_.alu_imm(kAnd, RSI, -2);
        store_const(o.rd, o.pc + o.len);
        chain_exit(1, std::nullopt);
        return;
      case ExitKind::kNone:
        return;
    }
  }

  // --- A loop that keeps its registers -----------------------------------
  // A block that branches back to its own start and uses at most
  // kPoolSize guest registers loads them all where the body starts (the
  // loop head) and keeps each in one host register for the whole block.
  // The back edge then finds every register where the loop head expects it
  // and jumps there directly: no stores and no reloads per iteration. The
  // registers the block writes count as dirty from the loop head on (they
  // are, from the second iteration), so every way out of the block, slow
  // paths included, stores them. If anything in the block changed the
  // assignment (a handler call drops the cache), the back edge writes back
  // and goes through the linked entry, as any other block does.
  // The loop's branch goes back when taken (a loop with its test at the
  // bottom) or when not (the test at the top, reached through a followed
  // jump: the body falls through the test into its own start).
  bool loops_onto_itself(const Op& last, ExitKind exit) const {
    return exit == ExitKind::kBranch &&
           (last.pc + static_cast<uint64_t>(last.imm) == tb_.vpc || tb_.next_pc == tb_.vpc);
  }
  bool preload_registers() {
    bool used[32] = {}, written[32] = {};
    for (uint32_t i = 0; i + 1 < tb_.size; ++i) {
      const Op& o = tb_.ops[i];
      std::optional<Native> n = native_of(o.fn);
      if (!n) return false;  // its handler call drops the cache: nothing to keep
      auto [reads, writes_rd] = integer_operands(n->kind);
      if (reads >= 1) used[o.rs1 & 31] = true;
      if (reads >= 2) used[o.rs2 & 31] = true;
      if (writes_rd && o.rd < 32) used[o.rd] = written[o.rd] = true;
    }
    const Op& branch = tb_.ops[tb_.size - 1];
    used[branch.rs1 & 31] = used[branch.rs2 & 31] = true;
    if (std::count(used, used + 32, true) > kPoolSize) return false;
    int slot = 0;
    for (unsigned g = 0; g < 32; ++g) {
      if (!used[g]) continue;
      held_[slot] = static_cast<int8_t>(g);
      dirty_[slot] = written[g];
      a_.mov(kPool[slot], x(g));
      ++slot;
    }
    std::copy(held_, held_ + kPoolSize, loop_held_);
    std::copy(dirty_, dirty_ + kPoolSize, loop_dirty_);
    if (has_fp_arith_) load_default_mxcsr();  // once, not per iteration
    for (uint32_t i = 0; i + 1 < tb_.size; ++i) {
      if (accesses_memory(native_of(tb_.ops[i].fn)->kind) && page_memos_ < kPageMemos) ++page_memos_;
    }
    forget_pages();
    return true;
  }
  // `lui`/`auipc rd` followed by `addi[w] rd, rd, imm` (how compilers build
  // a constant or an address): one move of the final value.
  bool fold_constant(const Op& o, const Op& next) {
    std::optional<Native> n = native_of(o.fn), m = native_of(next.fn);
    if (!n || !m || n->kind != Kind::kConst || o.rd == 32 || next.rd != o.rd || next.rs1 != o.rd) return false;
    if ((m->kind != Kind::kAluImm && m->kind != Kind::kAluImmW) || m->op != kAdd) return false;
    uint64_t v = static_cast<uint64_t>(o.imm) + (n->pc_relative ? o.pc : 0) + static_cast<uint64_t>(next.imm);
    if (m->kind == Kind::kAluImmW) v = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
    a_.mov_imm(dst(o.rd), v);
    return true;
  }
  // How many of rs1, rs2 an operation reads as integer registers, and
  // whether it writes rd as one (through the cache).
  static std::pair<int, bool> integer_operands(Kind k) {
    switch (k) {
      case Kind::kAluImm: case Kind::kAluImmW: case Kind::kShiftImm: case Kind::kShiftImmW:
      case Kind::kSetLtImm: case Kind::kLoad:
        return {1, true};
      case Kind::kAluReg: case Kind::kAluRegW: case Kind::kShiftReg: case Kind::kShiftRegW:
      case Kind::kSetLtReg: case Kind::kMul: case Kind::kMulW: case Kind::kDiv: case Kind::kDivW:
        return {2, true};
      case Kind::kConst: return {0, true};
      case Kind::kStore: case Kind::kSideExit: return {2, false};
      case Kind::kFLoad: case Kind::kFStore: return {1, false};
      case Kind::kFpArith: case Kind::kFpFma: case Kind::kNop: return {0, false};
    }
    return {2, true};
  }
  // The loop's branch: the back edge stays in the block while the next
  // iteration fits the budget (which `attention` zeroes), as the linked
  // entry would check; anything else writes back and leaves as the plain
  // exits do. Exit slot 0 is the fall-through, 1 the taken target,
  // whichever of them is the loop's start.
  void resident_branch_exit(const Op& o) {
    const uint64_t taken_pc = o.pc + static_cast<uint64_t>(o.imm);
    const bool back_when_taken = taken_pc == tb_.vpc;
    const Cond stay = back_when_taken ? branch_condition(o.fn) : negated(branch_condition(o.fn));
    Assembler::Label out, leave;
    a_.alu(kCmp, src(o.rs1), src(o.rs2));
    a_.jcc(negated(stay), out);  // the back edge falls through: one taken jump per iteration
    bool dirty_at_branch[kPoolSize];
    std::copy(dirty_, dirty_ + kPoolSize, dirty_at_branch);
    // The loop head must find every register where it expects it, and
    // none dirty that it takes as clean.
    bool same = std::equal(held_, held_ + kPoolSize, loop_held_) && mxcsr_ready_ == has_fp_arith_;
    for (int i = 0; i < kPoolSize; ++i) same = same && (!dirty_[i] || loop_dirty_[i]);
    if (same) {
      const int32_t size = static_cast<int32_t>(tb_.size);
      a_.lea(RAX, mem(R12, 2 * size));  // this iteration and the next
      a_.alu(kCmp, RAX, mem(R13, offsetof(ChainContext, stop)));
      a_.jcc(kA, leave);
      a_.alu_imm(kAdd, R12, size);
      a_.jmp(loop_head_);
    }
    a_.bind(leave);
    write_back_all();
    chain_exit(back_when_taken ? 1 : 0, tb_.vpc);
    std::copy(dirty_at_branch, dirty_at_branch + kPoolSize, dirty_);
    a_.bind(out);
    write_back_all();
    if (back_when_taken) chain_exit(0, tb_.next_pc);
    else chain_exit(1, taken_pc);
  }

  // Leaves the block for guest pc `target`, or for the pc computed into rsi
  // when the target is not a constant (jalr), through exit slot `slot`. The
  // fast path (its budget checks also catch `attention`, which zeroes the
  // budget): a loop onto itself jumps to its own linked entry; a constant
  // target in this page jumps through a patchable jmp (direct_links.h) once
  // linked. Otherwise, chain::leave's
  // path inline: count this block and jump into the code the slot's
  // (epoch-checked) link names, if the budget allows. Anything else goes
  // through the block's exit op, as interpreted blocks do (which also makes
  // the links).
  void chain_exit(int slot, std::optional<uint64_t> target) {
    write_back_all();
    leave_counted(slot, target, tb_.size);
  }
  // chain_exit once the registers are stored, counting `count` instructions
  // of the block: all of them, or a side exit's (slot kSideExitSlot), whose
  // link, shared by the block's side exits, holds only for its own target.
  void leave_counted(int slot, std::optional<uint64_t> target, uint32_t count) {
    const bool side = slot == TranslationBlock::kSideExitSlot;
    Assembler::Label slow_pc_stored;
    if (!target) a_.mov(mem(RBX, offset_of(&cpu_.s.pc)), RSI);
    // From here r12 counts what ran of this block.
    a_.alu_imm(kAdd, R12, static_cast<int32_t>(count));
    if (target == tb_.vpc && !side) {
      // Valid until something raises `attention`, which stops the chain at
      // the linked entry (invalidating a block takes a store to its page,
      // and that raises it).
      a_.jmp(linked_);
      return;
    }
    const bool patchable = target && (*target & riscv::kPageMask) == (tb_.vpc & riscv::kPageMask);
    if (patchable && side) {
      side_jumps_.push_back({a_.jmp_patchable(), *target});
    } else if (patchable) {
      jump_fields_[slot] = a_.jmp_patchable();
      jump_targets_[slot] = *target;
    }
    if (target) {
      a_.mov_imm(RSI, *target);
      a_.mov(mem(RBX, offset_of(&cpu_.s.pc)), RSI);
    }
    // An unpatched side exit goes to the C++ path, which makes the link:
    // the shared slot's link or the jump cache would find the successor
    // here, but without patching, every time.
    if (!(patchable && side)) follow_link(slot, !target || side, slow_pc_stored);
    a_.bind(slow_pc_stored);
    a_.mov(RDI, RBX);
    if (side) {
      a_.mov(mem(RBX, offset_of(&cpu_.s.icount)), R12);
      a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(&tb_.ops[tb_.size]));  // names the block
      a_.mov_imm(RAX, reinterpret_cast<uintptr_t>(&leave_after_side_exit));
      leave_frame();
      a_.jmp(RAX);
      return;
    }
    // The exit op counts the block from CpuState's icount.
    a_.lea(RAX, mem(R12, -static_cast<int32_t>(tb_.size)));
    a_.mov(mem(RBX, offset_of(&cpu_.s.icount)), RAX);
    a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(&tb_.ops[tb_.size]));  // the exit op
    leave_frame();
    a_.jmp(mem(RSI, 0));
  }
  // chain::leave's path inline, with r12 counted and pc stored (and in rsi
  // when check_pc): jump into the code exit slot `slot`'s link names if the
  // budget allows and the link holds (for the pc in rsi, when check_pc);
  // else to `slow_pc_stored`.
  void follow_link(int slot, bool check_pc, Assembler::Label& slow_pc_stored) {
    const Mem stop = mem(R13, offsetof(ChainContext, stop));
    a_.alu(kCmp, R12, stop);
    a_.jcc(kAE, slow_pc_stored);
    // A jalr or a side exit whose link is stale or made for another target
    // looks in the jump cache itself (a return has as many targets as
    // callers).
    const bool probe = check_pc && chain_.cache;
    Assembler::Label lookup, found;
    Assembler::Label& link_missing = probe ? lookup : slow_pc_stored;
    a_.mov_imm(RDX, reinterpret_cast<uintptr_t>(&tb_));
    a_.mov_imm(RDI, reinterpret_cast<uintptr_t>(epoch_));
    a_.mov(RDI, mem(RDI, 0));
    a_.alu(kCmp, RDI, mem(RDX, tb_offset(&tb_.chain_epoch)));
    a_.jcc(kNE, link_missing);
    if (check_pc) {  // a link for a variable target holds for the pc it was made for
      a_.alu(kCmp, RSI, mem(RDX, tb_offset(&tb_.chain_pc[slot])));
      a_.jcc(kNE, link_missing);
    }
    a_.mov(RDX, mem(RDX, tb_offset(&tb_.chain[slot])));
    a_.test(RDX, RDX);
    a_.jcc(kE, link_missing);
    // A successor whose mapping was not confirmed since the last TLB flush
    // is left to the exit op (chain::still_mapped). A compiled successor
    // checks the budget at its linked entry.
    a_.bind(found);
    a_.mov(RDI, mem(RBX, offset_of(cpu_.mmu.mapping_generation_ptr())));
    a_.alu(kCmp, RDI, mem(RDX, tb_offset(&tb_.mapped_generation)));
    a_.jcc(kNE, slow_pc_stored);
    a_.mov(RDI, mem(RDX, tb_offset(&tb_.linked_entry)));
    a_.test(RDI, RDI);
    Assembler::Label interpreted;
    a_.jcc(kE, interpreted);
    a_.jmp(RDI);
    a_.bind(interpreted);
    a_.mov32(RDI, mem(RDX, tb_offset(&tb_.size)));
    a_.alu(kAdd, RDI, R12);
    a_.alu(kCmp, RDI, stop);
    a_.jcc(kA, slow_pc_stored);
    a_.mov(mem(RBX, offset_of(&cpu_.s.icount)), R12);
    a_.mov(RSI, mem(RDX, tb_offset(&tb_.next_pc)));
    a_.mov(mem(RBX, offset_of(&cpu_.s.pc)), RSI);
    a_.mov(RDI, RBX);
    a_.mov(RSI, mem(RDX, tb_offset(&tb_.first_op)));
    leave_frame();
    a_.jmp(mem(RDX, tb_offset(&tb_.entry)));
    if (probe) {
      // TbCache::find_virtual, on rsi. Its entries are as good as a link:
      // an invalidation removes them, and a TLB flush is caught by the
      // mapping check at `found`.
      a_.bind(lookup);
      a_.mov(RDX, RSI);
      a_.shift_imm(kShl, RDX, 3);  // ((pc >> 1) % size) * 16
      a_.alu_imm(kAnd, RDX, static_cast<int32_t>((TbCache::kJumpCacheSize - 1) * TbCache::kJumpEntrySize), false);
      a_.mov_imm(RDI, reinterpret_cast<uintptr_t>(chain_.cache->jump_cache_data()));
      a_.alu(kAdd, RDX, RDI);
      a_.alu(kCmp, RSI, mem(RDX, 0));
      a_.jcc(kNE, slow_pc_stored);
      a_.mov(RDX, mem(RDX, TbCache::kJumpEntryBlock));
      a_.test(RDX, RDX);
      a_.jcc(kE, slow_pc_stored);
      a_.cmp32_imm8(mem(RDX, tb_offset(&tb_.context)), static_cast<int8_t>(tb_.context));
      a_.jcc(kNE, slow_pc_stored);
      a_.jmp(found);
    }
  }

  // Undoes the prologue (before a tail call or the return).
  void leave_frame() {
    a_.alu_imm(kAdd, RSP, kFrameBytes);
    a_.pop(R13);
    a_.pop(R12);
    a_.pop(RBX);
  }

  void store_pc(uint64_t pc) {
    if (Assembler::fits_i32(static_cast<int64_t>(pc))) {
      a_.mov_imm32(mem(RBX, offset_of(&cpu_.s.pc)), static_cast<int32_t>(pc));
    } else {
      a_.mov_imm(RAX, pc);
      a_.mov(mem(RBX, offset_of(&cpu_.s.pc)), RAX);
    }
  }

  int32_t tb_offset(const void* field) const {
    return static_cast<int32_t>(reinterpret_cast<const char*>(field) - reinterpret_cast<const char*>(&tb_));
  }
  void store_const(unsigned rd, uint64_t v) {
    if (rd == 32) return;
    forget(rd);
    if (Assembler::fits_i32(static_cast<int64_t>(v))) {
      a_.mov_imm32(x(rd), static_cast<int32_t>(v));
    } else {
      a_.mov_imm(RAX, v);
      a_.mov(x(rd), RAX);
    }
  }

  struct SlowPath {
    Assembler::Label entry, resume;
    const Op* op;
    // Dirty registers where the fast path jumps to `entry`: stored before
    // the call, which may trap.
    std::vector<std::pair<Reg, unsigned>> store;
    // Guest registers the fast path holds in host registers at `resume`:
    // the slow path's call clobbers them, so it reloads them from CpuState.
    std::vector<std::pair<Reg, unsigned>> reload;
  };

  // --- Guest registers cached in host registers --------------------------
  // Within a block, a guest register read or written recently stays in one
  // of a few caller-saved host registers, so a dependent instruction does
  // not wait for a store to be forwarded to its load, and a register
  // written several times in a block reaches CpuState once. A written
  // register is dirty until it is stored back: before every call out of the
  // block (handlers, slow paths, which may trap and must see every register
  // in memory), at every exit and on eviction. The cache is empty where the
  // block starts (and where a loop re-enters it), dropped after each
  // handler call, and reloaded at the end of each slow path.
  static constexpr Reg kPool[] = {R8, R9, R10, R11, RSI, RDI};
  static constexpr int kPoolSize = sizeof kPool / sizeof kPool[0];
  int8_t held_[kPoolSize] = {-1, -1, -1, -1, -1, -1};  // guest register in kPool[i], or -1
  bool dirty_[kPoolSize] = {};   // kPool[i] is newer than CpuState
  bool locked_[kPoolSize] = {};  // in use by the instruction being emitted
  int next_victim_ = 0;

  int slot_of(unsigned g) const {
    for (int i = 0; i < kPoolSize; ++i)
      if (held_[i] == static_cast<int8_t>(g)) return i;
    return -1;
  }
  int take_slot() {
    for (int i = 0; i < kPoolSize; ++i)
      if (held_[i] < 0 && !locked_[i]) return i;
    for (;;) {  // evict round-robin, storing a dirty victim
      int i = next_victim_;
      next_victim_ = (next_victim_ + 1) % kPoolSize;
      if (locked_[i]) continue;
      write_back(i);
      held_[i] = -1;
      return i;
    }
  }
  void write_back(int i) {
    if (held_[i] >= 0 && dirty_[i]) a_.mov(x(static_cast<unsigned>(held_[i])), kPool[i]);
    dirty_[i] = false;
  }
  // Every dirty register to CpuState; the cache keeps its contents.
  void write_back_all() {
    for (int i = 0; i < kPoolSize; ++i) write_back(i);
  }
  // The stores write_back_all would emit here, for a slow path or a side
  // exit to emit at its own entry (store_registers; the fast path keeps its
  // registers dirty).
  std::vector<std::pair<Reg, unsigned>> dirty() const {
    std::vector<std::pair<Reg, unsigned>> v;
    for (int i = 0; i < kPoolSize; ++i)
      if (held_[i] >= 0 && dirty_[i]) v.emplace_back(kPool[i], static_cast<unsigned>(held_[i]));
    return v;
  }
  void store_registers(const std::vector<std::pair<Reg, unsigned>>& stores) {
    for (const auto& [host, guest] : stores) a_.mov(x(guest), host);
  }
  void unlock_all() {
    for (bool& l : locked_) l = false;
  }
  void forget_all() {
    for (int i = 0; i < kPoolSize; ++i) {
      held_[i] = -1;
      dirty_[i] = false;
    }
  }
  // Guest register g's cached copy is stale (the caller stored g itself).
  void forget(unsigned g) {
    if (int i = slot_of(g); i >= 0) {
      held_[i] = -1;
      dirty_[i] = false;
    }
  }
  // A host register holding guest register g (loaded if need be).
  Reg src(unsigned g) {
    int i = slot_of(g);
    if (i < 0) {
      i = take_slot();
      held_[i] = static_cast<int8_t>(g);
      a_.mov(kPool[i], x(g));
    }
    locked_[i] = true;
    return kPool[i];
  }
  // The host register that will hold guest register rd (dirty), without
  // loading its old value.
  Reg dst(unsigned rd) {
    int i = slot_of(rd);
    if (i < 0) {
      i = take_slot();
      held_[i] = static_cast<int8_t>(rd);
    }
    locked_[i] = true;
    dirty_[i] = true;
    return kPool[i];
  }
  // rd's cache register holding a copy of `from` (one of the cache's
  // registers, locked), to compute rd in place.
  Reg dst_from(unsigned rd, Reg from) {
    Reg d = dst(rd);
    if (d != from) a_.mov(d, from);
    return d;
  }
  // Writes `r` to guest register rd (in the cache; CpuState later).
  void put(unsigned rd, Reg r) {
    if (rd == 32) return;
    Reg h = dst(rd);
    if (h != r) a_.mov(h, r);
  }
  std::vector<std::pair<Reg, unsigned>> cached() const {
    std::vector<std::pair<Reg, unsigned>> v;
    for (int i = 0; i < kPoolSize; ++i)
      if (held_[i] >= 0) v.emplace_back(kPool[i], static_cast<unsigned>(held_[i]));
    return v;
  }

  int32_t offset_of(const void* field) const {
    return static_cast<int32_t>(reinterpret_cast<const char*>(field) - reinterpret_cast<const char*>(&cpu_));
  }
  Mem x(unsigned r) const { return mem(RBX, offset_of(&cpu_.s.x[r])); }
  Mem f(unsigned r) const { return mem(RBX, offset_of(&cpu_.s.f[r])); }

  // A copy of `o` followed by the return op, for run_op_from_jit.
  const Op* fallback_copy(const Op& o) {
    tb_.jit_ops.push_back(o);
    Op back{};
    back.fn = return_to_jit;
    tb_.jit_ops.push_back(back);
    return &tb_.jit_ops[tb_.jit_ops.size() - 2];
  }
  void call_handler_raw(const Op& copy) {
    a_.mov(mem(RBX, offset_of(&cpu_.s.icount)), R12);  // the block's start, as handlers expect
    a_.mov(RDI, RBX);
    a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(&copy));
    a_.mov_imm(RAX, reinterpret_cast<uintptr_t>(&run_op_from_jit));
    a_.call(RAX);
    a_.test32(RAX, RAX);
    a_.jcc(kNE, return_);
    // A handler that lets the block go on has not counted anything, but
    // reloading the count keeps r12 right whatever a handler does.
    a_.mov(R12, mem(RBX, offset_of(&cpu_.s.icount)));
  }
  void call_handler(const Op& o) {
    write_back_all();
    call_handler_raw(*fallback_copy(o));
    forget_all();  // clobbered, and the handler may have written any register
    mxcsr_ready_ = false;  // the handler may change MXCSR, or mstatus.FS
    fs_dirty_ = false;
  }

  void store_rd(const Op& o, Reg r) { put(o.rd, r); }
  void store_rd_w(const Op& o, Reg r) {  // a 32-bit result, sign-extended
    a_.movsxd(r, r);
    put(o.rd, r);
  }

  // div[u][w] and rem[u][w]. x86's divide faults where RISC-V defines a
  // result, so those cases are taken first: a zero divisor gives all ones
  // (quotient) or the dividend (remainder); a signed divide by -1 gives the
  // dividend negated (which wraps for the most negative) and remainder 0.
  // The 32-bit forms work on the low halves and sign-extend the result.
  void divide(const Op& o, const Native& n) {
    const bool wide = n.kind == Kind::kDiv, rem = n.op == kRemainder;
    Assembler::Label by_zero, plain, done;
    a_.mov(RAX, src(o.rs1));
    a_.mov(RCX, src(o.rs2));
    if (wide) a_.test(RCX, RCX);
    else a_.test32(RCX, RCX);
    a_.jcc(kE, by_zero);
    if (n.is_signed) {
      a_.alu_imm(kCmp, RCX, -1, wide);
      a_.jcc(kNE, plain);
      if (rem) a_.alu(kXor, RAX, RAX, false);
      else a_.neg(RAX, wide);
      a_.jmp(done);
      a_.bind(plain);
      a_.sign_extend_rax_into_rdx(wide);
    } else {
      a_.alu(kXor, RDX, RDX, false);
    }
    a_.div(RCX, n.is_signed, wide);
    if (rem) a_.mov(RAX, RDX);
    a_.jmp(done);
    a_.bind(by_zero);
    if (!rem) a_.mov_imm(RAX, ~0ull);  // (a remainder is the dividend, in rax)
    a_.bind(done);
    if (wide) store_rd(o, RAX);
    else store_rd_w(o, RAX);
  }

  void emit(const Op& o, const Native& n) {
    // An x0 destination (decoded as the sink x[32]) makes a register-only
    // instruction a no-op; a load must still access memory (it may fault).
    if (n.kind == Kind::kFpArith || n.kind == Kind::kFpFma) return fp_arith(o, n);
    if (n.kind == Kind::kSideExit) return side_exit(o, static_cast<Cond>(n.op));
    if (o.rd == 32 && !accesses_memory(n.kind)) return;
    switch (n.kind) {
      // Register-only instructions compute in rd's cache register, from a
      // copy of rs1 unless rd is rs1.
      case Kind::kAluImm: {
        Reg d = dst_from(o.rd, src(o.rs1));
        if (o.imm != 0 || n.op == kAnd) a_.alu_imm(static_cast<Alu>(n.op), d, static_cast<int32_t>(o.imm));
        return;
      }
      case Kind::kAluImmW: {
        Reg d = dst_from(o.rd, src(o.rs1));
        if (o.imm != 0) a_.alu_imm(static_cast<Alu>(n.op), d, static_cast<int32_t>(o.imm), false);
        a_.movsxd(d, d);
        return;
      }
      case Kind::kShiftImm: {
        Reg d = dst_from(o.rd, src(o.rs1));
        a_.shift_imm(static_cast<Shift>(n.op), d, static_cast<uint8_t>(o.imm & 63));
        return;
      }
      case Kind::kShiftImmW: {
        Reg d = dst_from(o.rd, src(o.rs1));
        a_.shift_imm(static_cast<Shift>(n.op), d, static_cast<uint8_t>(o.imm & 31), false);
        a_.movsxd(d, d);
        return;
      }
      case Kind::kAluReg:
      case Kind::kAluRegW: {
        const bool wide = n.kind == Kind::kAluReg;
        Reg s1 = src(o.rs1), s2 = src(o.rs2);
        Reg d = s1;
        const bool commutes = n.op == kAdd || n.op == kAnd || n.op == kOr || n.op == kXor;
        if (o.rd == o.rs2 && o.rd != o.rs1 && commutes) {  // rd = rd op rs1
          d = dst(o.rd);
          a_.alu(static_cast<Alu>(n.op), d, s1, wide);
        } else if (o.rd == o.rs2 && o.rd != o.rs1) {  // rd = rs1 op rd: through rax
          a_.mov(RAX, s1);
          a_.alu(static_cast<Alu>(n.op), RAX, s2, wide);
          d = dst(o.rd);
          a_.mov(d, RAX);
        } else {
          d = dst_from(o.rd, s1);
          a_.alu(static_cast<Alu>(n.op), d, s2, wide);
        }
        if (!wide) a_.movsxd(d, d);
        return;
      }
      case Kind::kShiftReg:     // x86 masks the count to 6 bits, as RISC-V does,
      case Kind::kShiftRegW: {  // and 32-bit shifts' to 5
        const bool wide = n.kind == Kind::kShiftReg;
        a_.mov(RCX, src(o.rs2));  // first: rd may be rs2
        Reg d = dst_from(o.rd, src(o.rs1));
        a_.shift_cl(static_cast<Shift>(n.op), d, wide);
        if (!wide) a_.movsxd(d, d);
        return;
      }
      case Kind::kSetLtImm:
      case Kind::kSetLtReg:
        if (n.kind == Kind::kSetLtImm) a_.alu_imm(kCmp, src(o.rs1), static_cast<int32_t>(o.imm));
        else a_.alu(kCmp, src(o.rs1), src(o.rs2));
        a_.setcc(static_cast<Cond>(n.op), RAX);
        a_.movzx8(RAX, RAX);
        return store_rd(o, RAX);
      case Kind::kMul:
      case Kind::kMulW: {  // in rd's register (the product commutes)
        const bool wide = n.kind == Kind::kMul;
        Reg s1 = src(o.rs1), s2 = src(o.rs2);
        Reg d = o.rd == o.rs2 ? dst(o.rd) : dst_from(o.rd, s1);
        a_.imul(d, o.rd == o.rs2 ? s1 : s2, wide);
        if (wide && mul_bug_) a_.alu_imm(kXor, d, 1);  // -debug-miscompile mul
        if (!wide) a_.movsxd(d, d);
        return;
      }
      case Kind::kDiv:
      case Kind::kDivW:
        return divide(o, n);
      case Kind::kConst:
        a_.mov_imm(dst(o.rd), static_cast<uint64_t>(o.imm) + (n.pc_relative ? o.pc : 0));
        return;
      case Kind::kLoad:
      case Kind::kFLoad:
        return load(o, n);
      case Kind::kStore:
      case Kind::kFStore:
        return store(o, n);
      case Kind::kFpArith:
      case Kind::kFpFma:
      case Kind::kNop:
      case Kind::kSideExit:
        return;
    }
  }

  // --- Side exits (block_exit.h) -------------------------------------------
  // The branch jumps to a stub after the block's code, so the block runs on
  // with no taken jump. The stub stores what is dirty at the branch, counts
  // the instructions up to the branch and leaves as the block's other exits
  // do, through the side-exit slot.
  struct SideExit {
    Assembler::Label entry;
    std::vector<std::pair<Reg, unsigned>> store;
    uint64_t target;
    uint16_t seq;
  };
  void side_exit(const Op& o, Cond taken) {
    Reg a = src(o.rs1), b = src(o.rs2);
    SideExit& e = side_exits_.emplace_back();
    e.store = dirty();
    e.target = o.pc + static_cast<uint64_t>(o.imm);
    e.seq = o.seq;
    a_.alu(kCmp, a, b);
    a_.jcc(taken, e.entry);
  }
  void emit_side_exit(SideExit& e) {
    a_.bind(e.entry);
    store_registers(e.store);
    leave_counted(TranslationBlock::kSideExitSlot, e.target, e.seq);
  }

  // A binary64 operation on the host's SSE unit, for the easy case only:
  // round to nearest even (static, or dynamic with frm = RNE), and a result
  // that raised no host flag but inexact and is not a NaN. Then IEEE 754
  // rounding makes it bit-identical to the RISC-V result, and inexact is
  // the only RISC-V flag it can raise. Anything else (another rounding mode,
  // NaNs to canonicalise, invalid, divide by zero, overflow, underflow,
  // subnormal operands) runs the instruction's own handler, from the start.
  void fp_arith(const Op& o, const Native& n) {
    if (o.rm != 0 && o.rm != 7) return call_handler(o);
    slow_paths_.push_back(SlowPath{{}, {}, fallback_copy(o), dirty(), {}});
    SlowPath& s = slow_paths_.back();
    if (o.rm == 7) {
      a_.cmp32_imm8(mem(RBX, offset_of(&cpu_.s.frm)), 0);
      a_.jcc(kNE, s.entry);
    }
    const Mem mxcsr = mxcsr_slot();
    if (!mxcsr_ready_) load_default_mxcsr();
    if (n.kind == Kind::kFpFma) {
      a_.movsd(XMM0, f(o.rs3));
      a_.movsd(XMM1, f(o.rs1));
      a_.vfma231sd(n.op, XMM0, XMM1, f(o.rs2));
    } else if (n.op == Assembler::kSqrt) {
      a_.arith_sd(Assembler::kSqrt, XMM0, f(o.rs1));
    } else {
      a_.movsd(XMM0, f(o.rs1));
      a_.arith_sd(static_cast<Assembler::SseOp>(n.op), XMM0, f(o.rs2));
    }
    a_.stmxcsr(mxcsr);
    a_.ucomisd(XMM0, XMM0);
    a_.jcc(kP, s.entry);  // unordered: a NaN result
    a_.test32_imm(mxcsr, kMxcsrHardFlags);
    a_.jcc(kNE, s.entry);
    a_.movsd(f(o.rd), XMM0);
    a_.mov32(RAX, mxcsr);
    a_.alu_imm(kAnd, RAX, kMxcsrPrecision, false);
    a_.shr32_imm(RAX, 5);  // precision (bit 5) -> NX (bit 0)
    a_.alu(kOr, mem(RBX, offset_of(&cpu_.s.fflags)), RAX, false);
    mark_fp_dirty();
    s.reload = cached();
    a_.bind(s.resume);
  }
  // MXCSR is loaded with its default once per block (before its first
  // operation, for a loop before its head) and again at the end of every
  // slow path, whose handler may change it; not before every operation. The
  // precision flag then accumulates over the block's operations, which is
  // harmless: each one ORs it into fflags, which is sticky too, and every
  // other flag sends the operation that raised it to its handler at once.
  void load_default_mxcsr() {
    a_.mov32_imm(mxcsr_slot(), kMxcsrDefault);
    a_.ldmxcsr(mxcsr_slot());
    mxcsr_ready_ = true;
  }
  // Where MXCSR goes through memory: the red zone, as no call comes between
  // its store and its load.
  static Mem mxcsr_slot() { return mem(RSP, -8); }
  // mstatus.FS = Dirty, once per block until a handler call (which may
  // change mstatus); a slow path's handler dirties FS itself.
  void mark_fp_dirty() {
    if (fs_dirty_) return;
    a_.mov_imm(RCX, riscv::mstatus::kFSDirty | riscv::mstatus::kSD);  // Cpu::mark_fp_dirty
    a_.alu(kOr, mem(RBX, offset_of(&cpu_.s.mstatus)), RCX);
    fs_dirty_ = true;
  }
  static constexpr uint32_t kMxcsrDefault = 0x1f80;   // all masked, RNE, no DAZ/FTZ, flags clear
  static constexpr uint32_t kMxcsrHardFlags = 0x1f;  // invalid, denormal, zero-divide, overflow, underflow
  static constexpr uint32_t kMxcsrPrecision = 0x20;
  static constexpr Reg XMM0 = RAX, XMM1 = RCX;

  // Guest virtual address into rax, its TLB entry into rdx; jumps to a new
  // slow path (returned) unless the entry maps the whole access.
  SlowPath& tlb_lookup(const Op& o, unsigned size, const riscv::TlbEntry* const* tlb_slot) {
    Reg base = src(o.rs1);  // may evict (and store) a dirty register
    slow_paths_.push_back(SlowPath{{}, {}, fallback_copy(o), dirty(), {}});
    SlowPath& s = slow_paths_.back();
    if (o.imm != 0) a_.lea(RAX, mem(base, static_cast<int32_t>(o.imm)));
    else a_.mov(RAX, base);
    if (next_memo_ < page_memos_) {
      const int memo = next_memo_++;
      page_misses_.push_back(PageMiss{{}, {}, memo, tlb_slot, &s});
      PageMiss& m = page_misses_.back();
      page_bits_into_rcx(size);
      a_.alu(kCmp, RCX, memo_tag(memo));
      a_.jcc(kNE, m.entry);
      a_.alu(kAdd, RAX, memo_addend(memo));
      a_.bind(m.back);
      return s;
    }
    tlb_entry_into_rdx(tlb_slot);
    page_bits_into_rcx(size);
    a_.alu(kCmp, RCX, mem(RDX, offsetof(riscv::TlbEntry, tag)));
    a_.jcc(kNE, s.entry);
    a_.alu(kAdd, RAX, mem(RDX, offsetof(riscv::TlbEntry, addend)));
    return s;
  }
  // &tlb[(va >> 12) % kTlbSize] for the address in rax: (va >> 7) masked to
  // the index * 32.
  void tlb_entry_into_rdx(const riscv::TlbEntry* const* tlb_slot) {
    a_.mov32(RDX, RAX);
    a_.shift_imm(kShr, RDX, 12 - 5, false);
    a_.alu_imm(kAnd, RDX, (riscv::Mmu::kTlbSize - 1) << 5, false);
    a_.alu(kAdd, RDX, mem(RBX, offset_of(tlb_slot)));
  }
  // The page of the address in rax and its low alignment bits, what a tag
  // is compared with. Tags are page-aligned, so keeping those bits sends a
  // misaligned access (the only kind that can cross into the next page) to
  // the slow path with a miss.
  void page_bits_into_rcx(unsigned size) {
    a_.mov(RCX, RAX);
    a_.alu_imm(kAnd, RCX, -4096 | static_cast<int32_t>(size - 1));
  }

  // --- The page a loop's memory instruction used last ---------------------
  // In a loop that keeps its registers, each load and store (the first
  // kPageMemos of them) remembers the TLB entry it hit last, in the frame:
  // the next iteration compares the address with that page and adds its
  // addend, without indexing the TLB. It is shorter (five instructions
  // instead of nine), and what a table lookup or a pointer chase waits for
  // no longer includes finding the entry: the memo's addend is loaded
  // independently of the address. A memo only repeats what the TLB said
  // during this run of the loop: the memos are forgotten at the loop's
  // entry and after every slow path, as C++ code may have flushed the TLB
  // (a state check re-arming dirty tracking, say); nothing else runs
  // between two iterations.
  static constexpr int kPageMemos = 8;
  static constexpr int32_t kFrameBytes = kPageMemos * 16;
  static Mem memo_tag(int memo) { return mem(RSP, 16 * memo); }
  static Mem memo_addend(int memo) { return mem(RSP, 16 * memo + 8); }
  void forget_pages() {
    for (int i = 0; i < page_memos_; ++i) a_.mov_imm32(memo_tag(i), -1);
  }
  struct PageMiss {
    Assembler::Label entry, back;
    int memo;
    const riscv::TlbEntry* const* tlb_slot;
    SlowPath* slow;
  };
  // The memo missed (rax: the address, rcx: its page and alignment bits):
  // the TLB lookup, which on a hit makes the memo, else the slow path.
  void emit_page_miss(PageMiss& m) {
    a_.bind(m.entry);
    tlb_entry_into_rdx(m.tlb_slot);
    a_.alu(kCmp, RCX, mem(RDX, offsetof(riscv::TlbEntry, tag)));
    a_.jcc(kNE, m.slow->entry);
    a_.mov(memo_tag(m.memo), RCX);
    a_.mov(RDX, mem(RDX, offsetof(riscv::TlbEntry, addend)));
    a_.mov(memo_addend(m.memo), RDX);
    a_.alu(kAdd, RAX, RDX);
    a_.jmp(m.back);
  }

  void load(const Op& o, const Native& n) {
    SlowPath& s = tlb_lookup(o, n.size, cpu_.mmu.read_tlb_slot());
    Mem host = mem(RAX, 0);
    // An integer load goes straight to rd's cache register (the slow path
    // reloads it with the rest); x0's load still reads memory, into rax.
    const Reg to = n.kind == Kind::kLoad && o.rd != 32 ? dst(o.rd) : RAX;
    switch (n.size) {
      case 1: n.is_signed ? a_.movsx8(to, host) : a_.movzx8(to, host); break;
      case 2: n.is_signed ? a_.movsx16(to, host) : a_.movzx16(to, host); break;
      case 4: n.is_signed ? a_.movsx32(to, host) : a_.mov32(to, host); break;
      default: a_.mov(to, host); break;
    }
    if (n.kind == Kind::kFLoad) {
      if (n.size == 4) {  // NaN-box a single
        a_.mov_imm(RCX, 0xffffffff00000000ull);
        a_.alu(kOr, RAX, RCX);
      }
      a_.mov(f(o.rd), RAX);
      mark_fp_dirty();
    }
    s.reload = cached();
    a_.bind(s.resume);
  }

  void store(const Op& o, const Native& n) {
    SlowPath& s = tlb_lookup(o, n.size, cpu_.mmu.write_tlb_slot());
    if (n.kind == Kind::kFStore) a_.mov(RCX, f(o.rs2));
    else a_.mov(RCX, src(o.rs2));
    Mem host = mem(RAX, 0);
    switch (n.size) {
      case 1: a_.mov8(host, RCX); break;
      case 2: a_.mov16(host, RCX); break;
      case 4: a_.mov32(host, RCX); break;
      default: a_.mov(host, RCX); break;
    }
    s.reload = cached();
    a_.bind(s.resume);
  }

  Cpu& cpu_;
  const ChainContext& chain_;
  const uint64_t* epoch_;
  TranslationBlock& tb_;
  bool mul_bug_ = false;
  Assembler a_;
  Assembler::Label body_;    // after the prologue
  Assembler::Label return_;  // back to the engine
  Assembler::Label linked_;  // where linked predecessors enter
  Assembler::Label give_up_;  // from linked_: the block does not fit the budget
  Assembler::Label loop_head_;  // after the registers a resident loop preloads
  bool resident_ = false;       // the block is a loop that keeps its registers
  bool has_fp_arith_ = false;   // some operation runs on the host's SSE unit
  bool mxcsr_ready_ = false;    // MXCSR holds the default here (load_default_mxcsr)
  bool fs_dirty_ = false;       // mstatus.FS is Dirty here (mark_fp_dirty)
  int8_t loop_held_[kPoolSize] = {-1, -1, -1, -1, -1, -1};  // the loop head's cache
  bool loop_dirty_[kPoolSize] = {};
  size_t linked_offset_ = 0;
  size_t jump_fields_[2] = {};
  uint64_t jump_targets_[2] = {};
  std::vector<std::pair<size_t, uint64_t>> side_jumps_;  // offset of each side exit's rel32, its target
  std::deque<SlowPath> slow_paths_;  // stable addresses: labels are patched in place
  std::deque<PageMiss> page_misses_;
  std::deque<SideExit> side_exits_;
  int page_memos_ = 0;  // memos this block uses (a resident loop: one per memory instruction, up to kPageMemos)
  int next_memo_ = 0;
};

}  // namespace

BlockCompiler::BlockCompiler(Cpu& cpu, const ChainContext& chain, const uint64_t* epoch)
    : cpu_(cpu), chain_(chain), epoch_(epoch) {}

BlockCompiler::~BlockCompiler() {
  if (perf_map_) std::fclose(perf_map_);
}

void BlockCompiler::enable_perf_map() {
  char path[64];
  std::snprintf(path, sizeof path, "/tmp/perf-%d.map", static_cast<int>(getpid()));
  perf_map_ = std::fopen(path, "w");  // best effort: profiling aid only
}

OpFn BlockCompiler::compile(TranslationBlock& tb, CodeBuffer& buf) {
  // Fallback copies are referenced by address from the code: never reallocate.
  tb.jit_ops.clear();
  tb.jit_ops.reserve(2 * tb.size);
  Emitter e(cpu_, chain_, epoch_, tb, mul_bug_);
  const uint8_t* code = e.block() ? buf.add(e.code()) : nullptr;
  if (!code) {
    tb.jit_ops.clear();
    return nullptr;
  }
  uint8_t* start = const_cast<uint8_t*>(code);
  tb.linked_entry = start + e.linked_offset();
  tb.side_jumps.clear();
  for (const auto& [offset, target] : e.side_jumps()) tb.side_jumps.push_back({start + offset, target});
  for (int i = 0; i < 2; ++i) {
    tb.jump_field[i] = e.jump_fields()[i] ? start + e.jump_fields()[i] : nullptr;
    tb.jump_target[i] = e.jump_targets()[i];
  }
  if (perf_map_) {
    std::fprintf(perf_map_, "%lx %zx guest-%llx\n", static_cast<unsigned long>(reinterpret_cast<uintptr_t>(code)),
                 e.code().size(), static_cast<unsigned long long>(tb.vpc));
    std::fflush(perf_map_);
  }
  return reinterpret_cast<OpFn>(const_cast<uint8_t*>(code));
}

}  // namespace rwd
