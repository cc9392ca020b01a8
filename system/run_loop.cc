#include "system/run_loop.h"

#include <csignal>
#include <cstdio>

#include "hw/core/vclock.h"
#include "replay/navigator.h"
#include "replay/replay.h"
#include "target/riscv/cpu.h"
#include "util/host_clock.h"
#include "util/log.h"

namespace rwd {

namespace {

constexpr uint64_t kSliceInsns = 1 << 22;   // instructions between host polls
constexpr int kIdlePollMs = 100;            // longest host wait while the guest idles
constexpr int kDebuggerPollMs = 20;         // host wait while a debugger holds the machine
constexpr uint64_t kAlignSliceNs = 10'000'000;  // align=on: virtual time per slice

volatile std::sig_atomic_t g_quit_signal = 0;
void on_quit_signal(int sig) { g_quit_signal = sig; }

}  // namespace

RunLoop::RunLoop(Machine& machine, Engine& engine, HostLoop& host, CharRegistry& chardevs, ReplayController* replay,
                 RunOptions opts)
    : machine_(machine), engine_(engine), host_(host), chardevs_(chardevs), replay_(replay), opts_(opts) {
  machine_.on_power_off = [this](int status) { guest_power_off(status); };
  machine_.on_reset_request = [this] { guest_reset(); };
  // Host input the guest can take now ends the running slice early.
  host_.set_service_hook([this] { engine_.request_exit(); });
  if (replay_) {
    replay_->on_replay(EventKind::kIdleWarp, [this](const Event& e) { machine_.clock().idle_warp(e.f[0].u); });
    replay_->on_replay(EventKind::kReset, [this](const Event&) {
      reset_requested_ = true;
      reset_cause_ = {MachineEvent::Kind::kReset, false, "host-qmp-system-reset"};
      engine_.request_exit();
    });
  }
}

void RunLoop::pause(const std::string& why) {
  if (!paused_ && !shut_down_) emit(MachineEvent::Kind::kStop);
  paused_ = true;
  pause_reason_ = why;
  engine_.request_exit();
}

void RunLoop::resume() {
  if (paused_ && !shut_down_) emit(MachineEvent::Kind::kResume);
  paused_ = false;
  pause_reason_.clear();
}

std::string RunLoop::run_state() const {
  if (shut_down_) return "shutdown";
  if (paused_) return pause_reason_.empty() ? "paused" : pause_reason_;
  return "running";
}

std::string RunLoop::request_reset() {
  // A reset from the host is an input like any other: a recording logs it;
  // a replay's resets come from the recording only.
  if (replay_) {
    if (replay_->replaying()) return "a replay's resets come from the recording; system_reset is ignored";
    Event e;
    e.kind = EventKind::kReset;
    replay_->record(e);
  }
  reset_requested_ = true;
  reset_cause_ = {MachineEvent::Kind::kReset, false, "host-qmp-system-reset"};
  shut_down_ = false;
  engine_.request_exit();
  return "";
}

void RunLoop::request_quit() {
  quit_requested_ = true;
  end_reason_ = EndReason::kMonitorQuit;
  end_event_ = MachineEvent{MachineEvent::Kind::kShutdown, false, "host-qmp-quit"};
  exit_code_ = 0;
  exit_ = true;
  engine_.request_exit();
}

// The guest wrote the power-off register, inside that instruction.
void RunLoop::guest_power_off(int status) {
  exit_code_ = status;
  emit(MachineEvent::Kind::kShutdown, true, "guest-shutdown");
  if (opts_.no_shutdown) {
    if (!shut_down_ && !paused_) emit(MachineEvent::Kind::kStop);
    shut_down_ = true;  // stop; the monitor may reset or quit
  } else {
    exit_ = true;
  }
  engine_.request_exit();
}

// The guest asked the board for a reset: deterministic, but marked in a
// recording (and checked on replay) so the rrfile shows where it rebooted.
void RunLoop::guest_reset() {
  if (replay_) replay_->sync_marker(EventKind::kGuestReset);
  reset_requested_ = true;
  reset_cause_ = {MachineEvent::Kind::kReset, true, "guest-reset"};
  engine_.request_exit();
}

void RunLoop::reset() {
  machine_.reset();
  engine_.flush_translations();
}

// Host I/O between CPU slices: output out, held-back input in, then one
// iteration of the host loop, waiting up to `timeout_ms` unless input just
// reached the guest (it has work to do now).
void RunLoop::poll_host(int timeout_ms) {
  host_poll_at_ = machine_.cpu().s.icount + kSliceInsns;
  chardevs_.flush_all();
  if (logger().out() != stderr) std::fflush(logger().out());
  host_.take_service_request();
  if (chardevs_.pump_all()) timeout_ms = 0;
  host_.iterate(timeout_ms);
}

// The hart waits for an interrupt: wait for host input or the next timer
// deadline. In icount mode (sleep=on) virtual time then advances by the host
// time actually spent idle, at most to the deadline, so an idle guest keeps
// pace with the wall clock; with nothing armed only host input (or a signal)
// can wake it.
void RunLoop::idle_wait() {
  VirtualClock& clock = machine_.clock();
  uint64_t deadline = clock.next_deadline();
  if (deadline == VirtualClock::kNever) {
    poll_host(kIdlePollMs);
    return;
  }
  uint64_t now = clock.now_ns();
  uint64_t idle_ns = deadline > now ? deadline - now : 0;
  if (idle_ns >= 1'000'000) {  // shorter waits are not worth a host sleep
    uint64_t start = host_monotonic_ns();
    poll_host(static_cast<int>(std::min<uint64_t>(idle_ns / 1'000'000, kIdlePollMs)));
    idle_ns = std::min(idle_ns, host_monotonic_ns() - start);
  } else {
    // Too short a wait for a host sleep, but host work may have finished
    // meanwhile (a disk read): hand it to the guest now, not after the
    // timer (without icount the hart would spin until then, deaf to it).
    poll_host(0);
    if (machine_.cpu().interrupt_pending()) idle_ns = 0;
  }
  // How long the host really idled is not deterministic: a recording logs it.
  if (replay_ && clock.icount_mode()) {
    Event e;
    e.kind = EventKind::kIdleWarp;
    e.f[0].u = idle_ns;
    replay_->record(e);
  }
  clock.idle_warp(idle_ns);
}

// -icount align=on: while virtual time is ahead of the host's, wait (serving
// the host) instead of running. Returns true when it waited.
bool RunLoop::align_wait() {
  uint64_t host_elapsed = host_monotonic_ns() - align_host_start_ns_;
  uint64_t virtual_elapsed = machine_.clock().now_ns() - align_virtual_start_ns_;
  if (virtual_elapsed <= host_elapsed + 1'000'000) return false;
  poll_host(static_cast<int>(std::min<uint64_t>((virtual_elapsed - host_elapsed) / 1'000'000, kIdlePollMs)));
  return true;
}

uint64_t RunLoop::slice_end(uint64_t stop_at) const {
  uint64_t now = machine_.cpu().s.icount;
  uint64_t limit = std::min<uint64_t>(opts_.max_insns ? opts_.max_insns : ~0ull, stop_at);
  uint64_t slice = host_poll_stale() ? kSliceInsns : host_poll_at_ - now;
  if (opts_.align) slice = std::max<uint64_t>(1, kAlignSliceNs >> machine_.clock().shift());
  uint64_t end = now + std::min(slice, limit - now);
  if (replay_) end = std::min(end, std::max(replay_->next_stop(), now));
  if (navigator_) end = std::min(end, std::max(navigator_->next_stop(), now));
  return end;
}

// Whether a stop of the engine's (not idle) is a time to poll the host. A
// stop the recording or replay asked for (a trail point every 2M
// instructions, each recorded event on replay) is not: polling there too
// fed a busy guest its network frames in smaller batches than -icount does,
// taking more interrupts per MiB (host-to-guest TCP ran 30% slower
// recording). Host input that the guest can take now stops the engine with
// kExit, which polls at once.
bool RunLoop::host_poll_due(StopReason why) const {
  return why != StopReason::kLimit || opts_.align || host_poll_stale();
}

// The due poll is reached, or lies more than a slice ahead: the machine went
// back (a replay seek, a snapshot loaded) since it was set.
bool RunLoop::host_poll_stale() const {
  uint64_t now = machine_.cpu().s.icount;
  return now >= host_poll_at_ || host_poll_at_ - now > kSliceInsns;
}

int RunLoop::run() {
  struct sigaction sa{};
  sa.sa_handler = on_quit_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  try {
    run_until(~0ull);
    // A debugger may keep a finished replay to go back in it.
    while (debugger_ && !g_quit_signal && !quit_requested_ && debugger_->run_ended(exit_code_)) {
      exit_ = false;
      run_until(~0ull);
    }
    return finish();
  } catch (const ReplayExhausted& e) {
    chardevs_.flush_all();
    std::fprintf(stderr, "\nrewind: %s\n", e.what());
    std::fputs(replay_->summary().c_str(), stderr);
    return kExitReplayedPrefix;
  } catch (const ReplayDivergence& d) {
    chardevs_.flush_all();
    std::fprintf(stderr, "\nrewind: %s", d.what());
    return kExitDiverged;
  }
}

bool RunLoop::run_until(uint64_t icount, bool until_debug_stop) {
  if (!started_) {
    started_ = true;
    align_host_start_ns_ = host_monotonic_ns();
    align_virtual_start_ns_ = machine_.clock().now_ns();
  }
  debug_stopped_ = false;
  while (!exit_ && machine_.cpu().s.icount < icount) {
    step(icount);
    if (until_debug_stop && debug_stopped_) break;
  }
  if (exit_ && end_event_) {
    MachineEvent e = *end_event_;
    end_event_.reset();
    if (on_event) on_event(e);
  }
  return exit_;
}

// One turn of the loop: a slice of guest code, then a host service step.
// Sets exit_ when the run is over.
void RunLoop::step(uint64_t stop_at) {
  const bool replaying = replay_ && replay_->replaying();
  const riscv::CpuState& st = machine_.cpu().s;
  if (g_quit_signal) {
    std::fprintf(stderr, "rewind: terminating on signal %d\n", static_cast<int>(g_quit_signal));
    exit_code_ = 128 + g_quit_signal;
    end_reason_ = EndReason::kSignal;
    end_event_ = MachineEvent{MachineEvent::Kind::kShutdown, false, "host-signal"};
    exit_ = true;
    return;
  }
  if (reset_requested_) {
    reset_requested_ = false;
    MachineEvent cause = reset_cause_;
    if (opts_.no_reboot) {
      cause.kind = MachineEvent::Kind::kShutdown;  // as QEMU: -no-reboot turns a reset into a shutdown
      end_event_ = cause;
      exit_ = true;
    } else {
      if (on_event) on_event(cause);
      reset();
    }
    return;
  }
  if (shut_down_ && replaying) {
    // Powered off under -no-shutdown: what the monitor did next (reset,
    // quit) is in the recording, at this instruction.
    if (!replay_->replay_service(true)) exit_ = true;
    return;
  }
  if (debugger_ && debugger_->holds_machine()) {
    poll_host(kDebuggerPollMs);
    if (debugger_->holds_machine()) debugger_->serve();
    return;
  }
  if (paused_ || shut_down_) {  // only host I/O runs
    poll_host(kIdlePollMs);
    return;
  }
  if (opts_.align && align_wait()) return;
  StopReason why = engine_.run(slice_end(stop_at));
  engine_.clear_exit();
  if (why == StopReason::kDebug && debugger_) {
    debug_stopped_ = true;
    debugger_->stopped();
  }
  if (reset_requested_ || exit_) return;
  // A host service step starts (record: a checkpoint may be due here;
  // what the monitor does after a -no-shutdown power-off belongs to it).
  if (replay_) replay_->begin_service();
  if (shut_down_) return;
  if (opts_.max_insns && st.icount >= opts_.max_insns) {
    std::fprintf(stderr, "rewind: stopped after %llu instructions (-max-insns)\n",
                 static_cast<unsigned long long>(st.icount));
    end_reason_ = EndReason::kInsnLimit;
    exit_ = true;
    return;
  }
  if (replaying) {
    // The recording says what the host did here; live input is ignored.
    if (!replay_->replay_service(why == StopReason::kIdle)) {
      exit_code_ = 0;
      exit_ = true;
      return;
    }
    if (navigator_ && !reset_requested_ && !exit_) navigator_->at_service_point(navigating_);
    if (why != StopReason::kIdle && !navigating_ && host_poll_due(why)) poll_host(0);
    replay_->progress();
    return;
  }
  if (why == StopReason::kIdle) idle_wait();
  else if (host_poll_due(why)) poll_host(0);
}

bool RunLoop::replay_forward(uint64_t icount) {
  bool was_paused = paused_;
  paused_ = false;
  navigating_ = true;
  try {
    while (!exit_ && machine_.cpu().s.icount < icount) step(icount);
  } catch (...) {
    navigating_ = false;
    paused_ = was_paused;
    throw;
  }
  navigating_ = false;
  paused_ = was_paused;
  return machine_.cpu().s.icount >= icount;
}

void RunLoop::forget_requests() {
  reset_requested_ = false;
  shut_down_ = false;
}

void RunLoop::flush_output() { chardevs_.flush_all(); }

int RunLoop::finish() {
  if (replay_) {
    replay_->end(end_reason_, exit_code_);
    std::fputs(replay_->summary().c_str(), stderr);
  }
  chardevs_.flush_all();
  if (logger().out() != stderr) std::fflush(logger().out());
  return exit_code_;
}

}  // namespace rwd
