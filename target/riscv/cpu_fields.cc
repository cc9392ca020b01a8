#include "target/riscv/cpu_fields.h"

#include <cstring>

namespace rwd::riscv {
void save_cpu_state(const CpuState& s, ByteWriter& w) {
  w.section("cpu");
  w.bytes(&s, sizeof s);
}
void load_cpu_state(CpuState& s, ByteReader& r) {
  r.expect_section("cpu");
  CpuState t;
  r.bytes(&t, sizeof t);
  t.tb_insn_index = 0;
  t.attention = true;
  s = t;
}
}  // namespace rwd::riscv
