// Symbols of an ELF file (a vmlinux, a firmware), to show guest pcs as
// "function+offset". Reads the ELF64 little-endian symbol table only.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rwd {

class ElfSymbols {
 public:
  ElfSymbols() = default;
  // Throws std::runtime_error with a one-line message on a file that is not
  // a readable ELF64 file with a symbol table.
  explicit ElfSymbols(const std::string& path);
  // "name+0x1c" for the symbol at or below `addr` (within 1 MiB), else "".
  std::string lookup(uint64_t addr) const;
  size_t size() const { return syms_.size(); }

 private:
  struct Sym {
    uint64_t addr, size;
    std::string name;
  };
  std::vector<Sym> syms_;  // sorted by address
};

}  // namespace rwd
