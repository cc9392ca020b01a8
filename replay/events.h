// What an rrfile records: the kinds of event, generated from the one registry
// (replay/events.def), and how each is pinned to the instruction count.
// See docs/rrfile.md for the byte layout of each payload.
//
// Families (events.def explains them):
//  - synchronous events happen *during* an instruction: their icount is the
//    count including that instruction, and on replay the same instruction
//    must ask again;
//  - asynchronous events (Async and Input) come from the host side and are
//    applied between translation blocks, in "service steps" of the run loop.
//    The first event of each step carries kBatchStart, so that replay applies
//    the same groups with the same engine calls in between as the recording.
#pragma once
#include <array>
#include <cstdint>

namespace rwd {

enum class EventFamily : uint8_t { kSync, kAsync, kInput };

// How a payload field is encoded (util/byte_codec.h) and shown.
enum class FieldType : uint8_t {
  kNone,
  kU8,
  kVarint,
  kSvarint,
  kHostTimeNs,  // svarint ns since the epoch, shown with its date
  kBlob,        // varint length + bytes
  kEndReason,   // u8 EndReason
  kCheckpoint,  // the structure in replay/checkpoint.h
};

struct FieldSpec {
  FieldType type = FieldType::kNone;
  const char* name = nullptr;
};

inline constexpr unsigned kMaxEventFields = 3;

struct EventSpec {
  uint8_t number = 0;  // 0: no such kind
  const char* name = nullptr;
  EventFamily family = EventFamily::kSync;
  std::array<FieldSpec, kMaxEventFields> fields{};

  constexpr unsigned field_count() const {
    unsigned n = 0;
    while (n < kMaxEventFields && fields[n].type != FieldType::kNone) ++n;
    return n;
  }
  constexpr bool known() const { return number != 0; }
};

enum class EventKind : uint8_t {
#define REWIND_EVENT(number, id, ...) k##id = number,
#include "replay/events.def"
#undef REWIND_EVENT
};

inline constexpr uint8_t kBatchStart = 0x80;
inline constexpr uint8_t kKindMask = 0x7f;

namespace event_registry {

#define REWIND_FIELD(type, name) FieldSpec{FieldType::k##type, name}
#define REWIND_EVENT(number, id, name, family, ...) EventSpec{number, name, EventFamily::k##family, {{__VA_ARGS__}}},
inline constexpr EventSpec kListed[] = {
#include "replay/events.def"
};
#undef REWIND_EVENT
#undef REWIND_FIELD

constexpr unsigned table_size() {
  unsigned n = 0;
  for (const EventSpec& s : kListed) n = s.number + 1u > n ? s.number + 1u : n;
  return n;
}

}  // namespace event_registry

// Kind numbers are 1 .. kEventKindCount - 1 (gaps allowed).
inline constexpr unsigned kEventKindCount = event_registry::table_size();

namespace event_registry {

constexpr std::array<EventSpec, kEventKindCount> by_number() {
  std::array<EventSpec, kEventKindCount> t{};
  for (const EventSpec& s : kListed) t[s.number] = s;
  return t;
}
inline constexpr std::array<EventSpec, kEventKindCount> kByNumber = by_number();

constexpr bool valid() {
  unsigned seen[kEventKindCount] = {};
  for (const EventSpec& s : kListed) {
    if (s.number == 0 || s.number > kKindMask || seen[s.number]++) return false;
    if (s.family == EventFamily::kInput &&
        (s.field_count() != 2 || s.fields[0].type != FieldType::kU8 || s.fields[1].type != FieldType::kBlob))
      return false;  // input payloads are (u8 source, blob data): replay/input.h relies on it
  }
  return true;
}
static_assert(valid(), "replay/events.def: kind numbers must be unique, 1..127; Input kinds have (U8, Blob) fields");

}  // namespace event_registry

// The spec of kind byte `number` (without kBatchStart); !known() for kinds
// this rewind does not have.
inline const EventSpec& event_spec(unsigned number) {
  static constexpr EventSpec kUnknown{};
  return number < kEventKindCount ? event_registry::kByNumber[number] : kUnknown;
}
inline const EventSpec& event_spec(EventKind k) { return event_spec(static_cast<unsigned>(k)); }
inline const char* event_name(EventKind k) { return event_spec(k).known() ? event_spec(k).name : "unknown"; }
inline bool is_sync(EventKind k) { return event_spec(k).family == EventFamily::kSync; }

// Every kind, in number order, for loops over the registry.
template <typename F>
void for_each_event_kind(F&& f) {
  for (unsigned n = 1; n < kEventKindCount; ++n)
    if (event_spec(n).known()) f(static_cast<EventKind>(n), event_spec(n));
}

enum class EndReason : uint8_t {
  kGuestShutdown = 0,  // the guest powered off (status = its exit code)
  kSignal = 1,         // the recorder was asked to quit (SIGINT/SIGTERM/SIGHUP)
  kMonitorQuit = 2,    // `quit` in the monitor
  kInsnLimit = 3,      // -max-insns reached
};
inline constexpr uint8_t kEndReasonCount = 4;

inline const char* end_reason_name(EndReason r) {
  switch (r) {
    case EndReason::kGuestShutdown: return "guest shutdown";
    case EndReason::kSignal: return "signal";
    case EndReason::kMonitorQuit: return "monitor quit";
    case EndReason::kInsnLimit: return "instruction limit";
  }
  return "unknown";
}

}  // namespace rwd
