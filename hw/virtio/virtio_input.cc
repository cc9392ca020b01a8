#include "hw/virtio/virtio_input.h"

#include <algorithm>
#include <cstring>

#include "ui/qcode_keymap.h"

namespace rwd {

using namespace virtio_input;

namespace {

// The codes a pointer advertises as keys: QEMU's buttons, with the wheel's
// BTN_GEAR_DOWN/UP that its mouse and tablet list although they report the
// wheel as REL_WHEEL (the guest sees the same KEY= bitmap as under QEMU).
constexpr uint16_t kBtnGearDown = 0x150, kBtnGearUp = 0x151;
const std::vector<uint16_t> kPointerKeys = {kBtnLeft, kBtnRight, kBtnMiddle, kBtnSide, kBtnExtra, kBtnGearDown,
                                            kBtnGearUp};
constexpr uint16_t kLedNum = 0, kLedCaps = 1, kLedScroll = 2;

const char* device_name(VirtioInput::Kind k) {
  switch (k) {
    case VirtioInput::Kind::kKeyboard: return "QEMU Virtio Keyboard";
    case VirtioInput::Kind::kMouse: return "QEMU Virtio Mouse";
    case VirtioInput::Kind::kTablet: return "QEMU Virtio Tablet";
  }
  return "";
}

// The evdev key code of a pointer button (0: the wheel, reported as motion).
uint16_t button_code(uint16_t button) {
  switch (button) {
    case kButtonLeft: return kBtnLeft;
    case kButtonRight: return kBtnRight;
    case kButtonMiddle: return kBtnMiddle;
    case kButtonSide: return kBtnSide;
    case kButtonExtra: return kBtnExtra;
    default: return 0;
  }
}

void put_le(uint8_t* p, uint32_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

VirtioInput::VirtioInput(Kind kind, std::string driver, std::string serial)
    : kind_(kind), driver_(std::move(driver)), serial_(std::move(serial)) {
  if (serial_.size() > 128) serial_.resize(128);
}

std::string VirtioInput::input_name() const { return device_name(kind_); }

unsigned VirtioInput::input_types() const {
  switch (kind_) {
    case Kind::kKeyboard: return InputEvent::bit(InputEvent::kKey);
    case Kind::kMouse: return InputEvent::bit(InputEvent::kButton) | InputEvent::bit(InputEvent::kRel);
    case Kind::kTablet: return InputEvent::bit(InputEvent::kButton) | InputEvent::bit(InputEvent::kAbs);
  }
  return 0;
}

// ---- configuration space (5.8.4) ----

uint8_t VirtioInput::config_read(uint32_t offset) {
  if (offset == 0) return select_;
  if (offset == 1) return subsel_;
  return offset < config_.size() ? config_[offset] : 0;
}

void VirtioInput::config_write(uint32_t offset, uint8_t value) {
  // Only select and subsel are writable; the driver writes them, then reads
  // size and the answer.
  if (offset == 0) select_ = value;
  else if (offset == 1) subsel_ = value;
  else return;
  answer();
}

void VirtioInput::set_bits(const std::vector<uint16_t>& codes) {
  unsigned size = 0;
  for (uint16_t c : codes) {
    if (c / 8 >= 128) continue;
    config_[8 + c / 8] |= static_cast<uint8_t>(1u << (c % 8));
    size = std::max(size, c / 8u + 1);
  }
  config_[2] = static_cast<uint8_t>(size);
}

void VirtioInput::answer() {
  config_.fill(0);
  auto string = [this](const std::string& s) {
    size_t n = std::min<size_t>(s.size(), 128);
    std::memcpy(&config_[8], s.data(), n);
    config_[2] = static_cast<uint8_t>(n);
  };
  switch (select_) {
    case kCfgIdName:
      if (subsel_ == 0) string(device_name(kind_));
      break;
    case kCfgIdSerial:
      if (subsel_ == 0) string(serial_);
      break;
    case kCfgIdDevids:
      if (subsel_ == 0) {
        // BUS_VIRTUAL, vendor 0x0627 (QEMU's), product 1/2/3 as QEMU's; the
        // pointers are QEMU's version 2 devices (with the wheel axis).
        put_le(&config_[8], 0x0006, 2);
        put_le(&config_[10], 0x0627, 2);
        put_le(&config_[12], static_cast<uint32_t>(kind_) + 1, 2);
        put_le(&config_[14], kind_ == Kind::kKeyboard ? 1 : 2, 2);
        config_[2] = 8;
      }
      break;
    case kCfgEvBits: answer_ev_bits(); break;
    case kCfgAbsInfo:
      if (kind_ == Kind::kTablet && (subsel_ == kAbsX || subsel_ == kAbsY)) {
        put_le(&config_[8], 0, 4);                 // min
        put_le(&config_[12], kInputAbsMax, 4);     // max (fuzz, flat, res: 0)
        config_[2] = 20;
      }
      break;
    default: break;  // kCfgUnset, kCfgPropBits (no properties) and unknown: size 0
  }
}

void VirtioInput::answer_ev_bits() {
  std::vector<uint16_t> codes;
  switch (subsel_) {
    case kEvKey:
      if (kind_ == Kind::kKeyboard) {
        for (const QcodeKey& k : qcode_keys()) codes.push_back(k.linux_code);
      } else {
        codes = kPointerKeys;
      }
      break;
    case kEvRel:
      if (kind_ == Kind::kMouse) codes = {kRelX, kRelY, kRelWheel};
      if (kind_ == Kind::kTablet) codes = {kRelWheel};
      break;
    case kEvAbs:
      if (kind_ == Kind::kTablet) codes = {kAbsX, kAbsY};
      break;
    case kEvLed:
      if (kind_ == Kind::kKeyboard) codes = {kLedNum, kLedCaps, kLedScroll};
      break;
    case kEvRep:
      // Size 1, no bits: the guest repeats held keys itself.
      if (kind_ == Kind::kKeyboard) config_[2] = 1;
      return;
    default: break;
  }
  set_bits(codes);
}

// ---- events ----

void VirtioInput::input_event(const InputEvent& e) {
  switch (e.type) {
    case InputEvent::kKey:
      if (kind_ == Kind::kKeyboard && e.code) batch_.push_back({kEvKey, e.code, e.value ? 1u : 0u});
      break;
    case InputEvent::kButton:
      if (kind_ == Kind::kKeyboard) break;
      if (e.code == kButtonWheelUp || e.code == kButtonWheelDown) {
        // The wheel moves one notch per press (releases say nothing).
        if (e.value) batch_.push_back({kEvRel, kRelWheel, e.code == kButtonWheelUp ? 1u : static_cast<uint32_t>(-1)});
      } else if (uint16_t code = button_code(e.code)) {
        batch_.push_back({kEvKey, code, e.value ? 1u : 0u});
      }
      break;
    case InputEvent::kRel:
      if (kind_ == Kind::kMouse && e.code <= kAxisY)
        batch_.push_back({kEvRel, e.code == kAxisX ? kRelX : kRelY, static_cast<uint32_t>(e.value)});
      break;
    case InputEvent::kAbs:
      if (kind_ == Kind::kTablet && e.code <= kAxisY) {
        int32_t v = std::clamp(e.value, 0, kInputAbsMax);
        batch_.push_back({kEvAbs, e.code == kAxisX ? kAbsX : kAbsY, static_cast<uint32_t>(v)});
      }
      break;
  }
}

void VirtioInput::input_sync() {
  if (batch_.empty()) return;
  batch_.push_back({kEvSyn, kSynReport, 0});
  if (pending_.size() + batch_.size() > kMaxPending) {
    dropped_ += batch_.size();  // the whole batch: the guest never sees half of one
  } else {
    pending_.insert(pending_.end(), batch_.begin(), batch_.end());
  }
  batch_.clear();
  flush();
}

void VirtioInput::flush() {
  VirtQueue* q = queue_host() ? queue_host()->live_queue(kEventQueue) : nullptr;
  if (!q) return;
  while (!pending_.empty()) {
    VirtqElement e;
    if (q->pop(e) != VirtQueue::Pop::kElement) return;
    const Event& ev = pending_.front();
    uint8_t bytes[8];
    put_le(bytes, ev.type, 2);
    put_le(bytes + 2, ev.code, 2);
    put_le(bytes + 4, ev.value, 4);
    uint64_t n = queue_host()->copy_to_guest(kEventQueue, e, 0, bytes, sizeof bytes);
    queue_host()->complete(kEventQueue, e, n);
    pending_.pop_front();
  }
}

void VirtioInput::take_status(VirtQueue& q) {
  VirtqElement e;
  while (q.pop(e) == VirtQueue::Pop::kElement) {
    uint8_t b[8] = {};
    if (q.copy_from_guest(e, 0, b, sizeof b) == sizeof b) {
      uint16_t type = static_cast<uint16_t>(b[0] | b[1] << 8), code = static_cast<uint16_t>(b[2] | b[3] << 8);
      bool on = (b[4] | b[5] | b[6] | b[7]) != 0;
      if (kind_ == Kind::kKeyboard && type == kEvLed && code <= kLedScroll)
        leds_ = static_cast<uint8_t>(on ? leds_ | 1u << code : leds_ & ~(1u << code));
    }
    q.push(e, 0);
  }
}

void VirtioInput::notify(unsigned queue, VirtQueue& q) {
  if (queue == kStatusQueue) return take_status(q);
  (void)q;
  flush();  // the driver added event buffers
}

void VirtioInput::reset() {
  batch_.clear();
  pending_.clear();
  leds_ = 0;
  select_ = subsel_ = 0;
  config_.fill(0);
}

void VirtioInput::save(ByteWriter& w) const {
  w.section("virtio_input");
  w.u8(static_cast<uint8_t>(kind_));
  w.u8(select_);
  w.u8(subsel_);
  w.u8(leds_);
  w.u32(static_cast<uint32_t>(pending_.size()));
  for (const Event& e : pending_) {
    w.u32(e.type | uint32_t{e.code} << 16);
    w.u32(e.value);
  }
}

void VirtioInput::load(ByteReader& r) {
  r.expect_section("virtio_input");
  if (r.u8() != static_cast<uint8_t>(kind_)) throw DecodeError("virtio-input: saved as another kind of device");
  select_ = r.u8();
  subsel_ = r.u8();
  leds_ = r.u8();
  uint32_t n = r.u32();
  if (n > kMaxPending) throw DecodeError("virtio-input: too many pending events");
  pending_.clear();
  batch_.clear();
  for (uint32_t i = 0; i < n; ++i) {
    Event e;
    uint32_t tc = r.u32();
    e.type = static_cast<uint16_t>(tc);
    e.code = static_cast<uint16_t>(tc >> 16);
    e.value = r.u32();
    pending_.push_back(e);
  }
  answer();
}

}  // namespace rwd
