#include "replay/event_stats.h"

#include <cinttypes>
#include <cstdio>

namespace rwd {

uint64_t EventStats::total() const {
  uint64_t n = 0;
  for (uint64_t c : count_) n += c;
  return n;
}

std::string EventStats::line() const {
  std::string out;
  for_each_event_kind([&](EventKind k, const EventSpec& spec) {
    if (uint64_t n = count(k)) out += std::string(out.empty() ? "" : ", ") + spec.name + " " + std::to_string(n);
  });
  return out.empty() ? "none" : out;
}

std::string EventStats::table() const {
  std::string out;
  char row[128];
  std::snprintf(row, sizeof row, "  %-11s %10s %12s\n", "kind", "count", "bytes");
  out += row;
  uint64_t total_bytes = 0;
  for_each_event_kind([&](EventKind k, const EventSpec& spec) {
    total_bytes += bytes(k);
    std::snprintf(row, sizeof row, "  %-11s %10" PRIu64 " %12" PRIu64 "\n", spec.name, count(k), bytes(k));
    out += row;
  });
  std::snprintf(row, sizeof row, "  %-11s %10" PRIu64 " %12" PRIu64 "\n", "total", total(), total_bytes);
  out += row;
  return out + "  events: " + line() + "\n";
}

std::string EventStats::json() const {
  std::string out = "{";
  for_each_event_kind([&](EventKind k, const EventSpec& spec) {
    if (out.size() > 1) out += ',';
    out += std::string("\"") + spec.name + "\":{\"count\":" + std::to_string(count(k)) +
           ",\"bytes\":" + std::to_string(bytes(k)) + "}";
  });
  return out + "}";
}

}  // namespace rwd
