// The execution engine: finds or translates the block at pc, runs it, takes
// traps and interrupts between instructions, and keeps the retired
// instruction count exact. `run` can stop after exactly N instructions —
// the contract record/replay stands on — by cutting a block short.
#pragma once
#include <cstdint>

#include "accel/tcg/block_exit.h"
#include "accel/tcg/code_buffer.h"
#include "accel/tcg/debug_stops.h"
#include "accel/tcg/jit_x86_64.h"
#include "accel/tcg/tb_cache.h"
#include "target/riscv/cpu.h"

namespace rwd {

class VirtualClock;


enum class StopReason {
  kLimit,     // the requested instruction count was reached
  kExit,      // request_exit() was called (shutdown, monitor, signal)
  kIdle,      // the hart waits for an interrupt and no timer is armed
  kTimeSlice, // realtime mode: time to service the host
  kDebug,     // a debugger's breakpoint, watchpoint or step (DebugStops::hit())
};

class Engine {
 public:
  Engine(riscv::Cpu& cpu, AddressSpace& as, VirtualClock& clock);

  // Runs until the retired-instruction count reaches `until_icount`, or
  // another stop reason arises. Never overshoots `until_icount`.
  StopReason run(uint64_t until_icount);
  void request_exit() {
    exit_requested_ = true;
    cpu_.s.attention = true;
  }
  void clear_exit() { exit_requested_ = false; }

  // One instruction per block, as QEMU's -singlestep: per-instruction logs.
  void set_singlestep(bool on) {
    max_block_insns_ = on ? 1 : kMaxBlockInsns;
    flush_translations();
  }
  // Compile blocks to host code (the default where the host allows it), or
  // only interpret them (-accel tcg,jit=off). Guest behaviour is identical.
  void set_jit(bool on) {
    jit_requested_ = on;
    flush_translations();
  }
  // (Not while watchpoints are set: compiled blocks run on after a slow-path
  // access, and a watchpoint must stop right after the access.)
  bool jit() const {
    return jit_requested_ && !watching_ && BlockCompiler::kHostSupported && code_.usable();
  }
  // Size of the buffer compiled code lives in (-accel tcg,tb-size=MiB);
  // when full, every translation is dropped and it starts again.
  void set_code_buffer_size(size_t bytes) {
    tb_cache_.clear();
    tb_cache_.free_retired();
    code_.resize(bytes);
  }
  // Lists each compiled block in /tmp/perf-<pid>.map, where `perf report`
  // looks for names of code outside any binary.
  void enable_perf_map() { compiler_.enable_perf_map(); }
  // Debug (-debug-miscompile mul): compiled mul results off by one.
  void plant_mul_bug() {
    compiler_.plant_mul_bug();
    flush_translations();
  }
  void flush_translations() {
    tb_cache_.clear();
    rest_.valid = false;
  }
  const TbCache& tb_cache() const { return tb_cache_; }

  // A debugger's stops (nullptr: none, the default and the fast case). Call
  // again whenever its breakpoints or watchpoints change: blocks end before
  // breakpoint addresses, and watched pages stay out of the TLB.
  void set_debug(DebugStops* stops);
  // Traps and interrupts taken so far (a step ends at the first one).
  uint64_t traps_taken() const { return traps_taken_; }

 private:
  static constexpr unsigned kMaxBlockInsns = 128;
  static constexpr unsigned kMaxSlowIterations = 1u << 16;

  TranslationBlock* find_block();
  TranslationBlock* translate(uint64_t vpc, uint64_t ppc, const uint8_t* host);
  bool execute(TranslationBlock& tb, uint64_t stop);
  // Decodes one instruction for a block (its `seq`): whether it ends the
  // block, and `next`, the pc of the block's next instruction.
  bool decode_for_block(uint32_t raw, uint64_t pc, uint16_t seq, riscv::Op& op, uint64_t& next) const;
  static bool follows_jump(const riscv::Op& op);
  // The engine must stop before the instruction at pc: a debugger's
  // breakpoint or an armed execute trigger is there. Such an instruction
  // starts a block (translate) and ends a block's rest (block_rest.cc).
  bool stops_before(uint64_t pc) const;
  // The rest of a block that stopped before its end (block_rest.cc).
  void note_block_rest(uint32_t index);
  bool run_block_rest(uint64_t stop);
  void log_block(const TranslationBlock& tb);
  bool service_timers_and_idle(StopReason& why);
  void take_trap(const riscv::GuestTrap& t);
  bool check_execute_triggers();

  riscv::Cpu& cpu_;
  AddressSpace& as_;
  VirtualClock& clock_;
  ChainContext chain_;  // before compiler_, which compiles its address into code
  TbCache tb_cache_;
  CodeBuffer code_{64u << 20};
  BlockCompiler compiler_;
  bool jit_requested_ = true;
  unsigned max_block_insns_ = kMaxBlockInsns;
  uint64_t next_realtime_check_ = 0;
  uint64_t last_host_service_ns_ = 0;  // realtime mode: when run() last returned to serve the host
  bool exit_requested_ = false;
  std::vector<riscv::Op> partial_;  // scratch for blocks cut short
  // A block that stopped before its end, not by a trap: a stop count cut
  // it, or an instruction ended it early (end_block_after). If the hart
  // goes on from exactly there, the block's remaining instructions run
  // untranslated (block_rest.cc), so the translation cache and -d in_asm
  // never depend on where a run stopped.
  struct BlockRest {
    bool valid = false;
    uint64_t pc = 0, icount = 0;
    uint32_t context = 0;
    uint32_t index = 0;  // instructions of the block already retired
  };
  BlockRest rest_;
  std::vector<riscv::Op> rest_ops_;
  DebugStops* debug_ = nullptr;
  bool watching_ = false;
  uint64_t traps_taken_ = 0;
  // The guest's execute triggers (Cpu::execute_triggers) as the cached blocks
  // were cut for them, and the trigger epoch they were cut at.
  bool execute_triggers_ = false;
  uint32_t seen_trigger_epoch_ = ~0u;
};

}  // namespace rwd
