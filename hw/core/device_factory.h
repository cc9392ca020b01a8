// -device DRIVER[,prop=value...]: the devices rewind can add, their
// properties, and the help texts, in one table shared by option parsing
// (which validates early, so a typo fails before the machine is built) and
// the board (which creates them through create_device(), never by name).
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace rwd {

class HostEntropy;
class VirtioDevice;

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

// -global DRIVER.PROPERTY=VALUE: a default for every device of that type.
struct GlobalProperty {
  std::string driver, property, value;
};
// -global: whether DRIVER.PROPERTY exists and VALUE suits it (false with a
// one-line reason in `err`). Today: virtio-mmio.force-legacy.
bool check_global(const GlobalProperty& g, std::string& err);
// The value a -global sets for DRIVER.PROPERTY, or `dflt`.
bool global_bool(const std::vector<GlobalProperty>& globals, const std::string& driver, const std::string& property,
                 bool dflt);

// What a device may take from the host side.
struct DeviceHost {
  HostEntropy* entropy = nullptr;
};

// The buses a -device plugs into; the board places each device on its bus.
enum class DeviceBus { kVirtioMmio };
DeviceBus device_bus(const DeviceSpec& spec);

// A new device for a parsed spec (a virtio device for kVirtioMmio).
std::unique_ptr<VirtioDevice> create_virtio_device(const DeviceSpec& spec, const DeviceHost& host);

}  // namespace rwd
