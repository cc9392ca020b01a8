// printf into a std::string, any length (reports and monitor answers are
// built line by line with it).
#pragma once
#include <cstdarg>
#include <string>

namespace rwd {

std::string strfmt(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string vstrfmt(const char* format, va_list ap) __attribute__((format(printf, 1, 0)));

}  // namespace rwd
