#include "replay/navigator.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "accel/tcg/engine.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/vclock.h"
#include "replay/page_chunk.h"
#include "system/run_loop.h"
#include "target/riscv/cpu.h"

namespace rwd {

namespace {

// A seek that replays more than this from its snapshot leaves snapshots on
// its way (at 1/2, 3/4, 7/8, ... of the distance, until the last is less than
// this before the target) and one at the target itself, so stepping back
// again from near the target — reverse-stepi, over and over, which seeks to
// now-1 and back there — costs a restore and a short replay each time
// instead of the whole distance every time.
constexpr uint64_t kFineGap = 250'000;

// While the replay runs forwards on its own (not seeking) with a debugger
// attached or a replay breakpoint set, a ring of the latest few snapshots
// this far apart is kept besides the regular ones, so that wherever the
// replay stops (a breakpoint, a pause), the first step back replays at most
// this much. Older ring snapshots are dropped. Without either, the ring is
// not taken: it cost a plain replay 5% of its time (a monitor's replay_seek
// near the end then replays up to one -rr-snapshot-interval instead).
constexpr uint64_t kRecentGap = 4'000'000;
constexpr size_t kRecentKept = 6;

// A snapshot put off by a disk request in flight is tried again this many
// instructions later (a request completes within some 10^4..10^6).
constexpr uint64_t kRetryGap = 20'000;

}  // namespace

struct Navigator::Snapshot {
  uint64_t icount = 0;
  std::vector<uint8_t> parts;                // hart, clock, state parts
  // Every RAM block's pages, in order, 512 to a chunk (a block's last
  // chunk may be short); chunks are shared with other snapshots.
  std::vector<std::shared_ptr<const PageChunk>> chunks;
  ReplayController::Cursor cursor;
  StateHasher::Tracking tracking;
  std::shared_ptr<const void> disks;         // the disk overlays' generation
  uint64_t own_bytes() const {
    return sizeof(*this) + parts.size() + chunks.size() * sizeof(chunks[0]) +
           tracking.since_checkpoint.size() * sizeof(StateHasher::Tracking::Page) + 256;
  }
};

Navigator::Navigator(Machine& machine, Engine& engine, ReplayController& replay, RunLoop& loop,
                     NavigatorOptions opts, std::string unavailable)
    : machine_(machine), engine_(engine), replay_(replay), loop_(loop), opts_(opts),
      unavailable_(std::move(unavailable)) {}

Navigator::~Navigator() {
  snapshots_.clear();  // their chunks release their pages into store_
}

uint64_t Navigator::now() const { return machine_.clock().instructions_now(); }
uint64_t Navigator::end() const { return replay_.final_icount(); }

uint64_t Navigator::snapshot_at_or_before(uint64_t icount) const {
  auto it = snapshots_.upper_bound(icount);
  return it == snapshots_.begin() ? 0 : std::prev(it)->first;
}

bool Navigator::output_replayed() const { return now() < high_water_; }

uint64_t Navigator::next_stop() const {
  uint64_t stop = ~0ull;
  if (snapshots_.empty() && unavailable_.empty()) return 0;  // the start: the first service point
  if (opts_.interval && unavailable_.empty()) stop = std::min(next_due_, ring_wanted() ? next_recent_ : ~uint64_t{0});
  if (!wanted_.empty()) stop = std::min(stop, *wanted_.begin());
  if (take_pending_) stop = std::min(stop, retry_at_);
  if (break_) stop = std::min(stop, *break_);
  return stop;
}

bool Navigator::ring_wanted() const {
  return !opts_.debugger_present || opts_.debugger_present() || break_.has_value();
}

void Navigator::schedule_from(uint64_t n) {
  next_due_ = opts_.interval ? (n / opts_.interval + 1) * opts_.interval : ~0ull;
  next_recent_ = opts_.interval ? (n / kRecentGap + 1) * kRecentGap : ~0ull;
}

std::string Navigator::set_break(uint64_t icount) {
  if (icount <= now())
    return "the breakpoint must lie ahead: the replay is at instruction " + std::to_string(now());
  if (icount > end()) return "the recording ends at instruction " + std::to_string(end());
  break_ = icount;
  return "";
}

void Navigator::at_service_point(bool navigating) {
  uint64_t n = now();
  if (unavailable_.empty()) {
    bool want = snapshots_.empty();  // the start of the recording, always
    if (opts_.interval && n >= next_due_) {
      auto it = snapshots_.lower_bound(next_due_);
      if (it == snapshots_.end() || it->first > n) want = true;  // none kept since it was due
      schedule_from(n);
    }
    while (!wanted_.empty() && *wanted_.begin() <= n) {
      wanted_.erase(wanted_.begin());
      want = true;
    }
    bool recent = false;
    if (opts_.interval && n >= next_recent_) {
      next_recent_ = (n / kRecentGap + 1) * kRecentGap;
      recent = !navigating && !want && ring_wanted();
      want = want || recent;
    }
    if (take_pending_ && !want) want = true;
    if (want && !snapshots_.count(n)) {
      // A device request in flight holds host work a snapshot cannot keep:
      // put it off to a point where none is.
      if (opts_.disks.busy && opts_.disks.busy()) {
        if (!take_pending_) ++deferred_;
        take_pending_ = true;
        retry_at_ = n + kRetryGap;
      } else {
        take_pending_ = false;
        take();
        if (recent) keep_recent(n);
      }
    } else {
      take_pending_ = false;
    }
  }
  if (break_ && n >= *break_ && !navigating) {
    break_.reset();  // as QEMU: reaching it deletes it
    loop_.pause();
  }
}

void Navigator::keep_snapshot() {
  if (!unavailable_.empty()) throw NavigationError(unavailable_);
  if (!snapshots_.count(now())) take();
}

void Navigator::take() {
  StateHasher& hasher = replay_.hasher();
  hasher.ram_hash();  // every page's hash is current
  auto s = std::make_unique<Snapshot>();
  s->icount = now();
  ByteWriter w;
  {
    ByteWriter part;
    machine_.cpu().save_state(part);
    w.blob(part.data().data(), part.size());
  }
  {
    ByteWriter part;
    machine_.clock().save(part);
    w.blob(part.data().data(), part.size());
  }
  for (const StatePart& sp : machine_.state_parts()) {
    ByteWriter part;
    sp.save(part);
    w.blob(part.data().data(), part.size());
  }
  s->parts = std::move(w.buffer());
  s->cursor = replay_.cursor();
  s->tracking = hasher.tracking();
  if (opts_.disks.save) s->disks = opts_.disks.save();

  // Pages whose hash is the nearest earlier snapshot's are that page: shared
  // without reading them, a whole chunk at once when none of its pages
  // changed. Zero pages are known by their hash too (reading them cost a
  // host page fault for each page the guest never touched: 4 s for a
  // 256 MiB guest's first snapshot on a loaded machine). Only the others
  // are interned (and so copied, or shared with an identical page kept
  // elsewhere).
  auto before = snapshots_.upper_bound(s->icount);
  const Snapshot* base = before == snapshots_.begin() ? nullptr : std::prev(before)->second.get();
  const auto& blocks = machine_.address_space().ram_blocks();
  size_t c = 0;
  for (size_t b = 0; b < hasher.block_count(); ++b) {
    const std::vector<uint64_t>& hashes = hasher.page_hashes(b);
    const RamBlock& rb = *blocks[b];
    for (size_t first = 0; first < hashes.size(); first += PageChunk::kPages, ++c) {
      const size_t count = std::min(PageChunk::kPages, hashes.size() - first);
      const PageChunk* kept = base ? base->chunks[c].get() : nullptr;
      if (kept && std::memcmp(kept->hashes.data(), &hashes[first], count * sizeof(uint64_t)) == 0) {
        s->chunks.push_back(base->chunks[c]);
        continue;
      }
      auto chunk = std::make_shared<PageChunk>(store_, live_chunks_, count);
      for (size_t j = 0; j < count; ++j) {
        const uint64_t h = hashes[first + j];
        chunk->hashes[j] = h;
        if (kept && kept->hashes[j] == h) {
          chunk->pages[j] = PageStore::share(kept->pages[j]);
        } else if (h != hasher.zero_page_hash()) {
          uint64_t off = uint64_t{first + j} * PageStore::kPageBytes;
          size_t len = std::min<uint64_t>(PageStore::kPageBytes, rb.size - off);
          chunk->pages[j] = store_.intern(rb.host.get() + off, len, h);
        }
      }
      s->chunks.push_back(std::move(chunk));
    }
  }
  snapshot_bytes_ += s->own_bytes();
  snapshots_[s->icount] = std::move(s);
  thin();
}

// A ring snapshot: kept until kRecentKept newer ones exist (unless a seek
// wants it, which then keeps it as one of its own).
void Navigator::keep_recent(uint64_t at) {
  recent_.push_back(at);
  while (recent_.size() > kRecentKept) {
    uint64_t old = recent_.front();
    recent_.pop_front();
    auto it = snapshots_.find(old);
    if (it != snapshots_.end() && it != snapshots_.begin() && std::next(it) != snapshots_.end()) drop(it);
  }
}

void Navigator::drop(std::map<uint64_t, std::unique_ptr<Snapshot>>::iterator it) {
  snapshot_bytes_ -= it->second->own_bytes();  // its chunks go with it
  snapshots_.erase(it);
}

uint64_t Navigator::bytes() const {
  return store_.bytes() + snapshot_bytes_ + live_chunks_ * sizeof(PageChunk) +
         (opts_.disks.bytes ? opts_.disks.bytes() : 0);
}

// Over budget: drop the snapshot whose removal leaves the smallest gap
// between its neighbours (the oldest of equals), so those left keep a
// spread over the whole recording. The start and the latest always stay.
void Navigator::thin() {
  while (bytes() > opts_.budget && snapshots_.size() > 2) {
    auto victim = snapshots_.end();
    uint64_t best = ~0ull;
    for (auto it = std::next(snapshots_.begin()); std::next(it) != snapshots_.end(); ++it) {
      uint64_t gap = std::next(it)->first - std::prev(it)->first;
      if (gap < best) {
        best = gap;
        victim = it;
      }
    }
    drop(victim);
    ++thinned_;
  }
}

void Navigator::restore(const Snapshot& s) {
  StateHasher& hasher = replay_.hasher();
  hasher.ram_hash();
  // RAM first: only pages that differ from the snapshot's are written.
  const auto& blocks = machine_.address_space().ram_blocks();
  std::vector<std::vector<uint64_t>> hashes(hasher.block_count());
  size_t c = 0;
  for (size_t b = 0; b < hasher.block_count(); ++b) {
    const std::vector<uint64_t>& current = hasher.page_hashes(b);
    RamBlock& rb = *blocks[b];
    hashes[b].resize(current.size());
    for (size_t first = 0; first < current.size(); first += PageChunk::kPages, ++c) {
      const PageChunk& chunk = *s.chunks[c];
      for (size_t j = 0; j < chunk.count; ++j) {
        const size_t p = first + j;
        const PageStore::Page* page = chunk.pages[j];
        const uint64_t want = chunk.hashes[j];
        hashes[b][p] = want;
        if (current[p] == want) continue;
        uint64_t off = uint64_t{p} * PageStore::kPageBytes;
        size_t len = std::min<uint64_t>(PageStore::kPageBytes, rb.size - off);
        if (page) std::memcpy(rb.host.get() + off, page->data, len);
        else std::memset(rb.host.get() + off, 0, len);
      }
    }
  }
  // The disks (their requests still running end first), then the hart, the clock (timers are re-armed by their devices) and the
  // state parts, from the bytes this build wrote itself.
  if (opts_.disks.restore) opts_.disks.restore(s.disks);
  ByteReader r(s.parts);
  {
    std::vector<uint8_t> b = r.blob(r.left());
    ByteReader br(b);
    machine_.cpu().load_state(br);
  }
  {
    std::vector<uint8_t> b = r.blob(r.left());
    ByteReader br(b);
    machine_.clock().load(br);
  }
  for (const StatePart& sp : machine_.state_parts()) {
    std::vector<uint8_t> b = r.blob(r.left());
    ByteReader br(b);
    sp.load(br);
  }
  hasher.restore(std::move(hashes), s.tracking);
  replay_.restore(s.cursor);
  engine_.flush_translations();
  loop_.forget_requests();
}

void Navigator::seek(uint64_t target) {
  if (!unavailable_.empty()) throw NavigationError(unavailable_);
  if (target > end())
    throw NavigationError("instruction " + std::to_string(target) + " is past the end of the recording (" +
                             std::to_string(end()) + ")");
  uint64_t n = now();
  high_water_ = std::max(high_water_, n);
  loop_.flush_output();  // what was printed so far belongs to the past
  // The latest snapshot at or before the target, if it saves replaying
  // (always when going back; going forward only if it is ahead of us).
  auto it = snapshots_.upper_bound(target);
  if (it != snapshots_.begin()) {
    const Snapshot& s = *std::prev(it)->second;
    if (target < n || s.icount > n) restore(s);
  } else if (target < n) {
    throw std::logic_error("replay navigation: no snapshot at the start");
  }
  uint64_t from = now();
  wanted_.clear();
  take_pending_ = false;
  // Closer and closer to the target: halfway, then 3/4, 7/8, ... of the way,
  // and the target itself.
  if (target - from > kFineGap) {
    for (int k = 1; k < 63 && ((target - from) >> (k - 1)) > kFineGap; ++k) wanted_.insert(target - ((target - from) >> k));
    wanted_.insert(target);
  }
  schedule_from(from);
  if (from < target && !loop_.replay_forward(target))
    throw NavigationError("the replay ended at instruction " + std::to_string(now()) + " before reaching " +
                             std::to_string(target));
  wanted_.clear();
  take_pending_ = false;
  schedule_from(now());
}

Navigator::Stats Navigator::stats() const {
  Stats st;
  st.snapshots = snapshots_.size();
  st.bytes = bytes();
  st.budget = opts_.budget;
  st.interval = opts_.interval;
  st.pages = store_.pages();
  st.thinned = thinned_;
  st.disk_bytes = opts_.disks.bytes ? opts_.disks.bytes() : 0;
  st.deferred = deferred_;
  return st;
}

}  // namespace rwd
