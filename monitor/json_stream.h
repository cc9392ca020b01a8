// Splits a byte stream into JSON texts, as a QMP server reads its input:
// objects and arrays end at their matching bracket (brackets inside strings
// do not count), a top-level scalar ends at whitespace or the next bracket.
// Nothing is parsed here (util/json.h does that), so malformed text still
// comes out as one piece and gets one error reply. A piece longer than the
// limit is not kept: it comes out as an overflow, once its end is seen, so
// the stream stays in step with the client. A 0xff byte drops any partial
// piece (QEMU's resynchronisation point).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace rwd {

class JsonStream {
 public:
  static constexpr size_t kDefaultLimit = 1 << 20;
  // `text` is the piece; `overflow` says it was longer than the limit (text empty).
  using Sink = std::function<void(const std::string& text, bool overflow)>;

  explicit JsonStream(Sink sink, size_t limit = kDefaultLimit) : sink_(std::move(sink)), limit_(limit) {}
  void feed(const uint8_t* data, size_t len);
  void reset();
  // Bytes of an unfinished piece held now.
  size_t pending() const { return buf_.size(); }

 private:
  void add(char c);
  void emit();

  Sink sink_;
  size_t limit_;
  std::string buf_;
  size_t length_ = 0;  // of the current piece, kept or not
  uint64_t depth_ = 0;
  bool in_string_ = false, escaped_ = false;
  bool scalar_ = false;  // a top-level token outside brackets
};

}  // namespace rwd
