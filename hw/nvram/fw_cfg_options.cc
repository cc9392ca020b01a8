#include "hw/nvram/fw_cfg_options.h"

#include <utility>

#include "hw/nvram/fw_cfg.h"
#include "util/file_io.h"

namespace rwd {

namespace {

// key=value pairs separated by single commas; ",," is a literal comma.
std::vector<std::pair<std::string, std::string>> split_escaped(const std::string& s) {
  std::vector<std::string> items(1);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ',' && i + 1 < s.size() && s[i + 1] == ',') {
      items.back() += ',';
      ++i;
    } else if (s[i] == ',') {
      items.emplace_back();
    } else {
      items.back() += s[i];
    }
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& item : items) {
    size_t eq = item.find('=');
    out.emplace_back(eq == std::string::npos ? std::make_pair(std::string(), item)
                                             : std::make_pair(item.substr(0, eq), item.substr(eq + 1)));
  }
  return out;
}

}  // namespace

bool parse_fw_cfg_item(const std::string& arg, FwCfgItemSpec& out, std::string& err, std::string& warning) {
  out = FwCfgItemSpec{};
  warning.clear();
  bool have_file = false, have_string = false;
  bool first = true;
  for (auto& [k, v] : split_escaped(arg)) {
    if (k == "name" || (k.empty() && first)) out.name = v;
    else if (k == "file") out.file = v, have_file = true;
    else if (k == "string") out.text = v, have_string = true;
    else return err = "-fw_cfg " + arg + ": invalid parameter '" + (k.empty() ? v : k) + "'", false;
    first = false;
  }
  if (out.name.empty()) return err = "-fw_cfg " + arg + ": name= is required", false;
  if (have_file == have_string)
    return err = "-fw_cfg " + arg + ": exactly one of file= and string= is required", false;
  if (have_file && out.file.empty()) return err = "-fw_cfg " + arg + ": file= needs a path", false;
  if (out.name.size() >= fw_cfg::kMaxFileName)
    return err = "-fw_cfg " + arg + ": name too long (at most " + std::to_string(fw_cfg::kMaxFileName - 1) +
                 " characters)", false;
  out.from_file = have_file;
  if (out.name.rfind("opt/", 0) != 0)
    warning = "externally provided fw_cfg item names should be prefixed with \"opt/\"";
  return true;
}

bool fw_cfg_item_bytes(const FwCfgItemSpec& spec, std::vector<uint8_t>& out, std::string& err) {
  if (!spec.from_file) {
    out.assign(spec.text.begin(), spec.text.end());
    return true;
  }
  std::string why;
  if (!read_whole_file(spec.file, out, why)) return err = "-fw_cfg name=" + spec.name + ": " + why, false;
  return true;
}

}  // namespace rwd
