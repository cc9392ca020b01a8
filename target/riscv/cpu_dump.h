// Text dump of the CPU state for `-d cpu` and the monitor. The layout is the
// one QEMU 7.2 prints for a riscv64 hart without the H extension, so logs of
// the two emulators can be compared line by line (tests/lockstep does).
#pragma once
#include <cstdio>

namespace rwd::riscv {
class Cpu;
void dump_cpu_state(Cpu& cpu, FILE* out, bool with_fpu);
}  // namespace rwd::riscv
