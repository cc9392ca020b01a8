// The one place where the board reads host wall-clock time for the guest
// (the RTC's base and, with -rtc clock=host, its running time). Devices never
// read host time themselves: they get a function from the board, so that
// record/replay logs every reading here and feeds it back on replay
// (replay/host_sources.cc wraps it).
#pragma once
#include <cstdint>

namespace rwd {

class HostClock {
 public:
  virtual ~HostClock() = default;
  // Nanoseconds since the Unix epoch (UTC).
  virtual int64_t realtime_ns() = 0;
  // The host's local-time offset from UTC at `epoch_s`, in seconds (east positive).
  virtual int64_t utc_offset_s(int64_t epoch_s) = 0;
};

// The real host clock (CLOCK_REALTIME, localtime_r).
class SystemHostClock : public HostClock {
 public:
  int64_t realtime_ns() override;
  int64_t utc_offset_s(int64_t epoch_s) override;
};

// The host's monotonic clock in ns: for the host side's own timing (how long
// the host idled, realtime virtual time), never handed to the guest as is.
uint64_t host_monotonic_ns();

}  // namespace rwd
