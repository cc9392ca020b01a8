#include "hw/riscv/virt.h"

#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "hw/riscv/boot.h"
#include "hw/riscv/virt_fdt.h"
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

VirtMachine::VirtMachine(const Options& opts, std::unique_ptr<HostClock> host_clock)
    : opts_(opts),
      cpu_(as_, clock_),
      engine_(cpu_, as_, clock_),
      host_clock_(host_clock ? std::move(host_clock) : std::make_unique<SystemHostClock>()),
      random_(opts.seed) {
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
  create_rtc();
  // Transports without a device, as QEMU maps them when no -device fills them.
  for (unsigned i = 0; i < virt_map::kVirtioCount; ++i) {
    virtio_.push_back(std::make_unique<VirtioMmioEmpty>());
    as_.add_mmio(virt_map::kVirtio + i * virt_map::kVirtioStride, VirtioMmioEmpty::kSize, virtio_.back().get());
  }
  cpu_.set_time_source([this] { return clint_->mtime(); });

  load_boot_images();
  if (!opts_.dumpdtb.empty()) {
    dump_fdt();
    return;
  }
  reset();
}

// The goldfish RTC starts at the -rtc base (in whole seconds, as QEMU) and
// runs on host time (clock=host, rt) or on the virtual clock (clock=vm). All
// host readings go through host_clock_.
void VirtMachine::create_rtc() {
  constexpr int64_t kNsPerSec = 1'000'000'000;
  const RtcOptions& rtc = opts_.rtc;
  int64_t start_s;
  if (rtc.base == RtcOptions::Base::kDate) {
    start_s = rtc.date_s;
  } else {
    start_s = host_clock_->realtime_ns() / kNsPerSec;
    if (rtc.base == RtcOptions::Base::kLocaltime) start_s += host_clock_->utc_offset_s(start_s);
  }
  GoldfishRtc::TimeSource now;
  if (rtc.clock == RtcOptions::Clock::kVm)
    now = [this] { return static_cast<int64_t>(clock_.now_ns()); };
  else
    now = [this] { return host_clock_->realtime_ns(); };
  rtc_ = std::make_unique<GoldfishRtc>(plic_->irq(virt_map::kRtcIrq), clock_, std::move(now), start_s * kNsPerSec);
  as_.add_mmio(virt_map::kRtc, virt_map::kRtcSize, rtc_.get());
}

VirtMachine::~VirtMachine() {
  if (serial_) serial_->flush();
}

void VirtMachine::load_boot_images() {
  // QEMU's rules.
  if (!opts_.append.empty() && opts_.kernel.empty()) throw BootError("-append only allowed with -kernel option");
  if (!opts_.initrd.empty() && opts_.kernel.empty()) throw BootError("-initrd only allowed with -kernel option");

  uint64_t start = virt_map::kDram;
  uint64_t next_addr = 0;
  bool have_firmware = opts_.bios != "none";
  std::vector<std::pair<Range, std::string>> placed;  // for the overlap check
  auto remember = [this, &placed](const LoadedImage& img, const std::string& what) {
    RamBlock* rb = as_.find_ram(img.low, img.high - img.low);
    boot_blobs_.emplace_back(img.low, std::vector<uint8_t>(rb->ptr(img.low), rb->ptr(img.low) + (img.high - img.low)));
    placed.push_back({{img.low, img.high}, what});
  };

  if (have_firmware) {
    std::string fw = opts_.bios == "default" ? kDefaultFirmware : opts_.bios;
    if (opts_.bios == "default" && !std::filesystem::exists(fw))
      throw BootError("could not find the default firmware '" + fw +
                      "' (install Debian's opensbi package, or pass -bios FILE or -bios none)");
    LoadedImage img = load_image(as_, fw, virt_map::kDram, "firmware");
    remember(img, "firmware '" + fw + "'");
    if (!opts_.kernel.empty()) {
      // The kernel goes at the first 2 MiB boundary after the firmware.
      uint64_t kaddr = (img.high + (2ull << 20) - 1) & ~((2ull << 20) - 1);
      LoadedImage k = load_image(as_, opts_.kernel, kaddr, "kernel");
      remember(k, "kernel '" + opts_.kernel + "'");
      next_addr = k.elf ? k.entry : k.low;
    }
  } else if (!opts_.kernel.empty()) {
    LoadedImage k = load_image(as_, opts_.kernel, virt_map::kDram, "kernel");
    remember(k, "kernel '" + opts_.kernel + "'");
    next_addr = k.low;  // QEMU passes the lowest load address
  }

  std::optional<Range> initrd;
  if (!opts_.initrd.empty()) {
    uint64_t addr = initrd_load_address(next_addr, opts_.ram_size);
    LoadedImage img = load_flat_image(as_, opts_.initrd, addr, "initial ram disk");
    remember(img, "initial ram disk '" + opts_.initrd + "'");
    initrd = Range{img.low, img.high};
  }

  build_fdt(initrd);
  fdt_addr_ = fdt_load_address(virt_map::kDram, opts_.ram_size, fdt_.size());
  if (fdt_addr_ < virt_map::kDram || !as_.find_ram(fdt_addr_, fdt_.size()))
    throw BootError("the device tree does not fit in guest memory");
  placed.push_back({{fdt_addr_, fdt_addr_ + fdt_.size()}, "the device tree"});

  // Like QEMU, refuse images that overwrite each other.
  for (size_t i = 0; i < placed.size(); ++i)
    for (size_t j = i + 1; j < placed.size(); ++j)
      if (placed[i].first.first < placed[j].first.second && placed[j].first.first < placed[i].first.second)
        throw BootError(placed[i].second + " and " + placed[j].second + " overlap in guest memory");

  write_reset_vector(as_, virt_map::kMrom, start, fdt_addr_, next_addr, kNextModeS);
  RamBlock* rom = as_.find_ram(virt_map::kMrom);
  rom_image_.assign(rom->host.get(), rom->host.get() + rom->size);
}

std::vector<uint8_t> VirtMachine::fresh_rng_seed() {
  std::vector<uint8_t> seed(32);
  random_.fill(seed.data(), seed.size());
  return seed;
}

// The tree at machine creation, with its own rng-seed (as QEMU draws one
// then; resets draw new ones). Generated, or the -dtb file's tree: QEMU opens
// the file into a buffer of 2 * (size + 10000) bytes, sets /chosen (bootargs
// with -append, rng-seed, the initrd), packs it and copies the whole buffer,
// zeros after the packed tree, to the guest.
void VirtMachine::build_fdt(std::optional<Range> initrd) {
  if (opts_.dtb.empty()) {
    VirtFdtConfig config;
    config.ram_base = virt_map::kDram;
    config.ram_size = opts_.ram_size;
    config.bootargs = opts_.append;
    if (initrd) {
      config.initrd_start = initrd->first;
      config.initrd_end = initrd->second;
    }
    config.rng_seed = fresh_rng_seed();
    fdt_ = build_virt_fdt(config);
    fdt_.resize(kVirtFdtBufferSize, 0);
    return;
  }
  std::vector<uint8_t> file = read_file(opts_.dtb, "device tree");
  if (file.size() < 40 || file[0] != 0xd0 || file[1] != 0x0d || file[2] != 0xfe || file[3] != 0xed)
    throw BootError("device tree '" + opts_.dtb + "': not a flattened device tree (bad magic)");
  if (fdt_check_header(file.data()) != 0 || fdt_totalsize(file.data()) > file.size())
    throw BootError("device tree '" + opts_.dtb + "': damaged or truncated flattened device tree");
  std::vector<uint8_t> buf(2 * (file.size() + 10000), 0);
  auto check = [this](int err) {
    if (err < 0) throw BootError("device tree '" + opts_.dtb + "': " + fdt_strerror(err));
    return err;
  };
  void* fdt = buf.data();
  check(fdt_open_into(file.data(), fdt, static_cast<int>(buf.size())));
  int chosen = fdt_path_offset(fdt, "/chosen");
  if (chosen == -FDT_ERR_NOTFOUND) chosen = fdt_add_subnode(fdt, 0, "chosen");
  check(chosen);
  if (!opts_.append.empty()) check(fdt_setprop_string(fdt, chosen, "bootargs", opts_.append.c_str()));
  std::vector<uint8_t> seed = fresh_rng_seed();
  check(fdt_setprop(fdt, chosen, "rng-seed", seed.data(), static_cast<int>(seed.size())));
  if (initrd) {
    // One cell each as QEMU 7.2 writes them, two if the address needs them.
    auto set = [&](const char* name, uint64_t v) {
      check(v >> 32 ? fdt_setprop_u64(fdt, chosen, name, v) : fdt_setprop_u32(fdt, chosen, name, static_cast<uint32_t>(v)));
    };
    set("linux,initrd-start", initrd->first);
    set("linux,initrd-end", initrd->second);
  }
  check(fdt_pack(fdt));
  std::fill(buf.begin() + fdt_totalsize(fdt), buf.end(), 0);
  fdt_ = std::move(buf);
}

// -M dumpdtb=FILE: the whole buffer, as QEMU writes it.
void VirtMachine::dump_fdt() {
  FILE* f = std::fopen(opts_.dumpdtb.c_str(), "wb");
  if (!f) throw BootError("-M dumpdtb=" + opts_.dumpdtb + ": cannot open the file for writing");
  bool ok = std::fwrite(fdt_.data(), 1, fdt_.size(), f) == fdt_.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok) throw BootError("-M dumpdtb=" + opts_.dumpdtb + ": write failed");
  std::fprintf(stderr, "rewind: info: dtb dumped to %s. Exiting.\n", opts_.dumpdtb.c_str());
}

void VirtMachine::reset() {
  RamBlock* rom = as_.find_ram(virt_map::kMrom);
  as_.load_image(rom->base, rom_image_.data(), rom_image_.size());
  for (auto& [addr, bytes] : boot_blobs_) as_.load_image(addr, bytes.data(), bytes.size());
  set_fdt_rng_seed(fdt_, fresh_rng_seed());
  as_.load_image(fdt_addr_, fdt_.data(), fdt_.size());
  engine_.flush_translations();
  cpu_.reset(virt_map::kMrom);
  plic_->reset();
  uart_->reset();
  clint_->reset();
  rtc_->reset();
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

// The hart waits for an interrupt: wait for host input or the next timer
// deadline. In icount mode (sleep=on) virtual time then advances by the host
// time actually spent idle, at most to the deadline, so an idle guest keeps
// pace with the wall clock; with nothing armed only host input (or a signal)
// can wake it.
void VirtMachine::idle_wait() {
  uint64_t deadline = clock_.next_deadline();
  if (deadline == VirtualClock::kNever) {
    poll_host(100);
    return;
  }
  uint64_t now = clock_.now_ns();
  uint64_t idle_ns = deadline > now ? deadline - now : 0;
  if (idle_ns >= 1'000'000) {  // shorter waits are not worth a host sleep
    uint64_t start = host_monotonic_ns();
    poll_host(static_cast<int>(std::min<uint64_t>(idle_ns / 1'000'000, 100)));
    idle_ns = std::min(idle_ns, host_monotonic_ns() - start);
  }
  if (clock_.icount_mode()) clock_.warp_to(now + idle_ns);
  clock_.run_expired();
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
