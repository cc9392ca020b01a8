#include "target/riscv/cpu_dump.h"

#include <cinttypes>
#include <cstdint>
#include <string_view>

#include "target/riscv/cpu.h"
#include "target/riscv/cpu_fields.h"

namespace rwd::riscv {

namespace {

// QEMU's rows as references into the field table. "mhartid" is not state
// (rewind's one hart is hart 0): no field, printed as 0.
consteval const CpuField* row(std::string_view name) {
  if (name == "mhartid") return nullptr;
  if (cpu_field(name).count != 1) throw "a row shows one value";
  return &cpu_field(name);
}

// In QEMU's order; then the x registers, then (with the FPU) the f registers.
constexpr const CpuField* kRows[] = {
    row("pc"),    row("mhartid"), row("mstatus"), row("mip"),      row("mie"),      row("mideleg"),
    row("medeleg"), row("mtvec"), row("stvec"),   row("mepc"),     row("sepc"),     row("mcause"),
    row("scause"), row("mtval"),  row("stval"),   row("mscratch"), row("sscratch"), row("satp"),
};

// A register file four to a line, named "x2/sp".
void print_registers(const CpuState& s, const CpuField& f, FILE* out) {
  char name[16];
  for (size_t i = 0; i < f.count; ++i) {
    std::snprintf(name, sizeof name, "%s%zu/%s", f.name, i, cpu_reg_abi_name(f, i));
    std::fprintf(out, " %-8s %016" PRIx64, name, f.get(s, i));
    if ((i & 3) == 3) std::fputc('\n', out);
  }
}

}  // namespace

void dump_cpu_state(Cpu& cpu, FILE* out, bool with_fpu) {
  const CpuState& s = cpu.s;
  for (const CpuField* f : kRows)
    std::fprintf(out, " %-8s %016" PRIx64 "\n", f ? f->name : "mhartid", f ? f->get(s, 0) : uint64_t{0});
  print_registers(s, cpu_field("x"), out);
  if (with_fpu) print_registers(s, cpu_field("f"), out);
}

}  // namespace rwd::riscv
