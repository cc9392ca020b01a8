// Keyboard and pointer input, from the host to the guest's input devices.
//
// Host sources (a VNC client, the monitor's sendkey / mouse_move /
// mouse_button, QMP send-key / input-send-event) hand batches of events to
// the machine's InputRouter. The router passes each batch through the replay
// input path (replay/input.h, event kind `input`) and, on the guest side,
// gives every event to the first input device that takes its type, then ends
// the batch with sync(). Recording logs the batch at the instruction count
// the devices took it; a replay delivers the recorded batches at the same
// counts and ignores live input, so no display client is needed.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "replay/input.h"

namespace rwd {

// Pointer buttons, as QEMU's InputButton (and its HMP mouse_button mask
// bits: left 1, right 2, middle 4 -- see mouse_button in monitor/hmp.cc).
enum InputButton : uint16_t {
  kButtonLeft = 0,
  kButtonMiddle = 1,
  kButtonRight = 2,
  kButtonWheelUp = 3,
  kButtonWheelDown = 4,
  kButtonSide = 5,
  kButtonExtra = 6,
  kButtonCount = 7,
};

enum InputAxis : uint16_t { kAxisX = 0, kAxisY = 1 };

// Absolute coordinates are scaled to 0..kInputAbsMax whatever the screen
// size (as QEMU's INPUT_EVENT_ABS_MAX; a tablet reports this range).
inline constexpr int32_t kInputAbsMax = 0x7fff;

struct InputEvent {
  enum Type : uint8_t { kKey = 1, kButton = 2, kRel = 3, kAbs = 4 };
  Type type;
  // kKey: a Linux evdev key code (KEY_A = 30...); kButton: an InputButton;
  // kRel, kAbs: an InputAxis.
  uint16_t code;
  // kKey, kButton: 1 pressed, 0 released. kRel: the motion. kAbs: the
  // position in 0..kInputAbsMax.
  int32_t value;

  static unsigned bit(Type t) { return 1u << t; }
};

// A guest device that takes input (virtio-keyboard/-mouse/-tablet).
class InputHandler {
 public:
  virtual ~InputHandler() = default;
  // What `info mice` and `info input` call it (the device's id or type).
  virtual std::string input_name() const = 0;
  // InputEvent::bit() of the types it takes.
  virtual unsigned input_types() const = 0;
  virtual void input_event(const InputEvent& e) = 0;
  // The end of a batch (evdev's SYN_REPORT).
  virtual void input_sync() = 0;
};

class InputRouter : private InputReceiver {
 public:
  InputRouter();
  ~InputRouter() override;

  // Guest side: every input device registers when it is created (in
  // creation order, which decides who gets what).
  void add_handler(InputHandler* h);
  const std::vector<InputHandler*>& handlers() const { return handlers_; }

  // Once, before the machine runs: where batches go (a plain run's direct
  // path, the recorder, or the replayer). Without it batches go straight to
  // the handlers (unit tests).
  void attach(InputPath& path);

  // Host side: one batch, taken by the guest as a unit (QEMU's
  // qemu_input_event_sync). Dropped on replay (recorded input plays instead).
  void send(const std::vector<InputEvent>& batch);
  // False on replay: a host source need not read its client's input.
  bool live() const;

  // Whether the pointer the guest follows reports absolute positions (a
  // tablet is the first pointer device): a VNC server then sends absolute
  // motion, otherwise relative.
  bool pointer_absolute() const;

  // The batch encoding in the rrfile (public for tests and rewind-dump):
  // per event u8 type, u16 code, i32 value, little-endian.
  static std::vector<uint8_t> encode(const std::vector<InputEvent>& batch);
  // False on a malformed or unknown event (a corrupt recording).
  static bool decode(const uint8_t* data, size_t len, std::vector<InputEvent>& out);
  // A batch for people (rewind-dump): "key 30 down, rel x -5, btn left up".
  static std::string describe(const std::vector<InputEvent>& batch);

 private:
  void receive_input(const uint8_t* data, size_t len) override;
  void deliver(const std::vector<InputEvent>& batch);

  std::vector<InputHandler*> handlers_;
  std::unique_ptr<InputChannel> channel_;
};

}  // namespace rwd
