#include "replay/state_hash.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

#include "target/riscv/cpu_fields.h"
#include "util/hash64.h"
#include "util/hex.h"
#include "util/untouched_pages.h"

namespace rwd {

namespace {

constexpr unsigned kPageShift = 12;
constexpr uint64_t kPageSize = 1ull << kPageShift;
constexpr size_t kMaxReportLines = 24;

using riscv::CheckpointForm;
using riscv::CpuField;

// The checkpoint's CPU values: each kCheckpoint field of the table
// (target/riscv/cpu_fields.h), in table order, in its CheckpointForm. Calls
// emit(field, first element, last element, value) for each value.
template <class Emit>
void checkpoint_values(const riscv::CpuState& s, uint64_t pc, Emit&& emit) {
  for (const CpuField& f : riscv::kCpuFields) {
    if (!f.has(riscv::kCheckpoint)) continue;
    switch (f.checkpoint) {
      case CheckpointForm::kEach:
      case CheckpointForm::kSkipFirst: {
        const size_t first = f.checkpoint == CheckpointForm::kSkipFirst ? 1 : 0;
        for (size_t i = first; i < f.count; ++i) emit(f, i, i, f.get(s, i));
        break;
      }
      case CheckpointForm::kPcArgument:
        emit(f, 0, 0, pc);
        break;
      case CheckpointForm::kPacked: {
        const size_t per_value = 8 / f.width;
        for (size_t i = 0; i < f.count; i += per_value) {
          uint64_t v = 0;
          for (size_t j = 0; j < per_value; ++j) v |= f.get(s, i + j) << (8 * f.width * j);
          emit(f, i, i + per_value - 1, v);
        }
        break;
      }
      case CheckpointForm::kHash: {
        std::vector<uint64_t> elements(f.count);
        for (size_t i = 0; i < f.count; ++i) elements[i] = f.get(s, i);
        emit(f, 0, f.count - 1, hash_bytes(elements.data(), elements.size() * 8));
        break;
      }
    }
  }
}

// "x1 (ra)", "pmpaddr3", "pmpcfg0-7", "privilege": the names in reports.
std::string value_name(const CpuField& f, size_t first, size_t last) {
  if (f.checkpoint_name) return f.checkpoint_name;
  if (f.count == 1) return f.name;
  // snprintf: GCC 12's -Wrestrict misfires on chains of string operator+.
  char buf[48];
  const char* abi = riscv::cpu_reg_abi_name(f, first);
  if (last != first) std::snprintf(buf, sizeof buf, "%s%zu-%zu", f.name, first, last);
  else if (abi) std::snprintf(buf, sizeof buf, "%s%zu (%s)", f.name, first, abi);
  else std::snprintf(buf, sizeof buf, "%s%zu", f.name, first);
  return buf;
}

const std::vector<std::string>& value_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    auto add_name = [&n](const CpuField& f, size_t first, size_t last, uint64_t) {
      n.push_back(value_name(f, first, last));
    };
    checkpoint_values(riscv::CpuState{}, 0, add_name);
    return n;
  }();
  return names;
}

uint64_t page_key(uint64_t pa_page) { return hash_mix(pa_page * kHashPrime3 + 1); }

}  // namespace

size_t cpu_value_count() { return value_names().size(); }
const char* cpu_value_name(size_t i) { return value_names().at(i).c_str(); }

void cpu_values(const riscv::CpuState& s, uint64_t pc, uint64_t* out) {
  checkpoint_values(s, pc, [&out](const CpuField&, size_t, size_t, uint64_t v) { *out++ = v; });
}

StateHasher::StateHasher(AddressSpace& as, riscv::Cpu& cpu, PageHash page_hash)
    : as_(as), cpu_(cpu), page_hash_(page_hash) {
  static const std::vector<uint8_t> zeros(kPageSize, 0);
  zero_page_ = rwd::page_hash(page_hash_, zeros.data(), zeros.size());
}

void StateHasher::enable() {
  if (enabled_) return;
  enabled_ = true;
  for (const auto& rb : as_.ram_blocks()) {
    size_t pages = (rb->size + kPageSize - 1) >> kPageShift;
    // Pages the host never backed are zero already: only the others need a
    // first hash (a 4 GiB guest that used 100 MiB costs 100 MiB of hashing).
    std::vector<bool> untouched = untouched_pages(rb->host.get(), rb->size);
    rb->dirty.resize(pages);
    rb->dirty_pages.clear();
    for (size_t p = 0; p < pages; ++p) {
      rb->dirty[p] = !untouched[p];
      if (rb->dirty[p]) rb->dirty_pages.push_back(static_cast<uint32_t>(p));
    }
    rb->track_dirty = true;
    // Pages start out as "all zeros"; the first hash finds every page that
    // is not, so the first checkpoint lists only those.
    blocks_.push_back({rb.get(), std::vector<uint64_t>(pages, zero_page_), std::vector<uint64_t>(pages, zero_page_)});
    touched_flag_.emplace_back(pages, 0);
    for (size_t p = 0; p < pages; ++p) ram_sum_ += page_key((rb->base >> kPageShift) + p) * zero_page_;
  }
  cpu_.mmu.flush_writes();
}

void StateHasher::rehash_dirty() {
  bool any = false;
  for (size_t b = 0; b < blocks_.size(); ++b) {
    PageTable& t = blocks_[b];
    RamBlock& rb = *t.rb;
    uint64_t first_page = rb.base >> kPageShift;
    // Every trail point and event check comes here, and few pages are dirty:
    // the list names them (each once: a page is listed when its flag is set).
    for (uint32_t p : rb.dirty_pages) {
      rb.dirty[p] = 0;
      any = true;
      uint64_t offset = static_cast<uint64_t>(p) << kPageShift;
      uint64_t len = std::min<uint64_t>(kPageSize, rb.size - offset);
      uint64_t h = rwd::page_hash(page_hash_, rb.host.get() + offset, len);
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
    rb.dirty_pages.clear();
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

uint64_t late_cpu_value(const riscv::CpuState& s) {
  std::vector<uint64_t> v;
  for (const CpuField& f : riscv::kCpuFields)
    if (f.has(riscv::kLateCheckpoint))
      for (size_t i = 0; i < f.count; ++i) v.push_back(f.get(s, i));
  return hash_bytes(v.data(), v.size() * 8);
}

uint64_t StateHasher::cpu_hash(uint64_t pc) const {
  std::vector<uint64_t> v = cpu_state(pc);
  uint64_t h = hash_bytes(v.data(), v.size() * 8);
  // Version-1 recordings (made before the late fields existed) never change
  // them from their reset values, so their hashes are unchanged.
  static const uint64_t late_at_reset = late_cpu_value(riscv::CpuState{});
  uint64_t late = late_cpu_value(cpu_.s);
  return late == late_at_reset ? h : hash_combine(h, late);
}

uint32_t StateHasher::quick_check(uint64_t pc, uint64_t icount, bool fresh) {
  if (fresh || !ram_part_valid_ || ram_check_interval_ == 0 || icount - ram_part_at_ >= ram_check_interval_) {
    ram_part_ = ram_hash();
    ram_part_at_ = icount;
    ram_part_valid_ = true;
  }
  uint64_t c = cpu_hash(pc);
  return static_cast<uint32_t>((c >> 48) << 16 | (ram_part_ >> 48));
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

StateHasher::Tracking StateHasher::tracking() const {
  Tracking t;
  for (auto [b, p] : touched_) t.since_checkpoint.push_back({b, p, blocks_[b].at_checkpoint[p]});
  t.ram_part_valid = ram_part_valid_;
  t.ram_part_at = ram_part_at_;
  t.ram_part = ram_part_;
  return t;
}

void StateHasher::restore(std::vector<std::vector<uint64_t>> hashes, const Tracking& t) {
  if (hashes.size() != blocks_.size()) throw std::logic_error("StateHasher::restore: another RAM layout");
  ram_sum_ = 0;
  for (size_t b = 0; b < blocks_.size(); ++b) {
    PageTable& pt = blocks_[b];
    if (hashes[b].size() != pt.hash.size()) throw std::logic_error("StateHasher::restore: another RAM layout");
    pt.hash = std::move(hashes[b]);
    pt.at_checkpoint = pt.hash;
    std::fill(pt.rb->dirty.begin(), pt.rb->dirty.end(), 0);
    std::fill(touched_flag_[b].begin(), touched_flag_[b].end(), 0);
    uint64_t first_page = pt.rb->base >> kPageShift;
    for (size_t p = 0; p < pt.hash.size(); ++p) ram_sum_ += page_key(first_page + p) * pt.hash[p];
  }
  touched_.clear();
  for (const Tracking::Page& q : t.since_checkpoint) {
    blocks_[q.block].at_checkpoint[q.page] = q.at_checkpoint;
    touched_flag_[q.block][q.page] = 1;
    touched_.push_back({q.block, q.page});
  }
  ram_part_valid_ = t.ram_part_valid;
  ram_part_at_ = t.ram_part_at;
  ram_part_ = t.ram_part;
  // Every page is clean now: the next store to each must be seen again.
  cpu_.mmu.flush_writes();
}

}  // namespace rwd
