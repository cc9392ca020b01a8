#include "system/drive_options.h"

#include <map>
#include <set>
#include <sstream>

namespace rwd {

namespace {

// QEMU's option syntax: key=value pairs separated by commas, ",," for a
// comma inside a value (file names).
std::vector<std::pair<std::string, std::string>> split(const std::string& s) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string item;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] == ',' && i + 1 < s.size() && s[i + 1] == ',') {
      item += ',';
      ++i;
    } else if (i == s.size() || s[i] == ',') {
      auto eq = item.find('=');
      out.emplace_back(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
      item.clear();
    } else {
      item += s[i];
    }
  }
  return out;
}

bool bool_text(const std::string& v, bool& out) {
  if (v == "on" || v == "true" || v == "yes") return out = true, true;
  if (v == "off" || v == "false" || v == "no") return out = false, true;
  return false;
}

bool one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (v == a) return true;
  return false;
}

}  // namespace

bool parse_drive_spec(const std::string& arg, DriveSpec& d, std::string& err) {
  d = DriveSpec{};
  d.origin = "-drive " + arg;
  d.interface = "virtio";  // the virt machine's default, as in QEMU
  auto fail = [&](const std::string& why) { return err = d.origin + ": " + why, false; };
  DriveConfig& c = d.config;
  for (auto& [k, v] : split(arg)) {
    if (k == "file" || k == "file.filename") c.file = v;
    else if (k == "id") c.id = v;
    else if (k == "if") {
      if (v != "none" && v != "virtio" && v != "pflash")
        return fail("if=" + v + " is not supported on the virt machine (if=none with -device, if=virtio or if=pflash)");
      d.interface = v;
    } else if (k == "format") {
      if (!one_of(v, {"raw", "qcow2"})) return fail("format '" + v + "' is not supported (raw or qcow2)");
      c.format = v;
    } else if (k == "driver") {
      if (v == "blkreplay") d.blkreplay = true;
      else if (one_of(v, {"raw", "qcow2"})) c.format = v;
      else if (v != "file") return fail("driver '" + v + "' is not supported (raw, qcow2, file or blkreplay)");
    } else if (k == "image") {
      d.image = v;
    } else if (k == "readonly" || k == "read-only") {
      if (!bool_text(v, c.read_only)) return fail(k + " must be on or off");
    } else if (k == "snapshot") {
      if (!bool_text(v, c.snapshot)) return fail("snapshot must be on or off");
    } else if (k == "cache") {
      if (!one_of(v, {"writeback", "none", "writethrough", "directsync", "unsafe"}))
        return fail("cache=" + v + " is not a cache mode (writeback, none, writethrough, directsync, unsafe)");
      c.cache = v;
    } else if (k == "aio") {
      if (!one_of(v, {"threads", "native", "io_uring"})) return fail("aio=" + v + " (threads, native, io_uring)");
      c.aio = v;
    } else if (k == "discard") {
      if (!one_of(v, {"ignore", "off", "unmap", "on"})) return fail("discard=" + v + " (ignore or unmap)");
      c.discard = v == "on" ? "unmap" : v == "off" ? "ignore" : v;
    } else if (k == "detect-zeroes") {
      if (!one_of(v, {"off", "on", "unmap"})) return fail("detect-zeroes=" + v + " (off, on, unmap)");
      c.detect_zeroes = v;
    } else if (k == "media") {
      if (v != "disk") return fail("media=" + v + " is not supported (disk)");
    } else if (k == "index") {
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 0 || n > 1000) return fail("index must be a number from 0 to 1000");
      d.index = static_cast<int>(n);
    } else if (k == "unit") {
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 0 || n > 1000) return fail("unit must be a number from 0 to 1000");
      d.unit = static_cast<int>(n);
    } else if (k == "werror" || k == "rerror") {
      if (!one_of(v, {"report", "enospc", "stop", "ignore"})) return fail(k + "=" + v + " (report, enospc, stop, ignore)");
      if (v != "report" && v != "enospc") return fail(k + "=" + v + " is not supported (errors are reported to the guest)");
    } else {
      return fail("invalid parameter '" + k + "'");
    }
  }
  if (d.unit >= 0 && d.interface != "pflash") return fail("unit= is only supported with if=pflash");
  if (d.blkreplay) {
    if (d.image.empty()) return fail("driver=blkreplay needs image=ID (the drive it records)");
    if (!c.file.empty()) return fail("driver=blkreplay takes image=ID, not file=");
  } else {
    if (!d.image.empty()) return fail("image= belongs to driver=blkreplay");
    if (c.file.empty()) return fail("no file= given (an empty drive is not supported)");
  }
  return true;
}

bool parse_drive_specs(const std::vector<std::string>& args, bool snapshot_all, std::vector<DriveSpec>& out,
                       std::string& err) {
  out.clear();
  std::map<std::string, size_t> by_id;
  int virtio_unit = 0, none_unit = 0;
  std::set<int> pflash_units;
  for (const std::string& a : args) {
    DriveSpec d;
    if (!parse_drive_spec(a, d, err)) return false;
    if (snapshot_all) d.config.snapshot = true;
    if (d.interface == "pflash") {
      // The virt board's two flash banks; without unit= the next free one.
      if (d.unit < 0)
        while (pflash_units.count(++d.unit)) {
        }
      if (d.unit > 1) return err = d.origin + ": unit " + std::to_string(d.unit) + " too big (max is 1)", false;
      if (!pflash_units.insert(d.unit).second)
        return err = d.origin + ": drive with bus=0, unit=" + std::to_string(d.unit) + " exists", false;
      if (d.config.id.empty()) d.config.id = "pflash" + std::to_string(d.unit);
    }
    // QEMU's names for drives without id=: by interface and unit.
    if (d.config.id.empty())
      d.config.id = d.interface == "virtio" ? "virtio" + std::to_string(d.index >= 0 ? d.index : virtio_unit)
                                            : "none" + std::to_string(none_unit);
    if (d.interface != "pflash") (d.interface == "virtio" ? virtio_unit : none_unit)++;
    if (!by_id.emplace(d.config.id, out.size()).second)
      return err = d.origin + ": duplicate drive id '" + d.config.id + "'", false;
    out.push_back(d);
  }
  std::set<std::string> claimed;
  for (const DriveSpec& d : out) {
    if (!d.blkreplay) continue;
    auto it = by_id.find(d.image);
    if (it == by_id.end()) return err = d.origin + ": image '" + d.image + "' names no -drive", false;
    const DriveSpec& image = out[it->second];
    if (image.blkreplay) return err = d.origin + ": image '" + d.image + "' is a blkreplay drive itself", false;
    if (image.interface != "none")
      return err = d.origin + ": image '" + d.image + "' must be an if=none drive (a device would use it directly)", false;
    if (!claimed.insert(d.image).second)
      return err = d.origin + ": image '" + d.image + "' is already under another blkreplay drive", false;
  }
  return true;
}

}  // namespace rwd
