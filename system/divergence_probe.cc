#include "system/divergence_probe.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <sstream>

#include "accel/tcg/engine.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/vclock.h"
#include "replay/navigator.h"
#include "replay/replay.h"
#include "system/run_loop.h"
#include "target/riscv/cpu.h"
#include "target/riscv/decode.h"
#include "util/hex.h"

namespace rwd {

namespace {

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

bool parse_count(const std::string& s, uint64_t& v) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  v = std::strtoull(s.c_str(), nullptr, 10);
  return errno == 0;
}

// One line per reply line: a report's newlines would break the protocol.
std::vector<std::string> why_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back("why " + l);
  return out;
}

}  // namespace

DivergenceProbe::DivergenceProbe(Machine& machine, Engine& engine, RunLoop& loop, Navigator& nav,
                                 ReplayController& replay, int in_fd, int out_fd)
    : machine_(machine), engine_(engine), loop_(loop), nav_(nav), replay_(replay) {
  in_ = fdopen(in_fd, "r");
  out_ = fdopen(out_fd, "w");
  if (!in_ || !out_) throw std::runtime_error("-rr-probe: file descriptors " + std::to_string(in_fd) + "," +
                                              std::to_string(out_fd) + " are not open");
}

DivergenceProbe::~DivergenceProbe() {
  if (in_) std::fclose(in_);
  if (out_) std::fclose(out_);
}

int DivergenceProbe::serve() {
  char* line = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, in_)) > 0) {
    std::vector<std::string> words = split_words(std::string(line, n));
    if (words.empty()) continue;
    if (words[0] == "quit") break;
    try {
      handle(words);
    } catch (const std::exception& e) {
      // A request that could not be served (a seek past the end, a
      // malformed file met on the way): say so and go on serving.
      std::string msg = e.what();
      reply("error " + msg.substr(0, msg.find('\n')));
    }
    reply(".");
    std::fflush(out_);
  }
  std::free(line);
  loop_.flush_output();
  return 0;
}

void DivergenceProbe::reply(const std::string& line) {
  std::fputs(line.c_str(), out_);
  std::fputc('\n', out_);
}

void DivergenceProbe::handle(const std::vector<std::string>& w) {
  uint64_t a = 0, b = 0;
  const std::string& cmd = w[0];
  if (cmd == "hashes" && w.size() == 2 && parse_count(w[1], a) && a > 0) return hashes(a);
  if (cmd == "seek" && w.size() == 2 && parse_count(w[1], a)) return seek(a);
  if (cmd == "step" && w.size() == 2 && parse_count(w[1], a)) return step_to(a, 1);
  if (cmd == "step" && w.size() == 3 && parse_count(w[1], a) && parse_count(w[2], b) && b > 0) return step_to(a, b);
  if (cmd == "hash-at" && w.size() == 3 && parse_count(w[1], a) && parse_count(w[2], b) && a <= b)
    return hash_at(a, b);
  if (cmd == "regs" && w.size() == 1) return registers();
  if (cmd == "pages" && w.size() == 1) return pages();
  if (cmd == "page" && w.size() == 3 && parse_count(w[1], a) && parse_count(w[2], b)) return page(a, b);
  if (cmd == "insn" && w.size() == 2) return insn(std::strtoull(w[1].c_str(), nullptr, 16));
  if (cmd == "where" && w.size() == 1) return reply(step_line());
  if (cmd == "blocks" && w.size() == 2 && (w[1] == "one" || w[1] == "whole")) {
    // One instruction per block (each still compiled): a run can then stop
    // after any instruction without interpreting the block it cuts.
    engine_.set_singlestep(w[1] == "one");
    return reply("blocks " + w[1]);
  }
  reply("error unknown request '" + cmd + "'");
}

bool DivergenceProbe::forward_to(uint64_t target) {
  outcome_.clear();
  VirtualClock& clock = machine_.clock();
  try {
    if (!over_ && loop_.replay_forward(target)) return true;
  } catch (const ReplayDivergence& d) {
    over_ = true;
    outcome_.push_back("diverged " + std::to_string(clock.instructions_now()) + " " +
                       std::to_string(replay_.cursor().last_match_icount));
    for (std::string& l : why_lines(d.what())) outcome_.push_back(std::move(l));
    return false;
  } catch (const ReplayExhausted& e) {
    over_ = true;
    outcome_.push_back("ended " + std::to_string(clock.instructions_now()) + " " + hex(replay_.state_hash()));
    return false;
  }
  over_ = true;
  outcome_.push_back("ended " + std::to_string(clock.instructions_now()) + " " + hex(replay_.state_hash()));
  return false;
}

// The coarse pass: a state hash (CPU and RAM) at every multiple of `step`.
void DivergenceProbe::hashes(uint64_t step) {
  for (;;) {
    uint64_t now = machine_.clock().instructions_now();
    if (!forward_to((now / step + 1) * step)) break;
    reply("h " + std::to_string(machine_.clock().instructions_now()) + " " + hex(replay_.state_hash()));
  }
  for (const std::string& l : outcome_) reply(l);
}

// The fine pass: one instruction at a time, each count's state. The RAM
// hash (a scan of every page's dirty flag) only at multiples of
// `ram_every` and at the last count: "-" elsewhere.
void DivergenceProbe::step_to(uint64_t target, uint64_t ram_every) {
  while (machine_.clock().instructions_now() < target) {
    uint64_t next = machine_.clock().instructions_now() + 1;
    bool ram = next % ram_every == 0 || next == target;
    if (!forward_to(next)) {
      // Stopped at the service point of `next` (an event's check failed):
      // that state is the one that differs. Stopped inside the instruction
      // (a host request the recording did not have): no state to show.
      if (machine_.clock().instructions_now() == next && !outcome_.empty() && outcome_[0][0] == 'd')
        reply(step_line());
      break;
    }
    reply(step_line(ram));
  }
  for (const std::string& l : outcome_) reply(l);
}

// The bisection's probe: from `from` (kept as a snapshot, so that every
// probe of one bisection starts from the same restore) at full speed to
// `target`: blocks run whole, compiled, except the one cut at the target.
void DivergenceProbe::hash_at(uint64_t from, uint64_t target) {
  seek(from);
  nav_.keep_snapshot();
  if (forward_to(target)) reply("h " + std::to_string(machine_.clock().instructions_now()) + " " + hex(replay_.state_hash()));
  for (const std::string& l : outcome_) reply(l);
}

std::string DivergenceProbe::step_line(bool with_ram) {
  riscv::Cpu& cpu = machine_.cpu();
  uint64_t pc = cpu.executing_pc();
  StateHasher& h = replay_.hasher();
  char ram[24] = "-";
  if (with_ram) std::snprintf(ram, sizeof ram, "%016" PRIx64, h.ram_hash());
  char buf[160];
  std::snprintf(buf, sizeof buf, "s %" PRIu64 " %" PRIx64 " %u %016" PRIx64 " %s", machine_.clock().instructions_now(),
                pc, static_cast<unsigned>(cpu.s.priv), h.cpu_hash(pc), ram);
  return buf;
}

void DivergenceProbe::seek(uint64_t target) {
  loop_.reopen();
  over_ = false;
  try {
    nav_.seek(target);
  } catch (const ReplayDivergence& d) {
    over_ = true;
    // The check that failed is at the target itself: the state is there.
    if (machine_.clock().instructions_now() != target)
      throw std::runtime_error("the replay diverged before reaching instruction " + std::to_string(target));
  }
  reply("at " + std::to_string(machine_.clock().instructions_now()));
}

void DivergenceProbe::registers() {
  riscv::Cpu& cpu = machine_.cpu();
  std::vector<uint64_t> v(cpu_value_count());
  cpu_values(cpu.s, cpu.executing_pc(), v.data());
  for (size_t i = 0; i < v.size(); ++i) {
    std::string name = cpu_value_name(i);  // "x2 (sp)": one word on the wire
    name.erase(std::remove(name.begin(), name.end(), ' '), name.end());
    reply("r " + name + " " + hex(v[i]));
  }
  reply("r priv " + std::to_string(static_cast<unsigned>(cpu.s.priv)));
}

void DivergenceProbe::pages() {
  StateHasher& h = replay_.hasher();
  h.ram_hash();  // every page hash current
  const auto& blocks = machine_.address_space().ram_blocks();
  for (size_t b = 0; b < h.block_count() && b < blocks.size(); ++b) {
    reply("b " + std::to_string(b) + " " + hex(blocks[b]->base) + " " + std::to_string(blocks[b]->size));
    const std::vector<uint64_t>& hashes = h.page_hashes(b);
    std::string line;
    for (size_t p = 0; p < hashes.size(); ++p) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "%016" PRIx64, hashes[p]);
      reply("p " + std::to_string(p) + " " + buf);
    }
  }
}

void DivergenceProbe::page(uint32_t block, uint32_t number) {
  const auto& blocks = machine_.address_space().ram_blocks();
  if (block >= blocks.size()) return reply("error no RAM block " + std::to_string(block));
  const RamBlock& rb = *blocks[block];
  uint64_t off = uint64_t{number} * 4096;
  if (off >= rb.size) return reply("error no page " + std::to_string(number) + " in RAM block " + std::to_string(block));
  size_t len = std::min<uint64_t>(4096, rb.size - off);
  static const char digits[] = "0123456789abcdef";
  std::string line = "d ";
  for (size_t i = 0; i < len; ++i) {
    uint8_t byte = rb.host[off + i];
    line += digits[byte >> 4];
    line += digits[byte & 15];
  }
  reply(line);
}

// The instruction at a virtual pc, through the hart's current translation.
void DivergenceProbe::insn(uint64_t va) {
  riscv::Cpu& cpu = machine_.cpu();
  uint64_t pa;
  uint16_t lo = 0, hi = 0;
  if (!cpu.mmu.debug_translate(va, pa) || !machine_.address_space().read_bytes(pa, &lo, 2))
    return reply("error pc " + hex(va) + " is not mapped");
  uint32_t raw = lo;
  if ((lo & 3) == 3) {
    uint64_t pa2;
    if (!cpu.mmu.debug_translate(va + 2, pa2) || !machine_.address_space().read_bytes(pa2, &hi, 2))
      return reply("error pc " + hex(va) + " is not mapped");
    raw |= uint32_t{hi} << 16;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, (lo & 3) == 3 ? "%08x" : "%04x", raw);
  reply(std::string("i ") + buf + " " + riscv::disassemble(raw, va));
}

}  // namespace rwd
