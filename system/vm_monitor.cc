// The session as the monitor sees it (MonitorTarget): what it may look at.
// Run control goes to the run loop (vm.h); requests take effect between CPU
// slices, since the monitor itself runs from the run loop's host polls.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "migration/snapshot.h"
#include "replay/navigator.h"
#include "replay/replay.h"
#include "system/vm.h"
#include "target/riscv/cpu_dump.h"

namespace rwd {

namespace {

std::string hex_range(uint64_t base, uint64_t size) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 "-%016" PRIx64, base, base + size - 1);
  return buf;
}

}  // namespace

std::string Vm::registers_text() {
  char* text = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&text, &len);
  if (!f) return "info registers: out of memory\n";
  riscv::dump_cpu_state(machine_->cpu(), f, true);
  std::fclose(f);
  std::string out(text, len);
  std::free(text);
  return out;
}

bool Vm::read_phys(uint64_t pa, void* buf, size_t len) { return machine_->address_space().read_bytes(pa, buf, len); }

bool Vm::read_virt(uint64_t va, void* buf, size_t len) {
  auto* out = static_cast<uint8_t*>(buf);
  while (len > 0) {
    uint64_t pa;
    if (!machine_->cpu().mmu.debug_translate(va, pa)) return false;
    size_t n = std::min<uint64_t>(len, riscv::kPageSize - (va & ~riscv::kPageMask));
    if (!read_phys(pa, out, n)) return false;
    va += n;
    out += n;
    len -= n;
  }
  return true;
}

// QEMU's layout: one address space, its regions sorted by address.
std::string Vm::mtree_text() {
  const AddressSpace& as = machine_->address_space();
  std::vector<std::pair<uint64_t, std::string>> lines;
  for (const auto& rb : as.ram_blocks())
    lines.emplace_back(rb->base, "    " + hex_range(rb->base, rb->size) + " (prio 0, " + (rb->readonly ? "rom" : "ram") +
                                     "): " + rb->name + "\n");
  for (const MmioRegion& r : as.mmio_regions())
    lines.emplace_back(r.base, "    " + hex_range(r.base, r.size) + " (prio 0, i/o): " + r.device->name() + "\n");
  std::sort(lines.begin(), lines.end());
  std::string out = "address-space: memory\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n";
  for (auto& [base, line] : lines) out += line;
  return out;
}

std::string Vm::qtree_text() {
  std::vector<MmioRegion> regions = machine_->address_space().mmio_regions();
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
std::string Vm::replay_text() {
  if (!replay_) return "Record/replay is not active\n";
  std::string s = replay_->info();
  if (!navigator_) return s;
  if (auto b = navigator_->breakpoint()) s += "Breakpoint at instruction count = " + std::to_string(*b) + "\n";
  if (!navigator_->unavailable().empty()) return s + "Snapshots: none (" + navigator_->unavailable() + ")\n";
  Navigator::Stats st = navigator_->stats();
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "Snapshots: %zu, %.1f MiB of a %.0f MiB budget, every %" PRIu64 " instructions (%" PRIu64 " thinned)\n",
                st.snapshots, st.bytes / 1048576.0, st.budget / 1048576.0, st.interval, st.thinned);
  s += buf;
  if (!opts_.drives.empty()) {
    std::snprintf(buf, sizeof buf, "Disk overlays: %.1f MiB of it; %" PRIu64 " snapshots put off by disk requests in flight\n",
                  st.disk_bytes / 1048576.0, st.deferred);
    s += buf;
  }
  return s;
}

// QEMU's replay commands: one breakpoint at a time, in the future; a seek
// leaves the machine stopped at the count it asked for.
std::string Vm::replay_break(uint64_t icount) {
  if (!navigator_) return "replay_break: the breakpoint can be set only when replaying\n";
  std::string why = navigator_->set_break(icount);
  return why.empty() ? "" : "replay_break: " + why + "\n";
}

std::string Vm::replay_delete_break() {
  if (!navigator_) return "replay_delete_break: not replaying\n";
  navigator_->delete_break();
  return "";
}

std::string Vm::replay_seek(uint64_t icount) {
  if (!navigator_) return "replay_seek: seeking is possible only when replaying\n";
  try {
    navigator_->seek(icount);
  } catch (const NavigationError& e) {
    return std::string("replay_seek: ") + e.what() + "\n";
  }
  loop_->pause();
  return "";
}

// QMP query-replay.
MonitorTarget::ReplayStatus Vm::replay_status() {
  ReplayStatus s;
  if (!replay_) return s;
  s.mode = replay_->replaying() ? "play" : "record";
  s.filename = opts_.icount.rrfile;
  s.icount = machine_->clock().instructions_now();
  return s;
}

// migrate file:PATH writes the whole machine's state there, as QEMU (8.2 and
// later) does, and the machine stops, as a migrated-away QEMU does; load it
// with -incoming file:PATH on the same command line.
std::string Vm::migrate(const std::string& uri) {
  if (uri.rfind("file:", 0) != 0 || uri.size() == 5) return "migrate: only file:PATH is supported\n";
  if (replay_) return "migrate: not available while recording or replaying yet\n";
  try {
    save_state(uri.substr(5));
  } catch (const DecodeError& e) {
    return std::string("migrate: ") + e.what() + "\n";
  }
  loop_->pause("postmigrate");
  return "";
}

}  // namespace rwd
