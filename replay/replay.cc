#include "replay/replay.h"

#include <sys/random.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "system/version.h"
#include "util/hash64.h"
#include "util/hex.h"

namespace rwd {

namespace {

constexpr size_t kFlushBytes = 256 * 1024;
constexpr auto kFlushPeriod = std::chrono::seconds(1);
constexpr size_t kMaxEventBytes = 1u << 16;  // one char-input or entropy payload

// The header's "build" field: which rewind wrote the recording.
std::string this_build() { return std::string("rewind ") + kRewindVersion; }

}  // namespace

ReplayController::ReplayController(Options& opts, int argc, char** argv)
    : mode_(opts.icount.rr == "record" ? Mode::kRecord : Mode::kReplay), path_(opts.icount.rrfile) {
  if (path_.empty()) throw std::runtime_error("-icount rr=" + opts.icount.rr + " needs rrfile=FILE");
  if (!opts.icount.rrsnapshot.empty())
    throw std::runtime_error("-icount rrsnapshot=" + opts.icount.rrsnapshot +
                             ": snapshots are not supported yet (record/replay from power-on works)");
  interval_ = opts.rr_check_interval;
  if (!opts.rr_perturb.empty()) {
    if (mode_ != Mode::kReplay) throw std::runtime_error("-rr-perturb only makes sense with rr=replay");
    Perturbation p;
    std::string err;
    if (!parse_perturbation(opts.rr_perturb, p, err)) throw std::runtime_error(err);
    perturb_ = p;
  }
  start_ = last_progress_ = last_flush_ = std::chrono::steady_clock::now();
  progress_tty_ = mode_ == Mode::kReplay && isatty(STDERR_FILENO);

  if (mode_ == Mode::kRecord) {
    // Without -seed the guest's boot-time random bytes would come from the
    // host: pick the seed now and keep it in the header instead.
    if (!opts.seed) {
      uint64_t s = 0;
      if (getrandom(&s, sizeof s, 0) != sizeof s) s = static_cast<uint64_t>(time(nullptr));
      opts.seed = s;
    }
    RrHeader h;
    h.fields["build"] = this_build();
    h.fields["config"] = machine_fingerprint(opts);
    h.fields["cmdline"] = quoted_command_line(argc, argv);
    h.fields["seed"] = std::to_string(*opts.seed);
    h.fields["check-interval"] = std::to_string(interval_);
    h.fields["host-endian"] = "little";
    char date[32];
    time_t now = time(nullptr);
    tm utc{};
    gmtime_r(&now, &utc);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &utc);
    h.fields["created"] = date;
    writer_ = std::make_unique<RrWriter>(path_, h);
    return;
  }

  reader_ = std::make_unique<RrReader>(path_);
  const RrHeader& h = reader_->header();
  check_machine(h.get("config"), machine_fingerprint(opts));
  char* end = nullptr;
  std::string seed = h.get("seed");
  unsigned long long s = std::strtoull(seed.c_str(), &end, 10);
  if (seed.empty() || *end) throw std::runtime_error("rrfile '" + path_ + "': header has no valid seed");
  if (opts.seed && *opts.seed != s) throw std::runtime_error("replay refused: -seed differs from the recording's (" + seed + ")");
  opts.seed = s;
  std::string iv = h.get("check-interval");
  interval_ = std::strtoull(iv.c_str(), nullptr, 10);
  if (h.get("build") != this_build())
    std::fprintf(stderr, "rewind: note: recorded by %s, replayed by %s\n", h.get("build").c_str(), this_build().c_str());
  if (reader_->blocks().empty())
    throw DecodeError("rrfile '" + path_ + "': no complete block of events (" + reader_->truncation() + ")");
  if (!reader_->truncation().empty())
    std::fprintf(stderr, "rewind: warning: rrfile '%s' is incomplete: %s; replaying up to instruction %" PRIu64 "\n",
                 path_.c_str(), reader_->truncation().c_str(), reader_->final_icount());
}

ReplayController::~ReplayController() = default;

void ReplayController::attach(ReplayHooks hooks, StateHasher* hasher) {
  hooks_ = std::move(hooks);
  hasher_ = hasher;
  hasher_->enable();
  attached_ = true;
  next_checkpoint_ = 0;  // a checkpoint at power-on covers the loaded images
}

// ---- recording --------------------------------------------------------------

uint32_t ReplayController::check_now() {
  if (!attached_) return 0;  // events while the machine is being built
  return hasher_->quick_check(hooks_.current_pc());
}

void ReplayController::log(EventKind kind, const ByteWriter& payload, bool async) {
  uint8_t kb = static_cast<uint8_t>(kind);
  if (async && batch_open_) {
    kb |= kBatchStart;
    batch_open_ = false;
  }
  ByteWriter w;
  w.bytes(payload.data().data(), payload.size());
  w.u32(check_now());
  uint64_t icount = attached_ ? hooks_.icount() : 0;
  writer_->append(kb, icount, w.buffer().data(), w.size());
  ++counts_[static_cast<size_t>(kind)];
  ++checks_matched_;
}

void ReplayController::write_checkpoint() {
  ByteWriter w;
  hasher_->write_checkpoint(w, hooks_.extra_state());
  log(EventKind::kCheckpoint, w, true);
}

uint64_t ReplayController::next_stop() const {
  uint64_t stop = ~0ull;
  if (mode_ == Mode::kRecord) {
    if (interval_) stop = next_checkpoint_;
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
  uint64_t now = hooks_.icount();
  if (interval_ && now >= next_checkpoint_) {
    write_checkpoint();
    next_checkpoint_ = (now / interval_ + 1) * interval_;
  }
  auto t = std::chrono::steady_clock::now();
  if (writer_->pending_bytes() >= kFlushBytes || t - last_flush_ >= kFlushPeriod) {
    writer_->flush();
    last_flush_ = t;
  }
}

void ReplayController::record_warp(uint64_t ns) {
  ByteWriter w;
  w.varint(ns);
  log(EventKind::kIdleWarp, w, true);
}

void ReplayController::record_reset() {
  log(EventKind::kReset, ByteWriter(), true);
}

void ReplayController::char_input(uint8_t port, const uint8_t* data, size_t len, const CharInputFn& input,
                                  const std::function<size_t()>& can_accept) {
  // The backend already respects can_accept(); pieces are logged as the
  // frontend takes them, so replay hands them over the same way.
  size_t done = 0;
  while (done < len && input) {
    size_t room = can_accept ? can_accept() : len - done;
    if (room == 0) break;
    size_t n = std::min({room, len - done, kMaxEventBytes});
    if (!finished_) {
      ByteWriter w;
      w.u8(port);
      w.blob(data + done, n);
      log(EventKind::kCharInput, w, true);
    }
    input(data + done, n);
    done += n;
  }
}

// Replay: the next event must be this synchronous request, made by the
// instruction executing now.
const ReplayController::Pending* ReplayController::expect_sync(EventKind kind) {
  const Pending* e = peek();
  uint64_t now = attached_ ? hooks_.icount() : 0;
  if (!e) exhausted();
  if (e->kind != kind || e->icount != now)
    diverge(std::string("the guest asked the host for ") + event_name(kind) + " at instruction " + std::to_string(now) +
            ", but the recording's next event is " + event_name(e->kind) + " at instruction " +
            std::to_string(e->icount));
  return e;
}

void ReplayController::sync_marker(EventKind kind) {
  if (mode_ == Mode::kRecord) {
    if (!finished_) log(kind, ByteWriter(), false);
    return;
  }
  const Pending* e = expect_sync(kind);
  ByteReader r(e->payload);
  verify_check(*e, r);
  pop();
}

int64_t ReplayController::sync_value(EventKind kind, int64_t live) {
  if (mode_ == Mode::kRecord) {
    if (!finished_) {
      ByteWriter w;
      w.svarint(live);
      log(kind, w, false);
    }
    return live;
  }
  const Pending* e = expect_sync(kind);
  ByteReader r(e->payload);
  int64_t v = r.svarint();
  verify_check(*e, r);
  pop();
  return v;
}

void ReplayController::sync_bytes(EventKind kind, uint8_t* buf, size_t len, bool have_live) {
  if (mode_ == Mode::kRecord) {
    if (have_live && !finished_) {
      ByteWriter w;
      w.blob(buf, len);
      log(kind, w, false);
    }
    return;
  }
  const Pending* e = expect_sync(kind);
  ByteReader r(e->payload);
  std::vector<uint8_t> bytes = r.blob(kMaxEventBytes);
  if (bytes.size() != len)
    diverge("the guest asked for " + std::to_string(len) + " bytes of entropy, the recording gave " +
            std::to_string(bytes.size()));
  std::memcpy(buf, bytes.data(), len);
  verify_check(*e, r);
  pop();
}

void ReplayController::end(EndReason reason, int status) {
  if (finished_) return;
  if (mode_ == Mode::kRecord) {
    batch_open_ = true;
    write_checkpoint();
    ByteWriter w;
    w.u8(static_cast<uint8_t>(reason));
    w.svarint(status);
    log(EventKind::kEnd, w, true);
    writer_->finish(hooks_.icount());
    finished_ = true;
    end_status_ = status;
    return;
  }
  if (reason != EndReason::kGuestShutdown) {
    // The user stopped the replay early (signal, quit, -max-insns).
    finished_ = true;
    std::fprintf(stderr, "rewind: replay stopped (%s) at instruction %" PRIu64 " of %" PRIu64 "\n",
                 end_reason_name(reason), hooks_.icount(), reader_->final_icount());
    return;
  }
  // The guest powered off: the recording must say so at this instruction.
  uint64_t now = hooks_.icount();
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

bool ReplayController::fill_queue() {
  while (queue_pos_ >= queue_.size()) {
    if (next_block_ >= reader_->blocks().size()) return false;
    const RrBlockInfo& info = reader_->blocks()[next_block_];
    std::vector<uint8_t> raw = reader_->read_block(next_block_);
    queue_.clear();
    queue_pos_ = 0;
    try {
      RrEventCursor cur(raw, info);
      Pending p;
      while (cur.next(p.kind_byte, p.icount, p.payload)) {
        uint8_t k = p.kind_byte & kKindMask;
        if (k < 1 || k >= kEventKindCount) throw DecodeError("unknown event kind " + std::to_string(k));
        p.kind = static_cast<EventKind>(k);
        queue_.push_back(std::move(p));
        p = Pending();
      }
    } catch (const DecodeError& e) {
      throw DecodeError("rrfile '" + path_ + "': block " + std::to_string(next_block_) + ": malformed events (" +
                          e.what() + ")");
    }
    ++next_block_;
  }
  return true;
}

const ReplayController::Pending* ReplayController::peek() {
  if (!fill_queue()) return nullptr;
  return &queue_[queue_pos_];
}

void ReplayController::pop() {
  const Pending& e = queue_[queue_pos_];
  ++counts_[static_cast<size_t>(e.kind)];
  last_match_icount_ = e.icount;
  last_match_what_ = std::string(event_name(e.kind)) + " event";
  ++queue_pos_;
}

std::string ReplayController::position() const {
  uint64_t now = attached_ ? hooks_.icount() : 0;
  return "instruction " + std::to_string(now) + " (pc " + hex(attached_ ? hooks_.current_pc() : 0) + ")";
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

void ReplayController::verify_check(const Pending& e, ByteReader& r) {
  uint32_t rec = r.u32();
  if (!r.at_end()) throw DecodeError("trailing bytes in an event");
  uint32_t mine = check_now();
  if (rec != mine) {
    std::string part = StateHasher::cpu_part_differs(rec, mine)
                           ? (StateHasher::ram_part_differs(rec, mine) ? "CPU state and RAM differ" : "CPU state differs")
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
  hooks_.perturb(p);
  perturb_.reset();
}

bool ReplayController::replay_service(bool idle) {
  if (finished_) return false;
  uint64_t now = hooks_.icount();
  if (perturb_ && perturb_->icount == now) apply_perturbation();
  const Pending* e = peek();
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
  if (!(e->kind_byte & kBatchStart)) throw DecodeError("rrfile '" + path_ + "': event batch without a start mark");
  bool first = true;
  while ((e = peek()) && e->icount == now && !is_sync(e->kind) && (first || !(e->kind_byte & kBatchStart))) {
    first = false;
    ByteReader r(e->payload);
    switch (e->kind) {
      case EventKind::kCharInput: {
        uint8_t port = r.u8();
        std::vector<uint8_t> bytes = r.blob(kMaxEventBytes);
        verify_check(*e, r);
        hooks_.deliver_char(port, bytes.data(), bytes.size());
        break;
      }
      case EventKind::kIdleWarp: {
        uint64_t ns = r.varint();
        verify_check(*e, r);
        hooks_.idle_warp(ns);
        break;
      }
      case EventKind::kReset:
        verify_check(*e, r);
        hooks_.reset();
        break;
      case EventKind::kCheckpoint: {
        std::string report = hasher_->compare_checkpoint(r, hooks_.extra_state());
        if (!report.empty()) {
          bool cpu = report.find("RAM page") == std::string::npos || report.find("  x") != std::string::npos;
          diverge(std::string("the state differs from the recording's checkpoint") + (cpu ? "" : " (RAM)") + ":", report);
        }
        verify_check(*e, r);
        ++checkpoints_matched_;
        break;
      }
      case EventKind::kEnd: {
        auto reason = static_cast<EndReason>(r.u8());
        int status = static_cast<int>(r.svarint());
        verify_check(*e, r);
        pop();
        finished_ = true;
        end_status_ = status;
        if (reason == EndReason::kGuestShutdown && !guest_ended_)
          diverge("the recording's guest powered off here (status " + std::to_string(status) + "); this replay's did not");
        return false;
      }
      default: diverge("unexpected event kind in a batch");
    }
    pop();
  }
  return true;
}

// ---- reports --------------------------------------------------------------

std::string ReplayController::summary() {
  // The run is over: the machine's state now is the final state.
  uint64_t final_hash = attached_ ? hash_combine(hasher_->cpu_hash(hooks_.current_pc()), hasher_->ram_hash()) : 0;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  uint64_t insns = attached_ ? hooks_.icount() : 0;
  std::string events;
  for (int k = 1; k < kEventKindCount; ++k)
    if (counts_[k]) events += std::string(events.empty() ? "" : ", ") + event_name(static_cast<EventKind>(k)) + " " + std::to_string(counts_[k]);
  char buf[512];
  if (progress_shown_) std::fputs("\r\033[K", stderr);  // clear the progress line
  if (mode_ == Mode::kRecord) {
    std::snprintf(buf, sizeof buf,
                  "rewind: recorded %" PRIu64 " instructions in %.2f s to %s (%" PRIu64 " bytes); events: %s\n"
                  "rewind: final state hash %s\n",
                  insns, secs, path_.c_str(), writer_->bytes_written(), events.empty() ? "none" : events.c_str(),
                  hex(final_hash).c_str());
  } else {
    std::snprintf(buf, sizeof buf,
                  "rewind: replayed %" PRIu64 " instructions in %.2f s (%.0f MIPS); events: %s\n"
                  "rewind: %s: matched %" PRIu64 " state hashes (%" PRIu64 " full checkpoints), final state hash %s\n",
                  insns, secs, secs > 0 ? insns / secs / 1e6 : 0.0, events.empty() ? "none" : events.c_str(),
                  exhausted_ ? "replay of the interrupted recording ended" : "replay complete", checks_matched_, checkpoints_matched_, hex(final_hash).c_str());
  }
  return buf;
}

std::string ReplayController::info() const {
  uint64_t now = attached_ ? hooks_.icount() : 0;
  std::string s = std::string("Record/replay mode: ") + (mode_ == Mode::kRecord ? "record" : "replay") + "\n";
  s += "File: " + path_ + "\n";
  s += "Current instruction count: " + std::to_string(now) + "\n";
  if (mode_ == Mode::kReplay) s += "Recorded instruction count: " + std::to_string(reader_->final_icount()) + "\n";
  return s;
}

void ReplayController::progress() {
  if (!progress_tty_) return;
  auto t = std::chrono::steady_clock::now();
  if (t - last_progress_ < std::chrono::seconds(1)) return;
  last_progress_ = t;
  uint64_t now = hooks_.icount(), total = reader_->final_icount();
  std::fprintf(stderr, "\r\033[Kreplay: %" PRIu64 "M of %" PRIu64 "M instructions (%.0f%%)\r", now / 1000000,
               total / 1000000, total ? 100.0 * now / total : 0.0);
  progress_shown_ = true;
}

}  // namespace rwd
