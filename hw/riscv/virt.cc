#include "hw/riscv/virt.h"

#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "hw/riscv/boot.h"
#include "hw/riscv/virt_fdt.h"
#include "hw/virtio/virtio_rng.h"
#include "libfdt.h"
#include "system/device_spec.h"
#include "util/hash64.h"
#include "util/log.h"

namespace rwd {

namespace {

constexpr const char* kDefaultFirmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";
constexpr uint64_t kSliceInsns = 1 << 22;  // instructions between host polls
constexpr uint64_t kNextModeS = 1;

volatile std::sig_atomic_t g_quit_signal = 0;
void on_quit_signal(int sig) { g_quit_signal = sig; }

}  // namespace

VirtMachine::VirtMachine(const Options& opts, std::unique_ptr<HostClock> host_clock,
                         std::unique_ptr<HostEntropy> host_entropy)
    : opts_(opts),
      cpu_(as_, clock_),
      engine_(cpu_, as_, clock_),
      host_clock_(host_clock ? std::move(host_clock) : std::make_unique<SystemHostClock>()),
      host_entropy_(host_entropy ? std::move(host_entropy) : std::make_unique<SystemHostEntropy>()),
      random_(opts.seed) {
  clock_.attach(&cpu_.s.icount, &cpu_.s.tb_insn_index, &cpu_.s.attention);
  if (opts_.icount.enabled) {
    clock_.set_icount_mode(opts_.icount.shift_auto ? 3 : opts_.icount.shift);
    clock_.set_sleep(opts_.icount.sleep);
  } else {
    clock_.set_realtime_mode();
  }
  engine_.set_singlestep(opts_.singlestep);
  if (opts_.tb_size_mib) engine_.set_code_buffer_size(size_t{opts_.tb_size_mib} << 20);
  engine_.set_jit(opts_.jit);
  if (opts_.perfmap) engine_.enable_perf_map();

  as_.add_ram("virt.mrom", virt_map::kMrom, virt_map::kMromSize, true);
  as_.add_ram("riscv.virt.ram", virt_map::kDram, opts_.ram_size);

  // Character devices (-chardev, -serial, -monitor, -mon, -nographic), the
  // host loop that drives them, the serial port's backend and the monitors.
  host_loop_ = std::make_unique<HostLoop>();
  chardevs_ = std::make_unique<CharRegistry>(*host_loop_);
  chardevs_->on_quit = [this] { request_quit(); };
  try {
    ConsoleSetup consoles = chardevs_->setup({opts_.chardevs, opts_.serial, opts_.monitors, opts_.mons, opts_.nographic});
    bool no_serial = consoles.serial_ids.empty() || consoles.serial_ids[0].empty();
    serial_ = no_serial ? chardevs_->null_backend() : chardevs_->attach(consoles.serial_ids[0]);
    for (const std::string& id : consoles.monitor_ids)
      monitors_.push_back(std::make_unique<Hmp>(*chardevs_->attach(id), *this));
  } catch (const ChardevError& e) {
    throw BootError(e.what());
  }

  plic_ = std::make_unique<Plic>(cpu_);
  uart_ = std::make_unique<Ns16550a>(serial_, plic_->irq(virt_map::kUart0Irq));
  clint_ = std::make_unique<Clint>(cpu_, clock_);
  test_ = std::make_unique<SifiveTest>(
      [this](int code) {
        exit_code_ = code;
        exit_ = true;
        engine_.request_exit();
      },
      [this] {
        // Deterministic, but marked in a recording (and checked on replay)
        // so the rrfile shows where the guest rebooted.
        if (replay_) replay_->sync_marker(EventKind::kGuestReset);
        reset_requested_ = true;
        engine_.request_exit();
      });
  as_.add_mmio(virt_map::kTest, virt_map::kTestSize, test_.get());
  as_.add_mmio(virt_map::kClint, virt_map::kClintSize, clint_.get());
  as_.add_mmio(virt_map::kPlic, virt_map::kPlicSize, plic_.get());
  as_.add_mmio(virt_map::kUart0, virt_map::kUart0Size, uart_.get());
  create_rtc();
  create_virtio();
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

// The 8 virtio-mmio transports. As on QEMU 7.2, -device fills them from the
// highest address down: the first -device gets 0x10008000 (PLIC source 8),
// the next 0x10007000, ...; the rest stay empty.
void VirtMachine::create_virtio() {
  std::vector<DeviceSpec> specs;
  std::string err;
  if (!parse_device_specs(opts_.devices, specs, err)) throw BootError(err);
  if (specs.size() > virt_map::kVirtioCount)
    throw BootError("-device " + opts_.devices[virt_map::kVirtioCount] + ": no free virtio-mmio slot (the board has " +
                    std::to_string(virt_map::kVirtioCount) + ")");
  for (unsigned i = 0; i < virt_map::kVirtioCount; ++i) {
    size_t n = virt_map::kVirtioCount - 1 - i;  // the -device this slot gets, if any
    std::unique_ptr<VirtioDevice> dev;
    if (n < specs.size() && specs[n].driver == "virtio-rng-device") dev = std::make_unique<VirtioRng>(*host_entropy_);
    virtio_.push_back(std::make_unique<VirtioMmio>(as_, plic_->irq(virt_map::kVirtioIrq + i), std::move(dev)));
    as_.add_mmio(virt_map::kVirtio + i * virt_map::kVirtioStride, VirtioMmio::kSize, virtio_.back().get());
  }
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
  for (auto& t : virtio_) t->reset();
}

// Host I/O between CPU slices: output out, then one iteration of the host
// loop (waiting up to `timeout_ms` while the guest idles). Host input reaches
// the frontends only here.
void VirtMachine::poll_host(int timeout_ms) {
  chardevs_->flush_all();
  if (logger().out() != stderr) std::fflush(logger().out());
  chardevs_->pump_all();
  host_loop_->iterate(timeout_ms);
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
  // How long the host really idled is not deterministic: a recording logs it.
  if (replay_ && clock_.icount_mode()) replay_->record_warp(idle_ns);
  apply_idle_warp(idle_ns);
}

void VirtMachine::apply_idle_warp(uint64_t ns) {
  if (clock_.icount_mode()) clock_.warp_to(clock_.now_ns() + ns);
  clock_.run_expired();
}

void VirtMachine::attach_replay(ReplayController* replay) {
  replay_ = replay;
  hasher_ = std::make_unique<StateHasher>(as_, cpu_);
  // Serial port 0's input goes through the controller.
  char_taps_.push_back(std::make_unique<ReplayCharTap>(*replay_, *serial_, 0));
  ReplayHooks h;
  h.icount = [this] { return clock_.instructions_now(); };
  // Inside a block (a device access), the executing instruction marked itself.
  h.current_pc = [this] { return cpu_.s.tb_insn_index && cpu_.current_op ? cpu_.current_op->pc : cpu_.s.pc; };
  h.idle_warp = [this](uint64_t ns) { apply_idle_warp(ns); };
  h.reset = [this] {  // as request_reset() did while recording
    reset_requested_ = true;
    engine_.request_exit();
  };
  h.extra_state = [this] { return device_state(); };
  h.deliver_char = [this](uint8_t port, const uint8_t* d, size_t n) {
    if (port < char_taps_.size()) char_taps_[port]->deliver(d, n);
  };
  h.perturb = [this](const Perturbation& p) {
    if (p.xreg > 0) cpu_.s.x[p.xreg] ^= 1ull << p.bit;
    uint8_t b;
    if (p.ram_addr && as_.read_bytes(*p.ram_addr, &b, 1)) {
      b ^= 1;
      as_.write_bytes(*p.ram_addr, &b, 1);
    }
  };
  replay_->attach(std::move(h), hasher_.get());
}

// What a checkpoint covers besides CPU and RAM: the clock and a hash of each
// device's saved state.
NamedValues VirtMachine::device_state() const {
  NamedValues v;
  v.emplace_back("virtual clock (ns)", clock_.now_ns());
  v.emplace_back("next timer deadline (ns)", clock_.next_deadline());
  for (const MmioRegion& r : as_.mmio_regions()) {
    ByteWriter w;
    r.device->save(w);
    char name[96];
    std::snprintf(name, sizeof name, "device %s @ 0x%llx", r.device->name().c_str(),
                  static_cast<unsigned long long>(r.base));
    v.emplace_back(name, hash_bytes(w.data().data(), w.data().size()));
  }
  return v;
}

int VirtMachine::run() {
  struct sigaction sa{};
  sa.sa_handler = on_quit_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);

  bool replaying = replay_ && replay_->replaying();
  uint64_t limit = opts_.max_insns ? opts_.max_insns : ~0ull;
  try {
    while (!exit_) {
      if (g_quit_signal) {
        std::fprintf(stderr, "rewind: terminating on signal %d\n", static_cast<int>(g_quit_signal));
        exit_code_ = 128 + g_quit_signal;
        end_reason_ = EndReason::kSignal;
        break;
      }
      if (paused_ && !reset_requested_) {  // stopped by the monitor: only host I/O runs
        poll_host(100);
        continue;
      }
      uint64_t slice_end = cpu_.s.icount + std::min(kSliceInsns, limit - cpu_.s.icount);
      if (replay_) slice_end = std::min(slice_end, std::max(replay_->next_stop(), cpu_.s.icount));
      StopReason why = engine_.run(slice_end);
      engine_.clear_exit();
      if (reset_requested_) {
        reset_requested_ = false;
        if (opts_.no_reboot) break;
        reset();
        continue;
      }
      if (exit_) break;
      // A host service step starts (record: a checkpoint may be due here).
      if (replay_) replay_->begin_service();
      if (cpu_.s.icount >= limit) {
        std::fprintf(stderr, "rewind: stopped after %llu instructions (-max-insns)\n",
                     static_cast<unsigned long long>(cpu_.s.icount));
        end_reason_ = EndReason::kInsnLimit;
        break;
      }
      if (replaying) {
        // The recording says what the host did here; live input is ignored.
        if (!replay_->replay_service(why == StopReason::kIdle)) {
          exit_code_ = 0;
          break;
        }
        if (why != StopReason::kIdle) poll_host(0);
        replay_->progress();
        continue;
      }
      switch (why) {
        case StopReason::kLimit:
        case StopReason::kTimeSlice: poll_host(0); break;
        case StopReason::kIdle: idle_wait(); break;
        case StopReason::kExit: break;
      }
    }
    if (replay_) {
      replay_->end(end_reason_, exit_code_);
      std::fputs(replay_->summary().c_str(), stderr);
    }
  } catch (const ReplayExhausted& e) {
    serial_->flush();
    std::fprintf(stderr, "\nrewind: %s\n", e.what());
    std::fputs(replay_->summary().c_str(), stderr);
    return 0;
  } catch (const ReplayDivergence& d) {
    serial_->flush();
    std::fprintf(stderr, "\nrewind: %s", d.what());
    return 3;
  }
  serial_->flush();
  if (logger().out() != stderr) std::fflush(logger().out());
  return exit_code_;
}

}  // namespace rwd
