#include "hw/intc/clint.h"

#include "util/log.h"

namespace rwd {

namespace {
constexpr uint64_t kMsip = 0x0, kMtimecmp = 0x4000, kMtime = 0xbff8;

// Reads/writes of a 64-bit register may be 32-bit halves.
uint64_t read_part(uint64_t reg, uint64_t offset_in_reg, unsigned size) {
  uint64_t v = reg >> (8 * offset_in_reg);
  return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}
uint64_t write_part(uint64_t reg, uint64_t offset_in_reg, unsigned size, uint64_t value) {
  uint64_t mask = size >= 8 ? ~0ull : ((1ull << (8 * size)) - 1);
  mask <<= 8 * offset_in_reg;
  return (reg & ~mask) | ((value << (8 * offset_in_reg)) & mask);
}
}  // namespace

Clint::Clint(riscv::Cpu& cpu, VirtualClock& clock) : cpu_(cpu), clock_(clock) {
  timer_ = clock_.add_timer([this] { timer_expired(); });
}

void Clint::reset() {
  mtimecmp_ = 0;  // as on QEMU: MTIP is pending from reset until firmware sets mtimecmp
  mtime_offset_ = 0;
  msip_ = false;
  cpu_.set_mip_bit(riscv::irq::kMSIP, false);
  update_timer();
}

uint64_t Clint::mtime() const {
  return clock_.now_ns() / kNsPerTick + static_cast<uint64_t>(mtime_offset_);
}

// Called when mtimecmp or mtime changes. As QEMU 7.2's ACLINT: if the compare
// value has been reached MTIP is raised at once; otherwise MTIP is lowered and
// a timer is armed (C - mtime) ticks after the current virtual time T, i.e. at
// D = T + (C - mtime) * 100 ns, keeping T's sub-tick remainder (not at C * 100).
void Clint::update_timer() {
  uint64_t now_ticks = mtime();
  if (now_ticks >= mtimecmp_) {
    deadline_ns_ = VirtualClock::kNever;
    clock_.disarm(timer_);
    cpu_.set_mip_bit(riscv::irq::kMTIP, true);
    return;
  }
  cpu_.set_mip_bit(riscv::irq::kMTIP, false);
  uint64_t ticks = mtimecmp_ - now_ticks;
  uint64_t now = clock_.now_ns();
  uint64_t limit = (VirtualClock::kNever - now) / kNsPerTick;
  deadline_ns_ = ticks >= limit ? VirtualClock::kNever : now + ticks * kNsPerTick;
  if (deadline_ns_ == VirtualClock::kNever)
    clock_.disarm(timer_);
  else
    clock_.arm(timer_, deadline_ns_);
}

void Clint::timer_expired() {
  deadline_ns_ = VirtualClock::kNever;
  cpu_.set_mip_bit(riscv::irq::kMTIP, true);
}

uint64_t Clint::read(uint64_t offset, unsigned size) {
  if (offset < 4) return read_part(msip_ ? 1 : 0, offset, size);
  if (offset >= kMtimecmp && offset + size <= kMtimecmp + 8) return read_part(mtimecmp_, offset - kMtimecmp, size);
  if (offset >= kMtime && offset + size <= kMtime + 8) return read_part(mtime(), offset - kMtime, size);
  if (logger().wants(kLogGuestErrors))
    logger().printf("clint: read of unimplemented offset 0x%llx\n", static_cast<unsigned long long>(offset));
  return 0;
}

void Clint::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset < 4) {
    if (offset == 0) {
      msip_ = value & 1;
      cpu_.set_mip_bit(riscv::irq::kMSIP, msip_);
    }
    return;
  }
  if (offset >= kMtimecmp && offset + size <= kMtimecmp + 8) {
    mtimecmp_ = write_part(mtimecmp_, offset - kMtimecmp, size, value);
    update_timer();
    return;
  }
  if (offset >= kMtime && offset + size <= kMtime + 8) {
    uint64_t wanted = write_part(mtime(), offset - kMtime, size, value);
    mtime_offset_ = static_cast<int64_t>(wanted - clock_.now_ns() / kNsPerTick);
    update_timer();
    return;
  }
  if (logger().wants(kLogGuestErrors))
    logger().printf("clint: write to unimplemented offset 0x%llx\n", static_cast<unsigned long long>(offset));
}

void Clint::save(ByteWriter& w) const {
  w.section("clint");
  w.u64(mtimecmp_);
  w.u64(static_cast<uint64_t>(mtime_offset_));
  w.u8(msip_);
  w.u64(deadline_ns_);
  w.u8((cpu_.s.mip & riscv::irq::kMTIP) != 0);
}

void Clint::load(ByteReader& r) {
  r.expect_section("clint");
  mtimecmp_ = r.u64();
  mtime_offset_ = static_cast<int64_t>(r.u64());
  msip_ = r.u8() != 0;
  deadline_ns_ = r.u64();
  bool mtip = r.u8() != 0;
  cpu_.set_mip_bit(riscv::irq::kMSIP, msip_);
  cpu_.set_mip_bit(riscv::irq::kMTIP, mtip);
  if (deadline_ns_ == VirtualClock::kNever)
    clock_.disarm(timer_);
  else
    clock_.arm(timer_, deadline_ns_);
}

}  // namespace rwd
