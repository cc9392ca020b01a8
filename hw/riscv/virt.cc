#include "hw/riscv/virt.h"

#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "hw/riscv/boot.h"
#include "libfdt.h"
#include "util/log.h"

namespace rwd {

namespace {

constexpr const char* kDefaultFirmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";
constexpr uint64_t kSliceInsns = 1 << 22;  // instructions between host polls
constexpr uint64_t kNextModeS = 1;

volatile std::sig_atomic_t g_quit_signal = 0;
void on_quit_signal(int sig) { g_quit_signal = sig; }

}  // namespace

VirtMachine::VirtMachine(const Options& opts)
    : opts_(opts), cpu_(as_, clock_), engine_(cpu_, as_, clock_), random_(opts.seed) {
  clock_.attach(&cpu_.s.icount, &cpu_.s.tb_insn_index, &cpu_.s.attention);
  if (opts_.icount.enabled) {
    clock_.set_icount_mode(opts_.icount.shift_auto ? 3 : opts_.icount.shift);
    clock_.set_sleep(opts_.icount.sleep);
  } else {
    clock_.set_realtime_mode();
  }
  engine_.set_singlestep(opts_.singlestep);

  as_.add_ram("virt.mrom", virt_map::kMrom, virt_map::kMromSize, true);
  as_.add_ram("riscv.virt.ram", virt_map::kDram, opts_.ram_size);

  // Serial console: -nographic or -serial stdio put it on stdio.
  std::string serial = opts_.serial.empty() ? (opts_.nographic ? "stdio" : "null") : opts_.serial[0];
  if (serial == "stdio" || serial == "mon:stdio") {
    serial_ = std::make_unique<FdBackend>(STDIN_FILENO, STDOUT_FILENO, false);
  } else if (serial.rfind("file:", 0) == 0) {
    std::string path = serial.substr(5);
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw BootError("-serial " + serial + ": could not open '" + path + "'");
    serial_ = std::make_unique<FdBackend>(-1, dup(fileno(f)), true);
    std::fclose(f);
  } else if (serial == "null" || serial == "none") {
    serial_ = std::make_unique<FdBackend>(-1, -1, false);
  } else {
    throw BootError("-serial " + serial + ": unsupported backend (stdio, mon:stdio, file:PATH, null, none)");
  }

  plic_ = std::make_unique<Plic>(cpu_);
  uart_ = std::make_unique<Ns16550a>(serial_.get(), plic_->irq(virt_map::kUart0Irq));
  clint_ = std::make_unique<Clint>(cpu_, clock_);
  test_ = std::make_unique<SifiveTest>(
      [this](int code) {
        exit_code_ = code;
        exit_ = true;
        engine_.request_exit();
      },
      [this] {
        reset_requested_ = true;
        engine_.request_exit();
      });
  as_.add_mmio(virt_map::kTest, virt_map::kTestSize, test_.get());
  as_.add_mmio(virt_map::kClint, virt_map::kClintSize, clint_.get());
  as_.add_mmio(virt_map::kPlic, virt_map::kPlicSize, plic_.get());
  as_.add_mmio(virt_map::kUart0, virt_map::kUart0Size, uart_.get());
  cpu_.set_time_source([this] { return clint_->mtime(); });

  load_boot_images();
  reset();
}

VirtMachine::~VirtMachine() {
  if (serial_) serial_->flush();
}

void VirtMachine::load_boot_images() {
  if (!opts_.dumpdtb.empty())
    throw BootError("-M dumpdtb: not supported yet (rewind does not generate device trees in this version)");
  if (!opts_.initrd.empty()) throw BootError("-initrd: not supported yet in this version of rewind");

  uint64_t start = virt_map::kDram;
  uint64_t next_addr = 0;
  bool have_firmware = opts_.bios != "none";
  auto remember = [this](const LoadedImage& img) {
    RamBlock* rb = as_.find_ram(img.low, img.high - img.low);
    boot_blobs_.emplace_back(img.low, std::vector<uint8_t>(rb->ptr(img.low), rb->ptr(img.low) + (img.high - img.low)));
  };

  if (have_firmware) {
    std::string fw = opts_.bios == "default" ? kDefaultFirmware : opts_.bios;
    if (opts_.bios == "default" && !std::filesystem::exists(fw))
      throw BootError("could not find the default firmware '" + fw +
                      "' (install Debian's opensbi package, or pass -bios FILE or -bios none)");
    LoadedImage img = load_image(as_, fw, virt_map::kDram, "firmware");
    remember(img);
    if (!opts_.kernel.empty()) {
      // The kernel goes at the first 2 MiB boundary after the firmware.
      uint64_t kaddr = (img.high + (2ull << 20) - 1) & ~((2ull << 20) - 1);
      LoadedImage k = load_image(as_, opts_.kernel, kaddr, "kernel");
      remember(k);
      next_addr = k.elf ? k.entry : k.low;
    }
  } else if (!opts_.kernel.empty()) {
    LoadedImage k = load_image(as_, opts_.kernel, virt_map::kDram, "kernel");
    remember(k);
    next_addr = k.low;  // QEMU passes the lowest load address
  }

  uint64_t fdt_addr;
  if (!opts_.dtb.empty()) {
    std::vector<uint8_t> dtb = read_file(opts_.dtb, "device tree");
    if (dtb.size() < 40 || dtb[0] != 0xd0 || dtb[1] != 0x0d || dtb[2] != 0xfe || dtb[3] != 0xed)
      throw BootError("device tree '" + opts_.dtb + "': not a flattened device tree (bad magic)");
    if (fdt_check_header(dtb.data()) != 0 || fdt_totalsize(dtb.data()) > dtb.size())
      throw BootError("device tree '" + opts_.dtb + "': damaged or truncated flattened device tree");
    // QEMU sizes the buffer for a loaded tree as 2 * (size + 10000).
    fdt_buffer_size_ = 2 * (dtb.size() + 10000);
    fdt_addr = fdt_load_address(virt_map::kDram, opts_.ram_size, fdt_buffer_size_);
    if (fdt_addr + fdt_buffer_size_ > virt_map::kDram + opts_.ram_size)
      throw BootError("device tree '" + opts_.dtb + "' does not fit in RAM");
    fdt_addr_ = fdt_addr;
    dtb_file_ = std::move(dtb);
    build_dtb();  // reports a tree libfdt cannot edit now rather than at reset
  } else {
    if (have_firmware)
      throw BootError("firmware needs a device tree: pass -dtb FILE (this version of rewind does not generate one yet)");
    fdt_addr = fdt_load_address(virt_map::kDram, opts_.ram_size, 1ull << 20);
  }

  write_reset_vector(as_, virt_map::kMrom, start, fdt_addr, next_addr, kNextModeS);
  RamBlock* rom = as_.find_ram(virt_map::kMrom);
  rom_image_.assign(rom->host.get(), rom->host.get() + rom->size);
}

// The -dtb tree as the guest gets it: QEMU opens the file into a buffer of
// 2 * (size + 10000) bytes, sets /chosen/rng-seed (32 random bytes, fresh on
// every reset) and /chosen/bootargs (with -append), packs it, and copies the
// whole buffer (zeros after the packed tree) to fdt_addr.
std::vector<uint8_t> VirtMachine::build_dtb() {
  std::vector<uint8_t> buf(fdt_buffer_size_, 0);
  auto check = [this](int err) {
    if (err < 0) throw BootError("device tree '" + opts_.dtb + "': " + fdt_strerror(err));
    return err;
  };
  check(fdt_open_into(dtb_file_.data(), buf.data(), static_cast<int>(buf.size())));
  int chosen = fdt_path_offset(buf.data(), "/chosen");
  if (chosen == -FDT_ERR_NOTFOUND) chosen = fdt_add_subnode(buf.data(), 0, "chosen");
  check(chosen);
  uint8_t seed[32];
  random_.fill(seed, sizeof seed);
  check(fdt_setprop(buf.data(), chosen, "rng-seed", seed, sizeof seed));
  if (!opts_.append.empty()) check(fdt_setprop_string(buf.data(), chosen, "bootargs", opts_.append.c_str()));
  check(fdt_pack(buf.data()));
  std::fill(buf.begin() + fdt_totalsize(buf.data()), buf.end(), 0);
  return buf;
}

void VirtMachine::reset() {
  RamBlock* rom = as_.find_ram(virt_map::kMrom);
  as_.load_image(rom->base, rom_image_.data(), rom_image_.size());
  for (auto& [addr, bytes] : boot_blobs_) as_.load_image(addr, bytes.data(), bytes.size());
  if (!dtb_file_.empty()) {
    std::vector<uint8_t> dtb = build_dtb();
    as_.load_image(fdt_addr_, dtb.data(), dtb.size());
  }
  engine_.flush_translations();
  cpu_.reset(virt_map::kMrom);
  plic_->reset();
  uart_->reset();
  clint_->reset();
}

void VirtMachine::poll_host(int timeout_ms) {
  serial_->flush();
  if (logger().out() != stderr) std::fflush(logger().out());
  int fd = serial_->input_fd();
  if (fd >= 0 && timeout_ms != 0) {
    pollfd p{fd, POLLIN, 0};
    poll(&p, 1, timeout_ms);
  } else if (timeout_ms > 0) {
    usleep(static_cast<useconds_t>(timeout_ms) * 1000);
  }
  serial_->poll_input();
}

// The hart waits for an interrupt. Wait for host input or the next timer
// deadline, pacing virtual time against the host clock.
void VirtMachine::idle_wait() {
  uint64_t deadline = clock_.next_deadline();
  if (deadline == VirtualClock::kNever) {
    if (serial_->input_fd() < 0) {
      // Nothing can ever wake the hart: wait for a signal instead of spinning.
      poll_host(100);
      return;
    }
    poll_host(100);
    return;
  }
  uint64_t now = clock_.now_ns();
  uint64_t wait_ns = deadline > now ? deadline - now : 0;
  uint64_t start = host_monotonic_ns();
  int wait_ms = static_cast<int>(std::min<uint64_t>(wait_ns / 1000000, 100));
  if (wait_ms > 0) poll_host(wait_ms);
  if (clock_.icount_mode()) {
    uint64_t elapsed = host_monotonic_ns() - start;
    uint64_t target = (cpu_.interrupt_pending() && elapsed < wait_ns) ? now + elapsed : deadline;
    if (wait_ns <= 100'000'000ull || cpu_.interrupt_pending()) clock_.warp_to(target);
    else clock_.warp_to(now + elapsed);
    clock_.run_expired();
  } else {
    clock_.run_expired();
  }
}

int VirtMachine::run() {
  struct sigaction sa{};
  sa.sa_handler = on_quit_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);

  uint64_t limit = opts_.max_insns ? opts_.max_insns : ~0ull;
  while (!exit_) {
    if (g_quit_signal) {
      std::fprintf(stderr, "rewind: terminating on signal %d\n", static_cast<int>(g_quit_signal));
      exit_code_ = 128 + g_quit_signal;
      break;
    }
    uint64_t slice_end = cpu_.s.icount + std::min(kSliceInsns, limit - cpu_.s.icount);
    StopReason why = engine_.run(slice_end);
    engine_.clear_exit();
    if (reset_requested_) {
      reset_requested_ = false;
      if (opts_.no_reboot) break;
      reset();
      continue;
    }
    if (exit_) break;
    switch (why) {
      case StopReason::kLimit:
        if (cpu_.s.icount >= limit) {
          std::fprintf(stderr, "rewind: stopped after %llu instructions (-max-insns)\n",
                       static_cast<unsigned long long>(cpu_.s.icount));
          exit_ = true;
        } else {
          poll_host(0);
        }
        break;
      case StopReason::kIdle: idle_wait(); break;
      case StopReason::kTimeSlice: poll_host(0); break;
      case StopReason::kExit: break;
    }
  }
  serial_->flush();
  if (logger().out() != stderr) std::fflush(logger().out());
  return exit_code_;
}

}  // namespace rwd
