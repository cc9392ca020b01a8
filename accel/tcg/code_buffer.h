// Executable memory for compiled blocks: one mapping, filled front to back.
// Nothing is freed piecemeal; when it is full the engine drops every
// translation and starts again from the beginning (as QEMU does with its
// code_gen_buffer), which keeps allocation trivial and code densely packed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rwd {

class CodeBuffer {
 public:
  explicit CodeBuffer(size_t bytes) { resize(bytes); }
  ~CodeBuffer();
  CodeBuffer(const CodeBuffer&) = delete;
  CodeBuffer& operator=(const CodeBuffer&) = delete;

  // False when the host refused executable memory (then there is no JIT).
  bool usable() const { return base_ != nullptr; }
  size_t available() const { return size_ - used_; }
  // Copies `code` in and returns its address, or nullptr when it does not fit.
  const uint8_t* add(const std::vector<uint8_t>& code);
  // Forgets everything added (the caller has dropped every pointer into it).
  void reset() { used_ = 0; }
  // A new, empty buffer of `bytes` (same rule as reset()).
  void resize(size_t bytes);

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t used_ = 0;
};

}  // namespace rwd
