#include "hw/virtio/virtio_gpu_options.h"

#include <cerrno>
#include <cstdlib>

#include "ui/display.h"

namespace rwd {

namespace {

// A decimal number, with an optional K/M/G suffix (binary units) when
// `sizes` is set.
bool parse_number(const std::string& v, bool sizes, uint64_t& out) {
  if (v.empty() || v[0] < '0' || v[0] > '9') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (errno) return false;
  std::string suffix(end);
  unsigned shift = 0;
  if (sizes && suffix.size() == 1) {
    switch (suffix[0]) {
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
      default: return false;
    }
  } else if (!suffix.empty()) {
    return false;
  }
  if (shift && n > (~0ull >> shift)) return false;
  out = n << shift;
  return true;
}

}  // namespace

bool parse_gpu_config(const std::map<std::string, std::string>& props, GpuConfig& cfg, std::string& err) {
  for (const auto& [key, value] : props) {
    uint64_t n = 0;
    auto bad = [&](const std::string& why) { return err = key + "=" + value + ": " + why, false; };
    if (key == "xres" || key == "yres") {
      uint64_t max = key == "xres" ? DisplayConsole::kMaxWidth : DisplayConsole::kMaxHeight;
      if (!parse_number(value, false, n) || n == 0 || n > max)
        return bad("expected a number of pixels from 1 to " + std::to_string(max));
      (key == "xres" ? cfg.xres : cfg.yres) = static_cast<uint32_t>(n);
    } else if (key == "max_outputs") {
      if (!parse_number(value, false, n) || n == 0) return bad("expected a number of outputs");
      if (n > 1) return bad("only one output (scanout) is supported");
      cfg.max_outputs = static_cast<unsigned>(n);
    } else if (key == "edid") {
      if (value == "on" || value == "true" || value == "yes")
        cfg.edid = true;
      else if (value == "off" || value == "false" || value == "no")
        cfg.edid = false;
      else
        return bad("expected on or off");
    } else if (key == "max_hostmem") {
      // At least one 1x1 resource; at most 4 GiB (the bound is for the host's sake).
      if (!parse_number(value, true, n) || n < 4 || n > (4ull << 30)) return bad("expected a size from 4 to 4G");
      cfg.max_hostmem = n;
    }
  }
  return true;
}

}  // namespace rwd
