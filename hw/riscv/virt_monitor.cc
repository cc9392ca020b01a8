// The virt board as the monitor sees it (MonitorTarget). Requests take
// effect between CPU slices: the monitor itself runs from poll_host().
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "hw/riscv/virt.h"
#include "target/riscv/cpu_dump.h"

namespace rwd {

namespace {

std::string hex_range(uint64_t base, uint64_t size) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 "-%016" PRIx64, base, base + size - 1);
  return buf;
}

}  // namespace

void VirtMachine::pause() {
  paused_ = true;
  engine_.request_exit();
}

void VirtMachine::resume() { paused_ = false; }

void VirtMachine::request_reset() {
  // A reset from the host is an input like any other: a recording logs it,
  // a replay takes it from the log and ignores the live one.
  if (replay_) {
    if (replay_->replaying()) return;
    replay_->record_reset();
  }
  reset_requested_ = true;
  engine_.request_exit();
}

void VirtMachine::request_quit() {
  end_reason_ = EndReason::kMonitorQuit;
  exit_code_ = 0;
  exit_ = true;
  engine_.request_exit();
}

std::string VirtMachine::registers_text() {
  char* text = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&text, &len);
  if (!f) return "info registers: out of memory\n";
  riscv::dump_cpu_state(cpu_, f, true);
  std::fclose(f);
  std::string out(text, len);
  std::free(text);
  return out;
}

bool VirtMachine::read_phys(uint64_t pa, void* buf, size_t len) { return as_.read_bytes(pa, buf, len); }

bool VirtMachine::read_virt(uint64_t va, void* buf, size_t len) {
  auto* out = static_cast<uint8_t*>(buf);
  while (len > 0) {
    uint64_t pa;
    if (!cpu_.mmu.debug_translate(va, pa)) return false;
    size_t n = std::min<uint64_t>(len, riscv::kPageSize - (va & ~riscv::kPageMask));
    if (!as_.read_bytes(pa, out, n)) return false;
    va += n;
    out += n;
    len -= n;
  }
  return true;
}

// QEMU's layout: one address space, its regions sorted by address.
std::string VirtMachine::mtree_text() {
  std::vector<std::pair<uint64_t, std::string>> lines;
  for (const auto& rb : as_.ram_blocks())
    lines.emplace_back(rb->base, "    " + hex_range(rb->base, rb->size) + " (prio 0, " + (rb->readonly ? "rom" : "ram") +
                                     "): " + rb->name + "\n");
  for (const MmioRegion& r : as_.mmio_regions())
    lines.emplace_back(r.base, "    " + hex_range(r.base, r.size) + " (prio 0, i/o): " + r.device->name() + "\n");
  std::sort(lines.begin(), lines.end());
  std::string out = "address-space: memory\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n";
  for (auto& [base, line] : lines) out += line;
  return out;
}

std::string VirtMachine::qtree_text() {
  std::vector<MmioRegion> regions = as_.mmio_regions();
  std::sort(regions.begin(), regions.end(), [](const MmioRegion& a, const MmioRegion& b) { return a.base < b.base; });
  std::string out = "bus: main-system-bus\n  type System\n";
  char buf[96];
  for (const MmioRegion& r : regions) {
    out += "  dev: " + r.device->name() + ", id \"\"\n";
    std::snprintf(buf, sizeof buf, "    mmio %016" PRIx64 "/%016" PRIx64 "\n", r.base, r.size);
    out += buf;
  }
  return out;
}

// `info replay`: mode, file, position (and the recording's length on replay).
std::string VirtMachine::replay_text() { return replay_ ? replay_->info() : "Record/replay is not active\n"; }

}  // namespace rwd
