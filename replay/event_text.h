// A one-line, human-readable summary of an event's payload, shared by
// rewind-dump and the rrfile fuzz target. Parsing is bounds-checked: a
// malformed payload throws DecodeError.
#pragma once
#include <string>

#include "util/byte_codec.h"
#include "replay/events.h"

namespace rwd {

// Reads the kind's fields from `r` (leaving the trailing state check).
std::string describe_event(EventKind kind, ByteReader& r);

}  // namespace rwd
