#include "ui/screendump.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ui/display.h"
#include "ui/png_writer.h"

namespace rwd {

std::vector<uint8_t> surface_rgb(const DisplaySurface& s) {
  std::vector<uint8_t> rgb(size_t(s.width()) * s.height() * 3);
  uint8_t* p = rgb.data();
  for (int y = 0; y < s.height(); ++y) {
    const uint32_t* row = s.row(y);
    for (int x = 0; x < s.width(); ++x) {
      uint32_t v = row[x];  // x8r8g8b8 in a host word
      *p++ = static_cast<uint8_t>(v >> 16);
      *p++ = static_cast<uint8_t>(v >> 8);
      *p++ = static_cast<uint8_t>(v);
    }
  }
  return rgb;
}

std::vector<uint8_t> encode_ppm(const DisplaySurface& s) {
  std::string header = "P6\n" + std::to_string(s.width()) + " " + std::to_string(s.height()) + "\n255\n";
  std::vector<uint8_t> out(header.begin(), header.end());
  std::vector<uint8_t> rgb = surface_rgb(s);
  out.insert(out.end(), rgb.begin(), rgb.end());
  return out;
}

std::vector<uint8_t> encode_png(const DisplaySurface& s) {
  std::vector<uint8_t> rgb = surface_rgb(s);
  return encode_png_rgb(rgb.data(), static_cast<uint32_t>(s.width()), static_cast<uint32_t>(s.height()));
}

namespace {

bool fail(ScreendumpError& err, std::string message, std::string cls = "GenericError") {
  err.error_class = std::move(cls);
  err.message = std::move(message);
  return false;
}

}  // namespace

bool screendump(DisplaySet& displays, const std::string& path, const std::string& device, int64_t head,
                const std::string& format, ScreendumpError& err) {
  if (!format.empty() && format != "ppm" && format != "png")
    return fail(err, "Parameter 'format' does not accept value '" + format + "'");
  DisplayConsole* con = nullptr;
  if (device.empty()) {
    con = displays.console(0);
    if (!con) return fail(err, "There is no console to take a screendump from (no display device)");
  } else {
    for (size_t i = 0; i < displays.size(); ++i)
      if (displays.console(i)->name() == device) con = displays.console(i);
    if (!con) return fail(err, "Device '" + device + "' not found", "DeviceNotFound");
  }
  // One head per console: the devices have one scanout.
  if (head != 0) return fail(err, "Device '" + device + "' has no head " + std::to_string(head));
  const DisplaySurface* s = con->surface();
  if (!s) return fail(err, "The display has no picture (the guest has not enabled its scanout)");
  std::vector<uint8_t> bytes = format == "png" ? encode_png(*s) : encode_ppm(*s);
  if (bytes.empty()) return fail(err, "screendump: out of memory encoding the image");
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return fail(err, "Could not open '" + path + "': " + std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  int saved = errno;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    std::remove(path.c_str());
    return fail(err, "Could not write '" + path + "': " + std::strerror(saved ? saved : errno));
  }
  return true;
}

}  // namespace rwd
