// The one path by which host input reaches the guest (ARCHITECTURE.md,
// "Record and replay"). This is the only replay/ header devices, backends and
// the board include.
//
// A host source (a character backend, a block completion, a received frame,
// a key press) opens an InputChannel for its event kind (an Input kind of
// replay/events.def) and its source number, naming the InputReceiver that
// takes its input into the guest side. Then it hands every input to
// submit(), from the host loop, between translation blocks:
//  - in a plain run the input goes straight to the receiver;
//  - while recording it is also logged, pinned to the instruction count;
//  - while replaying, live input is dropped (the source need not read the
//    host at all: live() is false), and the recording's input is delivered
//    to the same receiver at the recorded instruction count.
// The receiver never knows which of the three it is in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "replay/events.h"

namespace rwd {

// Thrown by a receiver given recorded input it cannot take (a completion
// for a request this replay never issued): the replay has diverged.
class InputMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InputReceiver {
 public:
  virtual ~InputReceiver() = default;
  // How many bytes of input it takes now (0 holds input back: flow control).
  virtual size_t input_room() { return SIZE_MAX; }
  virtual void receive_input(const uint8_t* data, size_t len) = 0;
};

class InputChannel {
 public:
  virtual ~InputChannel() = default;
  // Live host input: returns how many bytes were taken (as far as the
  // receiver has room; on replay all of it, dropped).
  virtual size_t submit(const uint8_t* data, size_t len) = 0;
  // False on replay: the host side of this source is not needed.
  virtual bool live() const = 0;
};

class InputPath {
 public:
  virtual ~InputPath() = default;
  // One channel per (kind, source); `kind` must be of the Input family.
  // The receiver must outlive the channel.
  virtual std::unique_ptr<InputChannel> open(EventKind kind, uint8_t source, InputReceiver& receiver) = 0;
  // Output the guest sent to source `source` (kind: a Sync kind that pins
  // output, net-sent), during the instruction that sent it. A recording
  // made to check output logs its length and digest, a replay of one checks
  // the guest sends the same at the same instruction (`describe` names the
  // live output in the divergence message); otherwise nothing happens.
  using DescribeOutput = std::string (*)(const uint8_t* data, size_t len);
  virtual void guest_output(EventKind, uint8_t /*source*/, const uint8_t* /*data*/, size_t /*len*/, DescribeOutput) {}
};

// The input path of a run that neither records nor replays.
class DirectInputPath : public InputPath {
 public:
  std::unique_ptr<InputChannel> open(EventKind kind, uint8_t source, InputReceiver& receiver) override;
};

}  // namespace rwd
