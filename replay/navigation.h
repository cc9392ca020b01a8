// Moving through a replay: the seam between the replay's snapshots and those
// who move (the monitor's replay_seek, the gdb stub's reverse execution).
// Implemented by the replay side when rr=replay (in-memory snapshots taken
// as the replay runs, then "restore the nearest earlier snapshot and replay
// forward", ARCHITECTURE.md); users see only this interface.
#pragma once
#include <cstdint>

namespace rwd {

class ReplayNavigation {
 public:
  virtual ~ReplayNavigation() = default;
  // Instructions retired so far, and the recording's last count.
  virtual uint64_t now() const = 0;
  virtual uint64_t end() const = 0;
  // The count of the latest snapshot at or before `icount` (0, the start of
  // the recording, is always one): seeking there costs a restore only.
  virtual uint64_t snapshot_at_or_before(uint64_t icount) const = 0;
  // Puts the whole machine (and the replay's position in the recording) at
  // exactly `icount`, backwards or forwards. Throws std::runtime_error with
  // a one-line message when it cannot (past the end of the recording).
  virtual void seek(uint64_t icount) = 0;
};

}  // namespace rwd
