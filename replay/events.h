// What an rrfile records: the kinds of event, and how each is pinned to the
// instruction count. See docs/rrfile.md for the byte layout of each payload.
//
// Two families:
//  - synchronous events happen *during* an instruction (a device asks the host
//    for the time or for entropy): their icount is the count including that
//    instruction, and on replay the same instruction must ask again;
//  - asynchronous events come from the host side (serial input, idle time
//    warps, monitor resets, periodic checkpoints): they are applied between
//    translation blocks, in "service steps" of the run loop. The first event
//    of each step carries kBatchStart, so that replay applies the same groups
//    with the same engine calls in between as the recording did.
#pragma once
#include <cstdint>
#include <string>

namespace rwd {

enum class EventKind : uint8_t {
  kClockRead = 1,   // sync: HostClock::realtime_ns() -> svarint ns
  kUtcOffset = 2,   // sync: HostClock::utc_offset_s() -> svarint seconds
  kEntropy = 3,     // sync: HostEntropy::fill() -> blob
  kCharInput = 4,   // async: u8 port, blob bytes
  kIdleWarp = 5,    // async: varint ns that virtual time jumped while the hart idled
  kReset = 6,       // async: a machine reset requested from the host (monitor)
  kCheckpoint = 7,  // async: full state summary (see state_hash.h)
  kEnd = 8,         // end of the recording: u8 EndReason, svarint exit status
  kGuestReset = 9,  // sync: the guest asked the board for a reset (no payload)
};
inline constexpr uint8_t kBatchStart = 0x80;
inline constexpr uint8_t kKindMask = 0x7f;

enum class EndReason : uint8_t {
  kGuestShutdown = 0,  // the guest powered off (status = its exit code)
  kSignal = 1,         // the recorder was asked to quit (SIGINT/SIGTERM/SIGHUP)
  kMonitorQuit = 2,    // `quit` in the monitor
  kInsnLimit = 3,      // -max-insns reached
};

inline bool is_sync(EventKind k) {
  return k == EventKind::kClockRead || k == EventKind::kUtcOffset || k == EventKind::kEntropy ||
         k == EventKind::kGuestReset;
}

inline const char* event_name(EventKind k) {
  switch (k) {
    case EventKind::kClockRead: return "clock";
    case EventKind::kUtcOffset: return "utc-offset";
    case EventKind::kEntropy: return "entropy";
    case EventKind::kCharInput: return "char-input";
    case EventKind::kIdleWarp: return "idle-warp";
    case EventKind::kReset: return "reset";
    case EventKind::kCheckpoint: return "checkpoint";
    case EventKind::kEnd: return "end";
    case EventKind::kGuestReset: return "guest-reset";
  }
  return "unknown";
}
inline constexpr int kEventKindCount = 10;  // kinds are 1..9

inline const char* end_reason_name(EndReason r) {
  switch (r) {
    case EndReason::kGuestShutdown: return "guest shutdown";
    case EndReason::kSignal: return "signal";
    case EndReason::kMonitorQuit: return "monitor quit";
    case EndReason::kInsnLimit: return "instruction limit";
  }
  return "unknown";
}

}  // namespace rwd
