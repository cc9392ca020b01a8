// QEMU-style diagnostic logging: `-d item,item` selects what is logged,
// `-D file` where, and `-log-bound start=N,end=M` restricts it to an
// instruction-count window.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace rwd {

enum LogItem : uint32_t {
  kLogInAsm = 1u << 0,        // disassembly of each newly translated block
  kLogExec = 1u << 1,         // each executed block
  kLogCpu = 1u << 2,          // CPU state before each executed block
  kLogInt = 1u << 3,          // interrupts and exceptions taken
  kLogMmu = 1u << 4,          // page faults and TLB flushes
  kLogGuestErrors = 1u << 5,  // guest mis-programming devices or using unmapped memory
  kLogUnimp = 1u << 6,        // guest using unimplemented features
  kLogNochain = 1u << 7,      // accepted for QEMU compatibility; blocks are never chained past logging
  kLogFpu = 1u << 8,          // include FP registers in the cpu dump
};

class Logger {
 public:
  // Parses "in_asm,exec,..."; returns false and sets `bad` on an unknown item.
  bool parse_items(const std::string& list, std::string& bad);
  static std::string help();
  bool open(const std::string& path, std::string& err);
  void set_window(uint64_t start, uint64_t end) {
    window_start_ = start;
    window_end_ = end;
  }

  // Fast check used on hot paths: is `item` wanted at all?
  bool wants(uint32_t item) const { return (mask_ & item) != 0; }
  // Is `item` wanted at instruction count `icount`?
  bool wants(uint32_t item, uint64_t icount) const {
    return (mask_ & item) && icount >= window_start_ && icount < window_end_;
  }
  uint32_t mask() const { return mask_; }
  FILE* out() const { return out_ ? out_ : stderr; }
  void printf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

 private:
  uint32_t mask_ = 0;
  uint64_t window_start_ = 0;
  uint64_t window_end_ = ~0ull;
  FILE* out_ = nullptr;
};

// The process-wide logger (logging is a property of the process, as in QEMU).
Logger& logger();

}  // namespace rwd
