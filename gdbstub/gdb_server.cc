#include "gdbstub/gdb_server.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <utility>

#include "accel/tcg/engine.h"
#include "hw/core/machine.h"
#include "system/run_loop.h"
#include "target/riscv/cpu.h"

namespace rwd {

using gdb::RegDesc;

namespace {
constexpr const char* kStopped = "T05thread:01;";
constexpr const char* kInterrupted = "T02thread:01;";
}  // namespace

GdbServer::GdbServer(CharBackend& chr, GdbMachine m) : chr_(chr), m_(std::move(m)) {
  regs_ = gdb::riscv_registers([this](uint16_t num) {
    uint64_t v;
    return csr_access(num, false, v);
  });
  session_ = std::make_unique<gdb::GdbSession>(static_cast<gdb::GdbTarget&>(*this));
  chr_.set_frontend(this);
  if (chr_.is_open()) char_event(CharEvent::kOpened);
}

GdbServer::~GdbServer() {
  chr_.set_frontend(nullptr);
  if (engine_debug_on_) m_.engine.set_debug(nullptr);
}

void GdbServer::char_event(CharEvent e) {
  if (e == CharEvent::kOpened) {
    // As QEMU: a debugger that attaches finds the machine stopped.
    connected_ = true;
    session_ = std::make_unique<gdb::GdbSession>(static_cast<gdb::GdbTarget&>(*this));
    decoder_ = gdb::PacketDecoder();
    held_ = true;
    m_.engine.request_exit();
    session_->stopped(at_end_ ? "T05replaylog:end;" : kStopped);
  } else if (e == CharEvent::kClosed) {
    connected_ = false;
    disconnected();
  }
}

void GdbServer::send(const std::string& body) {
  chr_.write(gdb::frame(body));
  chr_.flush();
}

void GdbServer::receive(const uint8_t* data, size_t len) {
  if (busy_) {
    // Reverse execution is running the machine: only Ctrl-C acts now.
    if (std::memchr(data, 0x03, len)) interrupt_ = true;
    backlog_.insert(backlog_.end(), data, data + len);
    return;
  }
  std::vector<gdb::PacketDecoder::Item> items;
  decoder_.feed(data, len, items);
  handle_items(items);
}

void GdbServer::handle_items(std::vector<gdb::PacketDecoder::Item>& items) {
  using Kind = gdb::PacketDecoder::Item::Kind;
  for (auto& item : items) {
    switch (item.kind) {
      case Kind::kAck:
      case Kind::kNak: break;  // replies are not kept for resending: the transport is reliable
      case Kind::kBadPacket:
        if (!session_->no_ack()) chr_.write(std::string("-"));
        break;
      case Kind::kInterrupt:
        if (session_->running() && !held_) {
          held_ = true;
          stops_.disarm_step();
          m_.engine.request_exit();
          report(kInterrupted);
        }
        break;
      case Kind::kPacket: {
        if (!session_->no_ack()) chr_.write(std::string("+"));
        std::optional<std::string> reply = session_->handle(item.body);
        if (reply) send(*reply);
        break;
      }
    }
  }
  chr_.flush();
}

void GdbServer::report(const std::string& stop_reply) {
  if (connected_) send(session_->stopped(stop_reply));
}

std::string GdbServer::hit_reply(const DebugHit& hit) const {
  if (hit.kind != DebugHit::Kind::kWatch) return kStopped;
  const char* name = hit.watch == WatchKind::kWrite ? "watch" : hit.watch == WatchKind::kRead ? "rwatch" : "awatch";
  char buf[96];
  std::snprintf(buf, sizeof buf, "T05%s:%" PRIx64 ";thread:01;", name, hit.addr);
  return buf;
}

// The engine checks the stops only while there are any.
void GdbServer::engine_stops(bool on) {
  if (on == engine_debug_on_) return;
  engine_debug_on_ = on;
  m_.engine.set_debug(on ? &stops_ : nullptr);
}

void GdbServer::stops_changed() {
  // Blocks end before breakpoints and watched pages leave the TLB: the
  // engine takes the new set (set_debug drops what it translated).
  engine_debug_on_ = stops_.any();
  m_.engine.set_debug(engine_debug_on_ ? &stops_ : nullptr);
}

void GdbServer::resume(gdb::Resume how) {
  if (how == gdb::Resume::kReverseStep || how == gdb::Resume::kReverseContinue) {
    pending_ = how == gdb::Resume::kReverseStep ? Pending::kReverseStep : Pending::kReverseContinue;
    return;  // serve() runs it, outside the host loop's callbacks
  }
  if (at_end_) {
    report("T05replaylog:end;");
    return;
  }
  const riscv::CpuState& s = m_.machine.cpu().s;
  // A breakpoint where the machine stands does not stop it again at once.
  stops_.skip_once(s.pc, s.icount);
  resume_icount_ = s.icount;
  if (how == gdb::Resume::kStep) stops_.arm_step(s.icount, m_.engine.traps_taken());
  engine_stops(stops_.any());
  first_point_known_ = false;
  held_ = false;
  m_.loop.resume();
}

void GdbServer::stopped() {
  const riscv::CpuState& s = m_.machine.cpu().s;
  if (navigating_) {
    // Reverse-continue's forward scan: note the hit and run on.
    scan_hits_.push_back({s.icount, s.pc, stops_.hit()});
    stops_.skip_once(s.pc, s.icount);
    return;
  }
  held_ = true;
  const DebugHit& hit = stops_.hit();
  // A watchpoint, or a step that retired an instruction, stops at the
  // first point of its count; a step into a trap that did not retire, or a
  // breakpoint reached through one, may not (gdb_reverse.cc).
  first_point_known_ = hit.kind == DebugHit::Kind::kWatch ||
                       (hit.kind == DebugHit::Kind::kStep && s.icount != resume_icount_);
  engine_stops(stops_.any());
  report(hit_reply(hit));
}

bool GdbServer::run_ended(int exit_code) {
  if (!connected_) return false;
  if (m_.replaying && m_.nav) {
    held_ = true;
    at_end_ = true;
    stops_.disarm_step();
    report("T05replaylog:end;");
    return true;
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "W%02x", exit_code & 0xff);
  send(buf);
  return false;
}

void GdbServer::serve() {
  if (pending_ == Pending::kNone) return;
  Pending what = std::exchange(pending_, Pending::kNone);
  busy_ = true;
  interrupt_ = false;
  try {
    if (what == Pending::kReverseStep) reverse_step();
    else reverse_continue();
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "rewind: gdb: reverse execution failed: %s\n", e.what());
    navigating_ = false;
    held_ = true;
    report("E01");
  }
  busy_ = false;
  // What gdb sent meanwhile.
  std::vector<uint8_t> backlog = std::move(backlog_);
  backlog_.clear();
  if (!backlog.empty()) {
    std::vector<gdb::PacketDecoder::Item> items;
    decoder_.feed(backlog.data(), backlog.size(), items);
    // A Ctrl-C was taken already (it ended the reverse run).
    items.erase(std::remove_if(items.begin(), items.end(),
                               [](const auto& i) { return i.kind == gdb::PacketDecoder::Item::Kind::kInterrupt; }),
                items.end());
    handle_items(items);
  }
}

// Registers: CSRs are read and written as M-mode software would, with the
// FPU switched on for the FP CSRs, and the hart's own state put back after.
bool GdbServer::csr_access(uint16_t num, bool write, uint64_t& value) {
  riscv::Cpu& cpu = m_.machine.cpu();
  riscv::Priv priv = cpu.s.priv;
  uint64_t mstatus = cpu.s.mstatus;
  bool fp_off = !cpu.fp_enabled();
  cpu.s.priv = riscv::Priv::M;
  if (fp_off) cpu.s.mstatus |= riscv::mstatus::kFS;
  bool ok = true;
  try {
    if (write) cpu.csr_write(num, value);
    else value = cpu.csr_read(num);
  } catch (const riscv::GuestTrap&) {
    ok = false;
  }
  cpu.s.priv = priv;
  bool status_csr = num == riscv::csr::kMstatus || num == riscv::csr::kSstatus;
  if (!(write && status_csr)) {
    constexpr uint64_t kFpBits = riscv::mstatus::kFS | riscv::mstatus::kSD;
    cpu.s.mstatus = (cpu.s.mstatus & ~kFpBits) | (mstatus & kFpBits);
  }
  if (write) {
    cpu.update_mmu_context();
    m_.engine.flush_translations();
  }
  return ok;
}

bool GdbServer::read_register(const RegDesc& r, std::vector<uint8_t>& bytes) {
  const riscv::CpuState& s = m_.machine.cpu().s;
  uint64_t v = 0;
  unsigned size = 8;
  switch (r.kind) {
    case RegDesc::Kind::kGpr: v = r.index ? s.x[r.index] : 0; break;
    case RegDesc::Kind::kPc: v = s.pc; break;
    case RegDesc::Kind::kFpr: v = s.f[r.index]; break;
    case RegDesc::Kind::kPriv: v = static_cast<uint64_t>(s.priv); break;
    case RegDesc::Kind::kCsr:
      if (!csr_access(static_cast<uint16_t>(r.index), false, v)) return false;
      if (r.index <= 3) size = 4;
      break;
  }
  bytes.resize(size);
  for (unsigned i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(v >> (8 * i));
  return true;
}

bool GdbServer::write_register(const RegDesc& r, uint64_t value) {
  riscv::Cpu& cpu = m_.machine.cpu();
  switch (r.kind) {
    case RegDesc::Kind::kGpr:
      if (r.index) cpu.s.x[r.index] = value;
      return true;
    case RegDesc::Kind::kPc: cpu.s.pc = value; return true;
    case RegDesc::Kind::kFpr: cpu.s.f[r.index] = value; return true;
    case RegDesc::Kind::kPriv:
      if (value != 0 && value != 1 && value != 3) return false;
      cpu.s.priv = static_cast<riscv::Priv>(value);
      cpu.update_mmu_context();
      m_.engine.flush_translations();
      return true;
    case RegDesc::Kind::kCsr: return csr_access(static_cast<uint16_t>(r.index), true, value);
  }
  return false;
}

size_t GdbServer::read_memory(uint64_t addr, uint8_t* buf, size_t len) {
  riscv::Cpu& cpu = m_.machine.cpu();
  size_t done = 0;
  while (done < len) {
    uint64_t va = addr + done, pa;
    if (!cpu.mmu.debug_translate(va, pa)) break;
    size_t n = std::min<uint64_t>(len - done, riscv::kPageSize - (va & ~riscv::kPageMask));
    if (!m_.machine.address_space().read_bytes(pa, buf + done, n)) break;
    done += n;
  }
  return done;
}

bool GdbServer::write_memory(uint64_t addr, const uint8_t* buf, size_t len) {
  riscv::Cpu& cpu = m_.machine.cpu();
  // Every page first, so a write is whole or not at all.
  std::vector<std::pair<uint64_t, size_t>> pieces;
  for (size_t done = 0; done < len;) {
    uint64_t va = addr + done, pa;
    if (!cpu.mmu.debug_translate(va, pa)) return false;
    size_t n = std::min<uint64_t>(len - done, riscv::kPageSize - (va & ~riscv::kPageMask));
    RamBlock* rb = m_.machine.address_space().find_ram(pa, n);
    if (!rb || rb->readonly) return false;
    pieces.emplace_back(pa, n);
    done += n;
  }
  size_t off = 0;
  for (auto [pa, n] : pieces) {
    m_.machine.address_space().write_bytes(pa, buf + off, n);
    off += n;
  }
  m_.engine.flush_translations();
  return true;
}

std::string GdbServer::write_refusal() const {
  std::string why;
  if (m_.recording)
    why = "the machine is being recorded: a change by the debugger would not be in the recording";
  else if (m_.replaying)
    why = "a replay follows its recording: the debugger may look, not change";
  if (!why.empty()) std::fprintf(stderr, "rewind: gdb: write refused: %s\n", why.c_str());
  return why;
}

std::string GdbServer::monitor(const std::string& command) {
  if (!m_.monitor) return "monitor commands are not available\n";
  // A command may move the machine (replay_seek): as reverse execution
  // does (the run loop runs a held machine while navigating), without the
  // debugger's stops, which would report to gdb in the middle of its qRcmd.
  const Point before = here();
  engine_stops(false);
  in_monitor_ = navigating_ = true;
  std::string out;
  try {
    out = m_.monitor(command);
  } catch (...) {  // (a replay that diverges while seeking ends the run)
    in_monitor_ = navigating_ = false;
    engine_stops(stops_.any());
    throw;
  }
  in_monitor_ = navigating_ = false;
  if (!(here() == before)) {
    at_end_ = false;
    first_point_known_ = false;  // a seek's landing point: found again when stepping back
  }
  engine_stops(stops_.any());
  return out;
}

void GdbServer::detach() {
  stops_.clear();
  engine_stops(false);
  m_.engine.set_debug(nullptr);
  pending_ = Pending::kNone;
  if (!at_end_) {
    held_ = false;
    m_.loop.resume();
  } else {
    m_.loop.end_held_run();  // a finished replay has nothing left to run
  }
}

// The connection went away without a detach (gdb killed, a script that
// just closes): as QEMU, a machine the debugger had stopped stays stopped,
// now as a monitor pause (`cont` or the next debugger resumes it), and one
// that was running runs on. Resuming here would let a replay run away from
// the point the user was looking at.
void GdbServer::disconnected() {
  stops_.clear();
  engine_stops(false);
  m_.engine.set_debug(nullptr);
  pending_ = Pending::kNone;
  if (!held_) return;
  held_ = false;
  if (at_end_) m_.loop.end_held_run();  // a finished replay has nothing left to run
  else m_.loop.pause();
}

void GdbServer::kill() {
  pending_ = Pending::kNone;
  held_ = false;
  if (at_end_) m_.loop.end_held_run();
  else m_.loop.request_quit();
}

}  // namespace rwd
