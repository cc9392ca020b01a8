// The gdb remote serial protocol's framing ("Overview" and "Packets" in
// gdb's manual, appendix E): `$data#cs` with a two-digit checksum, `}`
// escapes for binary data, `+`/`-` acknowledgements, and a lone 0x03 byte
// for an interrupt. Bytes from the debugger are untrusted: anything
// malformed or too long is dropped and answered with `-`, never a crash.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rwd::gdb {

// The largest packet body rewind takes or sends (advertised as PacketSize).
inline constexpr size_t kMaxPacket = 0x4000;

class PacketDecoder {
 public:
  struct Item {
    enum class Kind { kPacket, kBadPacket, kInterrupt, kAck, kNak };
    Kind kind;
    std::string body;  // kPacket: the unescaped payload
  };
  // Feeds bytes; complete items are appended to `out`.
  void feed(const uint8_t* data, size_t len, std::vector<Item>& out);

 private:
  enum class State { kIdle, kBody, kEscape, kSum1, kSum2 };
  State state_ = State::kIdle;
  std::string body_;
  uint8_t sum_ = 0;
  int got_sum_ = 0;
  bool too_long_ = false;
};

// `$body#cs`, with `$ # } *` in the body escaped.
std::string frame(const std::string& body);

// Hex helpers: lowercase output; parsers reject anything else (and overflow).
std::string to_hex(const uint8_t* data, size_t len);
std::string to_hex(const std::string& s);
bool from_hex(const std::string& hex, std::vector<uint8_t>& out);
bool parse_hex_u64(const std::string& s, uint64_t& out);

}  // namespace rwd::gdb
