#include "accel/tcg/debug_stops.h"

#include <algorithm>

namespace rwd {

bool DebugStops::add_breakpoint(uint64_t pc) {
  if (breakpoints_.size() >= kMaxBreakpoints && !has_breakpoint(pc)) return false;
  breakpoints_.insert(pc);
  return true;
}

bool DebugStops::add_watch(const Watchpoint& w) {
  if (w.len == 0 || w.addr + w.len < w.addr) return false;
  if (std::find(watches_.begin(), watches_.end(), w) != watches_.end()) return true;
  if (watches_.size() >= kMaxWatchpoints) return false;
  watches_.push_back(w);
  return true;
}

void DebugStops::remove_watch(const Watchpoint& w) {
  watches_.erase(std::remove(watches_.begin(), watches_.end(), w), watches_.end());
}

void DebugStops::clear() {
  breakpoints_.clear();
  watches_.clear();
  stepping_ = false;
  skip_ = false;
  pending_ = hit_ = DebugHit{};
}

void DebugStops::arm_step(uint64_t icount, uint64_t traps) {
  stepping_ = true;
  step_icount_ = icount;
  step_traps_ = traps;
}

void DebugStops::skip_once(uint64_t pc, uint64_t icount) {
  skip_ = true;
  skip_pc_ = pc;
  skip_icount_ = icount;
}

bool DebugStops::should_stop(uint64_t pc, uint64_t icount, uint64_t traps) {
  if (skip_ && icount != skip_icount_) skip_ = false;
  if (pending_.kind != DebugHit::Kind::kNone) {
    hit_ = pending_;
    pending_ = DebugHit{};
    stepping_ = false;
    return true;
  }
  if (stepping_ && (icount != step_icount_ || traps != step_traps_)) {
    hit_ = DebugHit{DebugHit::Kind::kStep};
    stepping_ = false;
    return true;
  }
  if (has_breakpoint(pc)) {
    if (skip_ && pc == skip_pc_) return false;
    hit_ = DebugHit{DebugHit::Kind::kBreakpoint};
    return true;
  }
  return false;
}

bool DebugStops::page_watched(uint64_t va_page) const {
  for (const Watchpoint& w : watches_)
    if (w.addr < va_page + riscv::kPageSize && va_page <= w.addr + (w.len - 1)) return true;
  return false;
}

bool DebugStops::accessed(uint64_t va, unsigned size, riscv::AccessType type) {
  if (pending_.kind != DebugHit::Kind::kNone) return false;  // the first one is reported
  for (const Watchpoint& w : watches_) {
    bool kind_matches = w.kind == WatchKind::kAccess ||
                        (w.kind == WatchKind::kWrite && type == riscv::AccessType::kWrite) ||
                        (w.kind == WatchKind::kRead && type == riscv::AccessType::kRead);
    if (!kind_matches || va > w.addr + (w.len - 1) || w.addr > va + (size - 1)) continue;
    pending_.kind = DebugHit::Kind::kWatch;
    pending_.addr = std::max(va, w.addr);
    pending_.watch = w.kind;
    return true;
  }
  return false;
}

}  // namespace rwd
