#include "util/log.h"

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <sstream>

namespace rwd {

namespace {
struct ItemName {
  const char* name;
  uint32_t bit;
  const char* help;
};
constexpr ItemName kItems[] = {
    {"in_asm", kLogInAsm, "show target assembly code for each compiled TB"},
    {"exec", kLogExec, "show trace before each executed TB"},
    {"cpu", kLogCpu, "show CPU registers before entering a TB"},
    {"fpu", kLogFpu, "include FPU registers in the 'cpu' logging"},
    {"int", kLogInt, "show interrupts/exceptions"},
    {"mmu", kLogMmu, "log MMU-related activities"},
    {"guest_errors", kLogGuestErrors, "log when the guest OS does something invalid"},
    {"unimp", kLogUnimp, "log unimplemented functionality"},
    {"nochain", kLogNochain, "accepted for compatibility (logging already sees every TB)"},
};
}  // namespace

bool Logger::parse_items(const std::string& list, std::string& bad) {
  std::stringstream ss(list);
  std::string item;
  uint32_t mask = 0;
  while (std::getline(ss, item, ',')) {
    if (item == "all") {
      for (const auto& i : kItems) mask |= i.bit;
      continue;
    }
    bool found = false;
    for (const auto& i : kItems) {
      if (item == i.name) {
        mask |= i.bit;
        found = true;
      }
    }
    if (!found) {
      bad = item;
      return false;
    }
  }
  mask_ |= mask;
  return true;
}

std::string Logger::help() {
  std::string s = "Log items (comma separated):\n";
  for (const auto& i : kItems) {
    s += "  ";
    s += i.name;
    s += std::string(14 - std::strlen(i.name), ' ');
    s += i.help;
    s += "\n";
  }
  return s;
}

bool Logger::open(const std::string& path, std::string& err) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) {
    err = std::strerror(errno);
    return false;
  }
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  out_ = f;
  return true;
}

void Logger::printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(out(), fmt, ap);
  va_end(ap);
}

Logger& logger() {
  static Logger instance;
  return instance;
}

}  // namespace rwd
