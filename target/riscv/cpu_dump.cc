#include "target/riscv/cpu_dump.h"

#include <cinttypes>

#include "target/riscv/cpu.h"
#include "target/riscv/decode.h"

namespace rwd::riscv {

void dump_cpu_state(Cpu& cpu, FILE* out, bool with_fpu) {
  const CpuState& s = cpu.s;
  struct Row {
    const char* name;
    uint64_t value;
  };
  const Row rows[] = {
      {"pc", s.pc},         {"mhartid", 0},         {"mstatus", s.mstatus}, {"mip", s.mip},
      {"mie", s.mie},       {"mideleg", s.mideleg}, {"medeleg", s.medeleg}, {"mtvec", s.mtvec},
      {"stvec", s.stvec},   {"mepc", s.mepc},       {"sepc", s.sepc},       {"mcause", s.mcause},
      {"scause", s.scause}, {"mtval", s.mtval},     {"stval", s.stval},     {"mscratch", s.mscratch},
      {"sscratch", s.sscratch}, {"satp", s.satp},
  };
  for (const Row& r : rows) std::fprintf(out, " %-8s %016" PRIx64 "\n", r.name, r.value);
  char name[16];
  for (int i = 0; i < 32; ++i) {
    std::snprintf(name, sizeof name, "x%d/%s", i, int_reg_name(i));
    std::fprintf(out, " %-8s %016" PRIx64, name, s.x[i]);
    if ((i & 3) == 3) std::fputc('\n', out);
  }
  if (with_fpu) {
    for (int i = 0; i < 32; ++i) {
      std::snprintf(name, sizeof name, "f%d/%s", i, fp_reg_name(i));
      std::fprintf(out, " %-8s %016" PRIx64, name, s.f[i]);
      if ((i & 3) == 3) std::fputc('\n', out);
    }
  }
}

}  // namespace rwd::riscv
