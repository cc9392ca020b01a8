// The hart's configuration: its extensions and features, as -cpu chooses
// them with QEMU 7.2's property names (`-cpu rv64,c=off,zba=off,pmp=off`).
// It is fixed for the life of a machine (misa is read-only, as on QEMU 7.2),
// so translated code never needs to be keyed by it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rwd::riscv {

// Extensions, as tags of instruction table entries (insn_table.inc) and
// bits of an ExtSet. Zmmul stands for the multiply half of M: its
// instructions are there with M or with Zmmul.
enum class Ext : uint8_t { I, M, A, F, D, C, S, U, Zicsr, Zifencei, Zba, Zbb, Zbs, Zmmul, Zbc, kCount };
using ExtSet = uint32_t;
constexpr ExtSet ext_bit(Ext e) { return ExtSet{1} << static_cast<unsigned>(e); }
inline constexpr ExtSet kAllExts = (ExtSet{1} << static_cast<unsigned>(Ext::kCount)) - 1;

enum class PrivSpec : uint8_t { v1_10_0, v1_11_0, v1_12_0 };

struct CpuConfig {
  std::string model = "rv64";  // "rv64" or "any" (QEMU 7.2's: misa IMAFDCU, no S-mode)
  ExtSet exts = kAllExts & ~ext_bit(Ext::Zmmul);  // what is there (Zmmul: the property)
  bool zihintpause = true;     // named in riscv,isa only: PAUSE is a FENCE hint
  bool mmu = true;             // satp takes Sv39/Sv48/Sv57; off: satp is read-only 0
  bool pmp = true;             // the 16 PMP entries; off: no PMP CSRs, no checks
  bool debug = true;           // the debug triggers (Sdtrig); off: no tselect..tinfo CSRs
  bool sstc = true;            // stimecmp and menvcfg.STCE (target/riscv/sstc.cc)
  bool short_isa_string = false;
  PrivSpec priv_spec = PrivSpec::v1_12_0;
  uint32_t mvendorid = 0;
  // QEMU 7.2's version number, (major << 16) | (minor << 8) | micro, as its
  // generic rv64 CPU reports it (Debian's 7.2.22; OpenSBI prints them).
  uint64_t marchid = 0x070216, mimpid = 0x070216;
  uint64_t resetvec = 0x1000;  // the boot ROM

  bool has(Ext e) const { return (exts & ext_bit(e)) != 0; }
  // The extensions instructions are decoded for: M brings Zmmul's.
  ExtSet decode_set() const { return has(Ext::M) ? exts | ext_bit(Ext::Zmmul) : exts; }
  uint64_t misa() const;
  // /cpus/cpu@0/riscv,isa as QEMU 7.2 writes it for the same properties.
  std::string isa_string() const;
  // The model and the properties that differ from its defaults, in -cpu
  // syntax ("rv64", "rv64,c=off,pmp=off"): the record/replay fingerprint.
  std::string canonical() const;
  bool operator==(const CpuConfig&) const = default;
};

// Parses the argument of -cpu into `out`. False with a one-line message in
// `err` for a refusal, or with a multi-line text for `-cpu help` and
// `-cpu rv64,help` (help, not an error). Warnings QEMU would print (e.g. a
// priv_spec that disables extensions) go to `warnings`.
bool parse_cpu_option(const std::string& arg, CpuConfig& out, std::string& err, std::vector<std::string>& warnings);

// `-cpu help`: the models, one per line as QEMU prints them.
std::string cpu_model_list();
// `-cpu rv64,help`: the properties, their values and defaults.
std::string cpu_property_list(const std::string& model);

}  // namespace rwd::riscv
