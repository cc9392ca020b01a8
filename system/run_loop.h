// The run loop: runs the machine's hart in slices, and between slices serves
// the host (character I/O, the monitor, signals), paces an idling guest, and
// lets record/replay see the machine (ARCHITECTURE.md, "Execution and time").
// Everything that decides *when* host input reaches the guest lives here:
// host input is taken only at service steps between blocks.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>

#include "accel/tcg/engine.h"
#include "chardev/char_registry.h"
#include "hw/core/machine.h"
#include "monitor/machine_event.h"
#include "replay/events.h"
#include "system/debugger.h"
#include "util/host_loop.h"

namespace rwd {

class ReplayController;
class Navigator;

struct RunOptions {
  uint64_t max_insns = 0;    // stop after this many instructions (0: never)
  bool no_reboot = false;    // a reset request ends the run
  bool no_shutdown = false;  // a power-off stops the guest instead of ending the run
  bool align = false;        // -icount align=on: virtual time never runs ahead of the host's
};

class RunLoop {
 public:
  // With `replay`, the run records or replays; the loop registers its own
  // asynchronous events (idle warps, resets) with it.
  RunLoop(Machine& machine, Engine& engine, HostLoop& host, CharRegistry& chardevs, ReplayController* replay,
          RunOptions opts);

  // Runs until the guest powers off (returns its exit status), the
  // instruction limit is reached, the monitor quits or a signal asks to.
  int run();
  // Runs until exactly `icount` instructions have retired, or the run ends
  // before (returns true then: call finish()). Resumable: snapshots and
  // tests stop the machine at chosen counts this way.
  // `until_debug_stop`: return as well when the engine stops for the
  // debugger (a step, a breakpoint or watchpoint hit).
  bool run_until(uint64_t icount, bool until_debug_stop = false);
  // The run is over (the guest powered off, the replay ended, quit).
  bool over() const { return exit_; }
  // The run is over: record/replay's end, the summary, output flushed.
  // Returns the exit status.
  int finish();

  // Replay navigation (replay/navigator.h): it chooses extra stops and sees
  // every service point of the replay.
  void set_navigator(Navigator* nav) { navigator_ = nav; }
  // Runs the replay forward to exactly `icount` from wherever the caller is
  // (the monitor, the gdb stub), serving no host I/O and ignoring a pause.
  // Returns false when the run ended before.
  bool replay_forward(uint64_t icount);
  // A snapshot was restored: requests taken for the state left behind (a
  // reset the recording asked for) no longer apply.
  void forget_requests();
  void flush_output();

  // Requests from the monitor (taken between slices).
  // QEMU's run state names: running, paused, shutdown, postmigrate.
  std::string run_state() const;
  // `why`: what stopped it, when not the monitor's `stop` (e.g. "postmigrate").
  void pause(const std::string& why = "");
  void resume();
  // Returns an error message when the request cannot be taken.
  std::string request_reset();
  void request_quit();
  // Run-state changes as they happen (STOP, RESUME, RESET, SHUTDOWN), for
  // the monitors. Output only: nothing here feeds back into the guest.
  std::function<void(const MachineEvent&)> on_event;

  // The gdb stub (nullptr: none).
  void set_debugger(Debugger* d) { debugger_ = d; }
  // Ends a run the debugger kept after its end (Debugger::run_ended), with
  // the end it had (a replay still checks the recording's final state).
  void end_held_run() {
    quit_requested_ = true;
    exit_ = true;
  }
  // The machine was moved back from a finished run (reverse execution): it
  // runs again.
  void reopen() { exit_ = false; }

 private:
  void emit(MachineEvent::Kind kind, bool guest = false, const std::string& reason = "") {
    if (on_event) on_event(MachineEvent{kind, guest, reason});
  }
  void guest_power_off(int status);
  void guest_reset();
  void reset();
  void poll_host(int timeout_ms);
  void idle_wait();
  bool align_wait();
  uint64_t slice_end(uint64_t stop_at) const;
  bool host_poll_due(StopReason why) const;
  bool host_poll_stale() const;
  void step(uint64_t stop_at);

  Machine& machine_;
  Engine& engine_;
  HostLoop& host_;
  CharRegistry& chardevs_;
  ReplayController* replay_;
  Navigator* navigator_ = nullptr;
  bool navigating_ = false;  // inside replay_forward
  RunOptions opts_;
  bool paused_ = false;     // stopped by the monitor
  std::string pause_reason_;
  bool shut_down_ = false;  // the guest powered off under -no-shutdown
  bool exit_ = false;  // the run is over
  bool reset_requested_ = false;
  MachineEvent reset_cause_{MachineEvent::Kind::kReset, false, ""};
  std::optional<MachineEvent> end_event_;  // SHUTDOWN, raised when the run ends
  int exit_code_ = 0;
  EndReason end_reason_ = EndReason::kGuestShutdown;
  bool started_ = false;
  bool quit_requested_ = false;
  bool debug_stopped_ = false;
  Debugger* debugger_ = nullptr;
  uint64_t align_host_start_ns_ = 0, align_virtual_start_ns_ = 0;
  // Where a busy guest's slice ends and the host is polled (set at each poll).
  uint64_t host_poll_at_ = 0;
};

}  // namespace rwd
