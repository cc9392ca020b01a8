// A minimal, bounds-checked binary stream for device and CPU state. Every
// device saves and loads itself through it, so that snapshots (rrsnapshot,
// reverse debugging) and state hashing stand on one mechanism from day one.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace rwd {

class StateWriter {
 public:
  void put_u8(uint8_t v) { put_bytes(&v, 1); }
  void put_u32(uint32_t v) { put_bytes(&v, sizeof v); }
  void put_u64(uint64_t v) { put_bytes(&v, sizeof v); }
  void put_bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  // A section tag lets a reader detect that it is reading the wrong device.
  void begin(const std::string& tag) {
    put_u32(static_cast<uint32_t>(tag.size()));
    put_bytes(tag.data(), tag.size());
  }
  const std::vector<uint8_t>& bytes() const { return buf_; }

 private:
  std::vector<uint8_t> buf_;
};

class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StateReader {
 public:
  StateReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  uint8_t get_u8() { uint8_t v; get_bytes(&v, 1); return v; }
  uint32_t get_u32() { uint32_t v; get_bytes(&v, sizeof v); return v; }
  uint64_t get_u64() { uint64_t v; get_bytes(&v, sizeof v); return v; }
  void get_bytes(void* out, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) throw StateError("state stream truncated");
    std::memcpy(out, p_, n);
    p_ += n;
  }
  void expect(const std::string& tag) {
    uint32_t n = get_u32();
    if (n != tag.size()) throw StateError("state stream: expected section '" + tag + "'");
    std::string got(n, '\0');
    get_bytes(got.data(), n);
    if (got != tag) throw StateError("state stream: expected section '" + tag + "', found '" + got + "'");
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace rwd
