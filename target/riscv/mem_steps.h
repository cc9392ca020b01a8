// The TLB-hit fast paths of loads and stores as "steps": do the access and
// return true, or return false having changed nothing, leaving the access to
// the op's full handler (slow path, faults, devices). Fused pairs are built
// from them (accel/tcg/fused_ops.cc); the handlers themselves (exec_mem.cc,
// exec_fp.cc) have the same fast path inline, in front of their slow paths.
#pragma once
#include <cstring>

#include "target/riscv/cpu.h"
#include "target/riscv/decode.h"

namespace rwd::riscv {

// Reads a T at rs1 + imm and hands it to `put`, on a TLB hit.
template <typename T, typename Put>
[[gnu::always_inline]] inline bool load_hit(Cpu& c, const Op& o, Put put) {
  uint64_t va = c.s.x[o.rs1] + static_cast<uint64_t>(o.imm);
  uintptr_t host;
  if (!c.mmu.read_hit<T>(va, host)) [[unlikely]]
    return false;
  T v;
  std::memcpy(&v, reinterpret_cast<const void*>(host), sizeof v);
  put(v);
  return true;
}

// Writes `value` as a T at rs1 + imm, on a TLB hit.
template <typename T>
[[gnu::always_inline]] inline bool store_hit(Cpu& c, const Op& o, T value) {
  uint64_t va = c.s.x[o.rs1] + static_cast<uint64_t>(o.imm);
  uintptr_t host;
  if (!c.mmu.write_hit<T>(va, host)) [[unlikely]]
    return false;
  std::memcpy(reinterpret_cast<void*>(host), &value, sizeof value);
  return true;
}

template <typename T>
[[gnu::always_inline]] inline bool load_step(Cpu& c, const Op& o) {
  return load_hit<T>(c, o, [&](T v) { c.s.x[o.rd] = static_cast<uint64_t>(static_cast<int64_t>(v)); });
}

template <typename T>
[[gnu::always_inline]] inline bool store_step(Cpu& c, const Op& o) {
  return store_hit<T>(c, o, static_cast<T>(c.s.x[o.rs2]));
}

// FP loads and stores (FS is known to be enabled: the block was translated
// with FP instructions legal). A single is NaN-boxed into the register.
template <typename T>
[[gnu::always_inline]] inline bool fload_step(Cpu& c, const Op& o) {
  return load_hit<T>(c, o, [&](T v) {
    c.s.f[o.rd] = sizeof(T) == 4 ? (0xffffffff00000000ull | v) : v;
    c.mark_fp_dirty();
  });
}

template <typename T>
[[gnu::always_inline]] inline bool fstore_step(Cpu& c, const Op& o) {
  return store_hit<T>(c, o, static_cast<T>(c.s.f[o.rs2]));
}

}  // namespace rwd::riscv
