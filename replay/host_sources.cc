#include "replay/replay.h"

// The synchronous host sources record/replay stands between: the machine
// gets these wrappers instead of the real host clock and entropy. (Input
// that arrives asynchronously comes through the InputPath instead.)
namespace rwd {

namespace {

class ReplayHostClock : public HostClock {
 public:
  ReplayHostClock(ReplayController& c, std::unique_ptr<HostClock> real) : c_(c), real_(std::move(real)) {}
  int64_t realtime_ns() override {
    return c_.sync_value(EventKind::kClockRead, c_.replaying() ? 0 : real_->realtime_ns());
  }
  int64_t utc_offset_s(int64_t epoch_s) override {
    return c_.sync_value(EventKind::kUtcOffset, c_.replaying() ? 0 : real_->utc_offset_s(epoch_s));
  }

 private:
  ReplayController& c_;
  std::unique_ptr<HostClock> real_;
};

class ReplayHostEntropy : public HostEntropy {
 public:
  ReplayHostEntropy(ReplayController& c, std::unique_ptr<HostEntropy> real) : c_(c), real_(std::move(real)) {}
  void fill(uint8_t* buf, size_t len) override {
    if (!c_.replaying()) real_->fill(buf, len);
    c_.sync_bytes(EventKind::kEntropy, buf, len, !c_.replaying());
  }

 private:
  ReplayController& c_;
  std::unique_ptr<HostEntropy> real_;
};

}  // namespace

std::unique_ptr<HostClock> ReplayController::wrap(std::unique_ptr<HostClock> real) {
  return std::make_unique<ReplayHostClock>(*this, std::move(real));
}
std::unique_ptr<HostEntropy> ReplayController::wrap(std::unique_ptr<HostEntropy> real) {
  return std::make_unique<ReplayHostEntropy>(*this, std::move(real));
}
}  // namespace rwd
