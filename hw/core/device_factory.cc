#include "hw/core/device_factory.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <stdexcept>

#include "block/drive.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_input.h"
#include "hw/virtio/virtio_gpu.h"
#include "hw/virtio/virtio_gpu_options.h"
#include "hw/virtio/virtio_net.h"
#include "hw/virtio/virtio_rng.h"

namespace rwd {

namespace {

struct Property {
  const char* name;
  const char* help;
};

struct DeviceType {
  const char* name;
  const char* bus;
  const char* desc;
  DeviceBus kind;
  std::unique_ptr<VirtioDevice> (*create_virtio)(const DeviceSpec&, const DeviceHost&, uint8_t slot);
  std::vector<Property> props;  // besides id=
  std::vector<const char*> required;
  bool transitional = false;  // kPci: the transitional form
};

std::unique_ptr<VirtioDevice> new_virtio_rng(const DeviceSpec&, const DeviceHost& host, uint8_t) {
  return std::make_unique<VirtioRng>(*host.entropy);
}

std::unique_ptr<VirtioDevice> new_virtio_blk(const DeviceSpec& spec, const DeviceHost& host, uint8_t slot) {
  Drive* drive = host.drive(spec.props.at("drive"));
  if (!drive) throw DeviceError("-device " + spec.driver + ",drive=" + spec.props.at("drive") + ": no such drive");
  auto serial = spec.props.find("serial");
  drive->set_attached_to("/machine/peripheral" + (spec.id.empty() ? "-anon/virtio-blk" + std::to_string(slot)
                                                                  : "/" + spec.id) + "/virtio-backend");
  return std::make_unique<VirtioBlk>(*drive, *host.input, slot, serial == spec.props.end() ? "" : serial->second,
                                     host.embed);
}

const std::vector<Property> kBlkPciProps = {{"drive", "the -drive id= it uses"},
                                            {"serial", "what the guest reads as the disk's serial (up to 20 bytes)"},
                                            {"addr", "PCI slot (hex SLOT[.0])"}};

// QEMU's addr=: "SLOT" or "SLOT.FN", both hex (an optional 0x).
bool parse_pci_addr(const std::string& v, int& slot, int& fn) {
  auto hex = [](const std::string& t, int max, int& out) {
    std::string d = t.rfind("0x", 0) == 0 || t.rfind("0X", 0) == 0 ? t.substr(2) : t;
    if (d.empty() || d.size() > 2) return false;
    for (char c : d)
      if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    out = std::stoi(d, nullptr, 16);
    return out <= max;
  };
  auto dot = v.find('.');
  fn = 0;
  if (!hex(v.substr(0, dot), 31, slot)) return false;
  return dot == std::string::npos || hex(v.substr(dot + 1), 7, fn);
}

std::unique_ptr<VirtioDevice> new_virtio_net(const DeviceSpec& spec, const DeviceHost& host, uint8_t) {
  // QEMU's default MACs: 52:54:00:12:34:56 for the first NIC, then up.
  VirtioNet::Mac mac{0x52, 0x54, 0x00, 0x12, 0x34, static_cast<uint8_t>(0x56 + (*host.nics_made)++)};
  auto m = spec.props.find("mac");
  if (m != spec.props.end() && !VirtioNet::parse_mac(m->second, mac))
    throw DeviceError("-device " + spec.driver + ",mac=" + m->second + ": expected a unicast MAC like 52:54:00:12:34:56");
  Netdev* link = nullptr;
  auto nd = spec.props.find("netdev");
  if (nd != spec.props.end()) {
    link = host.netdev ? host.netdev(nd->second) : nullptr;
    if (!link) throw DeviceError("-device " + spec.driver + ",netdev=" + nd->second + ": no such netdev");
    if (link->frontend()) throw DeviceError("-device " + spec.driver + ",netdev=" + nd->second + ": netdev is used twice");
  }
  return std::make_unique<VirtioNet>(link, mac);
}

// virtio-keyboard/-mouse/-tablet, -device or -pci: the kind is in the name.
std::unique_ptr<VirtioDevice> new_virtio_input(const DeviceSpec& spec, const DeviceHost&, uint8_t) {
  auto kind = spec.driver.rfind("virtio-keyboard", 0) == 0 ? VirtioInput::Kind::kKeyboard
              : spec.driver.rfind("virtio-mouse", 0) == 0  ? VirtioInput::Kind::kMouse
                                                           : VirtioInput::Kind::kTablet;
  auto serial = spec.props.find("serial");
  return std::make_unique<VirtioInput>(kind, spec.driver, serial == spec.props.end() ? "" : serial->second);
}

const std::vector<Property> kInputProps = {{"serial", "what the guest reads as the device's serial (ID_SERIAL)"}};
const std::vector<Property> kInputPciProps = {kInputProps[0], {"addr", "PCI slot (hex SLOT[.0])"}};

const std::vector<Property> kNetProps = {{"netdev", "the -netdev id= it uses"},
                                         {"mac", "its MAC address (default 52:54:00:12:34:56, then up)"}};
const std::vector<Property> kNetPciProps = {kNetProps[0], kNetProps[1], {"addr", "PCI slot (hex SLOT[.0])"}};

std::unique_ptr<VirtioDevice> new_virtio_gpu(const DeviceSpec& spec, const DeviceHost& host, uint8_t) {
  GpuConfig cfg;
  std::string err;
  if (!parse_gpu_config(spec.props, cfg, err)) throw DeviceError("-device " + spec.driver + "," + err);
  if (!host.memory || !host.displays) throw DeviceError("-device " + spec.driver + ": this machine has no display");
  cfg.name = spec.id;
  try {
    return std::make_unique<VirtioGpu>(*host.memory, *host.displays, cfg);
  } catch (const std::invalid_argument& e) {
    throw DeviceError("-device " + spec.driver + "," + e.what());
  }
}

const std::vector<Property> kGpuProps = {{"xres", "width of the mode offered to the guest (default 1280)"},
                                         {"yres", "height of the mode offered to the guest (default 800)"},
                                         {"max_outputs", "number of scanouts (1)"},
                                         {"edid", "on|off: offer an EDID (default on)"},
                                         {"max_hostmem", "host memory for all resources (default 256M)"}};
const std::vector<Property> kGpuPciProps = {kGpuProps[0], kGpuProps[1], kGpuProps[2], kGpuProps[3], kGpuProps[4],
                                            {"addr", "PCI slot (hex SLOT[.0])"}};

// The devices -device knows, as `-device help` lists them.
const DeviceType kDevices[] = {
    {"virtio-rng-device", "virtio-bus", "virtio-mmio entropy source (bytes from the host's getrandom)",
     DeviceBus::kVirtioMmio, new_virtio_rng, {}, {}},
    {"virtio-blk-device", "virtio-bus", "virtio-mmio block device (a -drive's disk)", DeviceBus::kVirtioMmio,
     new_virtio_blk,
     {{"drive", "the -drive id= it uses"}, {"serial", "what the guest reads as the disk's serial (up to 20 bytes)"}},
     {"drive"}},
    {"virtio-rng-pci", "PCI", "virtio-pci entropy source (transitional, as QEMU's)", DeviceBus::kPci,
     new_virtio_rng, {{"addr", "PCI slot (hex SLOT[.0])"}}, {}, true},
    {"virtio-rng-pci-non-transitional", "PCI", "virtio-pci entropy source (virtio 1.x only)", DeviceBus::kPci,
     new_virtio_rng, {{"addr", "PCI slot (hex SLOT[.0])"}}, {}, false},
    {"virtio-blk-pci", "PCI", "virtio-pci block device (transitional, as QEMU's; what if=virtio creates)",
     DeviceBus::kPci, new_virtio_blk, kBlkPciProps, {"drive"}, true},
    {"virtio-blk-pci-non-transitional", "PCI", "virtio-pci block device (virtio 1.x only)", DeviceBus::kPci,
     new_virtio_blk, kBlkPciProps, {"drive"}, false},
    {"virtio-net-device", "virtio-bus", "virtio-mmio network card (a -netdev's NIC)", DeviceBus::kVirtioMmio,
     new_virtio_net,
     kNetProps, {}},
    {"virtio-net-pci", "PCI", "virtio-pci network card (transitional, as QEMU's)", DeviceBus::kPci, new_virtio_net,
     kNetPciProps, {}, true},
    {"virtio-net-pci-non-transitional", "PCI", "virtio-pci network card (virtio 1.x only)", DeviceBus::kPci,
     new_virtio_net, kNetPciProps, {}, false},
    {"virtio-keyboard-device", "virtio-bus", "virtio-mmio keyboard (\"QEMU Virtio Keyboard\")", DeviceBus::kVirtioMmio,
     new_virtio_input, kInputProps, {}},
    {"virtio-mouse-device", "virtio-bus", "virtio-mmio mouse, relative motion (\"QEMU Virtio Mouse\")",
     DeviceBus::kVirtioMmio, new_virtio_input, kInputProps, {}},
    {"virtio-tablet-device", "virtio-bus", "virtio-mmio tablet, absolute pointer (\"QEMU Virtio Tablet\")",
     DeviceBus::kVirtioMmio, new_virtio_input, kInputProps, {}},
    {"virtio-keyboard-pci", "PCI", "virtio-pci keyboard (virtio 1.x only, as QEMU's)", DeviceBus::kPci,
     new_virtio_input, kInputPciProps, {}, false},
    {"virtio-mouse-pci", "PCI", "virtio-pci mouse (virtio 1.x only, as QEMU's)", DeviceBus::kPci, new_virtio_input,
     kInputPciProps, {}, false},
    {"virtio-tablet-pci", "PCI", "virtio-pci tablet (virtio 1.x only, as QEMU's)", DeviceBus::kPci,
     new_virtio_input, kInputPciProps, {}, false},
    {"virtio-gpu-device", "virtio-bus", "virtio-mmio 2D display (a console: screendump, -vnc)", DeviceBus::kVirtioMmio,
     new_virtio_gpu, kGpuProps, {}},
    {"virtio-gpu-pci", "PCI", "virtio-pci 2D display (virtio 1.x only, as QEMU's)", DeviceBus::kPci, new_virtio_gpu,
     kGpuPciProps, {}, false},
};

const DeviceType* find_type(const std::string& name) {
  for (const DeviceType& t : kDevices)
    if (name == t.name) return &t;
  return nullptr;
}

// QEMU's rule for ids: a letter, then letters, digits, '-', '.', '_'.
bool valid_id(const std::string& id) {
  if (id.empty() || !std::isalpha(static_cast<unsigned char>(id[0]))) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
  return true;
}

std::string device_list() {
  std::string s = "Misc devices:";
  for (const DeviceType& t : kDevices)
    s += std::string("\nname \"") + t.name + "\", bus " + t.bus + ", desc \"" + t.desc + "\"";
  return s;
}

std::string property_list(const DeviceType& t) {
  std::string s = std::string(t.name) + " options:\n  id=<str>             the device's name (optional)";
  for (const Property& p : t.props) {
    std::string name = std::string(p.name) + "=<str>";
    s += "\n  " + name + std::string(name.size() < 21 ? 21 - name.size() : 1, ' ') + p.help;
  }
  return s;
}

const DeviceType& type_of(const DeviceSpec& spec) {
  const DeviceType* t = find_type(spec.driver);
  if (!t) throw std::logic_error("device spec of unknown driver " + spec.driver);
  return *t;
}

}  // namespace

namespace {
bool bool_text(const std::string& v, bool& out) {
  if (v == "on" || v == "true" || v == "yes") return out = true, true;
  if (v == "off" || v == "false" || v == "no") return out = false, true;
  return false;
}
}  // namespace

bool check_global(const GlobalProperty& g, std::string& err) {
  bool b;
  if (g.driver == "virtio-mmio") {
    if (g.property != "force-legacy") return err = "property '" + g.property + "' not found for virtio-mmio", false;
    if (!bool_text(g.value, b)) return err = "force-legacy must be on or off", false;
    return true;
  }
  if (find_type(g.driver)) return err = "property '" + g.property + "' not found for " + g.driver, false;
  return err = "unknown driver '" + g.driver + "'", false;
}

bool global_bool(const std::vector<GlobalProperty>& globals, const std::string& driver, const std::string& property,
                 bool dflt) {
  bool v = dflt;
  for (const GlobalProperty& g : globals)
    if (g.driver == driver && g.property == property) bool_text(g.value, v);
  return v;
}

DeviceBus device_bus(const DeviceSpec& spec) { return type_of(spec).kind; }

bool pci_transitional(const DeviceSpec& spec) { return type_of(spec).transitional; }

int pci_slot(const DeviceSpec& spec) {
  auto a = spec.props.find("addr");
  int slot = -1, fn = 0;
  if (a == spec.props.end() || !parse_pci_addr(a->second, slot, fn)) return -1;
  return slot;
}

std::unique_ptr<VirtioDevice> create_virtio_device(const DeviceSpec& spec, const DeviceHost& host, uint8_t slot) {
  return type_of(spec).create_virtio(spec, host, slot);
}

bool parse_device_spec(const std::string& arg, DeviceSpec& out, std::string& err) {
  std::vector<std::string> items;
  std::stringstream ss(arg);
  for (std::string item; std::getline(ss, item, ',');) items.push_back(item);
  std::string driver = items.empty() ? "" : items[0];
  if (driver.rfind("driver=", 0) == 0) driver = driver.substr(7);
  if (driver == "help" || driver == "?") return err = device_list(), false;
  const DeviceType* type = find_type(driver);
  if (!type) return err = "-device " + driver + ": unknown device (try -device help)", false;
  out = DeviceSpec{driver, "", {}};
  for (size_t i = 1; i < items.size(); ++i) {
    const std::string& item = items[i];
    auto eq = item.find('=');
    std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "help" || key == "?") return err = property_list(*type), false;
    if (key == "id") {
      if (!valid_id(value))
        return err = "-device " + driver + ",id=" + value +
                     ": invalid id (a letter, then letters, digits, '-', '.' or '_')", false;
      out.id = value;
    } else if (key == "rng") {
      return err = "-device " + driver + ",rng=" + value +
                   ": rng backends (-object rng-*) are not supported; the device reads the host's getrandom", false;
    } else if (key == "max-bytes" || key == "period") {
      return err = "-device " + driver + "," + key + "=" + value + ": rate limiting is not supported yet", false;
    } else if (std::any_of(type->props.begin(), type->props.end(), [&](const Property& p) { return key == p.name; })) {
      out.props[key] = value;
    } else {
      return err = "-device " + driver + ": unknown property '" + key + "' (try -device " + driver + ",help)", false;
    }
  }
  if (auto a = out.props.find("addr"); a != out.props.end()) {
    int slot, fn;
    if (!parse_pci_addr(a->second, slot, fn))
      return err = "-device " + driver + ",addr=" + a->second + ": Property '" + driver +
                   ".addr' doesn't take value '" + a->second + "' (a hex slot 0..1f, optionally .function)", false;
    if (fn != 0) return err = "-device " + driver + ",addr=" + a->second + ": multifunction devices are not supported (function 0 only)", false;
  }
  for (const char* r : type->required)
    if (!out.props.count(r)) return err = "-device " + driver + ": property '" + r + "' is required", false;
  return true;
}

bool parse_device_specs(const std::vector<std::string>& args, std::vector<DeviceSpec>& out, std::string& err) {
  std::set<std::string> ids;
  out.clear();
  for (const std::string& a : args) {
    DeviceSpec spec;
    if (!parse_device_spec(a, spec, err)) return false;
    if (!spec.id.empty() && !ids.insert(spec.id).second)
      return err = "-device " + a + ": duplicate id '" + spec.id + "'", false;
    out.push_back(spec);
  }
  return true;
}

}  // namespace rwd
