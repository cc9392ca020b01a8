// Event payloads, encoded, decoded and shown from the registry
// (replay/events.def): one codec for the recorder, the replay reader,
// rewind-dump and the fuzz target. A payload is the kind's fields in order,
// then the u32 state check.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "replay/checkpoint.h"
#include "replay/events.h"
#include "util/byte_codec.h"

namespace rwd {

class RrReader;

// One field's value; which member is meaningful follows its FieldType.
struct FieldValue {
  uint64_t u = 0;              // U8, Varint, EndReason
  int64_t s = 0;               // Svarint, HostTimeNs
  std::vector<uint8_t> bytes;  // Blob
};

struct Event {
  EventKind kind{};
  bool batch_start = false;
  uint64_t icount = 0;
  std::array<FieldValue, kMaxEventFields> f;
  std::optional<Checkpoint> checkpoint;  // the Checkpoint field
  uint32_t check = 0;                    // the state check taken before it applied
  uint32_t payload_size = 0;             // encoded payload bytes (set by decode_event), for statistics

  const EventSpec& spec() const { return event_spec(kind); }
  // The two fields of every Input kind.
  uint8_t source() const { return static_cast<uint8_t>(f[0].u); }
  const std::vector<uint8_t>& data() const { return f[1].bytes; }
};

// The largest byte string one field holds (an event fits in a block).
inline constexpr size_t kMaxEventBlob = 1u << 20;

// The kind's fields, then the check.
void encode_payload(const Event& e, ByteWriter& w);
// Decodes and validates a whole payload against the registry: unknown kind,
// a field out of range, a malformed checkpoint, missing or trailing bytes
// throw DecodeError naming the field.
Event decode_event(uint8_t kind_byte, uint64_t icount, const std::vector<uint8_t>& payload);

// A finished recording (one with an index) ends with its `end` event, at
// the index's final instruction count, with a known end reason: decodes the
// last block and throws DecodeError naming the file otherwise. Nothing to
// check for an interrupted recording (it may stop anywhere).
void check_recording_end(const RrReader& rr);

// A one-line summary of the fields ("port=0 bytes=3 \"ls\\r\"").
std::string event_text(const Event& e);
// The fields as JSON members ("\"port\":0,\"bytes\":\"6c730d\"").
std::string event_json_fields(const Event& e);

// Control characters and non-ASCII bytes escaped (\r, \n, \xNN): for text
// read from a file before it goes to a terminal.
std::string escape_bytes(const uint8_t* p, size_t n, size_t max = SIZE_MAX);
inline std::string escape_text(const std::string& s, size_t max = SIZE_MAX) {
  return escape_bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size(), max);
}
std::string json_escape(const std::string& s);

}  // namespace rwd
