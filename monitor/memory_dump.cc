#include "monitor/memory_dump.h"

#include <cctype>
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "target/riscv/decode.h"
#include "util/strfmt.h"

namespace rwd {

namespace {

constexpr unsigned kMaxCount = 65536;

std::string disassembly(MonitorTarget& t, bool physical, uint64_t addr, unsigned count) {
  std::string out;
  auto read = [&](uint64_t a, void* buf, size_t n) { return physical ? t.read_phys(a, buf, n) : t.read_virt(a, buf, n); };
  for (unsigned i = 0; i < count; ++i) {
    uint16_t lo;
    uint32_t raw = 0;
    if (!read(addr, &lo, 2)) return out + "Cannot access memory\n";
    unsigned len = riscv::insn_length(lo);
    if (len == 4) {
      uint16_t hi;
      if (!read(addr + 2, &hi, 2)) return out + "Cannot access memory\n";
      raw = lo | static_cast<uint32_t>(hi) << 16;
      out += strfmt("0x%016" PRIx64 ":  %08" PRIx32 "          %s\n", addr, raw, riscv::disassemble(raw, addr).c_str());
    } else {
      raw = lo;
      out += strfmt("0x%016" PRIx64 ":  %04" PRIx32 "              %s\n", addr, raw, riscv::disassemble(raw, addr).c_str());
    }
    addr += len;
  }
  return out;
}

std::string one_value(const DumpFormat& f, uint64_t v) {
  int bits = static_cast<int>(f.size * 8);
  switch (f.format) {
    case 'x': return strfmt("0x%0*" PRIx64, static_cast<int>(f.size * 2), v);
    case 'o': return strfmt("%#*" PRIo64, (bits + 2) / 3, v);
    case 'u': return strfmt("%*" PRIu64, (bits * 10 + 32) / 33, v);
    case 'd': {
      int64_t s = bits == 64 ? static_cast<int64_t>(v) : static_cast<int64_t>(v << (64 - bits)) >> (64 - bits);
      return strfmt("%*" PRId64, (bits * 10 + 32) / 33, s);
    }
    case 'c': {
      uint8_t c = static_cast<uint8_t>(v);
      if (c == '\'' || c == '\\') return strfmt("'\\%c'", c);
      if (c == '\n') return "'\\n'";
      if (c == '\r') return "'\\r'";
      if (std::isprint(c)) return strfmt("'%c'", c);
      return strfmt("'\\x%02x'", c);
    }
  }
  return "?";
}

}  // namespace

bool parse_dump_format(const std::string& text, DumpFormat& f, std::string& err) {
  if (text.empty() || text[0] != '/') return err = "format must start with '/' (for example /4xw)", false;
  size_t i = 1;
  if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    unsigned long n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && n <= kMaxCount) n = n * 10 + (text[i++] - '0');
    if (n == 0 || n > kMaxCount) return err = "count must be from 1 to " + std::to_string(kMaxCount), false;
    f.count = static_cast<unsigned>(n);
  }
  bool size_given = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::strchr("xduoci", c)) {
      f.format = c;
    } else if (std::strchr("bhwg", c)) {
      f.size = c == 'b' ? 1 : c == 'h' ? 2 : c == 'w' ? 4 : 8;
      size_given = true;
    } else {
      return err = std::string("invalid char in format: '") + c + "'", false;
    }
  }
  if (f.format == 'c' && !size_given) f.size = 1;
  return true;
}

std::string dump_memory(MonitorTarget& t, bool physical, uint64_t addr, const DumpFormat& f) {
  if (f.format == 'i') return disassembly(t, physical, addr, f.count);
  const unsigned line_bytes = f.size == 1 ? 8 : 16;
  std::string out;
  uint64_t total = static_cast<uint64_t>(f.count) * f.size;
  for (uint64_t done = 0; done < total;) {
    out += strfmt("%016" PRIx64 ":", addr + done);
    unsigned in_line = static_cast<unsigned>(std::min<uint64_t>(line_bytes, total - done));
    for (unsigned j = 0; j < in_line; j += f.size) {
      uint8_t bytes[8];
      bool ok = physical ? t.read_phys(addr + done, bytes, f.size) : t.read_virt(addr + done, bytes, f.size);
      if (!ok) return out + "\nCannot access memory\n";
      uint64_t v = 0;
      for (unsigned k = f.size; k-- > 0;) v = v << 8 | bytes[k];  // little endian
      out += ' ';
      out += one_value(f, v);
      done += f.size;
    }
    out += "\n";
  }
  return out;
}

}  // namespace rwd
