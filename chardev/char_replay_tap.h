// The filter that routes a serial port's input through the one input path
// (replay/input.h): a plain run passes it on, a recording logs it as the
// frontend takes it, a replay drops live input and hands the frontend the
// recorded bytes at the recorded instruction counts. It is a stage of the
// port's input chain, so it works whichever of it and the frontend (or a
// mux) comes first.
#pragma once
#include <memory>

#include "chardev/char_backend.h"
#include "replay/input.h"

namespace rwd {

class CharReplayTap : public CharFilter, private InputReceiver {
 public:
  // `port`: the serial port's number (the char-input event's source).
  CharReplayTap(InputPath& path, uint8_t port);

  // Live input from the backend side.
  size_t can_receive() override;
  void receive(const uint8_t* data, size_t len) override;
  void char_event(CharEvent e) override;

 private:
  // Input on its way to the frontend (live, or from the recording).
  size_t input_room() override;
  void receive_input(const uint8_t* data, size_t len) override;

  std::unique_ptr<InputChannel> channel_;
};

}  // namespace rwd
