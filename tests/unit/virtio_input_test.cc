// virtio-input (hw/virtio/virtio_input.h) through the virtio-mmio transport,
// the InputRouter that feeds it (ui/input.h), the qcode table and the
// monitor's input commands (ui/input_commands.h).
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <random>
#include <sstream>

#include "hw/virtio/virtio_input.h"
#include "monitor/qmp_input.h"
#include "ui/input_commands.h"
#include "ui/qcode_keymap.h"
#include "virtio_driver.h"

namespace rwd::test {
namespace {

using Kind = VirtioInput::Kind;
constexpr uint64_t kConfig = 0x100;
// The status queue's rings, apart from the event queue's (kDesc...).
constexpr uint64_t kSDesc = kRam + 0x4000, kSAvail = kRam + 0x5000, kSUsed = kRam + 0x6000, kSBuf = kRam + 0x20000;
constexpr uint16_t kKeyA = 30;

struct InputFixture {
  VirtioDriver d;
  VirtioInput* dev = nullptr;
  explicit InputFixture(Kind k, const std::string& serial = "") {
    auto p = std::make_unique<VirtioInput>(k, "virtio-x-device", serial);
    dev = p.get();
    d.plug(std::move(p));
  }
  // The driver's setup: both queues, 8 entries each, then DRIVER_OK.
  void start() {
    d.negotiate();
    d.setup_queue();
    d.wr(kQueueSel, 1);
    d.wr(kQueueNum, 8);
    d.wr(kDescLo, static_cast<uint32_t>(kSDesc));
    d.wr(kDescHi, 0);
    d.wr(kAvailLo, static_cast<uint32_t>(kSAvail));
    d.wr(kAvailHi, 0);
    d.wr(kUsedLo, static_cast<uint32_t>(kSUsed));
    d.wr(kUsedHi, 0);
    d.wr(kQueueReady, 1);
    d.wr(kStatus, 1 | 2 | 8 | 4);
  }
  // Posts `n` device-writable 8-byte event buffers (descriptors first..).
  void post_buffers(unsigned n, unsigned first = 0) {
    for (unsigned i = first; i < first + n; ++i) {
      d.set_desc(i % 8, {kBuf + 8ull * (i % 8), 8, kWrite, 0});
      d.post(static_cast<uint16_t>(i % 8));
    }
  }
  struct Ev {
    uint16_t type, code;
    uint32_t value;
    bool operator==(const Ev& o) const { return type == o.type && code == o.code && value == o.value; }
  };
  // The events in used entries [from, to).
  std::vector<Ev> used_events(unsigned from, unsigned to) {
    std::vector<Ev> out;
    for (unsigned i = from; i < to; ++i) {
      auto [id, len] = d.used_elem(i);
      EXPECT_EQ(len, 8u);
      uint8_t b[8];
      EXPECT_TRUE(d.as.read_bytes(kBuf + 8ull * id, b, 8));
      out.push_back({static_cast<uint16_t>(b[0] | b[1] << 8), static_cast<uint16_t>(b[2] | b[3] << 8),
                     static_cast<uint32_t>(b[4] | b[5] << 8 | b[6] << 16 | static_cast<uint32_t>(b[7]) << 24)});
    }
    return out;
  }
  // Config space: select, subsel, then size and the answer's bytes.
  std::vector<uint8_t> query(uint8_t select, uint8_t subsel) {
    d.dev->write(kConfig + 0, 1, select);
    d.dev->write(kConfig + 1, 1, subsel);
    uint8_t size = static_cast<uint8_t>(d.dev->read(kConfig + 2, 1));
    std::vector<uint8_t> out;
    for (unsigned i = 0; i < size; ++i) out.push_back(static_cast<uint8_t>(d.dev->read(kConfig + 8 + i, 1)));
    return out;
  }
  static bool bit(const std::vector<uint8_t>& bits, unsigned n) {
    return n / 8 < bits.size() && (bits[n / 8] >> (n % 8)) & 1;
  }
};

std::string text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

TEST(VirtioInputConfig, NamesSerialAndIdsAsQemu) {
  InputFixture kbd(Kind::kKeyboard, "kbd-1"), mouse(Kind::kMouse), tablet(Kind::kTablet);
  EXPECT_EQ(kbd.d.rd(kDeviceId), 18u);
  EXPECT_EQ(text(kbd.query(virtio_input::kCfgIdName, 0)), "QEMU Virtio Keyboard");
  EXPECT_EQ(text(mouse.query(virtio_input::kCfgIdName, 0)), "QEMU Virtio Mouse");
  EXPECT_EQ(text(tablet.query(virtio_input::kCfgIdName, 0)), "QEMU Virtio Tablet");
  EXPECT_EQ(text(kbd.query(virtio_input::kCfgIdSerial, 0)), "kbd-1");
  EXPECT_TRUE(mouse.query(virtio_input::kCfgIdSerial, 0).empty());
  // bustype BUS_VIRTUAL, vendor 0x0627, product 1/2/3, version 1 or 2.
  EXPECT_EQ(kbd.query(virtio_input::kCfgIdDevids, 0), (std::vector<uint8_t>{6, 0, 0x27, 6, 1, 0, 1, 0}));
  EXPECT_EQ(tablet.query(virtio_input::kCfgIdDevids, 0), (std::vector<uint8_t>{6, 0, 0x27, 6, 3, 0, 2, 0}));
  EXPECT_TRUE(kbd.query(virtio_input::kCfgPropBits, 0).empty());
  EXPECT_TRUE(kbd.query(0x7f, 0).empty());  // an unknown select answers size 0
  EXPECT_TRUE(kbd.query(virtio_input::kCfgIdName, 1).empty());
  // select and subsel read back.
  EXPECT_EQ(kbd.d.dev->read(kConfig, 1), 1u * virtio_input::kCfgIdName);
  EXPECT_EQ(kbd.d.dev->read(kConfig + 1, 1), 1u);
}

TEST(VirtioInputConfig, EventBitsPerKind) {
  InputFixture kbd(Kind::kKeyboard), mouse(Kind::kMouse), tablet(Kind::kTablet);
  auto keys = kbd.query(virtio_input::kCfgEvBits, virtio_input::kEvKey);
  for (const QcodeKey& k : qcode_keys()) EXPECT_TRUE(InputFixture::bit(keys, k.linux_code)) << k.name;
  EXPECT_FALSE(InputFixture::bit(keys, 0));
  EXPECT_FALSE(InputFixture::bit(keys, virtio_input::kBtnLeft));
  EXPECT_EQ(kbd.query(virtio_input::kCfgEvBits, virtio_input::kEvLed), (std::vector<uint8_t>{7}));
  EXPECT_EQ(kbd.query(virtio_input::kCfgEvBits, virtio_input::kEvRep).size(), 1u);
  EXPECT_TRUE(kbd.query(virtio_input::kCfgEvBits, virtio_input::kEvRel).empty());

  auto buttons = mouse.query(virtio_input::kCfgEvBits, virtio_input::kEvKey);
  for (uint16_t b : {virtio_input::kBtnLeft, virtio_input::kBtnRight, virtio_input::kBtnMiddle,
                     virtio_input::kBtnSide, virtio_input::kBtnExtra})
    EXPECT_TRUE(InputFixture::bit(buttons, b));
  EXPECT_FALSE(InputFixture::bit(buttons, kKeyA));
  auto rel = mouse.query(virtio_input::kCfgEvBits, virtio_input::kEvRel);
  EXPECT_EQ(rel, (std::vector<uint8_t>{0x03, 0x01}));  // REL_X, REL_Y, REL_WHEEL
  EXPECT_TRUE(mouse.query(virtio_input::kCfgEvBits, virtio_input::kEvAbs).empty());

  EXPECT_EQ(tablet.query(virtio_input::kCfgEvBits, virtio_input::kEvAbs), (std::vector<uint8_t>{0x03}));
  EXPECT_EQ(tablet.query(virtio_input::kCfgEvBits, virtio_input::kEvRel), (std::vector<uint8_t>{0x00, 0x01}));
  auto abs = tablet.query(virtio_input::kCfgAbsInfo, virtio_input::kAbsY);
  ASSERT_EQ(abs.size(), 20u);
  uint32_t minmax[2];
  std::memcpy(minmax, abs.data(), 8);
  EXPECT_EQ(minmax[0], 0u);
  EXPECT_EQ(minmax[1], 0x7fffu);
  EXPECT_TRUE(tablet.query(virtio_input::kCfgAbsInfo, 5).empty());
  EXPECT_TRUE(mouse.query(virtio_input::kCfgAbsInfo, 0).empty());
}

TEST(VirtioInputEvents, KeyBatchEndsWithSynReport) {
  InputFixture f(Kind::kKeyboard);
  f.start();
  f.post_buffers(4);
  InputRouter router;
  router.add_handler(f.dev);
  router.send({{InputEvent::kKey, kKeyA, 1}});
  ASSERT_EQ(f.d.used_idx(), 2);
  EXPECT_TRUE(f.d.irq.level);
  EXPECT_EQ(f.used_events(0, 2), (std::vector<InputFixture::Ev>{{1, kKeyA, 1}, {0, 0, 0}}));
}

TEST(VirtioInputEvents, WithoutBuffersEventsWaitThenDropBeyondTheBound) {
  InputFixture f(Kind::kKeyboard);
  f.start();
  InputRouter router;
  router.add_handler(f.dev);
  router.send({{InputEvent::kKey, kKeyA, 1}});
  router.send({{InputEvent::kKey, kKeyA, 0}});
  EXPECT_EQ(f.d.used_idx(), 0);
  EXPECT_EQ(f.dev->pending(), 4u);
  f.post_buffers(3);  // the driver adds buffers: the device fills them at once
  EXPECT_EQ(f.d.used_idx(), 3);
  EXPECT_EQ(f.used_events(0, 3), (std::vector<InputFixture::Ev>{{1, kKeyA, 1}, {0, 0, 0}, {1, kKeyA, 0}}));
  EXPECT_EQ(f.dev->pending(), 1u);
  // Fill the bound: whole batches are kept or dropped.
  for (size_t i = 0; i < VirtioInput::kMaxPending; ++i) router.send({{InputEvent::kKey, kKeyA, int32_t(i & 1)}});
  EXPECT_LE(f.dev->pending(), VirtioInput::kMaxPending);
  EXPECT_EQ(f.dev->pending() % 2, 1u);  // the old SYN plus pairs
  EXPECT_GT(f.dev->dropped(), 0u);
}

TEST(VirtioInputEvents, StatusQueueKeepsTheLeds) {
  InputFixture f(Kind::kKeyboard);
  f.start();
  auto send_status = [&](uint16_t idx, uint16_t code, uint32_t value) {
    uint8_t ev[8] = {0x11, 0, static_cast<uint8_t>(code), 0};
    std::memcpy(ev + 4, &value, 4);
    ASSERT_TRUE(f.d.as.write_bytes(kSBuf + 8ull * idx, ev, 8));
    f.d.set_desc(idx, {kSBuf + 8ull * idx, 8, 0, 0}, kSDesc);
    f.d.poke<uint16_t>(kSAvail + 4 + 2 * idx, idx);
    f.d.poke<uint16_t>(kSAvail + 2, static_cast<uint16_t>(idx + 1));
    f.d.wr(kQueueNotify, 1);
  };
  send_status(0, 1, 1);  // caps lock on
  send_status(1, 0, 1);  // num lock on
  send_status(2, 1, 0);  // caps lock off
  EXPECT_EQ(f.dev->leds(), 1);
  EXPECT_EQ(f.d.peek<uint16_t>(kSUsed + 2), 3);  // every buffer went back
}

TEST(VirtioInputEvents, PointerEvents) {
  InputFixture mouse(Kind::kMouse), tablet(Kind::kTablet);
  mouse.start();
  tablet.start();
  mouse.post_buffers(8);
  tablet.post_buffers(8);
  InputRouter router;
  router.add_handler(&*mouse.dev);
  router.add_handler(&*tablet.dev);
  EXPECT_FALSE(router.pointer_absolute());  // the mouse came first
  router.send({{InputEvent::kRel, kAxisX, -3}, {InputEvent::kButton, kButtonWheelDown, 1},
               {InputEvent::kButton, kButtonRight, 1}});
  EXPECT_EQ(mouse.used_events(0, mouse.d.used_idx()),
            (std::vector<InputFixture::Ev>{{2, 0, uint32_t(-3)}, {2, 8, uint32_t(-1)}, {1, 0x111, 1}, {0, 0, 0}}));
  router.send({{InputEvent::kAbs, kAxisX, 0x4000}, {InputEvent::kAbs, kAxisY, 0x9999}});
  EXPECT_EQ(tablet.used_events(0, tablet.d.used_idx()),
            (std::vector<InputFixture::Ev>{{3, 0, 0x4000}, {3, 1, 0x7fff}, {0, 0, 0}}));
}

TEST(VirtioInputState, SaveLoadKeepsPendingLedsAndSelect) {
  InputFixture a(Kind::kKeyboard), b(Kind::kKeyboard);
  a.start();
  InputRouter router;
  router.add_handler(a.dev);
  router.send({{InputEvent::kKey, kKeyA, 1}});
  a.query(virtio_input::kCfgIdName, 0);
  ByteWriter w;
  a.dev->save(w);
  ByteReader r(w.data().data(), w.data().size());
  b.dev->load(r);
  EXPECT_EQ(b.dev->pending(), 2u);
  EXPECT_EQ(b.d.dev->read(kConfig + 2, 1), 20u);  // the name's answer is back
  InputFixture tablet(Kind::kTablet);
  ByteReader r2(w.data().data(), w.data().size());
  EXPECT_THROW(tablet.dev->load(r2), DecodeError);
}

TEST(VirtioInputState, ResetDropsPendingEvents) {
  InputFixture f(Kind::kKeyboard);
  f.start();
  InputRouter router;
  router.add_handler(f.dev);
  router.send({{InputEvent::kKey, kKeyA, 1}});
  f.d.wr(kStatus, 0);
  EXPECT_EQ(f.dev->pending(), 0u);
}

// A hostile driver: random register and config writes, random ring
// contents in RAM, input arriving all the while. Nothing may fault, and the
// device never holds more than its bound.
TEST(VirtioInputGarbage, RandomDriverAndInputFaultNothing) {
  for (Kind kind : {Kind::kKeyboard, Kind::kTablet}) {
    InputFixture f(kind);
    f.start();
    InputRouter router;
    router.add_handler(f.dev);
    std::mt19937 rng(18);
    for (int i = 0; i < 20000; ++i) {
      switch (rng() % 5) {
        case 0: f.d.wr((rng() % 0x100) & ~3u, static_cast<uint32_t>(rng() % 4 ? rng() % 16 : rng())); break;
        case 1: f.d.poke<uint32_t>(kRam + 0x1000 + (rng() % 0x6000 & ~3u), static_cast<uint32_t>(rng())); break;
        case 2:
          f.d.dev->write(kConfig + rng() % 0x100, 1, rng() % 0x20);
          f.d.dev->read(kConfig + rng() % 0x100, 1);
          break;
        case 3: f.d.wr(kQueueNotify, rng() % 3); break;
        default:
          router.send({{InputEvent::kKey, static_cast<uint16_t>(rng() % 300), int32_t(rng() % 2)},
                       {InputEvent::kAbs, static_cast<uint16_t>(rng() % 3), static_cast<int32_t>(rng())},
                       {InputEvent::kButton, static_cast<uint16_t>(rng() % 9), 1}});
      }
      ASSERT_LE(f.dev->pending(), VirtioInput::kMaxPending);
    }
  }
}

TEST(VirtioInputEvents, AShortBufferGetsWhatFits) {
  InputFixture f(Kind::kKeyboard);
  f.start();
  f.d.set_desc(0, {kBuf, 4, kWrite, 0});
  f.d.post(0);
  InputRouter router;
  router.add_handler(f.dev);
  router.send({{InputEvent::kKey, kKeyA, 1}});
  ASSERT_EQ(f.d.used_idx(), 1);
  EXPECT_EQ(f.d.used_elem(0).second, 4u);
  EXPECT_EQ(f.dev->pending(), 1u);  // the SYN waits for the next buffer
}

// ---- the router ----

struct RecordingHandler : InputHandler {
  std::string name;
  unsigned types;
  std::vector<InputEvent> got;
  int syncs = 0;
  RecordingHandler(std::string n, unsigned t) : name(std::move(n)), types(t) {}
  std::string input_name() const override { return name; }
  unsigned input_types() const override { return types; }
  void input_event(const InputEvent& e) override { got.push_back(e); }
  void input_sync() override { ++syncs; }
};

// A replay's input path, reduced to what the router sees: it can hand the
// router recorded bytes.
struct CapturePath : InputPath {
  InputReceiver* receiver = nullptr;
  bool is_live = true;
  struct Channel : InputChannel {
    CapturePath& p;
    explicit Channel(CapturePath& path) : p(path) {}
    size_t submit(const uint8_t* data, size_t len) override {
      if (p.is_live) p.receiver->receive_input(data, len);
      return len;
    }
    bool live() const override { return p.is_live; }
  };
  std::unique_ptr<InputChannel> open(EventKind kind, uint8_t, InputReceiver& r) override {
    EXPECT_EQ(kind, EventKind::kInputEvents);
    receiver = &r;
    return std::make_unique<Channel>(*this);
  }
};

TEST(InputRouterTest, EachEventGoesToTheFirstHandlerThatTakesItsType) {
  RecordingHandler kbd("k", InputEvent::bit(InputEvent::kKey));
  RecordingHandler tablet("t", InputEvent::bit(InputEvent::kButton) | InputEvent::bit(InputEvent::kAbs));
  RecordingHandler mouse("m", InputEvent::bit(InputEvent::kButton) | InputEvent::bit(InputEvent::kRel));
  InputRouter router;
  router.add_handler(&kbd);
  router.add_handler(&tablet);
  router.add_handler(&mouse);
  EXPECT_TRUE(router.pointer_absolute());
  router.send({{InputEvent::kKey, 30, 1}, {InputEvent::kRel, kAxisX, 5}, {InputEvent::kButton, kButtonLeft, 1}});
  EXPECT_EQ(kbd.got.size(), 1u);
  EXPECT_EQ(mouse.got.size(), 1u);
  EXPECT_EQ(tablet.got.size(), 1u);  // the button: the tablet is the first pointer
  EXPECT_EQ(kbd.syncs + tablet.syncs + mouse.syncs, 3);
}

TEST(InputRouterTest, EncodingRoundTripsAndCorruptRecordingIsAMismatch) {
  std::vector<InputEvent> batch = {{InputEvent::kKey, 0x1d, 1}, {InputEvent::kAbs, kAxisY, 0x7fff},
                                   {InputEvent::kRel, kAxisX, -70000}};
  std::vector<uint8_t> bytes = InputRouter::encode(batch);
  EXPECT_EQ(bytes.size(), 21u);
  std::vector<InputEvent> back;
  ASSERT_TRUE(InputRouter::decode(bytes.data(), bytes.size(), back));
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[2].value, -70000);

  CapturePath path;
  RecordingHandler kbd("k", InputEvent::bit(InputEvent::kKey));
  InputRouter router;
  router.add_handler(&kbd);
  router.attach(path);
  ASSERT_NE(path.receiver, nullptr);
  uint8_t bad_type[7] = {9, 30, 0, 1, 0, 0, 0};
  EXPECT_THROW(path.receiver->receive_input(bad_type, sizeof bad_type), InputMismatch);
  EXPECT_THROW(path.receiver->receive_input(bytes.data(), bytes.size() - 1), InputMismatch);
  path.receiver->receive_input(bytes.data(), bytes.size());
  EXPECT_EQ(kbd.got.size(), 1u);
  // On replay, live input is dropped.
  path.is_live = false;
  EXPECT_FALSE(router.live());
  router.send({{InputEvent::kKey, 30, 1}});
  EXPECT_EQ(kbd.got.size(), 1u);
}

// ---- keys and the monitor's commands ----

TEST(QcodeKeymap, NamesAndNumbers) {
  EXPECT_EQ(qcode_to_linux("a"), 30);
  EXPECT_EQ(qcode_to_linux("ctrl"), 29);
  EXPECT_EQ(qcode_to_linux("ret"), 28);
  EXPECT_EQ(qcode_to_linux("kp_enter"), 96);
  EXPECT_EQ(qcode_to_linux("f12"), 88);
  EXPECT_EQ(qcode_to_linux("A"), 0);  // case-sensitive, as QEMU
  EXPECT_EQ(qcode_to_linux("f13"), 0);  // not in QEMU 7.2
  EXPECT_EQ(qnum_to_linux(0x1e), 30);
  EXPECT_EQ(qnum_to_linux(0x9d), 97);  // ctrl_r: e0 1d
  EXPECT_EQ(qnum_to_linux(0xc8), 103);  // up
  EXPECT_EQ(qnum_to_linux(0x1ff), 0);
  // Every name once; the numbers agree with the names for the plain keys.
  for (size_t i = 0; i < qcode_keys().size(); ++i)
    for (size_t j = i + 1; j < qcode_keys().size(); ++j)
      EXPECT_STRNE(qcode_keys()[i].name, qcode_keys()[j].name);
}

struct CommandsFixture : ::testing::Test {
  RecordingHandler kbd{"QEMU Virtio Keyboard", InputEvent::bit(InputEvent::kKey)};
  RecordingHandler tablet{"QEMU Virtio Tablet", InputEvent::bit(InputEvent::kButton) | InputEvent::bit(InputEvent::kAbs)};
  RecordingHandler mouse{"QEMU Virtio Mouse", InputEvent::bit(InputEvent::kButton) | InputEvent::bit(InputEvent::kRel)};
  InputRouter router;
  std::vector<std::pair<unsigned, std::function<void()>>> timers;
  InputCommands cmds{router, [this](unsigned ms, std::function<void()> cb) { timers.emplace_back(ms, cb); }};
  void SetUp() override {
    router.add_handler(&tablet);
    router.add_handler(&kbd);
    router.add_handler(&mouse);
  }
  std::string hmp(const std::string& line) {
    std::vector<std::string> w;
    std::stringstream ss(line);
    for (std::string s; ss >> s;) w.push_back(s);
    return cmds.hmp(w);
  }
};

TEST_F(CommandsFixture, SendkeyPressesInOrderAndReleasesInReverseLater) {
  EXPECT_EQ(hmp("sendkey ctrl-alt-f1 250"), "");
  ASSERT_EQ(kbd.got.size(), 3u);
  EXPECT_EQ(kbd.got[0].code, 29);
  EXPECT_EQ(kbd.got[2].code, 59);
  EXPECT_EQ(kbd.syncs, 1);
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].first, 250u);
  timers[0].second();
  ASSERT_EQ(kbd.got.size(), 6u);
  EXPECT_EQ(kbd.got[3].code, 59);
  EXPECT_EQ(kbd.got[3].value, 0);
  EXPECT_EQ(kbd.got[5].code, 29);
  EXPECT_EQ(kbd.syncs, 2);
  EXPECT_EQ(hmp("sendkey 0x1e"), "");
  EXPECT_EQ(timers.back().first, 100u);
  EXPECT_EQ(kbd.got.back().code, 30);
}

TEST_F(CommandsFixture, SendkeyErrorsAsQemu) {
  EXPECT_EQ(hmp("sendkey foo"), "invalid parameter: foo\n");
  EXPECT_EQ(hmp("sendkey ctrl-"), "invalid parameter: \n");
  EXPECT_EQ(hmp("sendkey A"), "invalid parameter: A\n");
  EXPECT_EQ(hmp("sendkey 0xzz"), "invalid parameter: 0xzz\n");
  EXPECT_EQ(hmp("sendkey"), "sendkey: string expected\nTry \"help sendkey\" for more information\n");
  EXPECT_EQ(hmp("sendkey a x"), "invalid char 'x' in expression\nTry \"help sendkey\" for more information\n");
  EXPECT_TRUE(kbd.got.empty());
}

TEST_F(CommandsFixture, MouseCommands) {
  EXPECT_EQ(hmp("mouse_move 5 -7 1"), "");
  ASSERT_EQ(mouse.got.size(), 2u);  // the motion; the wheel went to the tablet (first button taker)
  EXPECT_EQ(mouse.got[1].value, -7);
  EXPECT_EQ(tablet.got.size(), 2u);
  EXPECT_EQ(tablet.got[0].code, kButtonWheelUp);
  EXPECT_EQ(hmp("mouse_move 1"), "mouse_move: string expected\nTry \"help mouse_move\" for more information\n");
  tablet.got.clear();
  EXPECT_EQ(hmp("mouse_button 3"), "");
  ASSERT_EQ(tablet.got.size(), 2u);
  EXPECT_EQ(tablet.got[0].code, kButtonLeft);
  EXPECT_EQ(tablet.got[1].code, kButtonRight);
  EXPECT_EQ(hmp("mouse_button 3"), "");  // no change, nothing sent
  EXPECT_EQ(tablet.got.size(), 2u);
  EXPECT_EQ(hmp("mouse_button 4"), "");  // left and right up, middle down
  ASSERT_EQ(tablet.got.size(), 5u);
  EXPECT_EQ(tablet.got[4].code, kButtonMiddle);
  EXPECT_EQ(tablet.got[4].value, 1);
  EXPECT_EQ(hmp("mouse_button"), "unexpected end of expression\nTry \"help mouse_button\" for more information\n");
  EXPECT_EQ(hmp("mouse_button z"), "invalid char 'z' in expression\nTry \"help mouse_button\" for more information\n");
}

TEST_F(CommandsFixture, InfoMiceAsQemu) {
  // QEMU 7.2 with -device virtio-tablet-device -device virtio-keyboard-device -device virtio-mouse-device.
  EXPECT_EQ(cmds.info_mice(), "  Mouse #3: QEMU Virtio Mouse\n* Mouse #1: QEMU Virtio Tablet (absolute)\n");
  InputRouter empty;
  InputCommands none(empty, nullptr);
  EXPECT_EQ(none.info_mice(), "No mouse devices connected\n");
}

TEST_F(CommandsFixture, QmpSendKeyAndInputSendEvent) {
  auto json = [](const char* text) {
    Json j;
    std::string err;
    EXPECT_TRUE(Json::parse(text, j, err)) << err;
    return j;
  };
  EXPECT_EQ(qmp_send_key(cmds, json(R"({"keys": [{"type": "qcode", "data": "ctrl"}, {"type": "number", "data": 30}],
                                        "hold-time": 5})")), "");
  ASSERT_EQ(kbd.got.size(), 2u);
  EXPECT_EQ(kbd.got[0].code, 29);
  EXPECT_EQ(kbd.got[1].code, 30);
  EXPECT_EQ(timers.back().first, 5u);
  // QEMU 7.2's messages.
  EXPECT_EQ(qmp_send_key(cmds, json(R"({"keys": [{"type": "qcode", "data": "nokey"}]})")),
            "Parameter 'data' does not accept value 'nokey'");
  EXPECT_EQ(qmp_send_key(cmds, json(R"({"keys": [{"type": "number", "data": "x"}]})")),
            "Invalid parameter type for 'keys[0].data', expected: integer");
  EXPECT_EQ(qmp_input_send_event(cmds, json(R"({"events": [{"type": "btn", "data": {"down": true, "button": "foo"}}]})")),
            "Parameter 'button' does not accept value 'foo'");
  EXPECT_EQ(qmp_input_send_event(cmds, json(R"({"events": [{"type": "rel", "data": {"axis": "x"}}]})")),
            "Parameter 'events[0].data.value' is missing");
  EXPECT_EQ(kbd.got.size(), 2u);  // nothing sent by the bad ones
  EXPECT_EQ(qmp_input_send_event(cmds, json(R"({"events": [{"type": "abs", "data": {"axis": "y", "value": 77}},
                                                           {"type": "btn", "data": {"down": true, "button": "side"}}]})")),
            "");
  ASSERT_EQ(tablet.got.size(), 2u);
  EXPECT_EQ(tablet.got[0].type, InputEvent::kAbs);
  EXPECT_EQ(tablet.got[0].value, 77);
  EXPECT_EQ(tablet.got[1].code, kButtonSide);
  EXPECT_EQ(tablet.syncs, 1);
}

}  // namespace
}  // namespace rwd::test
