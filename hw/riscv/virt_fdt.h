// The virt board's device tree, built at machine creation: the devices
// rewind has, with QEMU 7.2 virt's node names, compatible strings, reg and
// interrupt properties and phandles, so that OpenSBI and Linux find and drive
// them as they do on QEMU. `rewind -M virt,dumpdtb=F` writes it.
//
// Left out on purpose, because rewind has no such device: fw-cfg@10100000,
// flash@20000000 and platform-bus@4000000. The hart's
// riscv,isa string names what -cpu gives it, as QEMU 7.2 writes it (QEMU's
// default CPU adds h, which rewind does not implement: the same string as
// QEMU's -cpu rv64,h=off, zbc and sstc included).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rwd {

struct VirtFdtConfig {
  uint64_t ram_base = 0;
  uint64_t ram_size = 0;
  std::string bootargs;                    // /chosen/bootargs when not empty
  std::optional<uint64_t> initrd_start;    // /chosen/linux,initrd-start and -end
  uint64_t initrd_end = 0;
  std::vector<uint8_t> rng_seed;           // /chosen/rng-seed (32 bytes)
  // The hart: its riscv,isa (CpuConfig::isa_string) and whether it has an
  // MMU (mmu-type riscv,sv48 as on QEMU 7.2, else riscv,none).
  std::string riscv_isa = "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbs";
  bool mmu = true;
  // The PCIe host's 64-bit window (virt_map::pcie_high_base()).
  uint64_t pcie_high_base = 0x400000000;
};

// QEMU builds its tree in a 1 MiB buffer and places it by that size.
inline constexpr uint64_t kVirtFdtBufferSize = 1ull << 20;

// The packed tree (its size is fdt_totalsize). Throws BootError on failure.
std::vector<uint8_t> build_virt_fdt(const VirtFdtConfig& config);

// Replaces the value of an existing /chosen/rng-seed with `seed` (same
// length), in place; adds it when absent (the tree must have room then).
void set_fdt_rng_seed(std::vector<uint8_t>& fdt, const std::vector<uint8_t>& seed);

}  // namespace rwd
