#include "gdbstub/packet.h"

namespace rwd::gdb {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void PacketDecoder::feed(const uint8_t* data, size_t len, std::vector<Item>& out) {
  for (size_t i = 0; i < len; ++i) {
    uint8_t c = data[i];
    switch (state_) {
      case State::kIdle:
        if (c == '$') {
          state_ = State::kBody;
          body_.clear();
          sum_ = 0;
          got_sum_ = 0;
          too_long_ = false;
        } else if (c == 0x03) {
          out.push_back({Item::Kind::kInterrupt, ""});
        } else if (c == '+') {
          out.push_back({Item::Kind::kAck, ""});
        } else if (c == '-') {
          out.push_back({Item::Kind::kNak, ""});
        }  // anything else between packets is noise
        break;
      case State::kBody:
      case State::kEscape:
        if (c == '#') {
          state_ = State::kSum1;
          break;
        }
        if (c == '$') {  // a new packet before this one ended: this one is lost
          out.push_back({Item::Kind::kBadPacket, ""});
          body_.clear();
          sum_ = 0;
          too_long_ = false;
          state_ = State::kBody;
          break;
        }
        sum_ = static_cast<uint8_t>(sum_ + c);
        if (state_ == State::kEscape) {
          c ^= 0x20;
          state_ = State::kBody;
        } else if (c == '}') {
          state_ = State::kEscape;
          break;
        }
        if (body_.size() >= kMaxPacket) too_long_ = true;
        else body_.push_back(static_cast<char>(c));
        break;
      case State::kSum1:
      case State::kSum2: {
        int d = hex_digit(static_cast<char>(c));
        if (d < 0) {
          out.push_back({Item::Kind::kBadPacket, ""});
          state_ = State::kIdle;
          break;
        }
        got_sum_ = got_sum_ * 16 + d;
        if (state_ == State::kSum1) {
          state_ = State::kSum2;
          break;
        }
        state_ = State::kIdle;
        if (too_long_ || got_sum_ != sum_) out.push_back({Item::Kind::kBadPacket, ""});
        else out.push_back({Item::Kind::kPacket, std::move(body_)});
        body_.clear();
        break;
      }
    }
  }
}

std::string frame(const std::string& body) {
  std::string out = "$";
  uint8_t sum = 0;
  for (char ch : body) {
    if (ch == '$' || ch == '#' || ch == '}' || ch == '*') {
      out.push_back('}');
      sum = static_cast<uint8_t>(sum + '}');
      ch = static_cast<char>(ch ^ 0x20);
    }
    out.push_back(ch);
    sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(ch));
  }
  static const char kDigits[] = "0123456789abcdef";
  out.push_back('#');
  out.push_back(kDigits[sum >> 4]);
  out.push_back(kDigits[sum & 15]);
  return out;
}

std::string to_hex(const uint8_t* data, size_t len) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (size_t i = 0; i < len; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

std::string to_hex(const std::string& s) { return to_hex(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

bool from_hex(const std::string& hex, std::vector<uint8_t>& out) {
  if (hex.size() % 2) return false;
  out.clear();
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return true;
}

bool parse_hex_u64(const std::string& s, uint64_t& out) {
  if (s.empty() || s.size() > 16) return false;
  out = 0;
  for (char c : s) {
    int d = hex_digit(c);
    if (d < 0) return false;
    out = out * 16 + static_cast<uint64_t>(d);
  }
  return true;
}

}  // namespace rwd::gdb
