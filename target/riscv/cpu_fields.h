// TEMPORARY (replaced by the CPU field table): CPU state save/load.
#pragma once
#include "target/riscv/cpu.h"
#include "util/byte_codec.h"

namespace rwd::riscv {
void save_cpu_state(const CpuState& s, ByteWriter& w);
void load_cpu_state(CpuState& s, ByteReader& r);
}  // namespace rwd::riscv
