#include "tools/diverge/report.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "util/strfmt.h"

namespace rwd {

namespace {

std::string hex64(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%016" PRIx64, v);
  return b;
}

std::string pc_text(uint64_t pc, const ElfSymbols* syms) {
  char b[24];
  std::snprintf(b, sizeof b, "%" PRIx64, pc);
  std::string s = b;
  if (syms) {
    std::string name = syms->lookup(pc);
    if (!name.empty()) s += " <" + name + ">";
  }
  return s;
}

const char* priv_name(unsigned p) { return p == 0 ? "U" : p == 1 ? "S" : p == 3 ? "M" : "?"; }

std::string line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string line(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string out = vstrfmt(fmt, ap);
  va_end(ap);
  return out + "\n";
}

}  // namespace

std::string format_report(const Finding& f, const ReportContext& ctx) {
  std::string out;
  const char* a = ctx.a_label.c_str();
  const char* b = ctx.b_label.c_str();
  if (f.outcome == Finding::Outcome::kNoDivergence) {
    out += "rewind-diverge: no divergence: ";
    for (const std::string& n : f.notes) out += n + "\n";
    return out;
  }
  if (f.outcome == Finding::Outcome::kNotPinned) {
    out += "rewind-diverge: could not pin the divergence: ";
    for (const std::string& n : f.notes) out += n + "\n";
    if (f.a_end.diverged) {
      out += line("  the %s replay stopped at instruction %" PRIu64 "; last point that matched the recording: %" PRIu64,
                  a, f.a_end.at, f.a_end.last_match);
      for (const std::string& w : f.a_end.why) out += "    " + w + "\n";
    }
    return out;
  }
  out += line("rewind-diverge: first difference after instruction %" PRIu64, f.count);
  const StepState& before = f.before;
  out += line("  instruction %" PRIu64 ": pc %s, privilege %s", f.count, pc_text(before.pc, ctx.symbols).c_str(),
              priv_name(before.priv));
  if (f.compiled_only && f.pinned_in_one_insn_blocks) {
    out += "  visible only in compiled code (stepping one instruction at a time interprets); pinned with one\n"
           "  instruction per block, each compiled (-accel tcg,one-insn-per-tb=on)\n";
  } else if (f.compiled_only) {
    out += "  visible only when blocks run whole (compiled): stepping one instruction at a time interprets\n";
    out += line("  suspects: %zu instruction(s) of the block it ends that write a register that differs%s",
                f.suspects.size(), f.suspects.empty() ? "" : ":");
    for (const Finding::Suspect& s : f.suspects)
      out += line("    %12" PRIu64 "  %-40s %s", s.count, pc_text(s.pc, ctx.symbols).c_str(), s.text.c_str());
  }
  if (f.a_stopped_inside) {
    out += line("  the %s replay stopped inside this instruction (a host request the %s did not make there):", a, b);
    for (const std::string& w : f.a_end.why) out += "    " + w + "\n";
  } else {
    out += line("  after it: %s pc %s (%s), %s pc %s (%s)", a, pc_text(f.a_after.pc, ctx.symbols).c_str(),
                priv_name(f.a_after.priv), b, pc_text(f.b_after.pc, ctx.symbols).c_str(), priv_name(f.b_after.priv));
    out += line("  state hashes after it: CPU %s, RAM %s", f.a_after.cpu_hash == f.b_after.cpu_hash ? "equal" : "differ",
                f.a_after.ram_hash == f.b_after.ram_hash ? "equal" : "differ");
  }
  if (ctx.two_builds) {
    out += "  ground truth: none; A and B are compared with each other\n";
    if (f.a_end.diverged) out += line("  A diverges from the recording at instruction %" PRIu64, f.a_end.at);
    if (f.b_end.diverged) out += line("  B diverges from the recording at instruction %" PRIu64, f.b_end.at);
  } else {
    out += line("  the replay failed the recording's check at instruction %" PRIu64
                " (last point that matched: %" PRIu64 "):",
                f.a_end.at, f.a_end.last_match);
    for (const std::string& w : f.a_end.why) out += "    " + w + "\n";
    out += line("  ground truth: the reference re-execution, trusted because it matched the recording %s",
                f.b_end.diverged ? ("through instruction " + std::to_string(f.b_end.last_match)).c_str()
                                 : "to its end");
    out += "    (the recording itself holds a 32-bit state check per event and trail point, and full registers only "
           "at checkpoints; values below labelled 'recorded' are the reference's)\n";
  }
  out += line("  bracket (%" PRIu64 ", %" PRIu64 "] from full-speed hashes in %.2f s; bisected to (%" PRIu64
              ", %" PRIu64 "] and stepped in %.2f s; described in %.2f s",
              f.window_start, f.window_end, f.bracket_seconds, f.step_start, f.step_end, f.narrow_seconds,
              f.describe_seconds);

  out += "instructions around it (count, pc, as the " + ctx.a_label + " executed them):\n";
  for (size_t i = 0; i < f.around.size(); ++i)
    out += line("  %s %12" PRIu64 "  %-40s %s", f.around[i].first == f.count ? ">" : " ", f.around[i].first,
                pc_text(f.around[i].second, ctx.symbols).c_str(), f.around_text[i].c_str());

  out += line("registers and CSRs that differ (%s | %s):", b, a);
  if (f.registers.empty()) out += "  none\n";
  for (const Difference& d : f.registers)
    out += line("  %-10s %s  %s", d.name.c_str(), hex64(d.b).c_str(), hex64(d.a).c_str());

  out += line("RAM pages that differ: %zu", f.pages_differing);
  for (const PageDifference& p : f.pages) {
    out += line("  page %" PRIx64 ": %zu bytes differ (%s | %s)", p.address, p.differing, b, a);
    for (const auto& [off, v] : p.bytes)
      out += line("    %" PRIx64 ": %02x  %02x", p.address + off, v.second, v.first);
  }
  if (ctx.last_input)
    out += line("last host input before it: %s at instruction %" PRIu64 " (source %u, %zu bytes): \"%s\"",
                ctx.last_input->kind.c_str(), ctx.last_input->icount, ctx.last_input->source, ctx.last_input->bytes,
                ctx.last_input->text.c_str());
  else
    out += "last host input before it: none\n";
  for (const std::string& n : f.notes) out += n + "\n";
  out += "commands:\n  " + ctx.a_label + ": " + ctx.a_command + "\n  " + ctx.b_label + ": " + ctx.b_command + "\n";
  return out;
}

}  // namespace rwd
