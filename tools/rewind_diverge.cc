// rewind-diverge: pins a diverging replay to the first instruction whose
// result differs (docs/divergence.md).
//
//   rewind-diverge [--elf FILE] [--rewind BIN] [--ref-args 'OPTS'] FILE.rr -- REPLAY OPTIONS
//       the replay (REPLAY OPTIONS as given to rewind, e.g. with -rr-perturb)
//       against a reference re-execution of the same recording (the same
//       options without -rr-perturb/-debug-miscompile, plus --ref-args, e.g.
//       '-accel tcg,jit=off' when the compiled engine is suspect), trusted
//       only when it matches the recording past the point where the replay
//       failed.
//   rewind-diverge --a BIN_A --b BIN_B [--a-args 'OPTS'] [--b-args 'OPTS'] FILE.rr -- REPLAY OPTIONS
//       two builds (or two configurations of one: --a and --b the same
//       binary, the options differing) replaying the same recording, compared
//       with each other.
//
// Exit status: 0 no divergence, 3 pinned (report on stdout), 2 could not
// pin (why on stdout), 1 error (one line on stderr).
#include <limits.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "replay/event_codec.h"
#include "replay/rrfile.h"
#include "tools/diverge/divergence_search.h"
#include "tools/diverge/elf_symbols.h"
#include "tools/diverge/last_input.h"
#include "tools/diverge/probe_process.h"
#include "tools/diverge/report.h"

using namespace rwd;

namespace {

int usage(FILE* to) {
  std::fputs(
      "usage: rewind-diverge [--elf FILE] [--rewind BIN] [--ref-args 'OPTS'] [--step N] FILE.rr -- REPLAY-OPTIONS...\n"
      "       rewind-diverge --a BIN_A --b BIN_B [--a-args 'OPTS'] [--b-args 'OPTS'] FILE.rr -- REPLAY-OPTIONS...\n",
      to);
  return to == stdout ? 0 : 1;
}

std::vector<std::string> split(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The rewind next to this tool (both are built into one directory).
std::string default_rewind() {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "rewind";
  std::string dir(self, n);
  dir = dir.substr(0, dir.rfind('/') + 1);
  return dir + "rewind";
}

// The reference: the replay's options without what changes a replay on
// purpose (-rr-perturb, -debug-miscompile), plus --ref-args (e.g. the
// interpreter, -accel tcg,jit=off, when the compiled engine is suspect).
std::vector<std::string> reference_options(const std::vector<std::string>& opts, const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (size_t i = 0; i < opts.size(); ++i) {
    const std::string& o = opts[i];
    if ((o == "-rr-perturb" || o == "-debug-miscompile") && i + 1 < opts.size()) {
      ++i;
      continue;
    }
    out.push_back(o);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string file, elf, rewind = default_rewind(), bin_a, bin_b, a_args, b_args, ref_args;
  SearchConfig cfg;
  cfg.step = 0;
  std::vector<std::string> opts;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) return false;
      into = argv[++i];
      return true;
    };
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-h" || a == "--help") return usage(stdout);
    bool ok = true;
    if (a == "--elf") ok = value(elf);
    else if (a == "--rewind") ok = value(rewind);
    else if (a == "--a") ok = value(bin_a);
    else if (a == "--b") ok = value(bin_b);
    else if (a == "--a-args") ok = value(a_args);
    else if (a == "--b-args") ok = value(b_args);
    else if (a == "--ref-args") ok = value(ref_args);
    else if (a == "--step") {
      std::string s;
      ok = value(s) && !s.empty() && s.find_first_not_of("0123456789") == std::string::npos &&
           (cfg.step = std::strtoull(s.c_str(), nullptr, 10)) > 0;
      if (!ok) {
        std::fprintf(stderr, "rewind-diverge: --step needs a positive number of instructions\n");
        return 1;
      }
    } else if (a[0] == '-') {
      std::fprintf(stderr, "rewind-diverge: unknown option '%s'\n", a.c_str());
      return 1;
    } else if (!file.empty()) {
      std::fprintf(stderr, "rewind-diverge: one recording only ('%s' and '%s'); replay options go after --\n",
                   file.c_str(), a.c_str());
      return 1;
    } else {
      file = a;
    }
    if (!ok) {
      std::fprintf(stderr, "rewind-diverge: %s needs a value\n", a.c_str());
      return 1;
    }
  }
  for (; i < argc; ++i) opts.push_back(argv[i]);
  if (file.empty()) return usage(stderr);
  cfg.two_builds = !bin_a.empty() || !bin_b.empty();
  if (cfg.two_builds && (bin_a.empty() || bin_b.empty())) {
    std::fprintf(stderr, "rewind-diverge: --a and --b go together\n");
    return 1;
  }
  if (opts.empty()) {
    std::fprintf(stderr, "rewind-diverge: give the replay's options after -- (as for rewind, with -icount rr=replay,rrfile=%s)\n",
                 file.c_str());
    return 1;
  }
  try {
    // The recording first: a missing or damaged file is reported as the
    // replay would, before any process starts.
    RrReader rr(file);
    validate_recording_header(file, rr.header());
    check_recording_end(rr);
    if (rr.blocks().empty()) throw DecodeError("rrfile '" + file + "': no complete block of events");
    if (!cfg.step) {
      std::string t = rr.header().get("trail-interval");
      cfg.step = t.empty() || t == "0" ? 65536 : std::strtoull(t.c_str(), nullptr, 10);
      if (!cfg.step) cfg.step = 65536;
    }
    std::unique_ptr<ElfSymbols> syms;
    if (!elf.empty()) syms = std::make_unique<ElfSymbols>(elf);

    std::vector<std::string> argv_a, argv_b;
    ReportContext ctx;
    ctx.two_builds = cfg.two_builds;
    if (cfg.two_builds) {
      argv_a.push_back(bin_a);
      argv_b.push_back(bin_b);
      for (const std::string& o : opts) argv_a.push_back(o), argv_b.push_back(o);
      for (const std::string& o : split(a_args)) argv_a.push_back(o);
      for (const std::string& o : split(b_args)) argv_b.push_back(o);
      ctx.a_label = "A";
      ctx.b_label = "B";
    } else {
      argv_a.push_back(rewind);
      for (const std::string& o : opts) argv_a.push_back(o);
      argv_b.push_back(rewind);
      for (const std::string& o : reference_options(opts, split(ref_args))) argv_b.push_back(o);
      ctx.a_label = "replay";
      ctx.b_label = "recorded";
    }
    for (const std::string& bin : {argv_a[0], argv_b[0]})
      if (access(bin.c_str(), X_OK) != 0) {
        std::fprintf(stderr, "rewind-diverge: %s: not an executable\n", bin.c_str());
        return 1;
      }
    ProbeProcess a(cfg.two_builds ? "A" : "diverging", argv_a);
    ProbeProcess b(cfg.two_builds ? "B" : "reference", argv_b);
    ctx.a_command = a.command_line();
    ctx.b_command = b.command_line();
    Finding f = find_divergence(a, b, cfg);
    if (f.outcome == Finding::Outcome::kPinned) {
      ctx.symbols = syms.get();
      ctx.last_input = last_input_at_or_before(rr, f.count);
    }
    std::fputs(format_report(f, ctx).c_str(), stdout);
    return f.outcome == Finding::Outcome::kNoDivergence ? 0 : f.outcome == Finding::Outcome::kPinned ? 3 : 2;
  } catch (const DecodeError& e) {
    std::fprintf(stderr, "rewind-diverge: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rewind-diverge: %s\n", e.what());
    return 1;
  }
}
