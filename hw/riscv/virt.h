// The `virt` board: QEMU's virt memory map with one rv64 hart, RAM at
// 0x80000000, boot ROM at 0x1000, CLINT, NS16550A UART and the SiFive test
// device. Owns every part of the machine and the host loop that drives it.
#pragma once
#include <memory>

#include "accel/tcg/engine.h"
#include "chardev/char_stdio.h"
#include "hw/char/ns16550a.h"
#include "hw/intc/clint.h"
#include "hw/intc/plic.h"
#include "hw/misc/sifive_test.h"
#include "system/guest_random.h"
#include "system/options.h"
#include "system/vclock.h"

namespace rwd {

namespace virt_map {
inline constexpr uint64_t kTest = 0x100000, kTestSize = 0x1000;
inline constexpr uint64_t kMrom = 0x1000, kMromSize = 0xf000;
inline constexpr uint64_t kClint = 0x2000000, kClintSize = 0x10000;
inline constexpr uint64_t kPlic = 0xc000000, kPlicSize = 0x600000;
inline constexpr uint64_t kUart0 = 0x10000000, kUart0Size = 0x100;
inline constexpr uint64_t kDram = 0x80000000;
inline constexpr unsigned kUart0Irq = 10;  // PLIC source
}  // namespace virt_map

class VirtMachine {
 public:
  // Builds the machine and loads everything; throws BootError on bad input.
  explicit VirtMachine(const Options& opts);
  ~VirtMachine();

  // Runs until the guest powers off (returns its exit status), the
  // instruction limit is reached, or a signal asks to quit.
  int run();
  void reset();
  riscv::Cpu& cpu() { return cpu_; }
  Engine& engine() { return engine_; }
  AddressSpace& address_space() { return as_; }

 private:
  void load_boot_images();
  std::vector<uint8_t> build_dtb();
  void idle_wait();
  void poll_host(int timeout_ms);

  Options opts_;
  AddressSpace as_;
  VirtualClock clock_;
  riscv::Cpu cpu_;
  Engine engine_;
  std::unique_ptr<FdBackend> serial_;
  std::unique_ptr<Ns16550a> uart_;
  std::unique_ptr<Clint> clint_;
  std::unique_ptr<Plic> plic_;
  std::unique_ptr<SifiveTest> test_;
  std::vector<uint8_t> rom_image_;  // ROM + RAM contents at power-on, for resets
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> boot_blobs_;
  // -dtb: the file, and where its tree goes; rebuilt on every reset with a new
  // /chosen/rng-seed, in a buffer of fdt_buffer_size_ bytes, as QEMU does.
  std::vector<uint8_t> dtb_file_;
  uint64_t fdt_addr_ = 0, fdt_buffer_size_ = 0;
  GuestRandom random_;
  bool exit_ = false;
  bool reset_requested_ = false;
  int exit_code_ = 0;
};

}  // namespace rwd
