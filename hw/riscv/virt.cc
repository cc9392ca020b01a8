#include "hw/riscv/virt.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "hw/core/device_factory.h"
#include "hw/riscv/boot.h"
#include "hw/riscv/virt_fdt.h"
#include "hw/virtio/virtio_pci.h"
#include "libfdt.h"

namespace rwd {

namespace {

constexpr uint64_t kNextModeS = 1;

}  // namespace

VirtMachine::VirtMachine(const Options& opts, BoardHost host)
    : opts_(opts), host_(host), cpu_(as_, clock_), random_(opts.seed) {
  cpu_.configure(opts_.cpu);
  clock_.attach(&cpu_.s.icount, &cpu_.s.tb_insn_index, &cpu_.s.attention);
  if (opts_.icount.enabled) {
    clock_.set_icount_mode(opts_.icount.shift_auto ? 3 : opts_.icount.shift);
    clock_.set_sleep(opts_.icount.sleep);
  } else {
    clock_.set_realtime_mode();
  }

  as_.add_ram("virt.mrom", virt_map::kMrom, virt_map::kMromSize, true);
  as_.add_ram("riscv.virt.ram", virt_map::kDram, opts_.ram_size);
  host_.devices.memory = &as_;  // a display device reads its backing pages through it

  plic_ = std::make_unique<Plic>(cpu_);
  uart_ = std::make_unique<Ns16550a>(host_.serial, plic_->irq(virt_map::kUart0Irq));
  clint_ = std::make_unique<Clint>(cpu_, clock_);
  test_ = std::make_unique<SifiveTest>(
      [this](int code) {
        if (on_power_off) on_power_off(code);
      },
      [this] {
        if (on_reset_request) on_reset_request();
      });
  as_.add_mmio(virt_map::kTest, virt_map::kTestSize, test_.get());
  as_.add_mmio(virt_map::kClint, virt_map::kClintSize, clint_.get());
  as_.add_mmio(virt_map::kPlic, virt_map::kPlicSize, plic_.get());
  as_.add_mmio(virt_map::kUart0, virt_map::kUart0Size, uart_.get());
  create_rtc();
  create_virtio();
  create_pci();
  register_input_handlers();
  create_firmware_devices();
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
    start_s = host_.clock->realtime_ns() / kNsPerSec;
    if (rtc.base == RtcOptions::Base::kLocaltime) start_s += host_.clock->utc_offset_s(start_s);
  }
  GoldfishRtc::TimeSource now;
  if (rtc.clock == RtcOptions::Clock::kVm)
    now = [this] { return static_cast<int64_t>(clock_.now_ns()); };
  else
    now = [this] { return host_.clock->realtime_ns(); };
  rtc_ = std::make_unique<GoldfishRtc>(plic_->irq(virt_map::kRtcIrq), clock_, std::move(now), start_s * kNsPerSec);
  as_.add_mmio(virt_map::kRtc, virt_map::kRtcSize, rtc_.get());
}

VirtMachine::~VirtMachine() = default;

void VirtMachine::load_boot_images() {
  // QEMU's rules.
  if (!opts_.append.empty() && opts_.kernel.empty()) throw BootError("-append only allowed with -kernel option");
  if (!opts_.initrd.empty() && opts_.kernel.empty()) throw BootError("-initrd only allowed with -kernel option");

  // As QEMU 7.2: a drive on flash unit 0 is where the boot ROM jumps (the
  // firmware in RAM is loaded all the same); one on unit 1 holds the S-mode
  // firmware the M-mode firmware starts, and the kernel, initrd and command
  // line go to fw_cfg for it instead of into RAM.
  uint64_t start = host_.pflash_drives[0].empty() ? virt_map::kDram : virt_map::kFlash;
  const bool smode_flash = !host_.pflash_drives[1].empty();
  uint64_t next_addr = 0;
  bool have_firmware = opts_.bios != "none";
  std::vector<std::pair<Range, std::string>> placed;  // for the overlap check
  auto remember = [this, &placed](const LoadedImage& img, const std::string& what) {
    RamBlock* rb = as_.find_ram(img.low, img.high - img.low);
    boot_blobs_.emplace_back(img.low, std::vector<uint8_t>(rb->ptr(img.low), rb->ptr(img.low) + (img.high - img.low)));
    placed.push_back({{img.low, img.high}, what});
  };

  if (have_firmware) {
    std::string fw = opts_.bios == "default" ? kDefaultFirmwarePath : opts_.bios;
    if (opts_.bios == "default" && !std::filesystem::exists(fw))
      throw BootError("could not find the default firmware '" + fw +
                      "' (install Debian's opensbi package, or pass -bios FILE or -bios none)");
    LoadedImage img = load_image(as_, fw, virt_map::kDram, "firmware");
    remember(img, "firmware '" + fw + "'");
    if (smode_flash) {
      next_addr = virt_map::kFlash + virt_map::kFlashBankSize;
    } else if (!opts_.kernel.empty()) {
      // The kernel goes at the first 2 MiB boundary after the firmware.
      uint64_t kaddr = (img.high + (2ull << 20) - 1) & ~((2ull << 20) - 1);
      LoadedImage k = load_image(as_, opts_.kernel, kaddr, "kernel");
      remember(k, "kernel '" + opts_.kernel + "'");
      next_addr = k.elf ? k.entry : k.low;
    }
  } else if (smode_flash) {
    next_addr = virt_map::kFlash + virt_map::kFlashBankSize;
  } else if (!opts_.kernel.empty()) {
    LoadedImage k = load_image(as_, opts_.kernel, virt_map::kDram, "kernel");
    remember(k, "kernel '" + opts_.kernel + "'");
    next_addr = k.low;  // QEMU passes the lowest load address
  }

  std::optional<Range> initrd;
  if (smode_flash) {
    add_kernel_to_fw_cfg();
  } else if (!opts_.initrd.empty()) {
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
    config.riscv_isa = opts_.cpu.isa_string();
    config.mmu = opts_.cpu.mmu;
    config.pcie_high_base = virt_map::pcie_high_base(opts_.ram_size);
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
// the next 0x10007000, ...; the rest stay empty. (PCI devices and if=virtio
// drives go on the PCIe host: create_pci().)
void VirtMachine::create_virtio() {
  std::vector<DeviceSpec> all, specs;
  std::vector<size_t> order;  // each spec's place on the command line
  std::string err;
  if (!parse_device_specs(opts_.devices, all, err)) throw BootError(err);
  for (size_t i = 0; i < all.size(); ++i)
    if (device_bus(all[i]) == DeviceBus::kVirtioMmio) specs.push_back(all[i]), order.push_back(i);
  specs.insert(specs.end(), host_.nics.begin(), host_.nics.end());
  if (specs.size() > virt_map::kVirtioCount)
    throw BootError(std::to_string(specs.size()) + " virtio-mmio devices: the board has " +
                    std::to_string(virt_map::kVirtioCount) + " virtio-mmio slots");
  const bool legacy_when_empty = global_bool(opts_.globals, "virtio-mmio", "force-legacy", true);
  for (unsigned i = 0; i < virt_map::kVirtioCount; ++i) {
    size_t n = virt_map::kVirtioCount - 1 - i;  // the -device this slot gets, if any
    std::unique_ptr<VirtioDevice> dev;
    try {
      if (n < specs.size())
        dev = create_virtio_device(specs[n], host_.devices, static_cast<uint8_t>(i));
      if (auto* h = dynamic_cast<InputHandler*>(dev.get())) input_handlers_.emplace_back(order.at(n), h);
    } catch (const DeviceError& e) {
      throw BootError(e.what());
    }
    virtio_.push_back(
        std::make_unique<VirtioMmio>(as_, plic_->irq(virt_map::kVirtioIrq + i), std::move(dev), legacy_when_empty));
    as_.add_mmio(virt_map::kVirtio + i * virt_map::kVirtioStride, VirtioMmio::kSize, virtio_.back().get());
  }
}

// The PCIe host and its devices. As QEMU 7.2 on virt: the host bridge is
// 00:00.0; each PCI -device, in command-line order, takes its addr= slot or
// the first free one; the if=virtio drives then get virtio-blk-pci
// functions the same way, after every -device.
void VirtMachine::create_pci() {
  PciHostWindows w;
  w.ecam_base = virt_map::kPcieEcam;
  w.ecam_size = virt_map::kPcieEcamSize;
  w.pio_base = virt_map::kPciePio;
  w.pio_size = virt_map::kPciePioSize;
  w.mmio_base = virt_map::kPcieMmio;
  w.mmio_size = virt_map::kPcieMmioSize;
  w.high_base = virt_map::pcie_high_base(opts_.ram_size);
  w.high_size = virt_map::kPcieHighSize;
  std::array<IrqLine*, 4> intx;
  for (unsigned i = 0; i < 4; ++i) intx[i] = plic_->irq(virt_map::kPcieIrq + i);
  pcie_ = std::make_unique<GenericPcieHost>(as_, w, intx);

  std::vector<DeviceSpec> all, specs;
  std::vector<size_t> order;  // each spec's place on the command line
  std::string err;
  if (!parse_device_specs(opts_.devices, all, err)) throw BootError(err);
  for (size_t i = 0; i < all.size(); ++i)
    if (device_bus(all[i]) == DeviceBus::kPci) specs.push_back(all[i]), order.push_back(i);
  for (const std::string& id : host_.virtio_drives) specs.push_back({"virtio-blk-pci", "", {{"drive", id}}});
  PciBus& bus = pcie_->bus();
  for (size_t k = 0; k < specs.size(); ++k) {
    const DeviceSpec& spec = specs[k];
    int slot = pci_slot(spec);
    if (slot >= 0 && bus.device(static_cast<unsigned>(slot))) {
      char msg[160];
      std::snprintf(msg, sizeof msg, "-device %s: PCI: slot %d function 0 not available for %s, in use by %s",
                    spec.driver.c_str(), slot, spec.driver.c_str(), bus.device(slot)->name().c_str());
      throw BootError(msg);
    }
    if (slot < 0) slot = bus.free_slot(1);
    if (slot < 0) throw BootError("-device " + spec.driver + ": PCI: no free slot on bus 0");
    try {
      auto dev = create_virtio_device(spec, host_.devices, static_cast<uint8_t>(virt_map::kVirtioCount + slot));
      if (auto* h = dynamic_cast<InputHandler*>(dev.get())) input_handlers_.emplace_back(order.at(k), h);
      bus.plug(static_cast<unsigned>(slot), std::make_unique<VirtioPci>(as_, std::move(dev), pci_transitional(spec)));
    } catch (const DeviceError& e) {
      throw BootError(e.what());
    }
  }
}

// The input devices join the machine's InputRouter in command-line order
// (the first -device that takes a kind of event gets it), whichever bus and
// slot each landed on.
void VirtMachine::register_input_handlers() {
  std::stable_sort(input_handlers_.begin(), input_handlers_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (host_.devices.input_router)
    for (auto& [order, h] : input_handlers_) host_.devices.input_router->add_handler(h);
}

void VirtMachine::reset() {
  RamBlock* rom = as_.find_ram(virt_map::kMrom);
  as_.load_image(rom->base, rom_image_.data(), rom_image_.size());
  for (auto& [addr, bytes] : boot_blobs_) as_.load_image(addr, bytes.data(), bytes.size());
  set_fdt_rng_seed(fdt_, fresh_rng_seed());
  as_.load_image(fdt_addr_, fdt_.data(), fdt_.size());
  cpu_.reset(opts_.cpu.resetvec);  // the boot ROM unless -cpu ...,resetvec=ADDR
  plic_->reset();
  uart_->reset();
  clint_->reset();
  rtc_->reset();
  for (auto& t : virtio_) t->reset();
  pcie_->reset();
  fw_cfg_->reset();
  for (auto& f : flash_) f->reset();
}

// Every device, by what it is and where (the names checkpoints have always
// used), then the generator that draws each reset's rng-seed.
std::vector<StatePart> VirtMachine::state_parts() {
  std::vector<StatePart> parts;
  for (const MmioRegion& r : as_.mmio_regions()) {
    char name[96];
    std::snprintf(name, sizeof name, "device %s @ 0x%llx", r.device->name().c_str(),
                  static_cast<unsigned long long>(r.base));
    MmioDevice* d = r.device;
    parts.push_back({name, [d](ByteWriter& w) { d->save(w); }, [d](ByteReader& rd) { d->load(rd); }});
  }
  parts.push_back({"guest random", [this](ByteWriter& w) { random_.save(w); },
                   [this](ByteReader& rd) { random_.load(rd); }});
  return parts;
}

}  // namespace rwd
