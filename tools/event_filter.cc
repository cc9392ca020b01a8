#include "tools/event_filter.h"

namespace rwd {

namespace {

std::string known_kinds() {
  std::string s;
  for_each_event_kind([&](EventKind, const EventSpec& spec) { s += std::string(s.empty() ? "" : ", ") + spec.name; });
  return s;
}

}  // namespace

bool EventFilter::set_kinds(const std::string& list, std::string& err) {
  if (list.empty()) return err = "--kind: no event kind given (kinds: " + known_kinds() + ")", false;
  // Every comma-separated name, empty ones included ("clock," names "").
  for (size_t pos = 0, comma = 0; comma != std::string::npos; pos = comma + 1) {
    comma = list.find(',', pos);
    std::string name = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    bool found = false;
    for_each_event_kind([&](EventKind k, const EventSpec& spec) {
      if (name == spec.name) {
        kinds_.set(static_cast<size_t>(k));
        found = true;
      }
    });
    if (!found) {
      err = "--kind: unknown event kind '" + name + "' (kinds: " + known_kinds() + ")";
      return false;
    }
  }
  return true;
}

std::string EventFilter::describe() const {
  std::string s;
  if (from_ != 0 || to_ != UINT64_MAX)
    s = "instructions " + std::to_string(from_) + ".." + (to_ == UINT64_MAX ? std::string("end") : std::to_string(to_));
  if (!kinds_.none()) {
    s += s.empty() ? "kinds " : ", kinds ";
    bool first = true;
    for_each_event_kind([&](EventKind k, const EventSpec& spec) {
      if (!kinds_.test(static_cast<size_t>(k))) return;
      s += std::string(first ? "" : ",") + spec.name;
      first = false;
    });
  }
  return s;
}

}  // namespace rwd
