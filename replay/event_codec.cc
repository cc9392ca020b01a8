#include "replay/event_codec.h"

#include <cstdio>
#include <ctime>

#include "replay/rrfile.h"
#include "replay/state_hash.h"
#include "util/hex.h"

namespace rwd {

namespace {

std::string date_of(int64_t ns) {
  time_t t = static_cast<time_t>(ns / 1000000000);
  tm utc{};
  char date[40] = "?";
  if (gmtime_r(&t, &utc)) strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return date;
}

std::string checkpoint_text(const Checkpoint& c) {
  std::string pc = "?";
  for (size_t i = 0; i < c.cpu.size() && i < cpu_value_count(); ++i)
    if (std::string(cpu_value_name(i)) == "pc") pc = hex(c.cpu[i]);
  size_t pages = 0;
  for (auto& block : c.pages) pages += block.size();
  return "pc " + pc + ", RAM hash " + hex(c.ram_hash) + ", " + std::to_string(pages) + " pages changed";
}

std::string end_reason_text(uint64_t r) {
  return r < kEndReasonCount ? end_reason_name(static_cast<EndReason>(r)) : "?";
}

}  // namespace

std::string escape_bytes(const uint8_t* p, size_t n, size_t max) {
  std::string o;
  for (size_t i = 0; i < n && i < max; ++i) {
    uint8_t c = p[i];
    if (c == '\r') o += "\\r";
    else if (c == '\n') o += "\\n";
    else if (c == '\t') o += "\\t";
    else if (c == '\\') o += "\\\\";
    else if (c >= 0x20 && c < 0x7f) o += static_cast<char>(c);
    else {
      char x[8];
      std::snprintf(x, sizeof x, "\\x%02x", c);
      o += x;
    }
  }
  if (n > max) o += "...";
  return o;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += static_cast<char>(c);
    else if (c == '\n') o += "\\n";
    else if (c < 0x20 || c >= 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else o += static_cast<char>(c);
  }
  return o;
}

void encode_payload(const Event& e, ByteWriter& w) {
  const EventSpec& spec = e.spec();
  for (unsigned i = 0; i < spec.field_count(); ++i) {
    const FieldValue& v = e.f[i];
    switch (spec.fields[i].type) {
      case FieldType::kU8:
      case FieldType::kEndReason: w.u8(static_cast<uint8_t>(v.u)); break;
      case FieldType::kVarint: w.varint(v.u); break;
      case FieldType::kSvarint:
      case FieldType::kHostTimeNs: w.svarint(v.s); break;
      case FieldType::kBlob: w.blob(v.bytes.data(), v.bytes.size()); break;
      case FieldType::kCheckpoint: e.checkpoint.value().encode(w); break;
      case FieldType::kNone: break;
    }
  }
  w.u32(e.check);
}

Event decode_event(uint8_t kind_byte, uint64_t icount, const std::vector<uint8_t>& payload) {
  unsigned number = kind_byte & kKindMask;
  const EventSpec& spec = event_spec(number);
  if (!spec.known()) throw DecodeError("unknown event kind " + std::to_string(number));
  Event e;
  e.kind = static_cast<EventKind>(number);
  e.batch_start = kind_byte & kBatchStart;
  e.icount = icount;
  e.payload_size = static_cast<uint32_t>(payload.size());
  ByteReader r(payload);
  for (unsigned i = 0; i < spec.field_count(); ++i) {
    FieldValue& v = e.f[i];
    const FieldSpec& field = spec.fields[i];
    try {
      switch (field.type) {
        case FieldType::kU8: v.u = r.u8(); break;
        case FieldType::kEndReason:
          v.u = r.u8();
          if (v.u >= kEndReasonCount) throw DecodeError("unknown end reason " + std::to_string(v.u));
          break;
        case FieldType::kVarint: v.u = r.varint(); break;
        case FieldType::kSvarint:
        case FieldType::kHostTimeNs: v.s = r.svarint(); break;
        case FieldType::kBlob: v.bytes = r.blob(kMaxEventBlob); break;
        case FieldType::kCheckpoint: e.checkpoint = Checkpoint::decode(r); break;
        case FieldType::kNone: break;
      }
    } catch (const DecodeError& err) {
      throw DecodeError(std::string(spec.name) + " event, field '" + field.name + "': " + err.what());
    }
  }
  if (r.left() < 4) throw DecodeError(std::string(spec.name) + " event: payload ends before its state check");
  e.check = r.u32();
  if (!r.at_end()) throw DecodeError(std::string(spec.name) + " event: " + std::to_string(r.left()) + " trailing bytes");
  return e;
}

void check_recording_end(const RrReader& rr) {
  if (!rr.truncation().empty()) return;
  const std::string what = "rrfile '" + rr.path() + "': ";
  if (rr.blocks().empty()) throw DecodeError(what + "the recording has no events (not even its end)");
  size_t b = rr.blocks().size() - 1;
  std::vector<uint8_t> raw = rr.read_block(b);
  RrEventCursor cur(raw, rr.blocks()[b]);
  uint8_t kind_byte;
  uint64_t at;
  std::vector<uint8_t> payload;
  Event last;
  size_t index = 0;
  try {
    for (; cur.next(kind_byte, at, payload); ++index) last = decode_event(kind_byte, at, payload);
  } catch (const DecodeError& e) {
    throw DecodeError(what + "block " + std::to_string(b) + ", event " + std::to_string(index) + " (instruction " +
                      std::to_string(cur.icount()) + "): " + e.what());
  }
  if (last.kind != EventKind::kEnd)
    throw DecodeError(what + "the last event is " + event_name(last.kind) + ", not end (corrupt file)");
  if (last.icount != rr.final_icount())
    throw DecodeError(what + "the index's final instruction count " + std::to_string(rr.final_icount()) +
                      " is not the end event's (" + std::to_string(last.icount) + ", corrupt file)");
}

std::string event_text(const Event& e) {
  const EventSpec& spec = e.spec();
  std::string out;
  for (unsigned i = 0; i < spec.field_count(); ++i) {
    const FieldValue& v = e.f[i];
    const FieldSpec& field = spec.fields[i];
    if (i) out += ' ';
    if (field.type != FieldType::kCheckpoint) {
      out += field.name;
      out += '=';
    }
    switch (field.type) {
      case FieldType::kU8:
      case FieldType::kVarint: out += std::to_string(v.u); break;
      case FieldType::kSvarint: out += std::to_string(v.s); break;
      case FieldType::kHostTimeNs: out += std::to_string(v.s) + " (" + date_of(v.s) + ")"; break;
      case FieldType::kEndReason: out += end_reason_text(v.u); break;
      case FieldType::kBlob:
        out += std::to_string(v.bytes.size()) + " \"" + escape_bytes(v.bytes.data(), v.bytes.size(), 40) + "\"";
        break;
      case FieldType::kCheckpoint: out += checkpoint_text(*e.checkpoint); break;
      case FieldType::kNone: break;
    }
  }
  return out;
}

std::string event_json_fields(const Event& e) {
  const EventSpec& spec = e.spec();
  std::string out;
  for (unsigned i = 0; i < spec.field_count(); ++i) {
    const FieldValue& v = e.f[i];
    const FieldSpec& field = spec.fields[i];
    if (i) out += ',';
    out += '"';
    out += field.name;
    out += "\":";
    switch (field.type) {
      case FieldType::kU8:
      case FieldType::kVarint: out += std::to_string(v.u); break;
      case FieldType::kSvarint:
      case FieldType::kHostTimeNs: out += std::to_string(v.s); break;
      case FieldType::kEndReason:
        out += '"';
        out += end_reason_text(v.u);
        out += '"';
        break;
      case FieldType::kBlob: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += '"';
        for (uint8_t c : v.bytes) {
          out += kHex[c >> 4];
          out += kHex[c & 15];
        }
        out += '"';
        break;
      }
      case FieldType::kCheckpoint:
        out += '"';
        out += json_escape(checkpoint_text(*e.checkpoint));
        out += '"';
        break;
      case FieldType::kNone: break;
    }
  }
  return out;
}

}  // namespace rwd
