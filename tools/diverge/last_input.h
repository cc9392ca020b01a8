// The last host input a recording delivered at or before an instruction
// count: what the guest had just been given when a replay went wrong.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "replay/rrfile.h"

namespace rwd {

struct RecordedInput {
  uint64_t icount = 0;
  std::string kind;     // the event kind's name
  unsigned source = 0;  // port, netdev, device
  std::string text;     // the bytes, escaped and cut short
  size_t bytes = 0;
};

// Throws DecodeError on a damaged block (the replay would have stopped too).
std::optional<RecordedInput> last_input_at_or_before(const RrReader& rr, uint64_t icount);

}  // namespace rwd
