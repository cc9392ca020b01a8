// The one binary codec of rewind: little-endian fixed-width and LEB128
// variable-length integers, length-prefixed byte strings, and tagged sections.
// The rrfile, machine snapshots and every device's saved state are written
// with ByteWriter and read with ByteReader. The reader is bounds-checked:
// every read of a malformed or truncated buffer throws DecodeError instead of
// reading past the end.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace rwd {

// Input that does not decode: a damaged rrfile, snapshot or saved state.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteWriter {
 public:
  void u8(uint8_t v) { buf_.push_back(v); }
  void u32(uint32_t v) { bytes(&v, 4); }  // hosts are little-endian (checked at build)
  void u64(uint64_t v) { bytes(&v, 8); }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      buf_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    buf_.push_back(static_cast<uint8_t>(v));
  }
  void svarint(int64_t v) { varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  void blob(const void* p, size_t n) {
    varint(n);
    bytes(p, n);
  }
  void str(const std::string& s) { blob(s.data(), s.size()); }
  // A section tag lets a reader detect that it is reading the wrong device:
  // u32 length, then the tag's bytes.
  void section(const std::string& tag) {
    u32(static_cast<uint32_t>(tag.size()));
    bytes(tag.data(), tag.size());
  }
  std::vector<uint8_t>& buffer() { return buf_; }
  const std::vector<uint8_t>& data() const { return buf_; }
  size_t size() const { return buf_.size(); }
  void clear() { buf_.clear(); }

 private:
  std::vector<uint8_t> buf_;
};

class ByteReader {
 public:
  ByteReader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  explicit ByteReader(const std::vector<uint8_t>& v) : ByteReader(v.data(), v.size()) {}
  bool at_end() const { return p_ == end_; }
  size_t left() const { return static_cast<size_t>(end_ - p_); }
  size_t offset_from(const uint8_t* base) const { return static_cast<size_t>(p_ - base); }
  uint8_t u8() {
    need(1);
    return *p_++;
  }
  uint32_t u32() {
    uint32_t v;
    bytes(&v, 4);
    return v;
  }
  uint64_t u64() {
    uint64_t v;
    bytes(&v, 8);
    return v;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = u8();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        if (shift == 63 && b > 1) break;  // more than 64 bits
        return v;
      }
    }
    throw DecodeError("integer too long");
  }
  int64_t svarint() {
    uint64_t v = varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  void bytes(void* out, size_t n) {
    need(n);
    if (n == 0) return;  // `out` may be null then (an empty vector's data())
    std::memcpy(out, p_, n);
    p_ += n;
  }
  // A length-prefixed byte string of at most `max` bytes.
  std::vector<uint8_t> blob(size_t max) {
    uint64_t n = varint();
    if (n > max || n > left()) throw DecodeError("byte string longer than its record");
    std::vector<uint8_t> out(p_, p_ + n);
    p_ += n;
    return out;
  }
  std::string str(size_t max) {
    std::vector<uint8_t> b = blob(max);
    return std::string(b.begin(), b.end());
  }
  void expect_section(const std::string& tag) {
    uint32_t n = u32();
    if (n != tag.size() || n > left()) throw DecodeError("expected section '" + tag + "'");
    std::string got(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    if (got != tag) throw DecodeError("expected section '" + tag + "', found '" + got + "'");
  }

 private:
  void need(size_t n) const {
    if (left() < n) throw DecodeError("record ends early");
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace rwd
