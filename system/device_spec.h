// -device DRIVER[,prop=value...]: the devices rewind can add, their
// properties, and the help texts, in one table shared by option parsing
// (which validates early, so a typo fails before the machine is built) and
// the board (which creates them).
#pragma once
#include <string>
#include <vector>

namespace rwd {

struct DeviceSpec {
  std::string driver;  // e.g. "virtio-rng-device"
  std::string id;      // id=, may be empty
};

// Parses one -device argument. On error returns false with a one-line
// message in `err`; "help" and "DRIVER,help" return false with a
// multi-line answer (which main prints as help, not as an error).
bool parse_device_spec(const std::string& arg, DeviceSpec& out, std::string& err);

// Parses all of them and checks that ids are unique.
bool parse_device_specs(const std::vector<std::string>& args, std::vector<DeviceSpec>& out, std::string& err);

}  // namespace rwd
