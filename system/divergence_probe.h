// The divergence probe (docs/divergence.md): a replay driven by
// tools/rewind_diverge.cc over two pipes instead of running on its own
// (hidden option -rr-probe IN,OUT: the command and reply file descriptors).
//
// rewind-diverge runs one probe per side (the replay under suspicion and a
// reference, or two builds) and asks each, in turn: run on, reporting a state
// hash at every multiple of N instructions, until the end or the divergence;
// go back to a count (the replay's in-memory snapshots); step one instruction
// at a time, reporting each count's pc, privilege and state hashes; list the
// registers, the RAM page hashes, one page's bytes; disassemble at a pc.
// Comparing the two sides' answers is the tool's job, not the probe's: the
// probe only reports what its own replay does.
//
// The protocol is text, one request line, reply lines ending with a line
// "." (docs/divergence.md lists them). A request the probe cannot serve
// gets "error MESSAGE".
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace rwd {

class Engine;
class Machine;
class RunLoop;
class Navigator;
class ReplayController;

class DivergenceProbe {
 public:
  DivergenceProbe(Machine& machine, Engine& engine, RunLoop& loop, Navigator& nav, ReplayController& replay,
                  int in_fd, int out_fd);
  ~DivergenceProbe();
  // Serves requests until "quit" or the end of the command pipe.
  int serve();

 private:
  void handle(const std::vector<std::string>& words);
  bool forward_to(uint64_t icount);  // false when the run stopped first (outcome_ says why)
  void hashes(uint64_t step);
  void step_to(uint64_t target, uint64_t ram_every);
  void hash_at(uint64_t from, uint64_t target);
  void seek(uint64_t target);
  void registers();
  void pages();
  void page(uint32_t block, uint32_t number);
  void insn(uint64_t va);
  void reply(const std::string& line);
  std::string step_line(bool with_ram = true);

  Machine& machine_;
  Engine& engine_;
  RunLoop& loop_;
  Navigator& nav_;
  ReplayController& replay_;
  FILE* in_;
  FILE* out_;
  // How the last run ended when it did not reach its target: "ended N" or
  // "diverged N LAST-MATCH" followed by "why TEXT" lines.
  std::vector<std::string> outcome_;
  bool over_ = false;  // the replay ended or diverged; a seek back reopens it
};

}  // namespace rwd
