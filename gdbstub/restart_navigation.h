// The simplest ReplayNavigation (replay/navigation.h): one whole-machine
// snapshot at count 0; going back restores it, restarts the replay from the
// beginning of the recording and runs forward to the wanted count. Slow far
// into a recording, but exact: the gdb stub uses it when the replay offers
// no navigation of its own, and its tests use it as the reference.
#pragma once
#include <string>
#include <vector>

#include "replay/navigation.h"

namespace rwd {

class Machine;
class Engine;
class RunLoop;
class ReplayController;

class RestartNavigation : public ReplayNavigation {
 public:
  // Takes the count-0 snapshot: call before the machine runs.
  // `config`: the machine's configuration fingerprint (migration/snapshot.h).
  RestartNavigation(Machine& machine, Engine& engine, RunLoop& loop, ReplayController& replay, std::string config);

  uint64_t now() const override;
  uint64_t end() const override;
  uint64_t snapshot_at_or_before(uint64_t) const override { return 0; }
  void seek(uint64_t icount) override;

 private:
  Machine& machine_;
  Engine& engine_;
  RunLoop& loop_;
  ReplayController& replay_;
  std::string config_;
  std::vector<uint8_t> start_;
};

}  // namespace rwd
