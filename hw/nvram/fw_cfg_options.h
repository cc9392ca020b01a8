// -fw_cfg [name=]NAME,file=PATH | -fw_cfg [name=]NAME,string=TEXT, as QEMU:
// a named file in the fw_cfg directory with the file's bytes or the text
// (without a terminating NUL). ",," in a value is a comma. Names should
// start with "opt/" (a warning otherwise, as QEMU gives).
#pragma once
#include <string>
#include <vector>

namespace rwd {

struct FwCfgItemSpec {
  std::string name;
  std::string file;    // file= (empty with string=)
  std::string text;    // string=
  bool from_file = false;
};

// False with a one-line message in `err`; `warning` is set for a name
// outside "opt/".
bool parse_fw_cfg_item(const std::string& arg, FwCfgItemSpec& out, std::string& err, std::string& warning);

// The item's bytes (reads file=). False with `err` if the file cannot be read.
bool fw_cfg_item_bytes(const FwCfgItemSpec& spec, std::vector<uint8_t>& out, std::string& err);

}  // namespace rwd
