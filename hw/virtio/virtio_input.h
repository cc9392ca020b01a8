// virtio-input (virtio 1.x, 5.8: device ID 18) as QEMU's virtio-keyboard,
// virtio-mouse and virtio-tablet: the driver learns what the device is from
// its configuration space (select/subsel: name, serial, ids, event bits,
// absolute axes) and takes evdev events (le16 type, le16 code, le32 value,
// eight bytes a buffer) from the event queue; the status queue brings the
// driver's events back (the keyboard's LEDs).
//
// Input arrives from the machine's InputRouter (ui/input.h) at a point the
// replay pins; the device writes it into the guest's buffers there, or when
// the driver next adds buffers. Without buffers it keeps at most
// kMaxPending events (whole batches) and drops the batches beyond: a guest
// that stops reading loses input, as a real keyboard's would, without
// holding host memory.
#pragma once
#include <array>
#include <deque>

#include "hw/virtio/virtio_device.h"
#include "ui/input.h"

namespace rwd {

namespace virtio_input {
// Configuration selects (5.8.4).
inline constexpr uint8_t kCfgUnset = 0x00, kCfgIdName = 0x01, kCfgIdSerial = 0x02, kCfgIdDevids = 0x03,
                         kCfgPropBits = 0x10, kCfgEvBits = 0x11, kCfgAbsInfo = 0x12;
// evdev event types and codes the devices use (linux/input-event-codes.h).
inline constexpr uint16_t kEvSyn = 0, kEvKey = 1, kEvRel = 2, kEvAbs = 3, kEvLed = 0x11, kEvRep = 0x14;
inline constexpr uint16_t kSynReport = 0;
inline constexpr uint16_t kRelX = 0, kRelY = 1, kRelWheel = 8;
inline constexpr uint16_t kAbsX = 0, kAbsY = 1;
inline constexpr uint16_t kBtnLeft = 0x110, kBtnRight = 0x111, kBtnMiddle = 0x112, kBtnSide = 0x113,
                          kBtnExtra = 0x114;
inline constexpr uint32_t kConfigSize = 136;  // select, subsel, size, reserved[5], u[128]
}  // namespace virtio_input

class VirtioInput : public VirtioDevice, public InputHandler {
 public:
  enum class Kind : uint8_t { kKeyboard, kMouse, kTablet };
  static constexpr uint16_t kQueueSize = 64;
  static constexpr size_t kMaxPending = 256;  // events kept while the guest has no buffer
  static constexpr unsigned kEventQueue = 0, kStatusQueue = 1;

  // `driver`: the -device type (what `info qtree` would show); `serial`: the
  // ID_SERIAL string ("" answers size 0, as QEMU without serial=).
  VirtioInput(Kind kind, std::string driver, std::string serial = "");

  // VirtioDevice.
  std::string name() const override { return driver_; }
  uint32_t device_id() const override { return 18; }
  unsigned queue_count() const override { return 2; }
  uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  uint32_t config_size() const override { return virtio_input::kConfigSize; }
  uint8_t config_read(uint32_t offset) override;
  void config_write(uint32_t offset, uint8_t value) override;
  void notify(unsigned queue, VirtQueue& q) override;
  void reset() override;
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;

  // InputHandler.
  std::string input_name() const override;
  unsigned input_types() const override;
  void input_event(const InputEvent& e) override;
  void input_sync() override;

  Kind kind() const { return kind_; }
  // The LEDs the driver last set (bit 0 num lock, 1 caps lock, 2 scroll lock).
  uint8_t leds() const { return leds_; }
  size_t pending() const { return pending_.size(); }
  uint64_t dropped() const { return dropped_; }

 private:
  struct Event {
    uint16_t type, code;
    uint32_t value;
  };
  void answer();  // fills config_ for select_/subsel_
  void answer_ev_bits();
  void set_bits(const std::vector<uint16_t>& codes);
  void flush();  // pending events into the guest's free buffers
  void take_status(VirtQueue& q);

  Kind kind_;
  std::string driver_, serial_;
  uint8_t select_ = 0, subsel_ = 0;
  std::array<uint8_t, virtio_input::kConfigSize> config_{};
  std::vector<Event> batch_;    // the batch being assembled (until input_sync)
  std::deque<Event> pending_;   // whole batches waiting for buffers
  uint8_t leds_ = 0;
  uint64_t dropped_ = 0;        // events dropped for want of buffers (not saved: a statistic)
};

}  // namespace rwd
