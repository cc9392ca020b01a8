#include "accel/tcg/code_buffer.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>

namespace rwd {

// Read-write-execute: code is appended while other blocks in the same pages
// run. A hardened host that forbids such mappings just gets no JIT (the
// engine falls back to its threaded interpreter), never an error.
void CodeBuffer::resize(size_t bytes) {
  if (base_) munmap(base_, size_);
  base_ = nullptr;
  size_ = used_ = 0;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) return;
  base_ = static_cast<uint8_t*>(p);
  size_ = bytes;
  // Transparent huge pages where the host allows them (best effort): a
  // Linux boot translates tens of megabytes of code, and first touching the
  // buffer 4 KiB at a time cost a page fault each (about 6% of a boot's
  // time); 2 MiB pages also take fewer iTLB entries when the code runs.
  constexpr uintptr_t kHuge = 2u << 20;
  uintptr_t start = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
#ifdef MADV_HUGEPAGE
  if (end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
#endif
}

CodeBuffer::~CodeBuffer() {
  if (base_) munmap(base_, size_);
}

const uint8_t* CodeBuffer::add(const std::vector<uint8_t>& code) {
  size_t start = (used_ + 15) & ~size_t{15};  // blocks start 16-byte aligned
  if (!base_ || start + code.size() > size_) return nullptr;
  std::memcpy(base_ + start, code.data(), code.size());
  used_ = start + code.size();
  return base_ + start;
}

}  // namespace rwd
