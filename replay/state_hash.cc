#include "replay/state_hash.h"

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <cstdio>
#include <map>

#include "target/riscv/decode.h"
#include "util/hash64.h"
#include "util/hex.h"
#include "util/untouched_pages.h"

namespace rwd {

namespace {

constexpr unsigned kPageShift = 12;
constexpr uint64_t kPageSize = 1ull << kPageShift;
constexpr size_t kMaxReportLines = 24;

const std::vector<std::string>& value_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    // snprintf: GCC 12's -Wrestrict misfires on chains of string operator+.
    char buf[48];
    for (unsigned r = 1; r < 32; ++r) {
      std::snprintf(buf, sizeof buf, "x%u (%s)", r, riscv::int_reg_name(r));
      n.push_back(buf);
    }
    for (unsigned r = 0; r < 32; ++r) {
      std::snprintf(buf, sizeof buf, "f%u (%s)", r, riscv::fp_reg_name(r));
      n.push_back(buf);
    }
    for (const char* s : {"pc", "privilege", "mstatus", "misa", "medeleg", "mideleg", "mie", "mip", "mtvec",
                          "mscratch", "mepc", "mcause", "mtval", "mcounteren", "mcountinhibit", "menvcfg",
                          "stvec", "sscratch", "sepc", "scause", "stval", "satp", "scounteren", "senvcfg",
                          "stimecmp", "fflags", "frm", "pmpcfg0-7", "pmpcfg8-15"})
      n.push_back(s);
    for (unsigned i = 0; i < 16; ++i) {
      std::snprintf(buf, sizeof buf, "pmpaddr%u", i);
      n.push_back(buf);
    }
    for (const char* s : {"hpm counters/events (hash)", "mcycle offset", "minstret offset", "LR reservation",
                          "LR reservation valid", "waiting for interrupt"})
      n.push_back(s);
    return n;
  }();
  return names;
}

uint64_t page_key(uint64_t pa_page) { return hash_mix(pa_page * kHashPrime3 + 1); }

}  // namespace

size_t cpu_value_count() { return value_names().size(); }
const char* cpu_value_name(size_t i) { return value_names().at(i).c_str(); }

void cpu_values(const riscv::CpuState& s, uint64_t pc, uint64_t* out) {
  size_t i = 0;
  for (unsigned r = 1; r < 32; ++r) out[i++] = s.x[r];
  for (unsigned r = 0; r < 32; ++r) out[i++] = s.f[r];
  for (uint64_t v : {pc, static_cast<uint64_t>(s.priv), s.mstatus, s.misa, s.medeleg, s.mideleg, s.mie, s.mip,
                     s.mtvec, s.mscratch, s.mepc, s.mcause, s.mtval, s.mcounteren, s.mcountinhibit, s.menvcfg,
                     s.stvec, s.sscratch, s.sepc, s.scause, s.stval, s.satp, s.scounteren, s.senvcfg, s.stimecmp,
                     static_cast<uint64_t>(s.fflags), static_cast<uint64_t>(s.frm)})
    out[i++] = v;
  uint64_t cfg[2];
  std::memcpy(cfg, s.pmpcfg.data(), 16);
  out[i++] = cfg[0];
  out[i++] = cfg[1];
  for (uint64_t a : s.pmpaddr) out[i++] = a;
  out[i++] = hash_bytes(s.hpm.data(), sizeof s.hpm);
  out[i++] = s.mcycle_offset;
  out[i++] = s.minstret_offset;
  out[i++] = s.reservation;
  out[i++] = s.reservation_valid;
  out[i++] = s.wfi;
}

StateHasher::StateHasher(AddressSpace& as, riscv::Cpu& cpu) : as_(as), cpu_(cpu) {}

void StateHasher::enable() {
  if (enabled_) return;
  enabled_ = true;
  static const std::vector<uint8_t> zeros(kPageSize, 0);
  const uint64_t zero_page = hash_bytes(zeros.data(), zeros.size());
  for (const auto& rb : as_.ram_blocks()) {
    size_t pages = (rb->size + kPageSize - 1) >> kPageShift;
    // Pages the host never backed are zero already: only the others need a
    // first hash (a 4 GiB guest that used 100 MiB costs 100 MiB of hashing).
    std::vector<bool> untouched = untouched_pages(rb->host.get(), rb->size);
    rb->dirty.resize(pages);
    for (size_t p = 0; p < pages; ++p) rb->dirty[p] = !untouched[p];
    rb->track_dirty = true;
    // Pages start out as "all zeros"; the first hash finds every page that
    // is not, so the first checkpoint lists only those.
    blocks_.push_back({rb.get(), std::vector<uint64_t>(pages, zero_page), std::vector<uint64_t>(pages, zero_page)});
    touched_flag_.emplace_back(pages, 0);
    for (size_t p = 0; p < pages; ++p) ram_sum_ += page_key((rb->base >> kPageShift) + p) * zero_page;
  }
  cpu_.mmu.flush_writes();
}

void StateHasher::rehash_dirty() {
  bool any = false;
  for (size_t b = 0; b < blocks_.size(); ++b) {
    PageTable& t = blocks_[b];
    RamBlock& rb = *t.rb;
    uint64_t first_page = rb.base >> kPageShift;
    for (size_t p = 0; p < rb.dirty.size(); ++p) {
      if (!rb.dirty[p]) continue;
      rb.dirty[p] = 0;
      any = true;
      uint64_t offset = p << kPageShift;
      uint64_t len = std::min<uint64_t>(kPageSize, rb.size - offset);
      uint64_t h = hash_bytes(rb.host.get() + offset, len);
      ++pages_rehashed_;
      if (h == t.hash[p]) continue;
      uint64_t key = page_key(first_page + p);
      ram_sum_ += key * h - key * t.hash[p];
      t.hash[p] = h;
      if (!touched_flag_[b][p]) {
        touched_flag_[b][p] = 1;
        touched_.push_back({static_cast<uint32_t>(b), static_cast<uint32_t>(p)});
      }
    }
  }
  // Clean pages must take the slow path again on their next store.
  if (any) cpu_.mmu.flush_writes();
}

uint64_t StateHasher::ram_hash() {
  rehash_dirty();
  return hash_mix(ram_sum_);
}

std::vector<uint64_t> StateHasher::cpu_state(uint64_t pc) const {
  std::vector<uint64_t> v(cpu_value_count());
  cpu_values(cpu_.s, pc, v.data());
  return v;
}

uint64_t StateHasher::cpu_hash(uint64_t pc) const {
  std::vector<uint64_t> v = cpu_state(pc);
  return hash_bytes(v.data(), v.size() * 8);
}

uint32_t StateHasher::quick_check(uint64_t pc) {
  uint64_t c = cpu_hash(pc), r = ram_hash();
  return static_cast<uint32_t>((c >> 48) << 16 | (r >> 48));
}

std::vector<uint32_t> StateHasher::changed_pages_since_checkpoint(size_t block) const {
  std::vector<uint32_t> pages;
  for (auto [b, p] : touched_)
    if (b == block && blocks_[b].hash[p] != blocks_[b].at_checkpoint[p]) pages.push_back(p);
  std::sort(pages.begin(), pages.end());
  return pages;
}

void StateHasher::commit_checkpoint() {
  for (auto [b, p] : touched_) {
    blocks_[b].at_checkpoint[p] = blocks_[b].hash[p];
    touched_flag_[b][p] = 0;
  }
  touched_.clear();
}

Checkpoint StateHasher::take_checkpoint(const NamedValues& extra) {
  Checkpoint c;
  c.cpu = cpu_state(cpu_.s.pc);
  c.extra = extra;
  c.ram_hash = ram_hash();
  for (size_t b = 0; b < blocks_.size(); ++b) {
    std::vector<Checkpoint::Page>& pages = c.pages.emplace_back();
    for (uint32_t p : changed_pages_since_checkpoint(b))
      pages.push_back({p, static_cast<uint32_t>(blocks_[b].hash[p])});
  }
  commit_checkpoint();
  return c;
}

CheckpointDiff StateHasher::compare_checkpoint(const Checkpoint& rec, const NamedValues& extra) {
  CheckpointDiff diff;
  std::vector<std::string> lines;
  auto add = [&lines](std::string s) {
    if (lines.size() < kMaxReportLines) lines.push_back(std::move(s));
    else if (lines.size() == kMaxReportLines) lines.push_back("  ... (more differences not shown)");
  };
  std::vector<uint64_t> now = cpu_state(cpu_.s.pc);
  if (rec.cpu.size() != now.size()) {
    add("  the recording lists " + std::to_string(rec.cpu.size()) + " CPU values, this rewind " +
        std::to_string(now.size()));
    diff.cpu_or_values = true;
  }
  for (size_t i = 0; i < rec.cpu.size() && i < now.size(); ++i) {
    if (rec.cpu[i] == now[i]) continue;
    add("  " + std::string(cpu_value_name(i)) + ": recorded " + hex(rec.cpu[i]) + ", replay " + hex(now[i]));
    diff.cpu_or_values = true;
  }
  std::map<std::string, uint64_t> mine(extra.begin(), extra.end());
  for (auto& [name, value] : rec.extra) {
    auto it = mine.find(name);
    if (it == mine.end()) add("  " + name + ": recorded but absent in this replay");
    else if (it->second != value) add("  " + name + ": recorded " + hex(value) + ", replay " + hex(it->second));
    else continue;
    diff.cpu_or_values = true;
  }
  uint64_t ram = ram_hash();
  if (rec.pages.size() != blocks_.size()) throw DecodeError("checkpoint describes a different RAM layout");
  for (size_t b = 0; b < blocks_.size(); ++b) {
    const RamBlock& rb = *blocks_[b].rb;
    std::vector<uint8_t> listed(blocks_[b].hash.size(), 0);
    for (const Checkpoint::Page& p : rec.pages[b]) {
      if (p.number >= listed.size()) throw DecodeError("checkpoint page out of range");
      listed[p.number] = 1;
      if (static_cast<uint32_t>(blocks_[b].hash[p.number]) != p.hash) {
        add("  RAM page " + hex(rb.base + (uint64_t{p.number} << kPageShift)) + " (" + rb.name + "): contents differ");
        diff.ram = true;
      }
    }
    for (uint32_t q : changed_pages_since_checkpoint(b)) {
      if (!listed[q]) {
        add("  RAM page " + hex(rb.base + (uint64_t{q} << kPageShift)) + " (" + rb.name +
            "): written in this replay, unchanged in the recording");
        diff.ram = true;
      }
    }
  }
  if (rec.ram_hash != ram && !diff.ram) {
    add("  RAM hash differs (" + hex(rec.ram_hash) + " recorded, " + hex(ram) + " replay)");
    diff.ram = true;
  }
  commit_checkpoint();
  for (auto& l : lines) diff.report += l + "\n";
  return diff;
}

}  // namespace rwd
