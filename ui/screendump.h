// screendump: a console's picture as a file, PPM (binary P6, as QEMU
// writes it) or PNG. Used by HMP `screendump` and QMP `screendump`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rwd {

class DisplaySet;
class DisplaySurface;

// The surface's pixels as 8-bit R, G, B, rows top to bottom.
std::vector<uint8_t> surface_rgb(const DisplaySurface& s);
std::vector<uint8_t> encode_ppm(const DisplaySurface& s);
std::vector<uint8_t> encode_png(const DisplaySurface& s);

struct ScreendumpError {
  std::string error_class;  // QMP's: "GenericError", "DeviceNotFound"
  std::string message;      // one line, no newline
};

// Writes the console named `device` (console 0 when empty), head `head`,
// to `path` in `format` ("ppm", "png"; "" is ppm). Returns true, or false
// with the reason in `err`.
bool screendump(DisplaySet& displays, const std::string& path, const std::string& device, int64_t head,
                const std::string& format, ScreendumpError& err);

}  // namespace rwd
