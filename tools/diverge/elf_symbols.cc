#include "tools/diverge/elf_symbols.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace rwd {

namespace {

template <typename T>
T at(const std::vector<uint8_t>& f, uint64_t off) {
  if (off > f.size() || f.size() - off < sizeof(T)) throw std::runtime_error("truncated");
  T v;
  std::memcpy(&v, f.data() + off, sizeof v);
  return v;
}

}  // namespace

ElfSymbols::ElfSymbols(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("--elf " + path + ": cannot open");
  std::vector<uint8_t> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    if (f.size() < 64 || std::memcmp(f.data(), "\x7f" "ELF", 4) != 0 || f[4] != 2 || f[5] != 1)
      throw std::runtime_error("not an ELF64 little-endian file");
    uint64_t shoff = at<uint64_t>(f, 0x28);
    uint16_t shentsize = at<uint16_t>(f, 0x3a), shnum = at<uint16_t>(f, 0x3c);
    if (shentsize < 64) throw std::runtime_error("bad section header size");
    for (uint16_t i = 0; i < shnum; ++i) {
      uint64_t sh = shoff + uint64_t{i} * shentsize;
      if (at<uint32_t>(f, sh + 4) != 2) continue;  // SHT_SYMTAB
      uint64_t off = at<uint64_t>(f, sh + 0x18), size = at<uint64_t>(f, sh + 0x20);
      uint32_t link = at<uint32_t>(f, sh + 0x28);
      uint64_t entsize = at<uint64_t>(f, sh + 0x38);
      if (entsize < 24 || link >= shnum) throw std::runtime_error("bad symbol table");
      uint64_t strsh = shoff + uint64_t{link} * shentsize;
      uint64_t stroff = at<uint64_t>(f, strsh + 0x18), strsize = at<uint64_t>(f, strsh + 0x20);
      if (stroff > f.size() || f.size() - stroff < strsize) throw std::runtime_error("truncated string table");
      for (uint64_t e = 0; e + entsize <= size; e += entsize) {
        uint32_t name = at<uint32_t>(f, off + e);
        uint8_t type = at<uint8_t>(f, off + e + 4) & 15;
        uint64_t value = at<uint64_t>(f, off + e + 8), sz = at<uint64_t>(f, off + e + 16);
        if (value == 0 || name >= strsize || (type != 0 && type != 1 && type != 2)) continue;  // NOTYPE/OBJECT/FUNC
        const char* s = reinterpret_cast<const char*>(f.data() + stroff + name);
        size_t len = strnlen(s, strsize - name);
        if (len == 0 || s[0] == '$' || (s[0] == '.' && s[1] == 'L')) continue;  // mapping and local labels
        syms_.push_back({value, sz, std::string(s, len)});
      }
    }
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("--elf " + path + ": " + e.what());
  }
  if (syms_.empty()) throw std::runtime_error("--elf " + path + ": no symbol table");
  // Functions before other symbols at the same address.
  std::sort(syms_.begin(), syms_.end(), [](const Sym& a, const Sym& b) {
    return a.addr != b.addr ? a.addr < b.addr : a.size > b.size;
  });
}

std::string ElfSymbols::lookup(uint64_t addr) const {
  auto it = std::upper_bound(syms_.begin(), syms_.end(), addr, [](uint64_t a, const Sym& s) { return a < s.addr; });
  if (it == syms_.begin()) return "";
  --it;
  // Among symbols at that address, prefer the one with a size.
  uint64_t base = it->addr;
  while (it != syms_.begin() && std::prev(it)->addr == base) --it;
  uint64_t off = addr - it->addr;
  if (off >= (1u << 20)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "+0x%llx", static_cast<unsigned long long>(off));
  return it->name + (off ? buf : "");
}

}  // namespace rwd
