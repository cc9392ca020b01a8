#include "hw/riscv/virt_fdt.h"

#include <initializer_list>

#include "hw/intc/clint.h"
#include "hw/intc/plic.h"
#include "hw/riscv/boot.h"
#include "hw/riscv/virt.h"
#include "hw/rtc/goldfish_rtc.h"
#include "libfdt.h"

namespace rwd {

namespace {

// Phandles as QEMU's virt numbers them (one hart).
constexpr uint32_t kPhandleCpu0 = 1, kPhandleCpu0Intc = 2, kPhandlePlic = 3, kPhandleTest = 4;
// Local interrupt numbers on the hart's interrupt controller.
constexpr uint32_t kIrqMSoft = 3, kIrqMTimer = 7, kIrqSExt = 9, kIrqMExt = 11;
constexpr uint32_t kUartClockHz = 3686400;
constexpr uint32_t kPowerOffValue = 0x5555, kRebootValue = 0x7777;
// QEMU 7.2's riscv,event-to-mhpmcounters for its 16 programmable counters
// (triples: first event, last event, counter bitmap; its table ends in
// zeros). Kept identical so OpenSBI sets up the same SBI PMU state as on QEMU.
constexpr uint32_t kPmuEventMap[] = {0x1,     0x1,     0x7fff9, 0x2,     0x2,     0x7fffc, 0x10019,
                                     0x10019, 0x7fff8, 0x1001b, 0x1001b, 0x7fff8, 0x10021, 0x10021,
                                     0x7fff8, 0,       0,       0,       0,       0};

// A tree under construction. libfdt inserts a new property or subnode before
// the existing ones, so nodes and properties read back in the reverse order
// of the calls: the functions below add them in reverse of the order QEMU's
// dumped tree shows, to keep a side-by-side diff readable.
class FdtWriter {
 public:
  explicit FdtWriter(size_t size) : buf_(size, 0) { check(fdt_create_empty_tree(buf_.data(), static_cast<int>(size))); }

  int node(int parent, const std::string& name) { return check(fdt_add_subnode(fdt(), parent, name.c_str())); }
  void cells(int node, const char* prop, std::initializer_list<uint32_t> values) {
    std::vector<uint32_t> be;
    for (uint32_t v : values) be.push_back(cpu_to_fdt32(v));
    raw(node, prop, be.data(), be.size() * 4);
  }
  void cells(int node, const char* prop, const uint32_t* values, size_t n) {
    std::vector<uint32_t> be;
    for (size_t i = 0; i < n; ++i) be.push_back(cpu_to_fdt32(values[i]));
    raw(node, prop, be.data(), be.size() * 4);
  }
  // A (base, size) pair in the two-cell address and size format of /soc.
  void reg64(int node, uint64_t base, uint64_t size) {
    cells(node, "reg", {static_cast<uint32_t>(base >> 32), static_cast<uint32_t>(base),
                        static_cast<uint32_t>(size >> 32), static_cast<uint32_t>(size)});
  }
  void string(int node, const char* prop, const std::string& s) { raw(node, prop, s.c_str(), s.size() + 1); }
  void strings(int node, const char* prop, std::initializer_list<const char*> list) {
    std::string joined;
    for (const char* s : list) joined.append(s).push_back('\0');
    raw(node, prop, joined.data(), joined.size());
  }
  void empty(int node, const char* prop) { raw(node, prop, nullptr, 0); }
  void raw(int node, const char* prop, const void* data, size_t len) {
    check(fdt_setprop(fdt(), node, prop, data, static_cast<int>(len)));
  }

  std::vector<uint8_t> finish() {
    check(fdt_pack(fdt()));
    buf_.resize(fdt_totalsize(fdt()));
    return std::move(buf_);
  }

 private:
  void* fdt() { return buf_.data(); }
  static int check(int err) {
    if (err < 0) throw BootError(std::string("building the device tree: ") + fdt_strerror(err));
    return err;
  }
  std::vector<uint8_t> buf_;
};

std::string unit_name(const char* name, uint64_t addr) {
  char buf[64];
  snprintf(buf, sizeof buf, "%s@%llx", name, static_cast<unsigned long long>(addr));
  return buf;
}

// A /soc device with one PLIC interrupt.
void add_plic_device(FdtWriter& t, int soc, const char* name, const char* compatible, uint64_t base, uint64_t size,
                     uint32_t irq) {
  int n = t.node(soc, unit_name(name, base));
  t.string(n, "compatible", compatible);
  t.reg64(n, base, size);
  t.cells(n, "interrupt-parent", {kPhandlePlic});
  t.cells(n, "interrupts", {irq});
}

// The PCIe host: ECAM, the I/O, 32-bit and 64-bit windows (PCI address
// cells: space code, address high, low), and INTx of slots 0..3 (the mask
// repeats them for every slot) swizzled onto PLIC sources 32..35.
void add_pcie(FdtWriter& t, int soc, uint64_t high_base) {
  int n = t.node(soc, unit_name("pci", virt_map::kPcieEcam));
  t.cells(n, "#address-cells", {3});
  t.cells(n, "#interrupt-cells", {1});
  t.cells(n, "#size-cells", {2});
  t.string(n, "compatible", "pci-host-ecam-generic");
  t.string(n, "device_type", "pci");
  t.cells(n, "linux,pci-domain", {0});
  t.cells(n, "bus-range", {0, static_cast<uint32_t>(virt_map::kPcieEcamSize / (1u << 20) - 1)});
  t.empty(n, "dma-coherent");
  t.reg64(n, virt_map::kPcieEcam, virt_map::kPcieEcamSize);
  auto hi = [](uint64_t v) { return static_cast<uint32_t>(v >> 32); };
  auto lo = [](uint64_t v) { return static_cast<uint32_t>(v); };
  constexpr uint32_t kIo = 0x1000000, kMem32 = 0x2000000, kMem64 = 0x3000000;
  t.cells(n, "ranges",
          {kIo, 0, 0, hi(virt_map::kPciePio), lo(virt_map::kPciePio), hi(virt_map::kPciePioSize),
           lo(virt_map::kPciePioSize), kMem32, hi(virt_map::kPcieMmio), lo(virt_map::kPcieMmio),
           hi(virt_map::kPcieMmio), lo(virt_map::kPcieMmio), hi(virt_map::kPcieMmioSize), lo(virt_map::kPcieMmioSize),
           kMem64, hi(high_base), lo(high_base), hi(high_base), lo(high_base), hi(virt_map::kPcieHighSize),
           lo(virt_map::kPcieHighSize)});
  std::vector<uint32_t> map;
  for (uint32_t slot = 0; slot < 4; ++slot)
    for (uint32_t pin = 1; pin <= 4; ++pin)
      map.insert(map.end(), {slot << 11, 0, 0, pin, kPhandlePlic, virt_map::kPcieIrq + (slot + pin - 1) % 4});
  t.cells(n, "interrupt-map", map.data(), map.size());
  t.cells(n, "interrupt-map-mask", {3u << 11, 0, 0, 7});
}

void add_soc(FdtWriter& t, uint64_t pcie_high_base) {
  int soc = t.node(0, "soc");
  t.empty(soc, "ranges");
  t.string(soc, "compatible", "simple-bus");
  t.cells(soc, "#size-cells", {2});
  t.cells(soc, "#address-cells", {2});

  // CLINT: the hart's machine software and timer interrupts.
  int clint = t.node(soc, unit_name("clint", virt_map::kClint));
  t.strings(clint, "compatible", {"sifive,clint0", "riscv,clint0"});
  t.reg64(clint, virt_map::kClint, virt_map::kClintSize);
  t.cells(clint, "interrupts-extended", {kPhandleCpu0Intc, kIrqMSoft, kPhandleCpu0Intc, kIrqMTimer});

  // PLIC: context 0 = M-mode external interrupt, context 1 = S-mode.
  int plic = t.node(soc, unit_name("plic", virt_map::kPlic));
  t.cells(plic, "#interrupt-cells", {1});
  t.cells(plic, "#address-cells", {0});
  t.strings(plic, "compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  t.empty(plic, "interrupt-controller");
  t.cells(plic, "interrupts-extended", {kPhandleCpu0Intc, kIrqMExt, kPhandleCpu0Intc, kIrqSExt});
  t.reg64(plic, virt_map::kPlic, virt_map::kPlicSize);
  t.cells(plic, "riscv,ndev", {Plic::kNumSources});
  t.cells(plic, "phandle", {kPhandlePlic});

  for (unsigned i = 0; i < virt_map::kVirtioCount; ++i)
    add_plic_device(t, soc, "virtio_mmio", "virtio,mmio", virt_map::kVirtio + i * virt_map::kVirtioStride,
                    virt_map::kVirtioStride, virt_map::kVirtioIrq + i);
  add_pcie(t, soc, pcie_high_base);

  int test = t.node(soc, unit_name("test", virt_map::kTest));
  t.strings(test, "compatible", {"sifive,test1", "sifive,test0", "syscon"});
  t.reg64(test, virt_map::kTest, virt_map::kTestSize);
  t.cells(test, "phandle", {kPhandleTest});

  int uart = t.node(soc, unit_name("serial", virt_map::kUart0));
  t.string(uart, "compatible", "ns16550a");
  t.reg64(uart, virt_map::kUart0, virt_map::kUart0Size);
  t.cells(uart, "clock-frequency", {kUartClockHz});
  t.cells(uart, "interrupt-parent", {kPhandlePlic});
  t.cells(uart, "interrupts", {virt_map::kUart0Irq});

  add_plic_device(t, soc, "rtc", "google,goldfish-rtc", virt_map::kRtc, virt_map::kRtcSize, virt_map::kRtcIrq);
}

void add_cpus(FdtWriter& t, const VirtFdtConfig& c) {
  int cpus = t.node(0, "cpus");
  t.cells(cpus, "timebase-frequency", {static_cast<uint32_t>(Clint::kTimebaseHz)});
  t.cells(cpus, "#size-cells", {0});
  t.cells(cpus, "#address-cells", {1});

  int map = t.node(cpus, "cpu-map");
  int cluster = t.node(map, "cluster0");
  int core = t.node(cluster, "core0");
  t.cells(core, "cpu", {kPhandleCpu0});

  int cpu = t.node(cpus, "cpu@0");
  int intc = t.node(cpu, "interrupt-controller");
  t.cells(intc, "phandle", {kPhandleCpu0Intc});
  t.string(intc, "compatible", "riscv,cpu-intc");
  t.empty(intc, "interrupt-controller");
  t.cells(intc, "#interrupt-cells", {1});
  t.string(cpu, "mmu-type", c.mmu ? "riscv,sv48" : "riscv,none");
  t.string(cpu, "riscv,isa", c.riscv_isa);
  t.string(cpu, "compatible", "riscv");
  t.string(cpu, "status", "okay");
  t.cells(cpu, "reg", {0});
  t.string(cpu, "device_type", "cpu");
  t.cells(cpu, "phandle", {kPhandleCpu0});
}

// syscon-poweroff / syscon-reboot: a value written to the test device.
void add_syscon_action(FdtWriter& t, const char* name, uint32_t value) {
  int n = t.node(0, name);
  t.string(n, "compatible", std::string("syscon-") + name);
  t.cells(n, "regmap", {kPhandleTest});
  t.cells(n, "offset", {0});
  t.cells(n, "value", {value});
}

void add_chosen(FdtWriter& t, const VirtFdtConfig& c) {
  int chosen = t.node(0, "chosen");
  t.string(chosen, "stdout-path", "/soc/" + unit_name("serial", virt_map::kUart0));
  if (!c.bootargs.empty()) t.string(chosen, "bootargs", c.bootargs);
  t.raw(chosen, "rng-seed", c.rng_seed.data(), c.rng_seed.size());
  if (c.initrd_start) {
    // One cell each as QEMU 7.2 writes them, two if the address needs them.
    auto set = [&](const char* name, uint64_t v) {
      if (v >> 32)
        t.cells(chosen, name, {static_cast<uint32_t>(v >> 32), static_cast<uint32_t>(v)});
      else
        t.cells(chosen, name, {static_cast<uint32_t>(v)});
    };
    set("linux,initrd-start", *c.initrd_start);
    set("linux,initrd-end", c.initrd_end);
  }
}

// The two flash banks (one node, one reg pair each) and fw_cfg, at the top
// level as QEMU has them.
void add_firmware_devices(FdtWriter& t) {
  int flash = t.node(0, unit_name("flash", virt_map::kFlash));
  t.string(flash, "compatible", "cfi-flash");
  t.cells(flash, "reg",
          {0, static_cast<uint32_t>(virt_map::kFlash), 0, static_cast<uint32_t>(virt_map::kFlashBankSize), 0,
           static_cast<uint32_t>(virt_map::kFlash + virt_map::kFlashBankSize), 0,
           static_cast<uint32_t>(virt_map::kFlashBankSize)});
  t.cells(flash, "bank-width", {PflashCfi01::kBankWidth});

  int fw = t.node(0, unit_name("fw-cfg", virt_map::kFwCfg));
  t.string(fw, "compatible", "qemu,fw-cfg-mmio");
  t.reg64(fw, virt_map::kFwCfg, fw_cfg::kRegSize);
  t.empty(fw, "dma-coherent");
}

}  // namespace

std::vector<uint8_t> build_virt_fdt(const VirtFdtConfig& c) {
  FdtWriter t(kVirtFdtBufferSize);
  t.string(0, "model", "riscv-virtio,qemu");
  t.string(0, "compatible", "riscv-virtio");
  t.cells(0, "#size-cells", {2});
  t.cells(0, "#address-cells", {2});

  add_soc(t, c.pcie_high_base);
  add_cpus(t, c);

  int mem = t.node(0, unit_name("memory", c.ram_base));
  t.reg64(mem, c.ram_base, c.ram_size);
  t.string(mem, "device_type", "memory");

  add_syscon_action(t, "reboot", kRebootValue);
  add_syscon_action(t, "poweroff", kPowerOffValue);
  add_chosen(t, c);
  add_firmware_devices(t);

  int pmu = t.node(0, "pmu");
  t.string(pmu, "compatible", "riscv,pmu");
  t.cells(pmu, "riscv,event-to-mhpmcounters", kPmuEventMap, std::size(kPmuEventMap));
  return t.finish();
}

void set_fdt_rng_seed(std::vector<uint8_t>& fdt, const std::vector<uint8_t>& seed) {
  int chosen = fdt_path_offset(fdt.data(), "/chosen");
  int err = chosen < 0 ? chosen
                       : fdt_setprop_inplace(fdt.data(), chosen, "rng-seed", seed.data(), static_cast<int>(seed.size()));
  if (err < 0) throw BootError(std::string("device tree: cannot set /chosen/rng-seed: ") + fdt_strerror(err));
}

}  // namespace rwd
