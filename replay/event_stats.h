// Events counted per kind (number and payload bytes): one implementation for
// the end-of-run summary rewind prints after a recording or a replay and for
// `rewind-dump --stats`, so the two always agree (a functional test compares
// them). Kinds come from the registry (replay/events.def): a new kind is
// counted and shown without a change here.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "replay/events.h"

namespace rwd {

class EventStats {
 public:
  void add(EventKind k, uint64_t payload_bytes) {
    size_t i = static_cast<size_t>(k);
    ++count_[i];
    bytes_[i] += payload_bytes;
  }
  uint64_t count(EventKind k) const { return count_[static_cast<size_t>(k)]; }
  uint64_t bytes(EventKind k) const { return bytes_[static_cast<size_t>(k)]; }
  uint64_t total() const;
  bool operator==(const EventStats&) const = default;

  // "clock 3, char-input 12, end 1": the kinds that occurred, in registry
  // order; "none" without events. The summary's "events:" list.
  std::string line() const;
  // The table of every registered kind: count and payload bytes, the total,
  // then "events: " + line(). Each row starts with two spaces.
  std::string table() const;
  // {"clock":{"count":3,"bytes":40},...} over every registered kind.
  std::string json() const;

 private:
  std::array<uint64_t, kEventKindCount> count_{}, bytes_{};
};

}  // namespace rwd
