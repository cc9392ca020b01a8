// Record and replay of a whole machine (ARCHITECTURE.md, "Record and
// replay"). The controller sits between the machine and every source of
// non-determinism:
//  - host time (HostClock) and host randomness (HostEntropy) are wrapped:
//    on record each answer is logged with the instruction count; on replay
//    the answer comes from the log, and the same instruction must be asking;
//  - character-device input passes through a ReplayCharTap: on record it is
//    logged when the frontend takes it; on replay live input is dropped and
//    the logged bytes are delivered at the same instruction count;
//  - the run loop reports every host "service step" (between engine runs):
//    idle-time warps, monitor resets, periodic checkpoints and the end of the
//    recording are events too.
// Every event carries a state check, and every `interval` instructions a
// checkpoint lists the full CPU state and changed RAM pages, so a replay
// that goes wrong stops at the first difference with a report.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "chardev/char_backend.h"
#include "replay/events.h"
#include "replay/replay_config.h"
#include "replay/rrfile.h"
#include "replay/state_hash.h"
#include "system/host_clock.h"
#include "system/host_entropy.h"
#include "system/options.h"

namespace rwd {

// The replay no longer matches the recording; what() is the full report
// (first line: the one-line summary).
class ReplayDivergence : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A replay of an interrupted recording ran out of events: not an error,
// the replay is over.
class ReplayExhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the controller needs from the machine, set by attach().
struct ReplayHooks {
  std::function<uint64_t()> icount;      // instructions retired, including the executing one
  std::function<uint64_t()> current_pc;  // pc of the executing instruction (or the next one)
  std::function<void(uint64_t ns)> idle_warp;  // advance virtual time by ns while idle
  std::function<void()> reset;
  std::function<NamedValues()> extra_state;    // device hashes, clock
  std::function<void(uint8_t port, const uint8_t*, size_t)> deliver_char;
  std::function<void(const Perturbation&)> perturb;
};

class ReplayController {
 public:
  enum class Mode { kRecord, kReplay };

  // Opens the rrfile (record: creates it and writes the header; replay:
  // validates it and checks the machine configuration). Throws DecodeError
  // or std::runtime_error with a one-line message. May set opts.seed.
  ReplayController(Options& opts, int argc, char** argv);
  ~ReplayController();

  Mode mode() const { return mode_; }
  bool replaying() const { return mode_ == Mode::kReplay; }

  std::unique_ptr<HostClock> wrap(std::unique_ptr<HostClock> real);
  std::unique_ptr<HostEntropy> wrap(std::unique_ptr<HostEntropy> real);

  // Called once the machine is built and reset, before it runs.
  void attach(ReplayHooks hooks, StateHasher* hasher);

  // The run loop asks how far the engine may run before the controller must
  // see the machine again (a checkpoint, or on replay the next event).
  uint64_t next_stop() const;
  // Record: starts a service step; async events logged until the next call
  // form one batch. Writes a checkpoint when one is due.
  void begin_service();
  // Replay: applies what the recording did in the service step at this
  // instruction count. `idle`: the engine stopped because the hart waits.
  // Returns false when the replay is over (see finished()).
  bool replay_service(bool idle);

  // Record-side async events.
  void record_warp(uint64_t ns);
  void record_reset();
  // The run is over: record writes a final checkpoint and the end marker;
  // replay checks the recording ends the same way.
  void end(EndReason reason, int status);
  bool finished() const { return finished_; }
  int recorded_status() const { return end_status_; }

  // End-of-run summary (stderr) and `info replay` text.
  std::string summary();
  std::string info() const;
  void progress();  // a progress line on a terminal, at most every second

  // Synchronous events from the wrappers.
  int64_t sync_value(EventKind kind, int64_t live_value_if_recording);
  void sync_marker(EventKind kind);  // a synchronous event without payload
  void sync_bytes(EventKind kind, uint8_t* buf, size_t len, bool have_live);
  using CharInputFn = std::function<void(const uint8_t*, size_t)>;
  void char_input(uint8_t port, const uint8_t* data, size_t len, const CharInputFn& input,
                  const std::function<size_t()>& can_accept);

 private:
  struct Pending {
    uint8_t kind_byte = 0;
    EventKind kind{};
    uint64_t icount = 0;
    std::vector<uint8_t> payload;  // the kind's fields, then the u32 state check
  };
  void log(EventKind kind, const ByteWriter& payload, bool async);
  uint32_t check_now();
  void write_checkpoint();
  bool fill_queue();
  const Pending* peek();
  const Pending* expect_sync(EventKind kind);
  void pop();
  void verify_check(const Pending& e, ByteReader& r);
  [[noreturn]] void exhausted();
  [[noreturn]] void diverge(const std::string& what, const std::string& details = "");
  std::string position() const;
  void apply_perturbation();

  Mode mode_;
  std::string path_;
  ReplayHooks hooks_;
  StateHasher* hasher_ = nullptr;
  bool attached_ = false;
  uint64_t interval_ = 10'000'000;
  uint64_t next_checkpoint_ = 0;
  bool batch_open_ = false;
  bool finished_ = false;
  int end_status_ = 0;
  std::optional<Perturbation> perturb_;

  // Record.
  std::unique_ptr<RrWriter> writer_;
  std::chrono::steady_clock::time_point last_flush_;

  // Replay.
  std::unique_ptr<RrReader> reader_;
  size_t next_block_ = 0;
  std::vector<Pending> queue_;
  size_t queue_pos_ = 0;
  uint64_t last_match_icount_ = 0;
  std::string last_match_what_ = "the start";

  // Statistics.
  std::array<uint64_t, kEventKindCount> counts_{};
  uint64_t checks_matched_ = 0, checkpoints_matched_ = 0;
  std::chrono::steady_clock::time_point start_, last_progress_;
  bool progress_tty_ = false;  // replay progress goes to a terminal only
  bool progress_shown_ = false;
  bool guest_ended_ = false;
  bool exhausted_ = false;    // replay: an interrupted recording ran out  // replay: end() was called because the guest powered off
};

// Taps a character backend's input on its way to the frontend (the UART):
// it takes over the callbacks the frontend installed. On record, input is
// logged as the frontend takes it; on replay, live input is dropped and
// deliver() hands the frontend the recorded bytes. Output is untouched.
class ReplayCharTap {
 public:
  ReplayCharTap(ReplayController& c, CharBackend& backend, uint8_t port);
  void deliver(const uint8_t* d, size_t n);

 private:
  ReplayController::CharInputFn frontend_input_;
  std::function<size_t()> frontend_can_accept_;
};

}  // namespace rwd
