#include "replay/replay.h"

#include <sys/random.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/vclock.h"
#include "util/version.h"
#include "target/riscv/cpu.h"
#include "util/crc32.h"
#include "util/hash64.h"
#include "util/hex.h"

namespace rwd {

namespace {

constexpr size_t kFlushBytes = 256 * 1024;
constexpr auto kFlushPeriod = std::chrono::seconds(1);

// The header's "build" field: which rewind wrote the recording.
std::string this_build() { return std::string("rewind ") + kRewindVersion; }

}  // namespace

ReplayController::ReplayController(Options& opts, int argc, char** argv)
    : mode_(opts.icount.rr == "record" ? Mode::kRecord : Mode::kReplay), path_(opts.icount.rrfile) {
  if (path_.empty()) throw std::runtime_error("-icount rr=" + opts.icount.rr + " needs rrfile=FILE");
  interval_ = opts.rr_check_interval;
  trail_interval_ = opts.rr_trail_interval;
  ram_check_interval_ = opts.rr_ram_check_interval;
  net_check_ = opts.rr_net_check;
  if (!opts.rr_perturb.empty()) {
    if (mode_ != Mode::kReplay) throw std::runtime_error("-rr-perturb only makes sense with rr=replay");
    Perturbation p;
    std::string err;
    if (!parse_perturbation(opts.rr_perturb, p, err)) throw std::runtime_error(err);
    perturb_ = p;
  }
  start_ = last_progress_ = last_flush_ = std::chrono::steady_clock::now();
  progress_tty_ = mode_ == Mode::kReplay && isatty(STDERR_FILENO);
  appliers_[static_cast<size_t>(EventKind::kCheckpoint)] = [this](const Event& e) { apply_checkpoint(e); };
  appliers_[static_cast<size_t>(EventKind::kEnd)] = [this](const Event& e) { apply_end(e); };
  // A trail event is its state check, verified before it is applied.
  appliers_[static_cast<size_t>(EventKind::kTrail)] = [](const Event&) {};

  if (mode_ == Mode::kRecord) {
    // Without -seed the guest's boot-time random bytes would come from the
    // host: pick the seed now and keep it in the header instead.
    if (!opts.seed) {
      uint64_t s = 0;
      if (getrandom(&s, sizeof s, 0) != sizeof s) s = static_cast<uint64_t>(time(nullptr));
      opts.seed = s;
    }
    check_not_an_input(path_, opts, "-icount rrfile");
    header_.fields["build"] = this_build();
    header_.fields["cmdline"] = quoted_command_line(argc, argv);
    header_.fields["seed"] = std::to_string(*opts.seed);
    header_.fields["check-interval"] = std::to_string(interval_);
    header_.fields["trail-interval"] = std::to_string(trail_interval_);
    header_.fields["ram-check-interval"] = std::to_string(ram_check_interval_);
    if (net_check_) header_.fields["net-check"] = "on";
    header_.fields["page-hash"] = page_hash_name(page_hash_);
    header_.fields["host-endian"] = "little";
    // The snapshot the recording starts from (system/vm_snapshots.cc takes
    // it, beside the rrfile); a replay must start from it too.
    if (!opts.icount.rrsnapshot.empty()) header_.fields["rrsnapshot"] = opts.icount.rrsnapshot;
    char date[32];
    time_t now = time(nullptr);
    tm utc{};
    gmtime_r(&now, &utc);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &utc);
    header_.fields["created"] = date;
    return;
  }

  reader_ = std::make_unique<RrReader>(path_);
  // The header's fields first (one place, shared with rewind-dump), then
  // the end of a finished recording: refused before the machine runs.
  RrRecordingHeader h = validate_recording_header(path_, reader_->header());
  check_recording_end(*reader_);
  recorded_config_ = h.config;
  const std::string start_snapshot = reader_->header().get("rrsnapshot");
  if (start_snapshot != opts.icount.rrsnapshot)
    throw std::runtime_error(
        start_snapshot.empty()
            ? "replay refused: the recording starts at power-on, not from snapshot '" + opts.icount.rrsnapshot +
                  "' (drop rrsnapshot=)"
            : "replay refused: the recording starts from snapshot '" + start_snapshot + "': replay it with rrsnapshot=" +
                  start_snapshot);
  if (opts.seed && *opts.seed != h.seed)
    throw std::runtime_error("replay refused: -seed differs from the recording's (" + std::to_string(h.seed) + ")");
  opts.seed = h.seed;
  interval_ = h.check_interval;
  ram_check_interval_ = h.ram_check_interval;
  if (net_check_ && !h.net_check)
    std::fprintf(stderr, "rewind: note: the recording was made without -rr-net-check: frames the guest sends are not checked\n");
  net_check_ = h.net_check;
  page_hash_ = h.page_hash;
  if (h.build != this_build())
    std::fprintf(stderr, "rewind: note: recorded by %s, replayed by %s\n", escape_text(h.build).c_str(),
                 this_build().c_str());
  if (reader_->blocks().empty())
    throw DecodeError("rrfile '" + path_ + "': no complete block of events (" + reader_->truncation() + ")");
  if (!reader_->truncation().empty())
    std::fprintf(stderr, "rewind: warning: rrfile '%s' is incomplete: %s; replaying up to instruction %" PRIu64 "\n",
                 path_.c_str(), reader_->truncation().c_str(), reader_->final_icount());
}

ReplayController::~ReplayController() = default;

void ReplayController::start(const std::string& config) {
  if (mode_ == Mode::kRecord) {
    header_.fields["config"] = config;
    writer_ = std::make_unique<RrWriter>(path_, header_);
  } else {
    check_machine(recorded_config_, config);
  }
}

void ReplayController::attach(Machine& machine) {
  machine_ = &machine;
  hasher_ = std::make_unique<StateHasher>(machine.address_space(), machine.cpu(), page_hash_);
  hasher_->enable();
  hasher_->set_ram_check_interval(ram_check_interval_);
  next_checkpoint_ = 0;  // a checkpoint at power-on covers the loaded images
}

void ReplayController::on_replay(EventKind kind, std::function<void(const Event&)> apply) {
  appliers_[static_cast<size_t>(kind)] = std::move(apply);
}

uint64_t ReplayController::icount() const { return machine_ ? machine_->clock().instructions_now() : 0; }
uint64_t ReplayController::current_pc() const { return machine_ ? machine_->cpu().executing_pc() : 0; }

// What a checkpoint covers besides CPU and RAM: the clock and a hash of each
// part's saved state.
NamedValues ReplayController::machine_values() const {
  NamedValues v;
  v.emplace_back("virtual clock (ns)", machine_->clock().now_ns());
  v.emplace_back("next timer deadline (ns)", machine_->clock().next_deadline());
  v.emplace_back("debug triggers", late_cpu_value(machine_->cpu().s));
  for (const StatePart& part : machine_->state_parts()) {
    ByteWriter w;
    part.save(w);
    v.emplace_back(part.name, hash_bytes(w.data().data(), w.size()));
  }
  return v;
}

// ---- the input path -----------------------------------------------------------

class ReplayController::Channel : public InputChannel {
 public:
  Channel(ReplayController& c, EventKind kind, uint8_t source, InputReceiver& rx)
      : c_(c), kind_(kind), source_(source), rx_(rx) {}
  ~Channel() override { c_.receivers_.erase({kind_, source_}); }

  // Pieces are logged as the receiver takes them, so replay hands them over
  // the same way. A receiver without flow control (a completion) gets its
  // payload whole: one event.
  size_t submit(const uint8_t* data, size_t len) override {
    if (c_.replaying()) return len;  // the recording's input is the guest's
    size_t done = 0;
    while (done < len) {
      size_t n = std::min(rx_.input_room(), len - done);
      if (n == 0) break;
      if (!c_.finished_) c_.log_input(kind_, source_, data + done, n);
      rx_.receive_input(data + done, n);
      done += n;
    }
    return done;
  }
  bool live() const override { return !c_.replaying(); }

 private:
  ReplayController& c_;
  EventKind kind_;
  uint8_t source_;
  InputReceiver& rx_;
};

std::unique_ptr<InputChannel> ReplayController::open(EventKind kind, uint8_t source, InputReceiver& receiver) {
  if (event_spec(kind).family != EventFamily::kInput)
    throw std::logic_error(std::string("input channel of non-input event kind ") + event_name(kind));
  if (!receivers_.emplace(std::make_pair(kind, source), &receiver).second)
    throw std::logic_error(std::string("two input channels for ") + event_name(kind) + " source " +
                           std::to_string(source));
  return std::make_unique<Channel>(*this, kind, source, receiver);
}

// ---- recording --------------------------------------------------------------

// Trail points and checkpoints always hash RAM afresh: they are the
// periodic guarantee, whatever the events between them did.
uint32_t ReplayController::check_now(EventKind kind) {
  if (!machine_) return 0;  // events while the machine is being built
  const bool fresh = kind == EventKind::kTrail || kind == EventKind::kCheckpoint;
  return hasher_->quick_check(current_pc(), icount(), fresh);
}

void ReplayController::log(Event& e) {
  bool async = event_spec(e.kind).family != EventFamily::kSync;
  uint8_t kb = static_cast<uint8_t>(e.kind);
  if (async && batch_open_) {
    kb |= kBatchStart;
    batch_open_ = false;
  }
  e.check = check_now(e.kind);
  ByteWriter w;
  encode_payload(e, w);
  writer_->append(kb, icount(), w.data().data(), w.size());
  stats_.add(e.kind, w.size());
  ++checks_matched_;
}

void ReplayController::log_input(EventKind kind, uint8_t source, const uint8_t* data, size_t len) {
  Event e;
  e.kind = kind;
  e.f[0].u = source;
  e.f[1].bytes.assign(data, data + len);
  log(e);
}

void ReplayController::record(Event e) {
  if (mode_ == Mode::kRecord && !finished_) log(e);
}

void ReplayController::write_checkpoint() {
  Event e;
  e.kind = EventKind::kCheckpoint;
  e.checkpoint = hasher_->take_checkpoint(machine_values());
  log(e);
}

uint64_t ReplayController::next_stop() const {
  uint64_t stop = ~0ull;
  if (mode_ == Mode::kRecord) {
    if (interval_) stop = next_checkpoint_;
    if (trail_interval_) stop = std::min(stop, next_trail_);
  } else {
    if (queue_pos_ < queue_.size()) stop = queue_[queue_pos_].icount;
    else if (next_block_ < reader_->blocks().size()) stop = reader_->blocks()[next_block_].first_icount;
    else stop = reader_->final_icount();
    if (perturb_ && perturb_->icount < stop) stop = perturb_->icount;
  }
  return stop;
}

void ReplayController::begin_service() {
  if (mode_ != Mode::kRecord || finished_) return;
  batch_open_ = true;
  uint64_t now = icount();
  bool checked = false;
  if (interval_ && now >= next_checkpoint_) {
    checked = true;
    write_checkpoint();
    next_checkpoint_ = (now / interval_ + 1) * interval_;
  }
  if (trail_interval_ && now >= next_trail_) {
    // One per interval, at its first service point: a batch that already
    // carries a check at this count (a checkpoint) needs no trail event.
    if (!checked) {
      Event e;
      e.kind = EventKind::kTrail;
      log(e);
    }
    next_trail_ = (now / trail_interval_ + 1) * trail_interval_;
  }
  auto t = std::chrono::steady_clock::now();
  // The first block goes out at once (with the power-on checkpoint), so a
  // recorder killed early still leaves something to replay.
  if (writer_->blocks_written() == 0 || writer_->pending_bytes() >= kFlushBytes || t - last_flush_ >= kFlushPeriod) {
    writer_->flush();
    last_flush_ = t;
  }
}

// Replay: the next event must be this synchronous request, made by the
// instruction executing now.
const Event* ReplayController::expect_sync(EventKind kind) {
  const Event* e = peek();
  uint64_t now = icount();
  if (!e) exhausted();
  if (e->kind != kind || e->icount != now)
    diverge(std::string("the guest asked the host for ") + event_name(kind) + " at instruction " + std::to_string(now) +
            ", but the recording's next event is " + event_name(e->kind) + " at instruction " +
            std::to_string(e->icount));
  verify_check(*e);
  return e;
}

void ReplayController::sync_marker(EventKind kind) {
  if (mode_ == Mode::kRecord) {
    Event e;
    e.kind = kind;
    record(e);
    return;
  }
  matched(*expect_sync(kind));
  pop();
}

int64_t ReplayController::sync_value(EventKind kind, int64_t live) {
  if (mode_ == Mode::kRecord) {
    Event e;
    e.kind = kind;
    e.f[0].s = live;
    record(e);
    return live;
  }
  const Event* e = expect_sync(kind);
  int64_t v = e->f[0].s;
  matched(*e);
  pop();
  return v;
}

void ReplayController::sync_bytes(EventKind kind, uint8_t* buf, size_t len, bool have_live) {
  if (mode_ == Mode::kRecord) {
    if (have_live) {
      Event e;
      e.kind = kind;
      e.f[0].bytes.assign(buf, buf + len);
      record(e);
    }
    return;
  }
  const Event* e = expect_sync(kind);
  const std::vector<uint8_t>& bytes = e->f[0].bytes;
  if (bytes.size() != len)
    diverge("the guest asked for " + std::to_string(len) + " bytes of " + event_name(kind) + ", the recording gave " +
            std::to_string(bytes.size()));
  std::memcpy(buf, bytes.data(), len);
  matched(*e);
  pop();
}

void ReplayController::guest_output(EventKind kind, uint8_t source, const uint8_t* data, size_t len,
                                    DescribeOutput describe) {
  if (!net_check_) return;
  const uint32_t digest = crc32_of(data, len);
  if (mode_ == Mode::kRecord) {
    Event e;
    e.kind = kind;
    e.f[0].u = source;
    e.f[1].u = len;
    e.f[2].u = digest;
    record(e);
    return;
  }
  const Event* e = peek();
  const uint64_t now = icount();
  auto sent = [&] {
    return "a " + std::to_string(len) + "-byte frame to netdev " + std::to_string(source) + " (" + describe(data, len) +
           ")";
  };
  if (!e) exhausted();
  if (e->kind != kind || e->icount != now)
    diverge("the guest sent " + sent() + ", but the recording's next event is " + event_name(e->kind) +
            " at instruction " + std::to_string(e->icount));
  if (e->f[0].u != source || e->f[1].u != len || e->f[2].u != digest)
    diverge("the guest sent " + sent() + ", but the recorded frame was " +
            (e->f[1].u == len && e->f[0].u == source ? std::string("another of the same length")
                                                      : std::to_string(e->f[1].u) + " bytes to netdev " +
                                                            std::to_string(e->f[0].u)));
  verify_check(*e);
  matched(*e);
  pop();
}

void ReplayController::end(EndReason reason, int status) {
  if (finished_) return;
  if (mode_ == Mode::kRecord) {
    batch_open_ = true;
    write_checkpoint();
    Event e;
    e.kind = EventKind::kEnd;
    e.f[0].u = static_cast<uint8_t>(reason);
    e.f[1].s = status;
    log(e);
    writer_->finish(icount());
    finished_ = true;
    end_status_ = status;
    return;
  }
  if (reason != EndReason::kGuestShutdown) {
    // The user stopped the replay early (signal, quit, -max-insns): the
    // summary says where.
    finished_ = true;
    stopped_early_ = reason;
    return;
  }
  // The guest powered off: the recording must say so at this instruction.
  uint64_t now = icount();
  guest_ended_ = true;
  replay_service(false);
  if (!finished_)
    diverge("the guest powered off (status " + std::to_string(status) + ") at instruction " + std::to_string(now) +
            ", the recording did not end here");
  if (end_status_ != status)
    diverge("the guest powered off with status " + std::to_string(status) + ", the recording's with " +
            std::to_string(end_status_));
}

// ---- replaying --------------------------------------------------------------

// Reads and fully validates the next block: every event is decoded against
// the registry before any of them is applied.
bool ReplayController::fill_queue() {
  while (queue_pos_ >= queue_.size()) {
    if (next_block_ >= reader_->blocks().size()) return false;
    const RrBlockInfo& info = reader_->blocks()[next_block_];
    std::vector<uint8_t> raw = reader_->read_block(next_block_);
    if (!queue_.empty() && queue_.back().kind == EventKind::kEnd)
      throw DecodeError("rrfile '" + path_ + "': block " + std::to_string(next_block_) +
                        " comes after the end of the recording (corrupt file)");
    queue_.clear();
    queue_pos_ = 0;
    RrEventCursor cur(raw, info);
    uint8_t kind_byte;
    uint64_t at;
    std::vector<uint8_t> payload;
    size_t index = 0;
    try {
      for (; cur.next(kind_byte, at, payload); ++index) {
        if (!queue_.empty() && queue_.back().kind == EventKind::kEnd)
          throw DecodeError("an event after the end of the recording");
        queue_.push_back(decode_event(kind_byte, at, payload));
      }
    } catch (const DecodeError& e) {
      throw DecodeError("rrfile '" + path_ + "': block " + std::to_string(next_block_) + ", event " +
                        std::to_string(index) + " (instruction " + std::to_string(cur.icount()) + "): " + e.what());
    }
    ++next_block_;
  }
  return true;
}

const Event* ReplayController::peek() {
  if (!fill_queue()) return nullptr;
  return &queue_[queue_pos_];
}

void ReplayController::pop() { ++queue_pos_; }

void ReplayController::matched(const Event& e) {
  stats_.add(e.kind, e.payload_size);
  last_match_icount_ = e.icount;
  last_match_what_ = std::string(event_name(e.kind)) + " event";
}

std::string ReplayController::position() const {
  return "instruction " + std::to_string(icount()) + " (pc " + hex(current_pc()) + ")";
}

void ReplayController::diverge(const std::string& what, const std::string& details) {
  std::string msg = "replay diverged at " + position() + ": " + what + "\n";
  msg += "  last point that matched: instruction " + std::to_string(last_match_icount_) + " (" + last_match_what_ + ")\n";
  msg += details;
  finished_ = true;
  throw ReplayDivergence(msg);
}

void ReplayController::exhausted() {
  finished_ = true;
  if (reader_->truncation().empty()) diverge("the recording has no more events but did not end");
  exhausted_ = true;
  throw ReplayExhausted("replay reached the end of the interrupted recording at " + position());
}

void ReplayController::verify_check(const Event& e) {
  uint32_t mine = check_now(e.kind);
  if (e.check != mine) {
    std::string part = StateHasher::cpu_part_differs(e.check, mine)
                           ? (StateHasher::ram_part_differs(e.check, mine) ? "CPU state and RAM differ" : "CPU state differs")
                           : "RAM differs";
    diverge(part + " from the recording (checked at a " + event_name(e.kind) + " event)",
            "  (per-event checks carry a hash only; full checkpoints, every " + std::to_string(interval_) +
                " instructions, name registers and pages)\n");
  }
  ++checks_matched_;
}

void ReplayController::apply_perturbation() {
  const Perturbation& p = *perturb_;
  std::fprintf(stderr, "rewind: -rr-perturb: at instruction %" PRIu64 " flipping %s\n", p.icount,
               p.xreg >= 0 ? ("bit " + std::to_string(p.bit) + " of x" + std::to_string(p.xreg)).c_str()
                           : ("the low bit of RAM byte " + hex(*p.ram_addr)).c_str());
  if (p.xreg > 0) machine_->cpu().s.x[p.xreg] ^= 1ull << p.bit;
  AddressSpace& as = machine_->address_space();
  uint8_t b;
  if (p.ram_addr && as.read_bytes(*p.ram_addr, &b, 1)) {
    b ^= 1;
    as.write_bytes(*p.ram_addr, &b, 1);
  }
  perturb_.reset();
}

void ReplayController::apply_checkpoint(const Event& e) {
  CheckpointDiff diff = hasher_->compare_checkpoint(*e.checkpoint, machine_values());
  if (diff.any())
    diverge(std::string("the state differs from the recording's checkpoint") + (diff.cpu_or_values ? "" : " (RAM)") + ":",
            diff.report);
  ++checkpoints_matched_;
}

void ReplayController::apply_end(const Event& e) {
  finished_ = true;
  end_status_ = static_cast<int>(e.f[1].s);
  if (static_cast<EndReason>(e.f[0].u) == EndReason::kGuestShutdown && !guest_ended_)
    diverge("the recording's guest powered off here (status " + std::to_string(end_status_) + "); this replay's did not");
}

// One asynchronous event, by its family: inputs go to the receiver that
// opened their channel, other kinds to their applier.
void ReplayController::apply(const Event& e) {
  if (e.spec().family == EventFamily::kInput) {
    auto it = receivers_.find({e.kind, e.source()});
    if (it == receivers_.end())
      diverge(std::string("the recording has ") + event_name(e.kind) + " input for source " + std::to_string(e.source()) +
              ", which this machine does not have");
    try {
      it->second->receive_input(e.data().data(), e.data().size());
    } catch (const InputMismatch& m) {
      diverge(std::string(event_name(e.kind)) + " input for source " + std::to_string(e.source()) + ": " + m.what());
    }
    return;
  }
  const auto& applier = appliers_[static_cast<size_t>(e.kind)];
  if (!applier) diverge(std::string("nothing in this machine applies the recording's ") + event_name(e.kind) + " event");
  applier(e);
}

bool ReplayController::replay_service(bool idle) {
  if (finished_) return false;
  uint64_t now = icount();
  if (perturb_ && perturb_->icount == now) apply_perturbation();
  const Event* e = peek();
  if (!e) exhausted();
  if (e->icount < now || (e->icount == now && is_sync(e->kind)))
    diverge(std::string("the recording has a ") + event_name(e->kind) + " event at instruction " +
            std::to_string(e->icount) + " that this replay did not produce");
  if (e->icount > now) {
    if (idle)
      diverge("the guest waits for an interrupt, but the recording's next event is " + std::string(event_name(e->kind)) +
              " at instruction " + std::to_string(e->icount));
    return true;
  }
  if (!e->batch_start) throw DecodeError("rrfile '" + path_ + "': event batch without a start mark");
  bool first = true;
  while ((e = peek()) && e->icount == now && !is_sync(e->kind) && (first || !e->batch_start)) {
    first = false;
    // Taken off the queue first: applying it may consume synchronous events
    // (a timer that fires during an idle warp reads the host clock).
    Event event = *e;
    pop();
    // A checkpoint compares everything in detail before its summary check,
    // so that a difference is reported register by register.
    if (event.kind != EventKind::kCheckpoint) verify_check(event);
    apply(event);
    if (event.kind == EventKind::kCheckpoint) verify_check(event);
    matched(event);
    if (finished_) return false;
  }
  return true;
}

// ---- navigation ----------------------------------------------------------

ReplayController::Cursor ReplayController::cursor() const {
  Cursor c;
  c.next_block = next_block_;
  c.queue_loaded = !queue_.empty();
  c.queue_pos = queue_pos_;
  c.last_match_icount = last_match_icount_;
  c.last_match_what = last_match_what_;
  c.stats = stats_;
  c.checks_matched = checks_matched_;
  c.checkpoints_matched = checkpoints_matched_;
  c.perturb = perturb_;
  return c;
}

// The block the cursor was reading is decoded again (a snapshot does not
// keep decoded events: a block is small and quick to read).
void ReplayController::restore(const Cursor& c) {
  if (mode_ != Mode::kReplay) throw std::logic_error("ReplayController::restore outside a replay");
  queue_.clear();
  queue_pos_ = 0;
  if (c.queue_loaded) {
    next_block_ = c.next_block - 1;
    if (!fill_queue() || next_block_ != c.next_block) throw std::logic_error("replay cursor: block vanished");
  } else {
    next_block_ = c.next_block;
  }
  queue_pos_ = c.queue_pos;
  last_match_icount_ = c.last_match_icount;
  last_match_what_ = c.last_match_what;
  stats_ = c.stats;
  checks_matched_ = c.checks_matched;
  checkpoints_matched_ = c.checkpoints_matched;
  perturb_ = c.perturb;
  finished_ = guest_ended_ = exhausted_ = false;
  stopped_early_.reset();
}

uint64_t ReplayController::final_icount() const { return reader_ ? reader_->final_icount() : icount(); }

// ---- reports --------------------------------------------------------------

std::string ReplayController::summary() {
  // The run is over: the machine's state now is the final state.
  uint64_t final_hash = state_hash();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  uint64_t insns = icount();
  const std::string events = stats_.line();
  char buf[512];
  if (progress_shown_) std::fputs("\r\033[K", stderr);  // clear the progress line
  if (mode_ == Mode::kRecord) {
    std::snprintf(buf, sizeof buf,
                  "rewind: recorded %" PRIu64 " instructions in %.2f s to %s (%" PRIu64 " bytes); events: %s\n"
                  "rewind: final state hash %s\n",
                  insns, secs, path_.c_str(), writer_->bytes_written(), events.c_str(),
                  hex(final_hash).c_str());
  } else {
    std::string outcome = "replay complete";
    if (exhausted_) outcome = "replay of the interrupted recording ended";
    if (stopped_early_)
      outcome = std::string("replay stopped (") + end_reason_name(*stopped_early_) + ") at instruction " +
                std::to_string(insns) + " of " + std::to_string(reader_->final_icount());
    std::snprintf(buf, sizeof buf,
                  "rewind: replayed %" PRIu64 " instructions in %.2f s (%.0f MIPS); events: %s\n"
                  "rewind: %s: matched %" PRIu64 " state hashes (%" PRIu64 " full checkpoints), final state hash %s\n",
                  insns, secs, secs > 0 ? insns / secs / 1e6 : 0.0, events.c_str(),
                  outcome.c_str(), checks_matched_, checkpoints_matched_, hex(final_hash).c_str());
  }
  return buf;
}

uint64_t ReplayController::state_hash() {
  return machine_ ? hash_combine(hasher_->cpu_hash(current_pc()), hasher_->ram_hash()) : 0;
}

// As QEMU's first line; the rest is rewind's.
std::string ReplayController::info() {
  std::string s = std::string(mode_ == Mode::kRecord ? "Recording execution in file '" : "Replaying execution '") +
                  path_ + "': instruction count = " + std::to_string(icount()) + "\n";
  if (mode_ == Mode::kReplay) s += "Recorded instruction count: " + std::to_string(reader_->final_icount()) + "\n";
  s += "State hash: " + hex(state_hash()) + "\n";
  return s;
}

void ReplayController::progress() {
  if (!progress_tty_) return;
  auto t = std::chrono::steady_clock::now();
  if (t - last_progress_ < std::chrono::seconds(1)) return;
  last_progress_ = t;
  uint64_t now = icount(), total = reader_->final_icount();
  std::fprintf(stderr, "\r\033[Kreplay: %" PRIu64 "M of %" PRIu64 "M instructions (%.0f%%)\r", now / 1000000,
               total / 1000000, total ? 100.0 * now / total : 0.0);
  progress_shown_ = true;
}

}  // namespace rwd
