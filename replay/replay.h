// Record and replay of a whole machine (ARCHITECTURE.md, "Record and
// replay"). The controller sits between the machine and every source of
// non-determinism:
//  - host time (HostClock) and host randomness (HostEntropy) are wrapped
//    (replay/host_sources.cc): on record each answer is logged with the
//    instruction count (a synchronous event); on replay the answer comes from
//    the log, and the same instruction must be asking;
//  - every other host input (character devices, device completions, later
//    frames and key presses) comes through the InputPath it implements
//    (replay/input.h): logged on record, delivered from the log on replay;
//  - the run loop reports every host "service step" (between engine runs)
//    and logs what it did there (idle-time warps, monitor resets) as
//    asynchronous events, whose replay it handles through on_replay();
//    periodic checkpoints and the end of the recording are the controller's.
// Every event carries a state check, and every `interval` instructions a
// checkpoint lists the full CPU state and changed RAM pages, so a replay
// that goes wrong stops at the first difference with a report.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "replay/event_codec.h"
#include "replay/event_stats.h"
#include "replay/input.h"
#include "replay/replay_config.h"
#include "replay/rrfile.h"
#include "replay/state_hash.h"
#include "util/host_clock.h"
#include "util/host_entropy.h"
#include "system/options.h"

namespace rwd {

class Machine;

// The replay no longer matches the recording; what() is the full report
// (first line: the one-line summary).
class ReplayDivergence : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A replay of an interrupted recording ran out of events: not an error,
// the replay is over (rewind exits with kExitReplayedPrefix).
class ReplayExhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Exit statuses of a replay besides the guest's own: it diverged; it
// replayed all there was of an interrupted recording (a prefix of a run).
inline constexpr int kExitDiverged = 3;
inline constexpr int kExitReplayedPrefix = 4;

class ReplayController : public InputPath {
 public:
  enum class Mode { kRecord, kReplay };

  // Prepares a recording, or opens and validates the rrfile of a replay.
  // Throws DecodeError or std::runtime_error with a one-line message. May
  // set opts.seed.
  ReplayController(Options& opts, int argc, char** argv);
  ~ReplayController() override;
  // With the machine's configuration fingerprint (replay_config.h, plus what
  // the system adds: drive digests): record creates the rrfile and writes
  // the header; replay refuses another configuration. Before the machine
  // is built (its construction may log events already).
  void start(const std::string& config);
  // Replay: the recording's configuration ("key=value" lines).
  const std::string& recorded_config() const { return recorded_config_; }

  Mode mode() const { return mode_; }
  bool replaying() const { return mode_ == Mode::kReplay; }

  std::unique_ptr<HostClock> wrap(std::unique_ptr<HostClock> real);
  std::unique_ptr<HostEntropy> wrap(std::unique_ptr<HostEntropy> real);

  // InputPath.
  std::unique_ptr<InputChannel> open(EventKind kind, uint8_t source, InputReceiver& receiver) override;

  // Called once the machine is built and reset, before it runs: the state
  // checks and checkpoints read it from now on.
  void attach(Machine& machine);

  // The run loop asks how far the engine may run before the controller must
  // see the machine again (a checkpoint, or on replay the next event).
  uint64_t next_stop() const;
  // Record: starts a service step; async events logged until the next call
  // form one batch. Writes a checkpoint when one is due.
  void begin_service();
  // Record: an asynchronous event of the run loop's (idle warp, reset).
  void record(Event e);
  // Replay: who applies an asynchronous kind that is not the controller's
  // own (checkpoint, end) or an input. Set before the run.
  void on_replay(EventKind kind, std::function<void(const Event&)> apply);
  // Replay: applies what the recording did in the service step at this
  // instruction count. `idle`: the engine stopped because the hart waits.
  // Returns false when the replay is over (see finished()).
  bool replay_service(bool idle);

  // The run is over: record writes a final checkpoint and the end marker;
  // replay checks the recording ends the same way.
  void end(EndReason reason, int status);
  bool finished() const { return finished_; }
  // Replay: remembers where the replay stands (before the machine runs:
  // events its construction consumed are behind), and goes back there, the
  // machine having been restored to its state then by the caller
  // (replay/replay_restart.cc: the slow navigation the gdb stub falls back on).
  void mark_start();
  void restart();
  // Replay: the recording's last instruction count.
  uint64_t recorded_end() const;

  // Replay navigation (replay/navigator.h): where the replay is in the
  // recording, saved with each in-memory snapshot and put back with it.
  struct Cursor {
    size_t next_block = 0;
    bool queue_loaded = false;  // queue_ holds block next_block - 1
    size_t queue_pos = 0;
    uint64_t last_match_icount = 0;
    std::string last_match_what;
    EventStats stats;
    uint64_t checks_matched = 0, checkpoints_matched = 0;
    std::optional<Perturbation> perturb;
  };
  Cursor cursor() const;
  void restore(const Cursor& c);
  StateHasher& hasher() { return *hasher_; }
  const std::string& path() const { return path_; }
  // Replay: the recording's last instruction count.
  uint64_t final_icount() const;

  // End-of-run summary (stderr) and `info replay` text.
  std::string summary();
  std::string info();
  // CPU and RAM as the final state hash of a summary reports it.
  uint64_t state_hash();
  void progress();  // a progress line on a terminal, at most every second

  // The frames the guest sends, under -rr-net-check (net-sent events).
  void guest_output(EventKind kind, uint8_t source, const uint8_t* data, size_t len, DescribeOutput describe) override;

  // Synchronous events (from the host-source wrappers and the board).
  int64_t sync_value(EventKind kind, int64_t live_value_if_recording);
  void sync_marker(EventKind kind);  // a synchronous event without payload
  void sync_bytes(EventKind kind, uint8_t* buf, size_t len, bool have_live);

 private:
  class Channel;
  void log(Event& e);
  void log_input(EventKind kind, uint8_t source, const uint8_t* data, size_t len);
  uint64_t icount() const;
  uint64_t current_pc() const;
  uint32_t check_now(EventKind kind);
  NamedValues machine_values() const;
  void write_checkpoint();
  bool fill_queue();
  const Event* peek();
  const Event* expect_sync(EventKind kind);
  void pop();
  void matched(const Event& e);
  void verify_check(const Event& e);
  void apply(const Event& e);
  void apply_checkpoint(const Event& e);
  void apply_end(const Event& e);
  [[noreturn]] void exhausted();
  [[noreturn]] void diverge(const std::string& what, const std::string& details = "");
  std::string position() const;
  void apply_perturbation();

  Mode mode_;
  std::string path_;
  Machine* machine_ = nullptr;
  std::unique_ptr<StateHasher> hasher_;
  uint64_t interval_ = 10'000'000;
  uint64_t next_checkpoint_ = 0;
  // The divergence trail (docs/divergence.md): record writes a trail event,
  // whose state check is its whole content, every trail_interval_
  // instructions, so a replay stops within that many of a difference.
  uint64_t trail_interval_ = 0;
  // Per-event checks hash RAM afresh at most this often (header field
  // ram-check-interval; absent in older files: 0, every event).
  uint64_t ram_check_interval_ = 0;
  uint64_t next_trail_ = 0;
  // Every frame the guest sends is a net-sent event (header field net-check).
  bool net_check_ = false;
  PageHash page_hash_ = PageHash::kLanes;  // what this recording hashes RAM pages with (header page-hash)
  bool batch_open_ = false;
  bool finished_ = false;
  int end_status_ = 0;
  std::optional<Perturbation> perturb_;
  std::array<std::function<void(const Event&)>, kEventKindCount> appliers_;
  std::map<std::pair<EventKind, uint8_t>, InputReceiver*> receivers_;

  // Record.
  RrHeader header_;  // written by start()
  std::unique_ptr<RrWriter> writer_;
  std::chrono::steady_clock::time_point last_flush_;

  // Replay.
  std::unique_ptr<RrReader> reader_;
  std::string recorded_config_;
  size_t next_block_ = 0;
  std::vector<Event> queue_;
  size_t queue_pos_ = 0;
  uint64_t last_match_icount_ = 0;
  std::string last_match_what_ = "the start";
  struct StartMark {
    size_t next_block = 0, queue_pos = 0;
    std::vector<Event> queue;
    uint64_t last_match_icount = 0;
    std::string last_match_what;
  };
  std::optional<StartMark> start_mark_;
  bool guest_ended_ = false;  // end() was called because the guest powered off
  bool exhausted_ = false;    // an interrupted recording ran out
  std::optional<EndReason> stopped_early_;  // the user ended the replay before the recording did

  // Statistics.
  EventStats stats_;  // the events recorded or replayed so far (replay/event_stats.h)
  uint64_t checks_matched_ = 0, checkpoints_matched_ = 0;
  std::chrono::steady_clock::time_point start_, last_progress_;
  bool progress_tty_ = false;  // replay progress goes to a terminal only
  bool progress_shown_ = false;
};

}  // namespace rwd
