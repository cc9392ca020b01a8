#include "gdbstub/gdb_session.h"

#include <algorithm>
#include <cstring>

#include "gdbstub/packet.h"

namespace rwd::gdb {

namespace {

constexpr const char* kBadArgs = "E01";
constexpr const char* kNoAccess = "E14";  // EFAULT, as gdb stubs answer unreadable memory
constexpr const char* kRefused = "E16";   // EBUSY: record/replay do not take changes
constexpr const char* kTooMany = "E22";
constexpr uint64_t kMaxWatchLength = 1 << 20;

// "addr,len" (and what follows `rest_at`, when given).
bool parse_addr_len(const std::string& s, uint64_t& addr, uint64_t& len) {
  size_t comma = s.find(',');
  if (comma == std::string::npos) return false;
  return parse_hex_u64(s.substr(0, comma), addr) && parse_hex_u64(s.substr(comma + 1), len);
}

}  // namespace

const RegDesc* GdbSession::find_register(uint64_t regno) {
  for (const RegDesc& r : target_.registers())
    if (r.regno == regno) return &r;
  return nullptr;
}

std::optional<std::string> GdbSession::handle(const std::string& p) {
  if (p.empty()) return "";
  switch (p[0]) {
    case '?': return last_stop_;
    case 'g': return read_registers();
    case 'G': return write_registers(p.substr(1));
    case 'p': return read_register(p.substr(1));
    case 'P': return write_register(p.substr(1));
    case 'm': return read_memory(p.substr(1));
    case 'M': return write_memory(p.substr(1), false);
    case 'X': return write_memory(p.substr(1), true);
    case 'c':
    case 's':
      if (p.size() > 1) return kBadArgs;  // resuming elsewhere would change the pc
      return resume(p[0] == 'c' ? Resume::kContinue : Resume::kStep);
    case 'b':
      if (p == "bc") return resume(Resume::kReverseContinue);
      if (p == "bs") return resume(Resume::kReverseStep);
      return "";
    case 'Z':
    case 'z': return breakpoint(p, p[0] == 'Z');
    case 'q':
    case 'Q': return query(p);
    case 'v': return vpacket(p);
    case 'H':
    case 'T': return "OK";  // one thread
    case 'D':
      target_.detach();
      return "OK";
    case 'k':
      target_.kill();
      return std::nullopt;
    default: return "";
  }
}

std::string GdbSession::stopped(const std::string& stop_reply) {
  running_ = false;
  last_stop_ = stop_reply;
  return stop_reply;
}

std::optional<std::string> GdbSession::resume(Resume how) {
  if ((how == Resume::kReverseStep || how == Resume::kReverseContinue) && !target_.replaying()) return "";
  running_ = true;
  target_.resume(how);
  return std::nullopt;
}

std::string GdbSession::read_registers() {
  std::string out;
  std::vector<uint8_t> bytes;
  for (unsigned regno = 0; regno <= kPcRegno; ++regno) {
    const RegDesc* r = find_register(regno);
    if (!r || !target_.read_register(*r, bytes)) return kNoAccess;
    out += to_hex(bytes.data(), bytes.size());
  }
  return out;
}

std::string GdbSession::write_registers(const std::string& hex) {
  std::vector<uint8_t> bytes;
  if (!from_hex(hex, bytes) || bytes.size() < (kPcRegno + 1) * 8) return kBadArgs;
  if (!target_.write_refusal().empty()) return kRefused;
  for (unsigned regno = 1; regno <= kPcRegno; ++regno) {
    uint64_t v = 0;
    std::memcpy(&v, bytes.data() + regno * 8, 8);
    const RegDesc* r = find_register(regno);
    if (!r || !target_.write_register(*r, v)) return kNoAccess;
  }
  return "OK";
}

std::string GdbSession::read_register(const std::string& arg) {
  uint64_t regno;
  if (!parse_hex_u64(arg, regno)) return kBadArgs;
  const RegDesc* r = find_register(regno);
  std::vector<uint8_t> bytes;
  if (!r || !target_.read_register(*r, bytes)) return kNoAccess;
  return to_hex(bytes.data(), bytes.size());
}

std::string GdbSession::write_register(const std::string& arg) {
  size_t eq = arg.find('=');
  uint64_t regno;
  std::vector<uint8_t> bytes;
  if (eq == std::string::npos || !parse_hex_u64(arg.substr(0, eq), regno) || !from_hex(arg.substr(eq + 1), bytes) ||
      bytes.empty() || bytes.size() > 8)
    return kBadArgs;
  const RegDesc* r = find_register(regno);
  if (!r) return kNoAccess;
  if (!target_.write_refusal().empty()) return kRefused;
  uint64_t v = 0;
  std::memcpy(&v, bytes.data(), bytes.size());
  return target_.write_register(*r, v) ? "OK" : kNoAccess;
}

std::string GdbSession::read_memory(const std::string& arg) {
  uint64_t addr, len;
  if (!parse_addr_len(arg, addr, len)) return kBadArgs;
  if (len == 0) return "";
  // A reply may be shorter than asked: gdb asks again for the rest.
  len = std::min<uint64_t>(len, kMaxPacket / 2 - 16);
  if (addr + len < addr) len = 0 - addr;  // stops at the top of the address space
  if (len == 0) return kNoAccess;
  std::vector<uint8_t> buf(len);
  size_t n = target_.read_memory(addr, buf.data(), len);
  if (n == 0) return kNoAccess;
  return to_hex(buf.data(), n);
}

std::string GdbSession::write_memory(const std::string& arg, bool binary) {
  size_t colon = arg.find(':');
  uint64_t addr, len;
  if (colon == std::string::npos || !parse_addr_len(arg.substr(0, colon), addr, len)) return kBadArgs;
  std::vector<uint8_t> data;
  std::string payload = arg.substr(colon + 1);
  if (binary) data.assign(payload.begin(), payload.end());
  else if (!from_hex(payload, data)) return kBadArgs;
  if (data.size() != len || addr + len < addr) return kBadArgs;
  if (len == 0) return "OK";  // gdb probes X support with an empty write
  if (!target_.write_refusal().empty()) return kRefused;
  return target_.write_memory(addr, data.data(), data.size()) ? "OK" : kNoAccess;
}

std::string GdbSession::breakpoint(const std::string& p, bool insert) {
  // Z/z TYPE,ADDR,KIND[;conditions...]
  std::string body = p.substr(1, p.find(';') == std::string::npos ? std::string::npos : p.find(';') - 1);
  size_t c1 = body.find(',');
  if (c1 != 1) return kBadArgs;
  char type = body[0];
  uint64_t addr, kind;
  if (!parse_addr_len(body.substr(2), addr, kind)) return kBadArgs;
  DebugStops& stops = target_.stops();
  switch (type) {
    case '0':
    case '1':  // software and hardware breakpoints are the same thing here
      if (insert && !stops.add_breakpoint(addr)) return kTooMany;
      if (!insert) stops.remove_breakpoint(addr);
      break;
    case '2':
    case '3':
    case '4': {
      if (kind == 0 || kind > kMaxWatchLength || addr + kind < addr) return kBadArgs;
      Watchpoint w{addr, kind, static_cast<WatchKind>(type - '0')};
      if (insert && !stops.add_watch(w)) return kTooMany;
      if (!insert) stops.remove_watch(w);
      break;
    }
    default: return "";
  }
  target_.stops_changed();
  return "OK";
}

std::optional<std::string> GdbSession::query(const std::string& p) {
  if (p.rfind("qSupported", 0) == 0) {
    std::string s = "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+";
    if (target_.replaying()) s += ";ReverseStep+;ReverseContinue+";
    return s;
  }
  if (p == "QStartNoAckMode") {
    no_ack_ = true;
    return "OK";
  }
  if (p.rfind("qXfer:features:read:", 0) == 0) {
    std::string rest = p.substr(std::strlen("qXfer:features:read:"));
    size_t colon = rest.find(':');
    uint64_t off, len;
    if (colon == std::string::npos || !parse_addr_len(rest.substr(colon + 1), off, len)) return kBadArgs;
    if (rest.substr(0, colon) != "target.xml") return "E00";
    if (xml_.empty()) xml_ = target_xml(target_.registers());
    if (off >= xml_.size()) return "l";
    len = std::min<uint64_t>(len, kMaxPacket - 64);
    std::string chunk = xml_.substr(off, len);
    return (off + chunk.size() >= xml_.size() ? "l" : "m") + chunk;
  }
  if (p == "qAttached") return "1";
  if (p == "qC") return "QC1";
  if (p == "qfThreadInfo") return "m1";
  if (p == "qsThreadInfo") return "l";
  if (p.rfind("qSymbol", 0) == 0) return "OK";
  if (p.rfind("qRcmd,", 0) == 0) {
    std::vector<uint8_t> bytes;
    if (!from_hex(p.substr(6), bytes)) return kBadArgs;
    std::string out = target_.monitor(std::string(bytes.begin(), bytes.end()));
    if (out.empty()) return "OK";
    if (out.size() > kMaxPacket / 2 - 16) out = out.substr(0, kMaxPacket / 2 - 64) + "\n[output truncated]\n";
    return to_hex(out);
  }
  return "";
}

std::optional<std::string> GdbSession::vpacket(const std::string& p) {
  if (p == "vCont?") return "vCont;c;C;s;S";
  if (p.rfind("vCont;", 0) == 0) {
    // The first action applies to our one thread.
    char action = p.size() > 6 ? p[6] : 0;
    if (action == 'c' || action == 'C') return resume(Resume::kContinue);
    if (action == 's' || action == 'S') return resume(Resume::kStep);
    return kBadArgs;
  }
  if (p.rfind("vKill", 0) == 0) {
    target_.kill();
    return "OK";
  }
  return "";
}

}  // namespace rwd::gdb
