#include "replay/state_hash.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "target/riscv/cpu_fields.h"
#include "util/hash64.h"
#include "util/hex.h"

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

StateHasher::StateHasher(AddressSpace& as, riscv::Cpu& cpu) : as_(as), cpu_(cpu) {}

void StateHasher::enable() {
  if (enabled_) return;
  enabled_ = true;
  static const std::vector<uint8_t> zeros(kPageSize, 0);
  const uint64_t zero_page = hash_bytes(zeros.data(), zeros.size());
  for (const auto& rb : as_.ram_blocks()) {
    size_t pages = (rb->size + kPageSize - 1) >> kPageShift;
    rb->dirty.assign(pages, 1);
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

// Layout: varint N, N varint CPU values; varint M, M (string name, u64
// value); u64 RAM hash; varint number of RAM blocks, and per block: varint
// count, then (varint page delta, u32 page hash) for each changed page.
void StateHasher::write_checkpoint(ByteWriter& w, const NamedValues& extra) {
  std::vector<uint64_t> v = cpu_state(cpu_.s.pc);
  w.varint(v.size());
  for (uint64_t x : v) w.varint(x);
  w.varint(extra.size());
  for (auto& [name, value] : extra) {
    w.str(name);
    w.u64(value);
  }
  w.u64(ram_hash());
  w.varint(blocks_.size());
  for (size_t b = 0; b < blocks_.size(); ++b) {
    std::vector<uint32_t> pages = changed_pages_since_checkpoint(b);
    w.varint(pages.size());
    uint32_t prev = 0;
    for (uint32_t p : pages) {
      w.varint(p - prev);
      prev = p;
      w.u32(static_cast<uint32_t>(blocks_[b].hash[p]));
    }
  }
  commit_checkpoint();
}

std::string StateHasher::compare_checkpoint(ByteReader& r, const NamedValues& extra) {
  std::vector<std::string> lines;
  auto add = [&lines](std::string s) {
    if (lines.size() < kMaxReportLines) lines.push_back(std::move(s));
    else if (lines.size() == kMaxReportLines) lines.push_back("  ... (more differences not shown)");
  };
  std::vector<uint64_t> now = cpu_state(cpu_.s.pc);
  uint64_t n = r.varint();
  if (n != now.size()) throw DecodeError("checkpoint has " + std::to_string(n) + " CPU values");
  for (size_t i = 0; i < n; ++i) {
    uint64_t rec = r.varint();
    if (rec != now[i]) add("  " + std::string(cpu_value_name(i)) + ": recorded " + hex(rec) + ", replay " + hex(now[i]));
  }
  uint64_t m = r.varint();
  if (m > 1024) throw DecodeError("checkpoint lists too many values");
  std::map<std::string, uint64_t> mine(extra.begin(), extra.end());
  for (uint64_t i = 0; i < m; ++i) {
    std::string name = r.str(256);
    uint64_t rec = r.u64();
    auto it = mine.find(name);
    if (it == mine.end()) add("  " + name + ": recorded but absent in this replay");
    else if (it->second != rec) add("  " + name + ": recorded " + hex(rec) + ", replay " + hex(it->second));
  }
  uint64_t rec_ram = r.u64();
  uint64_t ram = ram_hash();
  size_t ram_lines = 0;
  if (r.varint() != blocks_.size()) throw DecodeError("checkpoint describes a different RAM layout");
  for (size_t b = 0; b < blocks_.size(); ++b) {
    uint64_t count = r.varint();
    if (count > blocks_[b].hash.size()) throw DecodeError("checkpoint lists more pages than RAM has");
    std::vector<uint8_t> listed(blocks_[b].hash.size(), 0);
    uint64_t p = 0;
    const RamBlock& rb = *blocks_[b].rb;
    for (uint64_t i = 0; i < count; ++i) {
      p += r.varint();
      uint32_t h = r.u32();
      if (p >= listed.size()) throw DecodeError("checkpoint page out of range");
      listed[p] = 1;
      if (static_cast<uint32_t>(blocks_[b].hash[p]) != h) {
        add("  RAM page " + hex(rb.base + (p << kPageShift)) + " (" + rb.name + "): contents differ");
        ++ram_lines;
      }
    }
    for (uint32_t q : changed_pages_since_checkpoint(b)) {
      if (!listed[q]) {
        add("  RAM page " + hex(rb.base + (uint64_t{q} << kPageShift)) + " (" + rb.name +
            "): written in this replay, unchanged in the recording");
        ++ram_lines;
      }
    }
  }
  if (rec_ram != ram && ram_lines == 0) add("  RAM hash differs (" + hex(rec_ram) + " recorded, " + hex(ram) + " replay)");
  commit_checkpoint();
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace rwd
