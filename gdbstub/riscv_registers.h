// The registers gdb sees on rv64, numbered as gdb's riscv target numbers
// them (gdb/riscv-tdep.h and the features in gdb's manual, "RISC-V
// Features"): x0-x31 are 0-31, pc 32, f0-f31 33-64, CSR n is 65+n (fflags,
// frm and fcsr among the FP registers), and the privilege level 65+4096 in
// the "virtual" feature. The target description XML lists them.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rwd::gdb {

struct RegDesc {
  enum class Kind { kGpr, kPc, kFpr, kCsr, kPriv };
  unsigned regno;
  std::string name;
  Kind kind;
  unsigned index;  // x/f register number, or the CSR number
};

inline constexpr unsigned kPcRegno = 32, kFirstFprRegno = 33, kFirstCsrRegno = 65, kPrivRegno = 65 + 4096;

// Every register of an rv64 hart with F and D; `csr_exists` picks the CSRs
// this hart has.
std::vector<RegDesc> riscv_registers(const std::function<bool(uint16_t)>& csr_exists);
// target.xml: architecture riscv:rv64, features org.gnu.gdb.riscv.cpu,
// .fpu, .csr and .virtual.
std::string target_xml(const std::vector<RegDesc>& regs);

}  // namespace rwd::gdb
