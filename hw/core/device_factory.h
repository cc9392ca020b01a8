// -device DRIVER[,prop=value...]: the devices rewind can add, their
// properties, and the help texts, in one table shared by option parsing
// (which validates early, so a typo fails before the machine is built) and
// the board (which creates them through create_device(), never by name).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace rwd {

class AddressSpace;
class DisplaySet;
class Drive;
class HostEntropy;
class InputPath;
class InputRouter;
class Netdev;
class ReadEmbedder;
class VirtioDevice;

struct DeviceSpec {
  std::string driver;  // e.g. "virtio-rng-device"
  std::string id;      // id=, may be empty
  std::map<std::string, std::string> props;  // the type's other properties (drive=, serial=)
};

// A device that cannot be created from a valid spec (drive=ID names no drive).
struct DeviceError : std::runtime_error {
  using std::runtime_error::runtime_error;
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
  InputPath* input = nullptr;                       // asynchronous completions
  InputRouter* input_router = nullptr;              // keyboard and pointer events (ui/input.h)
  std::function<Drive*(const std::string&)> drive;  // -drive by id (a blkreplay id names its image)
  ReadEmbedder* embed = nullptr;                    // rrdisk=embed: reads go into the recording
  std::function<Netdev*(const std::string&)> netdev;  // -netdev by id
  std::shared_ptr<unsigned> nics_made = std::make_shared<unsigned>(0);  // default MACs count up, as QEMU's
  AddressSpace* memory = nullptr;  // guest memory (set by the board): what a GPU's backing pages are read from
  DisplaySet* displays = nullptr;  // the machine's consoles (a display device adds one)
};

// The buses a -device plugs into; the board places each device on its bus.
// kPci: a virtio device behind a virtio-pci transport on the PCIe host
// (transitional or not, as the type says; addr= picks the slot).
enum class DeviceBus { kVirtioMmio, kPci };
DeviceBus device_bus(const DeviceSpec& spec);
// For kPci: whether the function is transitional (QEMU's plain
// virtio-*-pci on a root bus) rather than modern-only (-non-transitional).
bool pci_transitional(const DeviceSpec& spec);
// addr=SLOT[.FUNCTION] (hex, as QEMU): the slot, or -1 without addr=.
// Function 0 only (no multifunction devices). Checked at parse time.
int pci_slot(const DeviceSpec& spec);

// A new device for a parsed spec (the virtio device, for either bus);
// `slot`: its completion-source number (the virtio-mmio slot, or 8 + the
// PCI slot). Throws DeviceError.
std::unique_ptr<VirtioDevice> create_virtio_device(const DeviceSpec& spec, const DeviceHost& host, uint8_t slot);

}  // namespace rwd
