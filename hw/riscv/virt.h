// The `virt` board: QEMU's virt memory map with one rv64 hart, RAM at
// 0x80000000, boot ROM at 0x1000, CLINT, PLIC, NS16550A UART, the SiFive test
// device, the goldfish RTC, 8 virtio-mmio slots (filled by -device), the PCIe
// host, fw_cfg and two CFI flash banks (-drive if=pflash), and the
// device tree that describes them. It wires the hardware and loads the boot
// images; running it is the system's job (system/run_loop.h).
#pragma once
#include <array>
#include <memory>
#include <optional>
#include <utility>

#include "chardev/char_backend.h"
#include "hw/block/pflash_cfi01.h"
#include "hw/char/ns16550a.h"
#include "hw/core/device_factory.h"
#include "hw/core/guest_random.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/vclock.h"
#include "hw/intc/clint.h"
#include "hw/intc/plic.h"
#include "hw/misc/sifive_test.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci-host/gpex.h"
#include "hw/rtc/goldfish_rtc.h"
#include "hw/virtio/virtio_mmio.h"
#include "system/options.h"
#include "target/riscv/cpu.h"
#include "ui/input.h"
#include "util/host_clock.h"
#include "util/host_entropy.h"

namespace rwd {

namespace virt_map {
inline constexpr uint64_t kTest = 0x100000, kTestSize = 0x1000;
inline constexpr uint64_t kRtc = 0x101000, kRtcSize = 0x1000;
inline constexpr uint64_t kMrom = 0x1000, kMromSize = 0xf000;
inline constexpr uint64_t kClint = 0x2000000, kClintSize = 0x10000;
inline constexpr uint64_t kPlic = 0xc000000, kPlicSize = 0x600000;
inline constexpr uint64_t kUart0 = 0x10000000, kUart0Size = 0x100;
inline constexpr uint64_t kVirtio = 0x10001000, kVirtioStride = 0x1000;  // 8 transports
inline constexpr uint64_t kDram = 0x80000000;
inline constexpr uint64_t kFwCfg = 0x10100000;
inline constexpr uint64_t kFlash = 0x20000000, kFlashBankSize = 0x2000000;  // two banks
inline constexpr unsigned kVirtioCount = 8;
inline constexpr unsigned kUart0Irq = 10;  // PLIC sources
inline constexpr unsigned kRtcIrq = 11;
inline constexpr unsigned kVirtioIrq = 1;  // 1..8
// The PCIe host (hw/pci-host/gpex.h). The high window is 16 GiB at 16 GiB,
// or at the first 16 GiB boundary above RAM (pcie_high_base()).
inline constexpr uint64_t kPciePio = 0x3000000, kPciePioSize = 0x10000;
inline constexpr uint64_t kPcieEcam = 0x30000000, kPcieEcamSize = 0x10000000;
inline constexpr uint64_t kPcieMmio = 0x40000000, kPcieMmioSize = 0x40000000;
inline constexpr uint64_t kPcieHighSize = 0x400000000;
inline constexpr unsigned kPcieIrq = 32;  // INTA..INTD: 32..35
inline uint64_t pcie_high_base(uint64_t ram_size) {
  uint64_t end = kDram + ram_size;
  uint64_t base = (end + kPcieHighSize - 1) / kPcieHighSize * kPcieHighSize;
  return base < kPcieHighSize ? kPcieHighSize : base;
}
}  // namespace virt_map

// What the board takes from the host side. The clock and the devices'
// entropy are the ones record/replay stands between; the serial backend is
// the end of a chain that may hold a replay tap.
struct BoardHost {
  CharBackend* serial = nullptr;  // serial0 (a null backend for -serial none)
  HostClock* clock = nullptr;
  DeviceHost devices;             // entropy, the input path, drives
  std::vector<std::string> virtio_drives;  // if=virtio drives: a virtio-blk-pci disk each
  std::array<std::string, 2> pflash_drives;  // if=pflash drives by unit ("" for an empty bank)
  std::vector<DeviceSpec> nics;            // -nic and -net nic: a virtio-net-device each
};

class VirtMachine : public Machine {
 public:
  // Builds the machine and loads everything; throws BootError on bad input.
  // With -M dumpdtb=FILE it writes the device tree there and is done (the
  // caller exits without running it, as QEMU does).
  VirtMachine(const Options& opts, BoardHost host);
  ~VirtMachine() override;

  // Machine.
  riscv::Cpu& cpu() override { return cpu_; }
  AddressSpace& address_space() override { return as_; }
  VirtualClock& clock() override { return clock_; }
  void reset() override;
  std::vector<StatePart> state_parts() override;

 private:
  void create_rtc();
  void create_virtio();
  void create_pci();
  void register_input_handlers();
  void create_firmware_devices();
  void add_kernel_to_fw_cfg();
  void load_boot_images();
  using Range = std::pair<uint64_t, uint64_t>;  // [first, end)
  void build_fdt(std::optional<Range> initrd);
  void dump_fdt();
  std::vector<uint8_t> fresh_rng_seed();

  Options opts_;
  BoardHost host_;
  AddressSpace as_;
  VirtualClock clock_;
  riscv::Cpu cpu_;
  std::unique_ptr<Ns16550a> uart_;
  std::unique_ptr<Clint> clint_;
  std::unique_ptr<Plic> plic_;
  std::unique_ptr<SifiveTest> test_;
  std::unique_ptr<GoldfishRtc> rtc_;
  std::vector<std::unique_ptr<VirtioMmio>> virtio_;  // by slot, 0x10001000 first
  std::unique_ptr<GenericPcieHost> pcie_;
  std::unique_ptr<FwCfg> fw_cfg_;
  std::array<std::unique_ptr<PflashCfi01>, 2> flash_;
  std::vector<uint8_t> rom_image_;  // ROM + RAM contents at power-on, for resets
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> boot_blobs_;
  // The device tree as the guest gets it at fdt_addr_: the packed tree, then
  // zeros up to QEMU's buffer size (1 MiB for the generated tree, 2 * (size +
  // 10000) for a -dtb file). Every reset gives it a new /chosen/rng-seed.
  std::vector<uint8_t> fdt_;
  uint64_t fdt_addr_ = 0;
  GuestRandom random_;
  std::vector<std::pair<size_t, InputHandler*>> input_handlers_;  // (command-line place, device)
};

}  // namespace rwd
