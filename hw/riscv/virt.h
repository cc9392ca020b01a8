// The `virt` board: QEMU's virt memory map with one rv64 hart, RAM at
// 0x80000000, boot ROM at 0x1000, CLINT, PLIC, NS16550A UART, the SiFive test
// device, the goldfish RTC and 8 virtio-mmio slots (filled by -device), and the device
// tree that describes them. Owns every part of the machine and the host loop
// that drives it.
#pragma once
#include <memory>
#include <optional>
#include <utility>

#include "accel/tcg/engine.h"
#include "chardev/char_registry.h"
#include "hw/char/ns16550a.h"
#include "hw/intc/clint.h"
#include "hw/intc/plic.h"
#include "hw/misc/sifive_test.h"
#include "hw/rtc/goldfish_rtc.h"
#include "monitor/hmp.h"
#include "monitor/monitor_target.h"
#include "hw/virtio/virtio_mmio.h"
#include "replay/replay.h"
#include "system/guest_random.h"
#include "system/host_clock.h"
#include "system/host_entropy.h"
#include "system/host_loop.h"
#include "system/options.h"
#include "system/vclock.h"

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
inline constexpr unsigned kVirtioCount = 8;
inline constexpr unsigned kUart0Irq = 10;  // PLIC sources
inline constexpr unsigned kRtcIrq = 11;
inline constexpr unsigned kVirtioIrq = 1;  // 1..8
}  // namespace virt_map

class VirtMachine : public MonitorTarget {
 public:
  // Builds the machine and loads everything; throws BootError on bad input.
  // With -M dumpdtb=FILE it writes the device tree there and is done (the
  // caller exits without running it, as QEMU does).
  // `host_clock` defaults to the real host clock, `host_entropy` (virtio-rng's
  // source) to the host's getrandom.
  explicit VirtMachine(const Options& opts, std::unique_ptr<HostClock> host_clock = nullptr,
                       std::unique_ptr<HostEntropy> host_entropy = nullptr);
  ~VirtMachine();

  // Runs until the guest powers off (returns its exit status), the
  // instruction limit is reached, or a signal asks to quit.
  int run();
  void reset();
  // Record/replay (-icount rr=...): the controller wraps the host clock and
  // entropy passed to the constructor; this connects the rest (serial
  // input, idle warps, resets, state hashing). Before run().
  void attach_replay(ReplayController* replay);
  riscv::Cpu& cpu() { return cpu_; }
  Engine& engine() { return engine_; }
  AddressSpace& address_space() { return as_; }

  // MonitorTarget (hw/riscv/virt_monitor.cc): what the HMP monitor may do.
  bool running() const override { return !paused_; }
  void pause() override;
  void resume() override;
  void request_reset() override;
  void request_quit() override;
  std::string registers_text() override;
  bool read_phys(uint64_t pa, void* buf, size_t len) override;
  bool read_virt(uint64_t va, void* buf, size_t len) override;
  std::string mtree_text() override;
  std::string qtree_text() override;
  std::string replay_text() override;

 private:
  void create_rtc();
  void create_virtio();
  void load_boot_images();
  using Range = std::pair<uint64_t, uint64_t>;  // [first, end)
  void build_fdt(std::optional<Range> initrd);
  void dump_fdt();
  std::vector<uint8_t> fresh_rng_seed();
  void idle_wait();
  void apply_idle_warp(uint64_t ns);
  NamedValues device_state() const;
  int finish_run();
  void poll_host(int timeout_ms);

  Options opts_;
  AddressSpace as_;
  VirtualClock clock_;
  riscv::Cpu cpu_;
  Engine engine_;
  // Host I/O: the glib loop, every chardev, the serial port's backend (owned
  // by chardevs_; a null backend for -serial none) and the monitors.
  std::unique_ptr<HostLoop> host_loop_;
  std::unique_ptr<CharRegistry> chardevs_;
  CharBackend* serial_ = nullptr;
  std::vector<std::unique_ptr<Hmp>> monitors_;
  bool paused_ = false;  // stopped by the monitor
  std::unique_ptr<Ns16550a> uart_;
  std::unique_ptr<Clint> clint_;
  std::unique_ptr<Plic> plic_;
  std::unique_ptr<SifiveTest> test_;
  std::unique_ptr<HostClock> host_clock_;
  std::unique_ptr<HostEntropy> host_entropy_;
  std::unique_ptr<GoldfishRtc> rtc_;
  std::vector<std::unique_ptr<VirtioMmio>> virtio_;  // by slot, 0x10001000 first
  std::vector<uint8_t> rom_image_;  // ROM + RAM contents at power-on, for resets
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> boot_blobs_;
  // The device tree as the guest gets it at fdt_addr_: the packed tree, then
  // zeros up to QEMU's buffer size (1 MiB for the generated tree, 2 * (size +
  // 10000) for a -dtb file). Every reset gives it a new /chosen/rng-seed.
  std::vector<uint8_t> fdt_;
  uint64_t fdt_addr_ = 0;
  GuestRandom random_;
  ReplayController* replay_ = nullptr;
  std::unique_ptr<StateHasher> hasher_;
  std::vector<std::unique_ptr<ReplayCharTap>> char_taps_;
  EndReason end_reason_ = EndReason::kGuestShutdown;
  bool exit_ = false;
  bool reset_requested_ = false;
  int exit_code_ = 0;
};

}  // namespace rwd
