// The x and xp commands: QEMU's /Nfu formats (count, format x d u o c i,
// unit b h w g) and its output layout.
#pragma once
#include <cstdint>
#include <string>

#include "monitor/monitor_target.h"

namespace rwd {

struct DumpFormat {
  unsigned count = 1;
  char format = 'x';  // x d u o c i
  unsigned size = 4;  // bytes per unit
};

// Parses "/4xw" into `f`, keeping from `f` what the text leaves out (QEMU
// remembers the last format and size). False with a message on bad input.
bool parse_dump_format(const std::string& text, DumpFormat& f, std::string& err);

// The dump as QEMU prints it, ending with "Cannot access memory" where the
// memory stops.
std::string dump_memory(MonitorTarget& target, bool physical, uint64_t addr, const DumpFormat& f);

}  // namespace rwd
