// Replay navigation (docs/replay-navigation.md): in-memory snapshots taken as
// a replay runs, and moving anywhere in the recording by "restore the
// nearest earlier snapshot, then replay forward" (ARCHITECTURE.md).
//
// A snapshot holds everything the replay's later course depends on: the
// hart, the virtual clock and every state part of the board (devices with
// their in-flight request counters, the board's random generator), RAM as
// shared pages (replay/page_store.h: a snapshot costs the pages that changed),
// the replay controller's place in the recording (block, event, counters),
// and the state hasher's bookkeeping (page hashes, pages written since the
// last checkpoint), so that the replay goes on checking every event and
// checkpoint after a seek exactly as a straight replay would.
//
// The state "at count N" is the state at the service point of N: the
// engine stopped with N instructions retired and the recording's events at
// N applied — what run_until(N) gives and what a replay breakpoint stops at.
//
// Guest output produced again after a seek back is not shown a second time:
// output is suppressed while the count is below the furthest count reached.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "replay/navigation.h"
#include "replay/page_store.h"
#include "replay/replay.h"

namespace rwd {

class Machine;
class Engine;
class RunLoop;

// A seek that cannot be done (past the end, navigation not available): a
// one-line message; the replay is where it was.
class NavigationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The machine's disks as navigation sees them (system/drive_set.h): a
// replay's disk overlays are saved with each snapshot and put back with it.
// Unset functions: no disks.
struct NavigatorDisks {
  std::function<bool()> busy;  // a device request is in flight: no snapshot now
  std::function<std::shared_ptr<const void>()> save;
  std::function<void(const std::shared_ptr<const void>&)> restore;
  std::function<uint64_t()> bytes;  // memory the overlays hold, counted in the budget
};

struct NavigatorOptions {
  uint64_t interval = 0;  // instructions between automatic snapshots (0: only the start)
  uint64_t budget = 0;    // bytes the snapshots may use
  NavigatorDisks disks;
  // Whether a debugger is there to stop the replay and step back (the ring
  // of recent snapshots is kept only then, or while a replay breakpoint is
  // set). Unset: always.
  std::function<bool()> debugger_present;
};

class Navigator : public ReplayNavigation {
 public:
  // `unavailable`: why this replay cannot move (empty when it can); the
  // breakpoint works either way.
  Navigator(Machine& machine, Engine& engine, ReplayController& replay, RunLoop& loop, NavigatorOptions opts,
            std::string unavailable);
  ~Navigator() override;

  // ReplayNavigation.
  uint64_t now() const override;
  uint64_t end() const override;
  uint64_t snapshot_at_or_before(uint64_t icount) const override;
  void seek(uint64_t icount) override;

  // The replay breakpoint (HMP replay_break): the run pauses at the service
  // point of `icount`, which must lie ahead; reaching it deletes it. Returns
  // "" or why not.
  std::string set_break(uint64_t icount);
  void delete_break() { break_.reset(); }
  std::optional<uint64_t> breakpoint() const { return break_; }
  const std::string& unavailable() const { return unavailable_; }

  // The run loop: where the engine must stop next for us, and the service
  // point itself (snapshots due are taken, the breakpoint pauses the run).
  uint64_t next_stop() const;
  void at_service_point(bool navigating);

  // Keeps a snapshot of the current count (if there is none), so that going
  // back here again costs a restore only (rewind-diverge's bisection).
  void keep_snapshot();

  // Guest output at the current instruction was shown already.
  bool output_replayed() const;

  // Figures for `info replay` and the benchmark.
  struct Stats {
    size_t snapshots = 0;
    uint64_t bytes = 0, budget = 0, interval = 0;
    size_t pages = 0;
    uint64_t thinned = 0;
    uint64_t disk_bytes = 0;  // of `bytes`: the disk overlays
    uint64_t deferred = 0;    // snapshots put off while a disk request was in flight
  };
  Stats stats() const;

 private:
  struct Snapshot;
  void take();
  void restore(const Snapshot& s);
  void thin();
  void keep_recent(uint64_t at);
  void drop(std::map<uint64_t, std::unique_ptr<Snapshot>>::iterator it);
  uint64_t bytes() const;
  void schedule_from(uint64_t now);
  bool ring_wanted() const;

  Machine& machine_;
  Engine& engine_;
  ReplayController& replay_;
  RunLoop& loop_;
  NavigatorOptions opts_;
  std::string unavailable_;
  PageStore store_;
  size_t live_chunks_ = 0;  // PageChunks alive (replay/page_chunk.h), for bytes()
  std::map<uint64_t, std::unique_ptr<Snapshot>> snapshots_;  // after store_: their chunks release pages there
  uint64_t snapshot_bytes_ = 0;  // besides the shared pages
  uint64_t next_due_ = 0;
  uint64_t next_recent_ = 0;     // the next ring snapshot (keep_recent)
  std::deque<uint64_t> recent_;
  std::set<uint64_t> wanted_;    // extra snapshots on the way to a seek's target
  std::optional<uint64_t> break_;
  uint64_t high_water_ = 0;      // the furthest count the replay reached
  uint64_t thinned_ = 0;
  // A snapshot is due but a disk request is in flight: the engine stops
  // again at `retry_at_` to try once more.
  bool take_pending_ = false;
  uint64_t retry_at_ = 0;
  uint64_t deferred_ = 0;
};

}  // namespace rwd
