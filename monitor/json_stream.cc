#include "monitor/json_stream.h"

namespace rwd {

void JsonStream::reset() {
  buf_.clear();
  length_ = 0;
  depth_ = 0;
  in_string_ = escaped_ = scalar_ = false;
}

void JsonStream::add(char c) {
  ++length_;
  if (length_ <= limit_) buf_ += c;
  else buf_.clear();
}

void JsonStream::emit() {
  bool overflow = length_ > limit_;
  std::string text = std::move(buf_);
  reset();
  sink_(overflow ? std::string() : text, overflow);
}

void JsonStream::feed(const uint8_t* data, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    char c = static_cast<char>(data[i]);
    if (data[i] == 0xff) {
      reset();
      continue;
    }
    if (in_string_) {
      add(c);
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"') {
        in_string_ = false;
        if (depth_ == 0) emit();  // a top-level string is a whole piece
      }
      continue;
    }
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (depth_ == 0 && scalar_ && (space || c == '{' || c == '[' || c == '"' || c == '}' || c == ']')) {
      emit();  // the scalar token ends here; c starts something new
    }
    if (depth_ == 0 && space) continue;
    add(c);
    switch (c) {
      case '"': in_string_ = true; break;
      case '{':
      case '[': ++depth_; break;
      case '}':
      case ']':
        if (depth_ == 0) {
          emit();  // a stray closer: one piece, one error
        } else if (--depth_ == 0) {
          emit();
        }
        break;
      default:
        if (depth_ == 0) scalar_ = true;
    }
  }
}

}  // namespace rwd
