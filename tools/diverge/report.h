// The text rewind-diverge prints about a Finding (docs/divergence.md shows
// one): where, what differs, and what the comparison was made against.
#pragma once
#include <optional>
#include <string>

#include "tools/diverge/divergence_search.h"
#include "tools/diverge/elf_symbols.h"
#include "tools/diverge/last_input.h"

namespace rwd {

struct ReportContext {
  bool two_builds = false;
  std::string a_label, b_label;      // how the two sides are named in tables
  std::string a_command, b_command;  // their command lines
  const ElfSymbols* symbols = nullptr;
  std::optional<RecordedInput> last_input;
};

std::string format_report(const Finding& f, const ReportContext& ctx);

}  // namespace rwd
