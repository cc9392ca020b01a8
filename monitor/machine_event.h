// Run-state changes that monitors report (QMP's STOP, RESUME, RESET and
// SHUTDOWN events). The run loop raises them as they happen; they are output
// only and never feed back into the guest, so they cannot disturb a
// recording or a replay.
#pragma once
#include <string>

namespace rwd {

struct MachineEvent {
  enum class Kind { kStop, kResume, kReset, kShutdown };
  Kind kind;
  // RESET and SHUTDOWN: whether the guest asked, and QEMU's ShutdownCause
  // name ("guest-shutdown", "guest-reset", "host-qmp-quit",
  // "host-qmp-system-reset", "host-signal", "host-ui").
  bool guest = false;
  std::string reason;
};

// Someone who wants the events (a QMP monitor).
class MachineEventListener {
 public:
  virtual ~MachineEventListener() = default;
  virtual void machine_event(const MachineEvent& e) = 0;
};

}  // namespace rwd
