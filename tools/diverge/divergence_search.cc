#include "tools/diverge/divergence_search.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <tuple>

namespace rwd {

namespace {

using Clock = std::chrono::steady_clock;

// The longest stretch stepped one instruction at a time (the rest of the
// bracket is bisected with full-speed runs).
constexpr uint64_t kStepWidth = 4096;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

uint64_t num(const std::string& s) { return std::strtoull(s.c_str(), nullptr, 10); }
uint64_t hexnum(const std::string& s) { return std::strtoull(s.c_str(), nullptr, 16); }

// The "ended"/"diverged"/"why" lines that close a run or a step request.
void read_end(const std::vector<std::string>& lines, RunEnd& end) {
  for (const std::string& l : lines) {
    std::vector<std::string> w = words(l);
    if (w.empty()) continue;
    if (w[0] == "ended" && w.size() >= 2) {
      end.diverged = false;
      end.at = num(w[1]);
    } else if (w[0] == "diverged" && w.size() >= 3) {
      end.diverged = true;
      end.at = num(w[1]);
      end.last_match = num(w[2]);
    } else if (w[0] == "why") {
      end.why.push_back(l.substr(4));
    }
  }
}

struct Hashes {
  std::vector<std::pair<uint64_t, std::string>> at;
  RunEnd end;
  std::string final_hash;
};

Hashes read_hashes(const std::vector<std::string>& lines) {
  Hashes h;
  for (const std::string& l : lines) {
    std::vector<std::string> w = words(l);
    if (w.size() == 3 && w[0] == "h") h.at.emplace_back(num(w[1]), w[2]);
    if (w.size() == 3 && w[0] == "ended") h.final_hash = w[2];
  }
  read_end(lines, h.end);
  return h;
}

bool parse_step(const std::string& l, StepState& s) {
  std::vector<std::string> w = words(l);
  if (w.size() != 6 || w[0] != "s") return false;
  s.count = num(w[1]);
  s.pc = hexnum(w[2]);
  s.priv = static_cast<unsigned>(num(w[3]));
  s.cpu_hash = w[4];
  s.ram_hash = w[5];
  return true;
}

std::vector<StepState> read_steps(const std::vector<std::string>& lines) {
  std::vector<StepState> out;
  StepState s;
  for (const std::string& l : lines)
    if (parse_step(l, s)) out.push_back(s);
  return out;
}

std::vector<std::pair<std::string, uint64_t>> read_registers(const std::vector<std::string>& lines) {
  std::vector<std::pair<std::string, uint64_t>> regs;
  for (const std::string& l : lines) {
    std::vector<std::string> w = words(l);
    if (w.size() == 3 && w[0] == "r") regs.emplace_back(w[1], w[1] == "priv" ? num(w[2]) : hexnum(w[2]));
  }
  return regs;
}

struct PageList {
  struct Page {
    uint32_t block, number;
    uint64_t address;
    std::string hash;
  };
  std::vector<Page> pages;
};

PageList read_pages(const std::vector<std::string>& lines) {
  PageList pl;
  uint32_t block = 0;
  uint64_t base = 0;
  for (const std::string& l : lines) {
    if (l.size() > 2 && l[0] == 'p' && l[1] == ' ') {
      size_t sp = l.find(' ', 2);
      uint32_t n = static_cast<uint32_t>(num(l.substr(2, sp - 2)));
      pl.pages.push_back({block, n, base + uint64_t{n} * 4096, l.substr(sp + 1)});
    } else if (l.size() > 2 && l[0] == 'b') {
      std::vector<std::string> w = words(l);
      if (w.size() >= 3) {
        block = static_cast<uint32_t>(num(w[1]));
        base = hexnum(w[2]);
      }
    }
  }
  return pl;
}

std::vector<uint8_t> read_page_bytes(const std::vector<std::string>& lines) {
  std::vector<uint8_t> bytes;
  for (const std::string& l : lines)
    if (l.size() > 2 && l[0] == 'd')
      for (size_t i = 2; i + 1 < l.size(); i += 2) bytes.push_back(static_cast<uint8_t>(hexnum(l.substr(i, 2))));
  return bytes;
}

// Both sides at once: each request goes out before either reply is read.
std::pair<std::vector<std::string>, std::vector<std::string>> ask_both(ProbeProcess& a, ProbeProcess& b,
                                                                       const std::string& request) {
  a.send(request);
  b.send(request);
  auto ra = a.receive();
  auto rb = b.receive();
  return {std::move(ra), std::move(rb)};
}

std::string where(ProbeProcess& p, StepState& s) {
  auto lines = p.ask("where");
  if (lines.empty() || !parse_step(lines[0], s)) throw ProbeError("the " + p.name() + " replay: bad 'where' reply");
  return lines[0];
}

void describe(ProbeProcess& a, ProbeProcess& b, Finding& f, const std::vector<StepState>& a_steps) {
  auto t = Clock::now();
  uint64_t at = f.a_stopped_inside ? f.count - 1 : f.count;
  ask_both(a, b, "seek " + std::to_string(at));
  if (!f.a_stopped_inside) {
    where(a, f.a_after);
    where(b, f.b_after);
  }
  auto [ra, rb] = ask_both(a, b, "regs");
  auto regs_a = read_registers(ra), regs_b = read_registers(rb);
  for (size_t i = 0; i < regs_a.size() && i < regs_b.size(); ++i)
    if (regs_a[i].first == regs_b[i].first && regs_a[i].second != regs_b[i].second)
      f.registers.push_back({regs_a[i].first, regs_a[i].second, regs_b[i].second});
  auto [pa, pb] = ask_both(a, b, "pages");
  PageList pages_a = read_pages(pa), pages_b = read_pages(pb);
  for (size_t i = 0; i < pages_a.pages.size() && i < pages_b.pages.size(); ++i) {
    const auto& x = pages_a.pages[i];
    if (x.hash == pages_b.pages[i].hash) continue;
    ++f.pages_differing;
    if (f.pages.size() >= 3) continue;
    std::string req = "page " + std::to_string(x.block) + " " + std::to_string(x.number);
    auto [da, db] = ask_both(a, b, req);
    std::vector<uint8_t> ba = read_page_bytes(da), bb = read_page_bytes(db);
    PageDifference d;
    d.address = x.address;
    for (size_t k = 0; k < ba.size() && k < bb.size(); ++k) {
      if (ba[k] == bb[k]) continue;
      ++d.differing;
      if (d.bytes.size() < 16) d.bytes.push_back({static_cast<uint32_t>(k), {ba[k], bb[k]}});
    }
    f.pages.push_back(std::move(d));
  }
  // The instructions around it, as A executed them: the one retired as
  // count c started at the pc A reported for count c-1.
  const std::vector<StepState>& all = a_steps;  // from the window's start
  for (const StepState& s : all) {
    uint64_t c = s.count + 1;
    if (c + 3 < f.count || c > f.count + 2) continue;
    f.around.push_back({c, s.pc});
    f.around_text.emplace_back();
  }
  for (size_t i = 0; i < f.around.size(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(f.around[i].second));
    try {
      auto lines = a.ask(std::string("insn ") + buf);
      if (!lines.empty() && lines[0].size() > 2) {
        std::string l = lines[0].substr(2);
        f.around_text[i] = l;
      }
    } catch (const ProbeError& e) {
      f.around_text[i] = "(not readable: " + std::string(e.what()) + ")";
    }
  }
  f.describe_seconds = since(t);
}

// The first count in (lo, hi] whose state differs between the sides when
// both run at full speed from `start`: the states agree at lo and differ at hi.
// Stops when the stretch is at most `width` long; returns (lo, hi).
std::pair<uint64_t, uint64_t> bisect(ProbeProcess& a, ProbeProcess& b, uint64_t start, uint64_t lo, uint64_t hi,
                                     uint64_t width = 1) {
  while (hi - lo > width) {
    uint64_t mid = lo + (hi - lo) / 2;
    auto [ra, rb] = ask_both(a, b, "hash-at " + std::to_string(start) + " " + std::to_string(mid));
    Hashes ha = read_hashes(ra), hb = read_hashes(rb);
    bool a_there = ha.at.size() == 1 && ha.at[0].first == mid, b_there = hb.at.size() == 1 && hb.at[0].first == mid;
    if (a_there && b_there) {
      (ha.at[0].second == hb.at[0].second ? lo : hi) = mid;
    } else {
      // A side stopped before `mid` (its check against the recording
      // failed there): that count differs already.
      uint64_t stop = !a_there ? ha.end.at : hb.end.at;
      if (stop <= lo) throw ProbeError("bisection: a side stopped at " + std::to_string(stop) + ", before " +
                                       std::to_string(lo) + " where the states agreed");
      hi = std::min(mid, stop);
    }
  }
  return {lo, hi};
}

// "x15(a5)" -> "a5"; "" for anything but an integer register.
std::string abi_name(const std::string& value_name) {
  size_t open = value_name.find('('), close = value_name.find(')');
  if (value_name.empty() || value_name[0] != 'x' || open == std::string::npos || close < open) return "";
  return value_name.substr(open + 1, close - open - 1);
}

// A control transfer ends a block: the suspects of a compiled-only
// difference are in the block that ended at f.count.
bool transfers_control(const std::string& mnemonic) {
  static const char* const kinds[] = {"beq", "bne", "blt", "bge", "bltu", "bgeu", "beqz", "bnez", "j", "jal", "jalr",
                                      "jr", "ret", "ecall", "ebreak", "mret", "sret", "wfi", "fence.i"};
  for (const char* k : kinds)
    if (mnemonic == k) return true;
  return false;
}

void find_suspects(ProbeProcess& a, Finding& f, const std::vector<StepState>& all) {
  std::vector<std::string> regs;
  for (const Difference& d : f.registers)
    if (!abi_name(d.name).empty()) regs.push_back(abi_name(d.name));
  for (size_t i = all.size(); i-- > 0;) {
    uint64_t c = all[i].count + 1;  // the instruction retired as c started at this pc
    if (c > f.count) continue;
    if (f.count - c > 512) break;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(all[i].pc));
    std::vector<std::string> lines;
    try {
      lines = a.ask(std::string("insn ") + buf);
    } catch (const ProbeError&) {
      break;
    }
    std::vector<std::string> w = lines.empty() ? std::vector<std::string>{} : words(lines[0]);  // i RAW MNEMONIC OPS
    if (w.size() < 3) break;
    if (c < f.count && transfers_control(w[2])) break;  // the previous block's end
    // Stores name a source first, not a destination.
    static const char* const stores[] = {"sb", "sh", "sw", "sd", "fsw", "fsd"};
    bool store = false;
    for (const char* st : stores) store = store || w[2] == st;
    std::string rd = w.size() > 3 && !store ? w[3].substr(0, w[3].find(',')) : "";
    for (const std::string& r : regs)
      if (rd == r) f.suspects.push_back({c, all[i].pc, lines[0].substr(2)});
  }
}

// Sends `request` to both sides and reads both replies; false (with the
// first error) when either side could not serve it — an older build, say —
// without leaving a reply unread.
bool try_both(ProbeProcess& a, ProbeProcess& b, const std::string& request, std::string& error) {
  a.send(request);
  b.send(request);
  bool ok = true;
  for (ProbeProcess* p : {&a, &b}) {
    try {
      p->receive();
    } catch (const ProbeError& e) {
      if (ok) error = e.what();
      ok = false;
    }
  }
  return ok;
}

// A compiled-only difference, first visible at the end of the block that
// ends at f.count: with one instruction per block every instruction is
// still compiled and a run can stop after any of them, so bisecting from
// `from` (a snapshot where the states agree) with full-speed runs names the
// instruction. Then a few steps around it give the description its pcs.
// On success f.count, f.before, f.a_after, f.b_after are set and `steps`
// holds A's states from a few counts before it (the window's start first).
bool pin_in_one_insn_blocks(ProbeProcess& a, ProbeProcess& b, uint64_t from, Finding& f,
                            std::vector<StepState>& steps, std::string& why_not) {
  if (!try_both(a, b, "blocks one", why_not)) return false;
  const uint64_t block_end = f.count;
  auto [ra, rb] = ask_both(a, b, "hash-at " + std::to_string(from) + " " + std::to_string(block_end));
  Hashes ha = read_hashes(ra), hb = read_hashes(rb);
  if (ha.at.size() == 1 && hb.at.size() == 1 && ha.at[0] == hb.at[0]) {
    why_not = "the states agree at instruction " + std::to_string(block_end) + " that way";
    return false;
  }
  const uint64_t c = bisect(a, b, from, from, block_end).second;
  // Step the last few instructions before it and two after, every count's
  // RAM hashed: the states must agree at c-1 and differ at c.
  const uint64_t first = std::max(from, c > 4 ? c - 4 : 0);
  ask_both(a, b, "seek " + std::to_string(first));
  StepState sa, sb;
  where(a, sa);
  where(b, sb);
  auto [sta, stb] = ask_both(a, b, "step " + std::to_string(c + 2));
  std::vector<StepState> xa = read_steps(sta), xb = read_steps(stb);
  size_t i = 0;
  while (i < xa.size() && i < xb.size() && xa[i].count < c && xa[i].count == xb[i].count && xa[i].same_as(xb[i])) ++i;
  if (!sa.same_as(sb) || i >= xa.size() || i >= xb.size() || xa[i].count != c || xa[i].same_as(xb[i])) {
    why_not = "stepping to instruction " + std::to_string(c) + " one instruction per block did not show the "
              "states agreeing before it and differing after it";
    return false;
  }
  f.count = c;
  f.before = i ? xa[i - 1] : sa;
  f.a_after = xa[i];
  f.b_after = xb[i];
  steps = {sa};
  steps.insert(steps.end(), xa.begin(), xa.end());
  return true;
}

}  // namespace

Finding find_divergence(ProbeProcess& a, ProbeProcess& b, const SearchConfig& cfg) {
  Finding f;
  // 1. Bracket, both sides at full speed.
  auto t = Clock::now();
  auto [ra, rb] = ask_both(a, b, "hashes " + std::to_string(cfg.step));
  Hashes ha = read_hashes(ra), hb = read_hashes(rb);
  f.bracket_seconds = since(t);
  f.a_end = ha.end;
  f.b_end = hb.end;
  size_t same = 0;
  while (same < ha.at.size() && same < hb.at.size() && ha.at[same] == hb.at[same]) ++same;
  uint64_t start = same ? ha.at[same - 1].first : 0;
  // Where something first disagreed: a hash, or a side stopping.
  uint64_t end = ~0ull;
  if (same < ha.at.size() && same < hb.at.size()) end = std::min(ha.at[same].first, hb.at[same].first);
  if (!cfg.two_builds) {
    if (!ha.end.diverged) {
      f.outcome = Finding::Outcome::kNoDivergence;
      f.notes.push_back("the replay matches the recording to its end (instruction " + std::to_string(ha.end.at) + ")");
      return f;
    }
    if (hb.end.diverged && hb.end.last_match < ha.end.at) {
      f.notes.push_back("the reference replay diverges from the recording too (at instruction " +
                        std::to_string(hb.end.at) + ", before the point where the replay failed): it cannot serve as "
                        "ground truth (an engine bug both share? try --ref-args '-accel tcg,jit=off'); the replay's "
                        "own failure bracket is (" + std::to_string(ha.end.last_match) +
                        ", " + std::to_string(ha.end.at) + "]");
      return f;
    }
    end = std::min(end, ha.end.at);
  } else {
    bool same_end = ha.end.diverged == hb.end.diverged && ha.end.at == hb.end.at && ha.final_hash == hb.final_hash &&
                    ha.at.size() == hb.at.size() && same == ha.at.size();
    if (same_end) {
      f.outcome = Finding::Outcome::kNoDivergence;
      f.notes.push_back("A and B agree at every state hash, every " + std::to_string(cfg.step) +
                        " instructions, to the same end (instruction " + std::to_string(ha.end.at) + (ha.end.diverged ? ", where both diverge from the recording)" : ")"));
      return f;
    }
    end = std::min({end, ha.end.at, hb.end.at});
    // Both ended at the same count with different final states.
    if (end <= start) end = std::max(ha.end.at, hb.end.at);
  }
  if (end <= start) {
    f.notes.push_back("the bracket is empty (start " + std::to_string(start) + ", end " + std::to_string(end) + ")");
    return f;
  }
  f.window_start = start;
  f.window_end = end;

  // 2. Narrow: bisect with full-speed runs from the window's start down to
  // a stretch short enough to step, then one instruction at a time.
  t = Clock::now();
  const uint64_t bracket_start = start;
  std::tie(start, end) = bisect(a, b, bracket_start, start, end, kStepWidth);
  f.step_start = start;
  f.step_end = end;
  ask_both(a, b, "seek " + std::to_string(start));
  StepState sa, sb;
  where(a, sa);
  where(b, sb);
  if (!sa.same_as(sb)) {
    f.notes.push_back("the two sides differ already at the window's start, instruction " + std::to_string(start) +
                      " (the coarse hashes agreed: a state outside the hash?)");
    return f;
  }
  f.before = sa;
  // Per instruction: pc, privilege and CPU hash; the RAM hash (a scan of
  // every page's dirty flag, the costly part) every kRamEvery counts. A
  // difference in RAM alone is then narrowed by stepping that stretch again
  // with the RAM hash at every count.
  constexpr uint64_t kRamEvery = 1024;
  auto [sta, stb] = ask_both(a, b, "step " + std::to_string(end) + " " + std::to_string(kRamEvery));
  std::vector<StepState> steps_a = read_steps(sta), steps_b = read_steps(stb);
  RunEnd step_end_a, step_end_b;
  read_end(sta, step_end_a);
  read_end(stb, step_end_b);
  auto first_difference = [](const std::vector<StepState>& x, const std::vector<StepState>& y) {
    size_t i = 0;
    while (i < x.size() && i < y.size() && x[i].count == y[i].count && x[i].same_as(y[i])) ++i;
    return i;
  };
  size_t i = first_difference(steps_a, steps_b);
  if (i < steps_a.size() && i < steps_b.size() && steps_a[i].same_cpu(steps_b[i])) {
    // RAM only: it first differs after the last count both hashed RAM at.
    uint64_t from = start;
    for (size_t j = 0; j < i; ++j)
      if (steps_a[j].has_ram() && steps_b[j].has_ram()) from = steps_a[j].count;
    ask_both(a, b, "seek " + std::to_string(from));
    auto [fa, fb] = ask_both(a, b, "step " + std::to_string(steps_a[i].count));
    std::vector<StepState> fine_a = read_steps(fa), fine_b = read_steps(fb);
    size_t k = first_difference(fine_a, fine_b);
    if (k >= fine_a.size() || k >= fine_b.size())
      throw ProbeError("stepping again from " + std::to_string(from) + " found no difference in RAM");
    // Back into the coarse lists' terms (their pcs serve the description).
    uint64_t count = fine_a[k].count;
    for (i = 0; i < steps_a.size() && steps_a[i].count < count; ++i) {
    }
    if (i < steps_a.size()) steps_a[i] = fine_a[k];
    if (i < steps_b.size()) steps_b[i] = fine_b[k];
  }
  f.narrow_seconds = since(t);
  if (i < steps_a.size() && i < steps_b.size()) {
    f.count = steps_a[i].count;
    f.a_after = steps_a[i];
    f.b_after = steps_b[i];
    if (i > 0) f.before = steps_a[i - 1];
  } else if (i == steps_a.size() && step_end_a.diverged && i < steps_b.size()) {
    // A stopped inside the next instruction (it asked the host for what the
    // recording does not have there): the states agree up to it.
    f.count = (i ? steps_a[i - 1].count : start) + 1;
    f.a_stopped_inside = true;
    if (i > 0) f.before = steps_a[i - 1];
    f.b_after = steps_b[i];
  } else if (!cfg.two_builds && step_end_b.diverged) {
    f.notes.push_back("the reference replay diverged inside the window (instruction " + std::to_string(step_end_b.at) +
                      "): it cannot serve as ground truth");
    return f;
  } else {
    // One instruction at a time the engine interprets; the bracket ran
    // compiled blocks. Bisect with full-speed runs instead: that finds the
    // end of the block that went wrong.
    auto tb = Clock::now();
    f.count = bisect(a, b, bracket_start, start, end).second;
    f.compiled_only = true;
    for (const StepState& s : steps_a)
      if (s.count + 1 == f.count) f.before = s;
    f.notes.push_back("stepping one instruction at a time (interpreted) shows no difference in the window; "
                      "bisecting with full-speed runs (compiled blocks) does, in " +
                      std::to_string(since(tb)).substr(0, 5) + " s: the difference is first visible after "
                      "instruction " + std::to_string(f.count) + " when blocks run whole");
    // Then the instruction itself, with every instruction a compiled block.
    tb = Clock::now();
    std::vector<StepState> one_a;
    std::string why_not;
    if (pin_in_one_insn_blocks(a, b, bracket_start, f, one_a, why_not)) {
      steps_a = std::move(one_a);
      f.pinned_in_one_insn_blocks = true;
      f.notes.push_back("with one instruction per block (each compiled) the first difference is after instruction " +
                        std::to_string(f.count) + " (bisected and stepped in " + std::to_string(since(tb)).substr(0, 5) +
                        " s)");
    } else {
      f.notes.push_back("one instruction per block does not pin it (" + why_not +
                        "): reported at the end of its block, with suspects");
    }
    f.narrow_seconds = since(t);
  }
  f.outcome = Finding::Outcome::kPinned;
  if (!cfg.two_builds && step_end_b.diverged)
    f.notes.push_back("warning: the reference replay diverged later in the window, at instruction " +
                      std::to_string(step_end_b.at));
  // 3. Describe.
  // The window's start, then every count A stepped to (one-insn steps
  // bring their own start).
  std::vector<StepState> pcs;
  if (!f.pinned_in_one_insn_blocks) pcs.push_back(sa);
  pcs.insert(pcs.end(), steps_a.begin(), steps_a.end());
  describe(a, b, f, pcs);
  if (f.compiled_only && !f.pinned_in_one_insn_blocks) find_suspects(a, f, pcs);
  return f;
}

}  // namespace rwd
