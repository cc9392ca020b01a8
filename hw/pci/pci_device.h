// A PCI function: its 256-byte configuration space (type 0 header) with the
// write rules of the PCI Local Bus spec 3.0 (read-only fields, BARs that
// keep their size and type bits, write-1-to-clear status bits), its BARs,
// its capability list and its INTx pin.
//
// Everything in configuration space is guest-writable input: a write is
// masked byte by byte against what the field allows, so any value at any
// offset and size leaves a header the device can live with. A derived
// device describes itself once (ids, class, BARs, capabilities) in its
// constructor; that image is what every reset returns to.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "util/byte_codec.h"

namespace rwd {

namespace pci {
// Type 0 header offsets.
inline constexpr uint32_t kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kStatus = 0x06, kRevision = 0x08,
                          kClassProg = 0x09, kCacheLine = 0x0c, kLatency = 0x0d, kHeaderType = 0x0e, kBar0 = 0x10,
                          kSubsystemVendorId = 0x2c, kSubsystemId = 0x2e, kRomAddress = 0x30, kCapabilities = 0x34,
                          kInterruptLine = 0x3c, kInterruptPin = 0x3d;
inline constexpr uint32_t kConfigSize = 256;
inline constexpr unsigned kBarCount = 6;
// Command and status bits.
inline constexpr uint16_t kCmdIo = 1, kCmdMemory = 2, kCmdMaster = 4, kCmdSerr = 0x100, kCmdParity = 0x40,
                          kCmdIntxDisable = 0x400;
inline constexpr uint16_t kStatusInterrupt = 0x08, kStatusCapList = 0x10;
// Capability ids.
inline constexpr uint8_t kCapVendor = 0x09, kCapMsix = 0x11;
}  // namespace pci

enum class PciBarKind { kNone, kIo, kMem32, kMem64 };

class PciDevice {
 public:
  virtual ~PciDevice() = default;
  virtual std::string name() const = 0;

  // Configuration space access at any offset < 256, 1..4 bytes (bytes past
  // 256 read as 0xff and are not written).
  uint32_t config_read(uint32_t offset, unsigned size);
  void config_write(uint32_t offset, unsigned size, uint32_t value);

  // Where BAR `bar` decodes now, in its space (I/O or memory): false when
  // the BAR does not exist, its space is disabled in the command register,
  // or it is being sized (all address bits set).
  bool bar_window(unsigned bar, bool io, uint64_t& base, uint64_t& size) const;
  PciBarKind bar_kind(unsigned bar) const { return bars_[bar].kind; }
  uint64_t bar_size(unsigned bar) const { return bars_[bar].size; }
  // An access inside BAR `bar` (offset < its size, access within it).
  virtual uint64_t bar_read(unsigned bar, uint64_t offset, unsigned size) = 0;
  virtual void bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) = 0;

  // Where INTx goes (set by the bus): the level after INTx Disable.
  void connect_intx(std::function<void(bool)> out) { intx_out_ = std::move(out); }
  bool intx_asserted() const;
  uint8_t interrupt_pin() const { return cfg_[pci::kInterruptPin]; }

  // Bus reset: the configuration space of power-on, then the device's own.
  void reset();
  void save(ByteWriter& w) const;
  void load(ByteReader& r);

 protected:
  PciDevice();
  // Describing the function (constructor only).
  void set_ids(uint16_t vendor, uint16_t device, uint8_t revision, uint32_t class_code, uint16_t subsystem_vendor,
               uint16_t subsystem);
  void set_interrupt_pin(uint8_t pin);  // 1 = INTA
  // `size` a power of two: >= 16 for memory (kept >= 4 KiB by QEMU's
  // devices, not required here), >= 4 for I/O. A kMem64 BAR takes two slots.
  void define_bar(unsigned bar, PciBarKind kind, uint64_t size, bool prefetchable = false);
  // Adds a capability of `len` bytes (id, next, then `body`), linked at the
  // head of the list as QEMU's devices do; returns its offset. `wmask`
  // (same length as body, may be empty) marks guest-writable body bits.
  uint8_t add_capability(uint8_t id, const uint8_t* body, unsigned len, const uint8_t* wmask = nullptr);
  // Raw access to the image for derived devices (their capabilities).
  uint8_t* config() { return cfg_.data(); }
  const uint8_t* config() const { return cfg_.data(); }
  // Done describing: remember the image that every reset restores.
  void finish_config();

  // The device's internal INTx level (before INTx Disable).
  void set_intx(bool level);
  // Hooks for derived devices.
  virtual void config_before_read(uint32_t /*offset*/, unsigned /*size*/) {}
  virtual void config_written(uint32_t /*offset*/, unsigned /*size*/) {}
  uint16_t command() const { return static_cast<uint16_t>(cfg_[pci::kCommand] | cfg_[pci::kCommand + 1] << 8); }
  virtual void reset_device() {}
  virtual void save_device(ByteWriter&) const {}
  virtual void load_device(ByteReader&) {}

 private:
  struct Bar {
    PciBarKind kind = PciBarKind::kNone;
    uint64_t size = 0;
  };
  void update_intx();
  uint64_t bar_address(unsigned bar) const;

  std::array<uint8_t, pci::kConfigSize> cfg_{}, wmask_{}, w1c_{}, initial_{};
  std::array<Bar, pci::kBarCount> bars_{};
  uint8_t next_cap_ = 0x40;
  bool intx_level_ = false;
  std::function<void(bool)> intx_out_;
};

}  // namespace rwd
