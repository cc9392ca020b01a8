#include "replay/event_text.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <vector>

#include "util/hex.h"

namespace rwd {

namespace {

// Printable rendering of input bytes: "ls\r" -> ls\r
std::string show_bytes(const std::vector<uint8_t>& b, size_t max = 40) {
  std::string o;
  for (size_t i = 0; i < b.size() && i < max; ++i) {
    uint8_t c = b[i];
    if (c == '\r') o += "\\r";
    else if (c == '\n') o += "\\n";
    else if (c == '\\') o += "\\\\";
    else if (c >= 0x20 && c < 0x7f) o += static_cast<char>(c);
    else {
      char x[8];
      std::snprintf(x, sizeof x, "\\x%02x", c);
      o += x;
    }
  }
  if (b.size() > max) o += "...";
  return o;
}

}  // namespace

// A one-line summary of an event's payload (without the trailing check).
std::string describe_event(EventKind kind, ByteReader& r) {
  switch (kind) {
    case EventKind::kClockRead: {
      int64_t ns = r.svarint();
      time_t t = static_cast<time_t>(ns / 1000000000);
      tm utc{};
      char date[40] = "?";
      if (gmtime_r(&t, &utc)) strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &utc);
      return "host realtime " + std::to_string(ns) + " ns (" + date + ")";
    }
    case EventKind::kUtcOffset: return "host UTC offset " + std::to_string(r.svarint()) + " s";
    case EventKind::kEntropy: {
      std::vector<uint8_t> b = r.blob(1u << 16);
      return std::to_string(b.size()) + " bytes of entropy";
    }
    case EventKind::kCharInput: {
      unsigned port = r.u8();
      std::vector<uint8_t> b = r.blob(1u << 16);
      return "port " + std::to_string(port) + ", " + std::to_string(b.size()) + " bytes \"" + show_bytes(b) + "\"";
    }
    case EventKind::kIdleWarp: return "virtual time +" + std::to_string(r.varint()) + " ns";
    case EventKind::kReset: return "machine reset requested by the host";
    case EventKind::kGuestReset: return "the guest reset the machine";
    case EventKind::kCheckpoint: {
      uint64_t n = r.varint();
      std::vector<uint64_t> v;
      for (uint64_t i = 0; i < n && i < 4096; ++i) v.push_back(r.varint());
      uint64_t m = r.varint();
      for (uint64_t i = 0; i < m && i < 1024; ++i) {
        r.str(256);
        r.u64();
      }
      uint64_t ram = r.u64();
      uint64_t blocks = r.varint(), pages = 0;
      for (uint64_t b = 0; b < blocks && b < 64; ++b) {
        uint64_t k = r.varint();
        for (uint64_t i = 0; i < k; ++i) {
          r.varint();
          r.u32();
        }
        pages += k;
      }
      std::string pc = v.size() > 63 ? hex(v[63]) : "?";
      return "pc " + pc + ", RAM hash " + hex(ram) + ", " + std::to_string(pages) + " pages changed";
    }
    case EventKind::kEnd: {
      auto reason = static_cast<EndReason>(r.u8());
      int64_t status = r.svarint();
      return std::string(end_reason_name(reason)) + ", status " + std::to_string(status);
    }
  }
  return "?";
}

}  // namespace rwd
