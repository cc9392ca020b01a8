// A bare single-hart machine for CPU unit tests: RAM at 0x80000000, a CLINT
// at 0x2000000 (the time CSR reads its mtime), the execution engine, and a
// virtual clock in icount mode (shift 0 by default: 1 instruction = 1 ns,
// so mtime advances by one tick every 100 instructions).
//
// Also: a field-by-field comparison of CpuState that names what differs, for
// "sliced run == straight run" checks.
#pragma once
#include <cstdint>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "accel/tcg/engine.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/intc/clint.h"
#include "hw/core/vclock.h"
#include "target/riscv/cpu.h"
#include "target/riscv/cpu_fields.h"

namespace rwd::test {

inline constexpr uint64_t kRamBase = 0x80000000;
inline constexpr uint64_t kClintBase = 0x2000000;
inline constexpr uint64_t kClintSize = 0x10000;
inline constexpr uint64_t kClintMsip = 0x0, kClintMtimecmp = 0x4000, kClintMtime = 0xbff8;

struct TestMachine {
  AddressSpace as;
  VirtualClock clock;
  riscv::Cpu cpu{as, clock};
  Engine engine{cpu, as, clock};
  Clint clint{cpu, clock};
  RamBlock* ram = nullptr;

  explicit TestMachine(uint64_t ram_size = 2 << 20, int icount_shift = 0) {
    clock.attach(&cpu.s.icount, &cpu.s.tb_insn_index);
    clock.set_icount_mode(icount_shift);
    clock.set_sleep(false);
    ram = &as.add_ram("ram", kRamBase, ram_size);
    as.add_mmio(kClintBase, kClintSize, &clint);
    cpu.set_time_source([this] { return clint.mtime(); });
    cpu.reset(kRamBase);
    clint.reset();
    // Reset leaves mtimecmp = 0 (MTIP pending); tests arm the timer explicitly.
    clint.write(kClintMtimecmp, 8, ~0ull);
  }

  void load(uint64_t pa, const void* bytes, size_t len) {
    ASSERT_TRUE(as.load_image(pa, bytes, len)) << std::hex << pa;
  }
  template <size_t N>
  void load(uint64_t pa, const uint8_t (&bytes)[N]) {
    load(pa, bytes, N);
  }
  uint64_t read64(uint64_t pa) {
    uint64_t v = 0;
    EXPECT_TRUE(as.read_bytes(pa, &v, 8));
    return v;
  }
  uint32_t read32(uint64_t pa) {
    uint32_t v = 0;
    EXPECT_TRUE(as.read_bytes(pa, &v, 4));
    return v;
  }
  void write64(uint64_t pa, uint64_t v) { ASSERT_TRUE(as.write_bytes(pa, &v, 8)); }
  void write32(uint64_t pa, uint32_t v) { ASSERT_TRUE(as.write_bytes(pa, &v, 4)); }
};

// The same as a Machine, for record/replay tests without a guest: the
// controller's checks hash its CPU and RAM.
struct TestBoard : Machine {
  TestMachine m;
  riscv::Cpu& cpu() override { return m.cpu; }
  AddressSpace& address_space() override { return m.as; }
  VirtualClock& clock() override { return m.clock; }
  void reset() override {}
  std::vector<StatePart> state_parts() override { return {}; }
  // Moves time forward as if the engine had run to `icount`.
  void run_to(uint64_t icount) { m.cpu.s.icount = icount; }
};

// Register numbers by ABI name, for readable expectations.
enum Reg : unsigned {
  kZero = 0, kRa = 1, kSp = 2, kGp = 3, kTp = 4, kT0 = 5, kT1 = 6, kT2 = 7,
  kS0 = 8, kS1 = 9, kA0 = 10, kA1 = 11, kA2 = 12, kA3 = 13, kA4 = 14, kA5 = 15,
  kA6 = 16, kA7 = 17, kS2 = 18, kS3 = 19, kS4 = 20, kS5 = 21, kS6 = 22, kS7 = 23,
  kS8 = 24, kS9 = 25, kS10 = 26, kS11 = 27, kT3 = 28, kT4 = 29, kT5 = 30, kT6 = 31,
};

// Empty when the two states are identical in every kCompared field of the
// table (target/riscv/cpu_fields.h: everything a snapshot covers, and
// tb_insn_index); otherwise one line per differing element.
inline std::string diff_state(const riscv::CpuState& a, const riscv::CpuState& b) {
  std::ostringstream out;
  out << std::hex;
  for (const riscv::CpuField& f : riscv::kCpuFields) {
    if (!f.has(riscv::kCompared)) continue;
    for (size_t i = 0; i < f.count; ++i) {
      uint64_t x = f.get(a, i), y = f.get(b, i);
      if (x != y) out << riscv::cpu_element_name(f, i) << ": 0x" << x << " != 0x" << y << "\n";
    }
  }
  return out.str();
}

}  // namespace rwd::test
