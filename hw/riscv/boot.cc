#include "hw/riscv/boot.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "util/file_io.h"
#include "util/hex.h"

namespace rwd {

namespace {

// ELF64 structures (System V ABI), read field by field from the file bytes.
constexpr uint16_t kEmRiscv = 243;
constexpr uint32_t kPtLoad = 1;

template <typename T>
T get(const std::vector<uint8_t>& b, uint64_t off) {
  T v;
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}

LoadedImage load_elf(AddressSpace& as, const std::vector<uint8_t>& b, const std::string& desc) {
  if (b.size() < 64) throw BootError(desc + ": truncated ELF header");
  if (b[4] != 2) throw BootError(desc + ": not a 64-bit ELF file");
  if (b[5] != 1) throw BootError(desc + ": not a little-endian ELF file");
  if (get<uint16_t>(b, 18) != kEmRiscv) throw BootError(desc + ": not a RISC-V ELF file");
  uint64_t phoff = get<uint64_t>(b, 32);
  uint16_t phentsize = get<uint16_t>(b, 54);
  uint16_t phnum = get<uint16_t>(b, 56);
  if (phentsize < 56 || phoff > b.size() || uint64_t{phnum} * phentsize > b.size() - phoff)
    throw BootError(desc + ": corrupt ELF program headers");
  LoadedImage img;
  img.elf = true;
  img.entry = get<uint64_t>(b, 24);
  img.low = ~0ull;
  for (unsigned i = 0; i < phnum; ++i) {
    uint64_t ph = phoff + uint64_t{i} * phentsize;
    if (get<uint32_t>(b, ph) != kPtLoad) continue;
    uint64_t offset = get<uint64_t>(b, ph + 8);
    uint64_t paddr = get<uint64_t>(b, ph + 24);
    uint64_t filesz = get<uint64_t>(b, ph + 32);
    uint64_t memsz = get<uint64_t>(b, ph + 40);
    if (filesz > memsz || offset > b.size() || filesz > b.size() - offset)
      throw BootError(desc + ": corrupt ELF segment " + std::to_string(i));
    if (memsz == 0) continue;
    if (!as.find_ram(paddr, memsz))
      throw BootError(desc + ": segment at " + hex(paddr) + " (" + std::to_string(memsz) +
                      " bytes) does not fit in guest memory");
    std::vector<uint8_t> seg(memsz, 0);
    std::memcpy(seg.data(), b.data() + offset, filesz);
    as.load_image(paddr, seg.data(), memsz);
    img.low = std::min(img.low, paddr);
    img.high = std::max(img.high, paddr + memsz);
  }
  if (img.low == ~0ull) throw BootError(desc + ": ELF file has nothing to load");
  return img;
}

}  // namespace

std::vector<uint8_t> read_file(const std::string& path, const std::string& what) {
  std::vector<uint8_t> data;
  std::string err;
  if (!read_whole_file(path, data, err)) throw BootError("could not open " + what + " '" + path + "': " + err);
  return data;
}

namespace {

LoadedImage load_flat(AddressSpace& as, const std::vector<uint8_t>& b, uint64_t flat_addr, const std::string& desc) {
  if (!as.find_ram(flat_addr, b.size()))
    throw BootError(desc + ": " + std::to_string(b.size()) + " bytes at " + hex(flat_addr) +
                    " do not fit in guest memory");
  as.load_image(flat_addr, b.data(), b.size());
  return LoadedImage{flat_addr, flat_addr + b.size(), flat_addr, false};
}

}  // namespace

LoadedImage load_image(AddressSpace& as, const std::string& path, uint64_t flat_addr,
                       const std::string& what) {
  std::vector<uint8_t> b = read_file(path, what);
  std::string desc = what + " '" + path + "'";
  if (b.empty()) throw BootError(desc + ": file is empty");
  if (b.size() >= 4 && std::memcmp(b.data(), "\x7f" "ELF", 4) == 0) return load_elf(as, b, desc);
  return load_flat(as, b, flat_addr, desc);
}

LoadedImage load_flat_image(AddressSpace& as, const std::string& path, uint64_t addr, const std::string& what) {
  std::vector<uint8_t> b = read_file(path, what);
  std::string desc = what + " '" + path + "'";
  if (b.empty()) throw BootError(desc + ": file is empty");
  return load_flat(as, b, addr, desc);
}

uint64_t initrd_load_address(uint64_t kernel_start, uint64_t ram_size) {
  return kernel_start + std::min(ram_size / 2, uint64_t{128} << 20);
}

void write_reset_vector(AddressSpace& as, uint64_t rom_base, uint64_t start, uint64_t fdt_addr,
                        uint64_t next_addr, uint64_t next_mode) {
  // auipc t0,0; addi a2,t0,40; csrr a0,mhartid; ld a1,32(t0); ld t0,24(t0); jr t0
  const uint32_t code[] = {0x00000297, 0x02828613, 0xf1402573, 0x0202b583, 0x0182b283, 0x00028067};
  // OpenSBI's fw_dynamic_info: magic "OSBI", version 2, next_addr, next_mode, options, boot_hart.
  const uint64_t data[] = {start, fdt_addr, 0x4942534f, 2, next_addr, next_mode, 0, 0};
  uint8_t rom[sizeof code + sizeof data];
  std::memcpy(rom, code, sizeof code);
  std::memcpy(rom + sizeof code, data, sizeof data);
  as.load_image(rom_base, rom, sizeof rom);
}

uint64_t fdt_load_address(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_buffer_size) {
  // Below 3 GiB so 32-bit kernels could reach it, 2 MiB aligned, at the top of RAM.
  uint64_t end = std::min(ram_base + ram_size, uint64_t{0xc0000000});
  return (end - fdt_buffer_size) & ~((2ull << 20) - 1);
}

}  // namespace rwd
