#include "hw/pci-host/gpex.h"

namespace rwd {

namespace {

// 00:00.0, as QEMU's gpex-root: no BARs, no interrupt pin.
class HostBridgeFunction : public PciDevice {
 public:
  HostBridgeFunction() {
    set_ids(0x1b36, 0x0008, 0, 0x060000, 0x1af4, 0x1100);
    finish_config();
  }
  std::string name() const override { return "gpex-root"; }
  uint64_t bar_read(unsigned, uint64_t, unsigned) override { return 0; }
  void bar_write(unsigned, uint64_t, unsigned, uint64_t) override {}
};

}  // namespace

// ECAM: offset = bus << 20 | device << 15 | function << 12 | register.
// Only bus 0 exists (no bridges); an 8-byte access is two 4-byte ones.
class GenericPcieHost::Ecam : public MmioDevice {
 public:
  explicit Ecam(PciBus& bus) : bus_(bus) {}
  std::string name() const override { return "pcie-ecam"; }
  uint64_t read(uint64_t offset, unsigned size) override {
    if (size == 8) return read(offset, 4) | read(offset + 4, 4) << 32;
    if (offset >> 20) return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    return bus_.config_read(slot(offset), fn(offset), offset & 0xfff, size);
  }
  void write(uint64_t offset, unsigned size, uint64_t value) override {
    if (size == 8) {
      write(offset, 4, value & 0xffffffffu);
      write(offset + 4, 4, value >> 32);
      return;
    }
    if (offset >> 20) return;
    bus_.config_write(slot(offset), fn(offset), offset & 0xfff, size, static_cast<uint32_t>(value));
  }
  void reset() override {}
  // The bus's state (every function's configuration space and device) is
  // saved here, with the host bridge's first window.
  void save(ByteWriter& w) const override { bus_.save(w); }
  void load(ByteReader& r) override { bus_.load(r); }

 private:
  static unsigned slot(uint64_t offset) { return (offset >> 15) & 31; }
  static unsigned fn(uint64_t offset) { return (offset >> 12) & 7; }
  PciBus& bus_;
};

// A window onto bus 0's memory or I/O space at bus address `bus_base`.
class GenericPcieHost::Window : public MmioDevice {
 public:
  Window(PciBus& bus, bool io, uint64_t bus_base, const char* name)
      : bus_(bus), io_(io), bus_base_(bus_base), name_(name) {}
  std::string name() const override { return name_; }
  uint64_t read(uint64_t offset, unsigned size) override { return bus_.read(io_, bus_base_ + offset, size); }
  void write(uint64_t offset, unsigned size, uint64_t value) override {
    bus_.write(io_, bus_base_ + offset, size, value);
  }
  void save(ByteWriter& w) const override { w.section(name_); }
  void load(ByteReader& r) override { r.expect_section(name_); }

 private:
  PciBus& bus_;
  bool io_;
  uint64_t bus_base_;
  std::string name_;
};

GenericPcieHost::GenericPcieHost(AddressSpace& as, const PciHostWindows& w, std::array<IrqLine*, 4> intx)
    : windows_(w), bus_(intx) {
  bus_.plug(0, std::make_unique<HostBridgeFunction>());
  ecam_ = std::make_unique<Ecam>(bus_);
  pio_ = std::make_unique<Window>(bus_, true, 0, "pcie-pio");
  mmio_ = std::make_unique<Window>(bus_, false, w.mmio_base, "pcie-mmio");
  high_ = std::make_unique<Window>(bus_, false, w.high_base, "pcie-mmio-high");
  as.add_mmio(w.ecam_base, w.ecam_size, ecam_.get());
  as.add_mmio(w.pio_base, w.pio_size, pio_.get());
  as.add_mmio(w.mmio_base, w.mmio_size, mmio_.get());
  as.add_mmio(w.high_base, w.high_size, high_.get());
}

GenericPcieHost::~GenericPcieHost() = default;

}  // namespace rwd
