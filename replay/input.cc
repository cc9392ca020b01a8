#include "replay/input.h"

namespace rwd {

namespace {

// Input goes straight to its receiver, as far as it has room.
class DirectChannel : public InputChannel {
 public:
  explicit DirectChannel(InputReceiver& rx) : rx_(rx) {}
  size_t submit(const uint8_t* data, size_t len) override {
    size_t n = std::min(rx_.input_room(), len);
    if (n) rx_.receive_input(data, n);
    return n;
  }
  bool live() const override { return true; }

 private:
  InputReceiver& rx_;
};

}  // namespace

std::unique_ptr<InputChannel> DirectInputPath::open(EventKind, uint8_t, InputReceiver& receiver) {
  return std::make_unique<DirectChannel>(receiver);
}

}  // namespace rwd
