// Finding the first instruction where two replays of one recording differ
// (docs/divergence.md). Side A is the replay under suspicion (or build A);
// side B the reference (or build B).
//
// 1. Bracket: both sides replay at full speed, each reporting a CPU+RAM state
//    hash every `step` instructions; A also stops at its first mismatch with
//    the recording (its trail events make that within `step` instructions of
//    the difference). The window is (last count where everything agreed,
//    first count where something did not].
// 2. Narrow: both go back to the window's start (in-memory snapshots) and
//    step one instruction at a time, reporting every count's pc, privilege
//    and state hashes; the first count whose states differ is the answer.
// 3. Describe: both go to that count; registers, CSRs, RAM pages compared.
//
// Which side is ground truth: in the single-recording mode, B is a
// re-execution without the perturbation, with the interpreter, and it is
// trusted only if it matched the recording at a check at or after the point
// where A failed; then B's state is the recording's. In the two-build mode
// neither side is: the answer is where they differ.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tools/diverge/probe_process.h"

namespace rwd {

// One count's state as a probe reports it after stepping.
struct StepState {
  uint64_t count = 0, pc = 0;
  unsigned priv = 0;
  std::string cpu_hash, ram_hash;
  // The RAM hash is "-" where the probe did not compute it.
  bool has_ram() const { return ram_hash != "-"; }
  bool same_cpu(const StepState& o) const { return pc == o.pc && priv == o.priv && cpu_hash == o.cpu_hash; }
  bool same_as(const StepState& o) const {
    return same_cpu(o) && (!has_ram() || !o.has_ram() || ram_hash == o.ram_hash);
  }
};

// How a full-speed run ended.
struct RunEnd {
  bool diverged = false;
  uint64_t at = 0;          // the count where it stopped
  uint64_t last_match = 0;  // diverged: the last point that matched the recording
  std::vector<std::string> why;  // diverged: the replay's report
};

struct Difference {
  std::string name;
  uint64_t a = 0, b = 0;
};

struct PageDifference {
  uint64_t address = 0;  // guest physical
  std::vector<std::pair<uint32_t, std::pair<uint8_t, uint8_t>>> bytes;  // offset, (A, B)
  size_t differing = 0;
};

struct Finding {
  enum class Outcome { kNoDivergence, kPinned, kNotPinned } outcome = Outcome::kNotPinned;
  std::vector<std::string> notes;  // what was done, why not pinned
  RunEnd a_end, b_end;
  uint64_t window_start = 0, window_end = 0;  // the bracket
  uint64_t step_start = 0, step_end = 0;      // the stretch stepped after bisecting it
  double bracket_seconds = 0, narrow_seconds = 0, describe_seconds = 0;
  // Pinned: the state after instruction `count` differs; the instructions
  // around it (count, pc) as side A executed them.
  uint64_t count = 0;
  StepState before, a_after, b_after;
  bool a_stopped_inside = false;  // A stopped inside instruction `count` (a host request)
  // Stepping (which interprets) showed no difference; bisecting with
  // full-speed runs did: `count` is the first count whose state differs when
  // blocks run whole. `suspects`: the instructions since the last control
  // transfer before it (the block it ends) that write a register that
  // differs (count, pc, disassembly), latest first.
  bool compiled_only = false;
  // ...and running one instruction per block (each still compiled) named the
  // instruction itself: `count` is it, exactly, and there are no suspects.
  bool pinned_in_one_insn_blocks = false;
  struct Suspect {
    uint64_t count = 0, pc = 0;
    std::string text;
  };
  std::vector<Suspect> suspects;
  std::vector<std::pair<uint64_t, uint64_t>> around;  // (count retired by it, pc)
  std::vector<std::string> around_text;                // disassembly, same order
  std::vector<Difference> registers;
  std::vector<PageDifference> pages;
  size_t pages_differing = 0;
};

struct SearchConfig {
  bool two_builds = false;
  uint64_t step = 65536;
};

Finding find_divergence(ProbeProcess& a, ProbeProcess& b, const SearchConfig& cfg);

}  // namespace rwd
