// Loading firmware, kernels and device trees into guest memory, the way
// QEMU's virt board places them, with every file validated first.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "hw/core/memory.h"

namespace rwd {

// A user-facing boot problem: one line, printed as "rewind: <what>".
class BootError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadedImage {
  uint64_t low = 0;    // lowest loaded address
  uint64_t high = 0;   // one past the highest loaded byte
  uint64_t entry = 0;  // ELF entry, or the load address of a flat image
  bool elf = false;
};

std::vector<uint8_t> read_file(const std::string& path, const std::string& what);

// Loads an ELF64 RISC-V executable at its physical addresses, or a flat
// binary at `flat_addr`. `what` names the file's role in error messages.
LoadedImage load_image(AddressSpace& as, const std::string& path, uint64_t flat_addr,
                       const std::string& what);

// Loads `path` as raw bytes at `addr` (an initrd: even an ELF file is data).
LoadedImage load_flat_image(AddressSpace& as, const std::string& path, uint64_t addr, const std::string& what);

// Where QEMU 7.2's virt puts the initrd for a kernel starting at
// `kernel_start` (measured: kernel_start + min(ram_size / 2, 128 MiB)).
uint64_t initrd_load_address(uint64_t kernel_start, uint64_t ram_size);

// QEMU's virt reset vector at 0x1000: sets a0 = hartid, a1 = fdt,
// a2 = &fw_dynamic_info and jumps to `start`.
void write_reset_vector(AddressSpace& as, uint64_t rom_base, uint64_t start, uint64_t fdt_addr,
                        uint64_t next_addr, uint64_t next_mode);

// Where QEMU's virt puts a device tree of `fdt_buffer_size` bytes.
uint64_t fdt_load_address(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_buffer_size);

}  // namespace rwd
