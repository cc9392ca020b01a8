#include "util/strfmt.h"

#include <cstdio>

namespace rwd {

std::string vstrfmt(const char* format, va_list ap) {
  char small[256];
  va_list again;
  va_copy(again, ap);
  int n = std::vsnprintf(small, sizeof small, format, ap);
  if (n < 0) {
    va_end(again);
    return {};
  }
  if (static_cast<size_t>(n) < sizeof small) {
    va_end(again);
    return std::string(small, n);
  }
  std::string out(static_cast<size_t>(n), '\0');
  std::vsnprintf(out.data(), out.size() + 1, format, again);  // C++17: data() has room for the '\0'
  va_end(again);
  return out;
}

std::string strfmt(const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  std::string out = vstrfmt(format, ap);
  va_end(ap);
  return out;
}

}  // namespace rwd
