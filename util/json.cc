#include "util/json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace rwd {

Json::Json(uint64_t v) {
  if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    type_ = Type::kInt;
    i_ = static_cast<int64_t>(v);
  } else {
    type_ = Type::kUint;
    u_ = v;
  }
}

const std::string& Json::as_string() const {
  static const std::string empty;
  return is_string() ? s_ : empty;
}

bool Json::get_int64(int64_t& out) const {
  if (type_ != Type::kInt) return false;
  out = i_;
  return true;
}

bool Json::get_uint64(uint64_t& out) const {
  if (type_ == Type::kUint) {
    out = u_;
    return true;
  }
  if (type_ != Type::kInt || i_ < 0) return false;
  out = static_cast<uint64_t>(i_);
  return true;
}

double Json::as_double() const {
  switch (type_) {
    case Type::kInt: return static_cast<double>(i_);
    case Type::kUint: return static_cast<double>(u_);
    case Type::kDouble: return d_;
    default: return 0;
  }
}

Json& Json::push(Json v) {
  items_.push_back(std::move(v));
  return items_.back();
}

const Json* Json::find(std::string_view key) const {
  for (const Member& m : members_)
    if (m.first == key) return &m.second;
  return nullptr;
}

Json& Json::set(std::string key, Json v) {
  for (Member& m : members_)
    if (m.first == key) return m.second = std::move(v);
  members_.emplace_back(std::move(key), std::move(v));
  return members_.back().second;
}

bool operator==(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_integer() != b.is_integer()) return false;
    if (!a.is_integer()) return a.d_ == b.d_;
    return a.type_ == b.type_ && a.i_ == b.i_ && a.u_ == b.u_;
  }
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Json::Type::kBool: return a.b_ == b.b_;
    case Json::Type::kString: return a.s_ == b.s_;
    case Json::Type::kArray: return a.items_ == b.items_;
    case Json::Type::kObject: return a.members_ == b.members_;
    default: return true;
  }
}

// ---- serializing -------------------------------------------------------------

namespace {

void append_u16(std::string& out, unsigned v) {
  static const char kHex[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(v >> shift) & 0xf];
}

// Decodes one UTF-8 sequence at s[i]; returns its length (0: invalid).
size_t utf8_decode(std::string_view s, size_t i, uint32_t& cp) {
  auto c = static_cast<uint8_t>(s[i]);
  size_t len;
  uint32_t min;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xe0) == 0xc0) {
    len = 2, cp = c & 0x1f, min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3, cp = c & 0x0f, min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    auto cc = static_cast<uint8_t>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

void quote_to(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      case '\b': out += "\\b"; ++i; continue;
      case '\f': out += "\\f"; ++i; continue;
      default: break;
    }
    auto u = static_cast<uint8_t>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
      ++i;
      continue;
    }
    uint32_t cp;
    size_t len = utf8_decode(s, i, cp);
    if (len == 0) {
      cp = 0xfffd;
      len = 1;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      append_u16(out, 0xd800 | (cp >> 10));
      append_u16(out, 0xdc00 | (cp & 0x3ff));
    } else {
      append_u16(out, cp);
    }
    i += len;
  }
  out += '"';
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out;
  quote_to(out, s);
  return out;
}

std::string Json::dump(bool pretty) const {
  std::string out;
  dump_to(out, pretty, 0);
  return out;
}

void Json::dump_to(std::string& out, bool pretty, int indent) const {
  auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<size_t>(level) * 4, ' ');
  };
  switch (type_) {
    case Type::kNull: out += "null"; return;
    case Type::kBool: out += b_ ? "true" : "false"; return;
    case Type::kInt: out += std::to_string(i_); return;
    case Type::kUint: out += std::to_string(u_); return;
    case Type::kDouble: {
      if (!std::isfinite(d_)) {
        out += "null";  // JSON has no infinities
        return;
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d_);
      out += buf;
      // Keep it a float when read back.
      if (out.find_first_of(".eE", out.size() - std::char_traits<char>::length(buf)) == std::string::npos) out += ".0";
      return;
    }
    case Type::kString: quote_to(out, s_); return;
    case Type::kArray:
      out += '[';
      for (size_t k = 0; k < items_.size(); ++k) {
        if (k) out += pretty ? "," : ", ";
        if (pretty) newline(indent + 1);
        items_[k].dump_to(out, pretty, indent + 1);
      }
      if (pretty && !items_.empty()) newline(indent);
      out += ']';
      return;
    case Type::kObject:
      out += '{';
      for (size_t k = 0; k < members_.size(); ++k) {
        if (k) out += pretty ? "," : ", ";
        if (pretty) newline(indent + 1);
        quote_to(out, members_[k].first);
        out += ": ";
        members_[k].second.dump_to(out, pretty, indent + 1);
      }
      if (pretty && !members_.empty()) newline(indent);
      out += '}';
      return;
  }
}

// ---- parsing -----------------------------------------------------------------

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : t_(text) {}

  bool document(Json& out, std::string& err) {
    skip_ws();
    if (!value(out, 0)) {
      err = error_;
      return false;
    }
    skip_ws();
    if (pos_ != t_.size()) {
      err = "JSON parse error, unexpected " + describe() + " after the value";
      return false;
    }
    return true;
  }

 private:
  bool fail(const std::string& what) {
    if (error_.empty()) error_ = "JSON parse error, " + what;
    return false;
  }
  std::string describe() const {
    if (pos_ >= t_.size()) return "end of input";
    auto c = static_cast<uint8_t>(t_[pos_]);
    char buf[64];
    if (c >= 0x20 && c < 0x7f) std::snprintf(buf, sizeof buf, "'%c' at offset %zu", c, pos_);
    else std::snprintf(buf, sizeof buf, "byte 0x%02x at offset %zu", static_cast<unsigned>(c), pos_);
    return buf;
  }
  void skip_ws() {
    while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\t' || t_[pos_] == '\n' || t_[pos_] == '\r')) ++pos_;
  }
  bool eat(char c) {
    if (pos_ < t_.size() && t_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool keyword(const char* word) {
    std::string_view w(word);
    if (t_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }

  bool value(Json& out, int depth) {
    if (pos_ >= t_.size()) return fail("unexpected end of input");
    char c = t_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= Json::kMaxDepth) return fail("nesting deeper than " + std::to_string(Json::kMaxDepth) + " levels");
      return c == '{' ? object(out, depth + 1) : array(out, depth + 1);
    }
    if (c == '"') {
      std::string s;
      if (!string(s)) return false;
      out = Json(std::move(s));
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number(out);
    if (keyword("true")) return out = Json(true), true;
    if (keyword("false")) return out = Json(false), true;
    if (keyword("null")) return out = Json(), true;
    return fail("unexpected " + describe());
  }

  bool object(Json& out, int depth) {
    ++pos_;  // '{'
    out = Json::object();
    skip_ws();
    if (eat('}')) return true;
    for (;;) {
      skip_ws();
      if (pos_ >= t_.size() || t_[pos_] != '"') return fail("expected a member name, got " + describe());
      std::string key;
      if (!string(key)) return false;
      if (out.find(key)) return fail("duplicate key '" + key + "'");
      skip_ws();
      if (!eat(':')) return fail("expected ':', got " + describe());
      skip_ws();
      Json v;
      if (!value(v, depth)) return false;
      out.set(std::move(key), std::move(v));
      skip_ws();
      if (eat('}')) return true;
      if (!eat(',')) return fail("expected ',' or '}', got " + describe());
    }
  }

  bool array(Json& out, int depth) {
    ++pos_;  // '['
    out = Json::array();
    skip_ws();
    if (eat(']')) return true;
    for (;;) {
      skip_ws();
      Json v;
      if (!value(v, depth)) return false;
      out.push(std::move(v));
      skip_ws();
      if (eat(']')) return true;
      if (!eat(',')) return fail("expected ',' or ']', got " + describe());
    }
  }

  bool hex4(uint32_t& v) {
    if (pos_ + 4 > t_.size()) return fail("truncated \\u escape");
    v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = t_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else return fail("invalid \\u escape");
    }
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // '"'
    for (;;) {
      if (pos_ >= t_.size()) return fail("unterminated string");
      auto c = static_cast<uint8_t>(t_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return fail("control character in a string at offset " + std::to_string(pos_));
      if (c == '\\') {
        ++pos_;
        if (!escape(out)) return false;
        continue;
      }
      uint32_t cp;
      size_t len = utf8_decode(t_, pos_, cp);
      if (len == 0) return fail("invalid UTF-8 at offset " + std::to_string(pos_));
      out.append(t_.substr(pos_, len));
      pos_ += len;
    }
  }

  bool escape(std::string& out) {
    if (pos_ >= t_.size()) return fail("unterminated string");
    char e = t_[pos_++];
    switch (e) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return fail(std::string("invalid escape '\\") + (e >= 0x20 && e < 0x7f ? std::string(1, e) : "?") + "'");
    }
    uint32_t cp;
    if (!hex4(cp)) return false;
    if (cp == 0) return fail("\\u0000 is not supported");
    if (cp >= 0xdc00 && cp <= 0xdfff) return fail("lone low surrogate");
    if (cp >= 0xd800 && cp <= 0xdbff) {
      uint32_t lo;
      if (!keyword("\\u") || !hex4(lo) || lo < 0xdc00 || lo > 0xdfff) return fail("lone high surrogate");
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    append_utf8(out, cp);
    return true;
  }

  bool digits() {
    size_t start = pos_;
    while (pos_ < t_.size() && t_[pos_] >= '0' && t_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool number(Json& out) {
    size_t start = pos_;
    bool negative = eat('-');
    if (pos_ < t_.size() && t_[pos_] == '0') {
      ++pos_;
      if (pos_ < t_.size() && t_[pos_] >= '0' && t_[pos_] <= '9') return fail("leading zero in a number");
    } else if (!digits()) {
      return fail("invalid number");
    }
    bool integral = true;
    if (eat('.')) {
      integral = false;
      if (!digits()) return fail("invalid number");
    }
    if (pos_ < t_.size() && (t_[pos_] == 'e' || t_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (!eat('+')) eat('-');
      if (!digits()) return fail("invalid number");
    }
    std::string text(t_.substr(start, pos_ - start));
    if (integral) {
      errno = 0;
      if (negative) {
        long long v = std::strtoll(text.c_str(), nullptr, 10);
        if (errno == 0) return out = Json(static_cast<int64_t>(v)), true;
      } else {
        unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
        if (errno == 0) return out = Json(static_cast<uint64_t>(v)), true;
      }
      // Out of 64-bit range: a float, as QEMU reads it.
    }
    out = Json(std::strtod(text.c_str(), nullptr));
    return true;
  }

  std::string_view t_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

bool Json::parse(std::string_view text, Json& out, std::string& err) {
  Parser p(text);
  Json v;
  if (!p.document(v, err)) return false;
  out = std::move(v);
  return true;
}

}  // namespace rwd
