// Element names and save/load, from the field table (target/riscv/cpu_fields.h).
#include "target/riscv/cpu_fields.h"

#include <cassert>

#include "target/riscv/decode.h"
#include "util/hex.h"

namespace rwd::riscv {

std::string cpu_element_name(const CpuField& f, size_t i) {
  if (f.count == 1) return f.name;
  if (f.columns == f.count) return f.name + std::to_string(i);
  return std::string(f.name) + "[" + std::to_string(i / f.columns) + "][" + std::to_string(i % f.columns) + "]";
}

const char* cpu_reg_abi_name(const CpuField& f, size_t i) {
  switch (f.reg_names) {
    case RegNames::kInt: return int_reg_name(static_cast<unsigned>(i));
    case RegNames::kFp: return fp_reg_name(static_cast<unsigned>(i));
    case RegNames::kNone: break;
  }
  return nullptr;
}

namespace {

constexpr size_t saved_field_count() {
  size_t n = 0;
  for (const CpuField& f : kCpuFields) n += f.has(kSaved);
  return n;
}

[[noreturn]] void refuse(const std::string& why) { throw DecodeError("cpu state: " + why); }

}  // namespace

void save_cpu_state(const CpuState& s, ByteWriter& w) {
  assert(s.tb_insn_index == 0 && "a CPU is saved between blocks");
  w.section("cpu");
  w.varint(saved_field_count());
  for (const CpuField& f : kCpuFields) {
    if (!f.has(kSaved)) continue;
    w.varint(f.count);
    for (size_t i = 0; i < f.count; ++i) w.u64(f.get(s, i));
  }
}

void load_cpu_state(CpuState& s, ByteReader& r) {
  r.expect_section("cpu");
  uint64_t fields = r.varint();
  if (fields != saved_field_count())
    refuse(std::to_string(fields) + " fields, this build saves " + std::to_string(saved_field_count()));
  CpuState in{};
  for (const CpuField& f : kCpuFields) {
    if (!f.has(kSaved)) continue;
    uint64_t count = r.varint();
    if (count != f.count)
      refuse(std::string(f.name) + " has " + std::to_string(count) + " elements, expected " + std::to_string(f.count));
    for (size_t i = 0; i < f.count; ++i) {
      uint64_t v = r.u64();
      if (!f.set(in, i, v)) refuse(cpu_element_name(f, i) + " = " + hex(v) + " does not fit the field");
      const char* why = f.check ? f.check(i, v) : nullptr;
      if (why) refuse(cpu_element_name(f, i) + " = " + hex(v) + ": " + why);
    }
  }
  in.tb_insn_index = 0;  // between blocks
  in.attention = true;   // the engine re-examines interrupts and timers first
  s = in;
}

}  // namespace rwd::riscv
