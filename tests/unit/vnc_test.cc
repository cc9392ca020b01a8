// The VNC server (ui/vnc*): its option parser, the US keysym map, the input
// mapping, and the server itself seen by a small RFB 3.8 client written here
// on a Unix socket: the framebuffer a client receives (raw and zlib), the
// desktop-size change, the input batches the guest gets, the replay case
// (client input ignored) and hostile clients.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/input-event-codes.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "ui/display.h"
#include "ui/input.h"
#include "ui/vnc.h"
#include "ui/vnc_input.h"
#include "ui/vnc_keymap.h"
#include "ui/vnc_message.h"
#include "ui/vnc_options.h"
#include "util/host_loop.h"

using namespace rwd;

namespace {

// ---- options ---------------------------------------------------------------

VncOptions parse_ok(const std::string& arg) {
  VncOptions o;
  std::string err;
  EXPECT_TRUE(parse_vnc_options(arg, o, err)) << arg << ": " << err;
  return o;
}

std::string parse_err(const std::string& arg) {
  VncOptions o;
  std::string err;
  EXPECT_FALSE(parse_vnc_options(arg, o, err)) << arg;
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  return err;
}

TEST(VncOptions, Addresses) {
  VncOptions o = parse_ok(":3");
  EXPECT_EQ(o.kind, VncOptions::Kind::kTcp);
  EXPECT_EQ(o.host, "");
  EXPECT_EQ(o.display, 3);
  EXPECT_EQ(o.websocket_port, -1);
  o = parse_ok("127.0.0.1:0");
  EXPECT_EQ(o.host, "127.0.0.1");
  o = parse_ok("[::1]:2");
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.display, 2);
  o = parse_ok("unix:/tmp/x.sock");
  EXPECT_EQ(o.kind, VncOptions::Kind::kUnix);
  EXPECT_EQ(o.path, "/tmp/x.sock");
  EXPECT_EQ(parse_ok("none").kind, VncOptions::Kind::kNone);
}

TEST(VncOptions, Options) {
  VncOptions o = parse_ok(":7,websocket=on,password=off,share=force-shared,to=9,lossy=on");
  EXPECT_EQ(o.websocket_port, 5707);
  EXPECT_EQ(o.share, VncOptions::Share::kForceShared);
  EXPECT_EQ(o.to, 9);
  EXPECT_EQ(parse_ok(":1,websocket=6080").websocket_port, 6080);
  EXPECT_EQ(parse_ok("unix:/tmp/s,websocket=6081").websocket_port, 6081);
  EXPECT_EQ(parse_ok(":1,share=ignore").share, VncOptions::Share::kIgnore);
  EXPECT_EQ(parse_ok(":1,connections=4").connections, 4);
}

TEST(VncOptions, Errors) {
  EXPECT_NE(parse_err("bogus").find("no vnc port specified"), std::string::npos);
  EXPECT_NE(parse_err(":abc").find("can't convert to a number: abc"), std::string::npos);
  EXPECT_NE(parse_err(":-1").find("can't convert"), std::string::npos);
  EXPECT_NE(parse_err(":70000").find("out of range"), std::string::npos);
  EXPECT_NE(parse_err(":1,password=on").find("password=on is not supported"), std::string::npos);
  EXPECT_NE(parse_err(":1,password").find("password=on is not supported"), std::string::npos);
  EXPECT_NE(parse_err(":1,foo=bar").find("Invalid parameter 'foo'"), std::string::npos);
  EXPECT_NE(parse_err(":1,share=bogus").find("unknown vnc share= option"), std::string::npos);
  EXPECT_NE(parse_err(":1,to=x").find("'to' expects a number"), std::string::npos);
  EXPECT_NE(parse_err(":5,to=3").find("below the display"), std::string::npos);
  EXPECT_NE(parse_err(":1,websocket=99999").find("websocket must be"), std::string::npos);
  EXPECT_NE(parse_err("unix:/tmp/s,websocket=on").find("websocket=on needs a TCP display"), std::string::npos);
  EXPECT_NE(parse_err(":1,tls-creds=x").find("not supported"), std::string::npos);
  EXPECT_NE(parse_err(":1,lossy=maybe").find("'lossy' expects 'on' or 'off'"), std::string::npos);
  EXPECT_NE(parse_err("unix:").find("needs a path"), std::string::npos);
  EXPECT_EQ(parse_err(":1,foo").rfind("-vnc :1,foo: ", 0), 0u);
}

// ---- keysyms -----------------------------------------------------------------

TEST(VncKeymap, UsLayout) {
  EXPECT_EQ(keysym_to_evdev('a'), KEY_A);
  EXPECT_EQ(keysym_to_evdev('A'), KEY_A);
  EXPECT_EQ(keysym_to_evdev('q'), KEY_Q);
  EXPECT_EQ(keysym_to_evdev('m'), KEY_M);
  EXPECT_EQ(keysym_to_evdev('Z'), KEY_Z);
  EXPECT_EQ(keysym_to_evdev('0'), KEY_0);
  EXPECT_EQ(keysym_to_evdev('1'), KEY_1);
  EXPECT_EQ(keysym_to_evdev('!'), KEY_1);
  EXPECT_EQ(keysym_to_evdev('@'), KEY_2);
  EXPECT_EQ(keysym_to_evdev(')'), KEY_0);
  EXPECT_EQ(keysym_to_evdev('_'), KEY_MINUS);
  EXPECT_EQ(keysym_to_evdev('+'), KEY_EQUAL);
  EXPECT_EQ(keysym_to_evdev('{'), KEY_LEFTBRACE);
  EXPECT_EQ(keysym_to_evdev('|'), KEY_BACKSLASH);
  EXPECT_EQ(keysym_to_evdev(':'), KEY_SEMICOLON);
  EXPECT_EQ(keysym_to_evdev('"'), KEY_APOSTROPHE);
  EXPECT_EQ(keysym_to_evdev('~'), KEY_GRAVE);
  EXPECT_EQ(keysym_to_evdev('<'), KEY_COMMA);
  EXPECT_EQ(keysym_to_evdev('>'), KEY_DOT);
  EXPECT_EQ(keysym_to_evdev('?'), KEY_SLASH);
  EXPECT_EQ(keysym_to_evdev(' '), KEY_SPACE);
  EXPECT_EQ(keysym_to_evdev(0xff0d), KEY_ENTER);
  EXPECT_EQ(keysym_to_evdev(0xff08), KEY_BACKSPACE);
  EXPECT_EQ(keysym_to_evdev(0xff09), KEY_TAB);
  EXPECT_EQ(keysym_to_evdev(0xff1b), KEY_ESC);
  EXPECT_EQ(keysym_to_evdev(0xffff), KEY_DELETE);
  EXPECT_EQ(keysym_to_evdev(0xff50), KEY_HOME);
  EXPECT_EQ(keysym_to_evdev(0xff57), KEY_END);
  EXPECT_EQ(keysym_to_evdev(0xff55), KEY_PAGEUP);
  EXPECT_EQ(keysym_to_evdev(0xff56), KEY_PAGEDOWN);
  EXPECT_EQ(keysym_to_evdev(0xff63), KEY_INSERT);
  EXPECT_EQ(keysym_to_evdev(0xff51), KEY_LEFT);
  EXPECT_EQ(keysym_to_evdev(0xff52), KEY_UP);
  EXPECT_EQ(keysym_to_evdev(0xff53), KEY_RIGHT);
  EXPECT_EQ(keysym_to_evdev(0xff54), KEY_DOWN);
  EXPECT_EQ(keysym_to_evdev(0xffbe), KEY_F1);
  EXPECT_EQ(keysym_to_evdev(0xffc7), KEY_F10);
  EXPECT_EQ(keysym_to_evdev(0xffc8), KEY_F11);
  EXPECT_EQ(keysym_to_evdev(0xffc9), KEY_F12);
  EXPECT_EQ(keysym_to_evdev(0xffe1), KEY_LEFTSHIFT);
  EXPECT_EQ(keysym_to_evdev(0xffe4), KEY_RIGHTCTRL);
  EXPECT_EQ(keysym_to_evdev(0xffe9), KEY_LEFTALT);
  EXPECT_EQ(keysym_to_evdev(0xfe03), KEY_RIGHTALT);
  EXPECT_EQ(keysym_to_evdev(0xffeb), KEY_LEFTMETA);
  EXPECT_EQ(keysym_to_evdev(0xffb0), KEY_KP0);
  EXPECT_EQ(keysym_to_evdev(0xffb9), KEY_KP9);
  EXPECT_EQ(keysym_to_evdev(0xff8d), KEY_KPENTER);
  EXPECT_EQ(keysym_to_evdev(0xffab), KEY_KPPLUS);
  EXPECT_EQ(keysym_to_evdev(0xff95), KEY_KP7);  // KP_Home
  EXPECT_EQ(keysym_to_evdev(0x00e9), 0);        // eacute: no US key
  EXPECT_EQ(keysym_to_evdev(0x20ac), 0);        // EuroSign
}

// ---- input mapping -----------------------------------------------------------

TEST(VncInput, AbsolutePointerScalesToTheAxisRange) {
  VncInputMapper m;
  auto b = m.pointer(0, 0, 0, 640, 480, true);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].type, InputEvent::kAbs);
  EXPECT_EQ(b[0].code, kAxisX);
  EXPECT_EQ(b[0].value, 0);
  b = m.pointer(0, 639, 479, 640, 480, true);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].value, kInputAbsMax);
  EXPECT_EQ(b[1].value, kInputAbsMax);
  b = m.pointer(0, 320, 240, 641, 481, true);
  EXPECT_EQ(b[0].value, kInputAbsMax / 2);
  EXPECT_EQ(b[1].value, kInputAbsMax / 2);
  EXPECT_TRUE(m.pointer(0, 320, 240, 641, 481, true).empty());  // no motion, no buttons: nothing
}

TEST(VncInput, RelativePointerAndButtons) {
  VncInputMapper m;
  EXPECT_TRUE(m.pointer(0, 100, 100, 640, 480, false).empty());  // the first position is the origin
  auto b = m.pointer(1, 110, 95, 640, 480, false);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].type, InputEvent::kRel);
  EXPECT_EQ(b[0].value, 10);
  EXPECT_EQ(b[1].code, kAxisY);
  EXPECT_EQ(b[1].value, -5);
  EXPECT_EQ(b[2].type, InputEvent::kButton);
  EXPECT_EQ(b[2].code, kButtonLeft);
  EXPECT_EQ(b[2].value, 1);
  b = m.pointer(1 | 4 | 8, 110, 95, 640, 480, false);  // + right, + wheel up
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].code, kButtonRight);
  EXPECT_EQ(b[1].code, kButtonWheelUp);
  b = m.pointer(2 | 16, 110, 95, 640, 480, false);
  ASSERT_EQ(b.size(), 5u);  // left, middle, right, wheel up, wheel down change
  EXPECT_EQ(b[1].code, kButtonMiddle);
  EXPECT_EQ(b[1].value, 1);
  EXPECT_EQ(b[4].code, kButtonWheelDown);
  EXPECT_EQ(b[4].value, 1);
  m.key(true, 'x');
  b = m.release_all();
  ASSERT_EQ(b.size(), 3u);  // x, middle, wheel down
  EXPECT_EQ(b[0].code, KEY_X);
  EXPECT_EQ(b[0].value, 0);
  EXPECT_TRUE(m.release_all().empty());
  EXPECT_TRUE(m.key(true, 0x20ac).empty());
}

// ---- message sizes (the hold-back guard) ----------------------------------

TEST(VncMessage, SizesOfClientMessages) {
  const uint8_t none[1] = {0};
  EXPECT_EQ(rfb_message_size(RfbPhase::kVersion, none, 0), 12u);
  EXPECT_EQ(rfb_message_size(RfbPhase::kSecurity, none, 0), 1u);
  EXPECT_EQ(rfb_message_size(RfbPhase::kClientInit, none, 0), 1u);
  EXPECT_EQ(rfb_message_size(RfbPhase::kNormal, none, 0), 1u);
  const uint8_t key[] = {4};
  EXPECT_EQ(rfb_message_size(RfbPhase::kNormal, key, 1), 8u);
  const uint8_t ptr[] = {5};
  EXPECT_EQ(rfb_message_size(RfbPhase::kNormal, ptr, 1), 6u);
  const uint8_t req[] = {3};
  EXPECT_EQ(rfb_message_size(RfbPhase::kNormal, req, 1), 10u);
  const uint8_t fmt[] = {0};
  EXPECT_EQ(rfb_message_size(RfbPhase::kNormal, fmt, 1), 20u);
  const uint8_t enc_short[] = {2, 0};
  EXPECT_EQ(rfb_message_size(RfbPhase::kNormal, enc_short, 2), 4u);
  const uint8_t enc[] = {2, 0, 1, 2};
  EXPECT_EQ(rfb_message_size(RfbPhase::kNormal, enc, 4), 4u + 4 * 258);
  const uint8_t cut_short[] = {6, 0, 0};
  EXPECT_EQ(rfb_message_size(RfbPhase::kNormal, cut_short, 3), 8u);
  const uint8_t cut[] = {6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(rfb_message_size(RfbPhase::kNormal, cut, 8), size_t{8} + 0xffffffffu);
  const uint8_t unknown[] = {0xfe};
  EXPECT_EQ(rfb_message_size(RfbPhase::kNormal, unknown, 1), 0u);
  EXPECT_EQ(rfb_message_size(RfbPhase::kOther, unknown, 1), 0u);
}

// ---- the server and a client -------------------------------------------------

struct Recorder : InputHandler {
  explicit Recorder(unsigned types) : types(types) {}
  std::string input_name() const override { return "recorder"; }
  unsigned input_types() const override { return types; }
  void input_event(const InputEvent& e) override { events.push_back(e); }
  void input_sync() override { ++syncs; }
  unsigned types;
  std::vector<InputEvent> events;
  int syncs = 0;
};

// The replay's input path: live input is dropped.
struct ReplayPath : InputPath {
  struct Channel : InputChannel {
    size_t submit(const uint8_t*, size_t len) override { return len; }
    bool live() const override { return false; }
  };
  std::unique_ptr<InputChannel> open(EventKind, uint8_t, InputReceiver&) override { return std::make_unique<Channel>(); }
};

std::string socket_path() {
  return "/tmp/rewind-vnc-test-" + std::to_string(getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".sock";
}

int connect_unix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

// A client in the same thread as the server: every wait turns the host loop.
class RfbClient {
 public:
  RfbClient(HostLoop& loop, const std::string& path) : loop_(loop), fd_(connect_unix(path)) {}
  ~RfbClient() {
    if (fd_ >= 0) close(fd_);
    if (z_init_) inflateEnd(&z_);
  }
  int fd() const { return fd_; }

  bool read(void* buf, size_t n, int timeout_ms = 5000) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    auto* p = static_cast<uint8_t*>(buf);
    while (n) {
      ssize_t r = recv(fd_, p, n, MSG_DONTWAIT);
      if (r > 0) {
        p += r;
        n -= static_cast<size_t>(r);
        continue;
      }
      if (r == 0) return false;
      if (std::chrono::steady_clock::now() > end) return false;
      loop_.iterate(5);
    }
    return true;
  }
  std::vector<uint8_t> read_n(size_t n) {
    std::vector<uint8_t> v(n);
    if (!read(v.data(), n)) v.clear();
    return v;
  }
  void write(const std::vector<uint8_t>& b) {
    ASSERT_EQ(send(fd_, b.data(), b.size(), MSG_NOSIGNAL), static_cast<ssize_t>(b.size()));
    // Let the server take it.
    for (int i = 0; i < 5; ++i) loop_.iterate(2);
  }
  uint16_t u16() {
    auto b = read_n(2);
    return b.size() == 2 ? static_cast<uint16_t>(b[0] << 8 | b[1]) : 0;
  }
  uint32_t u32() {
    auto b = read_n(4);
    return b.size() == 4 ? static_cast<uint32_t>(b[0]) << 24 | b[1] << 16 | b[2] << 8 | b[3] : 0;
  }

  // Version 3.8, security None, shared ClientInit, ServerInit.
  bool handshake(bool shared = true) {
    auto v = read_n(12);
    if (std::string(v.begin(), v.end()) != "RFB 003.008\n") return false;
    write({'R', 'F', 'B', ' ', '0', '0', '3', '.', '0', '0', '8', '\n'});
    auto n = read_n(1);
    if (n.empty() || n[0] == 0) return false;
    auto types = read_n(n[0]);
    bool none = false;
    for (uint8_t t : types) none |= t == 1;
    if (!none) return false;
    write({1});
    if (u32() != 0) return false;  // SecurityResult OK
    write({static_cast<uint8_t>(shared)});
    width = u16();
    height = u16();
    format = read_n(16);
    uint32_t name_len = u32();
    name = read_n(name_len);
    fb.assign(size_t{width} * height, 0xdeadbeef);
    return format.size() == 16;
  }

  void set_encodings(const std::vector<int32_t>& encs) {
    std::vector<uint8_t> m = {2, 0, static_cast<uint8_t>(encs.size() >> 8), static_cast<uint8_t>(encs.size())};
    for (int32_t e : encs)
      for (int s = 24; s >= 0; s -= 8) m.push_back(static_cast<uint8_t>(static_cast<uint32_t>(e) >> s));
    write(m);
  }
  void request(bool incremental) {
    write({3, static_cast<uint8_t>(incremental), 0, 0, 0, 0, static_cast<uint8_t>(width >> 8),
           static_cast<uint8_t>(width), static_cast<uint8_t>(height >> 8), static_cast<uint8_t>(height)});
  }
  void key(bool down, uint32_t keysym) {
    write({4, static_cast<uint8_t>(down), 0, 0, static_cast<uint8_t>(keysym >> 24), static_cast<uint8_t>(keysym >> 16),
           static_cast<uint8_t>(keysym >> 8), static_cast<uint8_t>(keysym)});
  }
  void pointer(uint8_t mask, int x, int y) {
    write({5, mask, static_cast<uint8_t>(x >> 8), static_cast<uint8_t>(x), static_cast<uint8_t>(y >> 8),
           static_cast<uint8_t>(y)});
  }

  struct Rect {
    int x, y, w, h;
    int32_t enc;
  };
  // One FramebufferUpdate: decodes raw and zlib rects into `fb` (32 bpp in
  // the server's format, little-endian words), resizes on DesktopSize.
  bool update(std::vector<Rect>& rects, int timeout_ms = 5000) {
    rects.clear();
    uint8_t head[4];
    if (!read(head, 4, timeout_ms) || head[0] != 0) return false;
    int n = head[2] << 8 | head[3];
    for (int i = 0; i < n; ++i) {
      Rect r;
      r.x = u16();
      r.y = u16();
      r.w = u16();
      r.h = u16();
      r.enc = static_cast<int32_t>(u32());
      rects.push_back(r);
      size_t bytes = size_t{4} * r.w * r.h;
      std::vector<uint8_t> px;
      if (r.enc == 0) {
        px = read_n(bytes);
      } else if (r.enc == 6) {
        std::vector<uint8_t> z = read_n(u32());
        px.resize(bytes);
        if (!z_init_) {
          inflateInit(&z_);
          z_init_ = true;
        }
        z_.next_in = z.data();
        z_.avail_in = static_cast<uInt>(z.size());
        z_.next_out = px.data();
        z_.avail_out = static_cast<uInt>(bytes);
        if (inflate(&z_, Z_SYNC_FLUSH) < 0 || z_.avail_out) return false;
      } else if (r.enc == -223) {  // DesktopSize
        width = static_cast<uint16_t>(r.w);
        height = static_cast<uint16_t>(r.h);
        fb.assign(size_t{width} * height, 0xdeadbeef);
        continue;
      } else {
        return false;
      }
      if (px.size() != bytes) return false;
      for (int y = 0; y < r.h; ++y)
        for (int x = 0; x < r.w; ++x) {
          const uint8_t* p = &px[(size_t{4} * (size_t(y) * r.w + x))];
          fb[size_t(r.y + y) * width + r.x + x] = p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
        }
    }
    return true;
  }

  uint16_t width = 0, height = 0;
  std::vector<uint8_t> format, name;
  std::vector<uint32_t> fb;

 private:
  HostLoop& loop_;
  int fd_;
  z_stream z_{};
  bool z_init_ = false;
};

// Lets the server run until `cond` or a timeout.
template <class F>
bool pump_until(HostLoop& loop, F cond, int timeout_ms = 3000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) return false;
    loop.iterate(5);
  }
  return true;
}

void paint(DisplaySurface& s, uint32_t seed) {
  for (int y = 0; y < s.height(); ++y)
    for (int x = 0; x < s.width(); ++x) s.row(y)[x] = (seed * 2654435761u) ^ static_cast<uint32_t>(x * 7919 + y * 104729);
}

bool matches(const RfbClient& c, const DisplaySurface& s) {
  if (c.width != s.width() || c.height != s.height()) return false;
  for (int y = 0; y < s.height(); ++y)
    for (int x = 0; x < s.width(); ++x)
      // x8r8g8b8: the client's 32-bit pixel has no alpha, the padding byte is not compared
      if ((c.fb[size_t(y) * c.width + x] & 0xffffff) != (s.row(y)[x] & 0xffffff)) return false;
  return true;
}

struct ServerFixture : ::testing::Test {
  void start(bool with_console = true, int connections = 32) {
    path = socket_path();
    VncOptions o;
    std::string err;
    ASSERT_TRUE(parse_vnc_options("unix:" + path + ",connections=" + std::to_string(connections), o, err)) << err;
    if (with_console) {
      console = &displays.add("test-gpu");
      ASSERT_TRUE(console->resize(64, 48));
    }
    router.add_handler(&keyboard);
    router.add_handler(&tablet);
    server = std::make_unique<VncServer>(o, loop, console, router);
  }
  void TearDown() override { server.reset(); }

  HostLoop loop;
  DisplaySet displays;
  DisplayConsole* console = nullptr;
  InputRouter router;
  Recorder keyboard{InputEvent::bit(InputEvent::kKey)};
  Recorder tablet{InputEvent::bit(InputEvent::kAbs) | InputEvent::bit(InputEvent::kButton)};
  std::unique_ptr<VncServer> server;
  std::string path;
};

TEST_F(ServerFixture, ClientGetsTheSurfaceRawThenOnlyTheDirtyRect) {
  start();
  paint(*console->surface(), 1);
  RfbClient c(loop, path);
  ASSERT_TRUE(c.handshake());
  EXPECT_EQ(c.width, 64);
  EXPECT_EQ(c.height, 48);
  EXPECT_EQ(c.format[0], 32);  // bits per pixel
  EXPECT_NE(c.format[3], 0);   // true colour
  EXPECT_EQ(c.format[10], 16); // red shift: x8r8g8b8
  EXPECT_EQ(c.format[12], 0);  // blue shift
  EXPECT_EQ(std::string(c.name.begin(), c.name.end()), "rewind");
  EXPECT_EQ(server->client_count(), 1u);

  c.set_encodings({0});
  c.request(false);
  std::vector<RfbClient::Rect> rects;
  ASSERT_TRUE(c.update(rects));
  EXPECT_TRUE(matches(c, *console->surface()));

  // Nothing changed: an incremental request gets no answer.
  c.request(true);
  EXPECT_FALSE(c.update(rects, 300));

  // The device draws a rectangle and says so: only that rectangle comes.
  for (int y = 10; y < 20; ++y)
    for (int x = 5; x < 25; ++x) console->surface()->row(y)[x] = 0x00123456u + x;
  console->mark_dirty({5, 10, 20, 10});
  ASSERT_TRUE(c.update(rects));
  ASSERT_EQ(rects.size(), 1u);
  EXPECT_EQ(rects[0].x, 5);
  EXPECT_EQ(rects[0].y, 10);
  EXPECT_EQ(rects[0].w, 20);
  EXPECT_EQ(rects[0].h, 10);
  EXPECT_TRUE(matches(c, *console->surface()));
}

TEST_F(ServerFixture, ZlibEncodingAndDesktopSizeChange) {
  start();
  paint(*console->surface(), 2);
  RfbClient c(loop, path);
  ASSERT_TRUE(c.handshake());
  c.set_encodings({6, 0, -223});  // zlib, raw, DesktopSize
  c.request(false);
  std::vector<RfbClient::Rect> rects;
  ASSERT_TRUE(c.update(rects));
  ASSERT_FALSE(rects.empty());
  EXPECT_EQ(rects[0].enc, 6);
  EXPECT_TRUE(matches(c, *console->surface()));

  // The guest picks a new mode: the client is told the new size, then gets
  // the new picture. (libvncserver may also answer a request still pending
  // from before the change: updates are read until the picture is whole.)
  ASSERT_TRUE(console->resize(80, 60));
  paint(*console->surface(), 3);
  console->mark_dirty({0, 0, 80, 60});
  c.request(true);
  ASSERT_TRUE(c.update(rects));
  ASSERT_EQ(rects.size(), 1u);
  EXPECT_EQ(rects[0].enc, -223);
  EXPECT_EQ(c.width, 80);
  EXPECT_EQ(c.height, 60);
  c.request(false);
  for (int i = 0; i < 3 && !matches(c, *console->surface()); ++i) ASSERT_TRUE(c.update(rects));
  EXPECT_TRUE(matches(c, *console->surface()));

  // Scanout off: the placeholder, black (zlib keeps 640x480 small enough
  // for this same-thread client).
  console->disable();
  c.request(true);
  for (int i = 0; i < 3 && c.width != VncServer::kPlaceholderWidth; ++i) ASSERT_TRUE(c.update(rects));
  EXPECT_EQ(c.width, VncServer::kPlaceholderWidth);
  EXPECT_EQ(c.height, VncServer::kPlaceholderHeight);
  c.request(false);
  bool black = false;
  for (int i = 0; i < 3 && !black; ++i) {
    ASSERT_TRUE(c.update(rects));
    black = true;
    for (uint32_t p : c.fb) black &= (p & 0xffffff) == 0;
  }
  EXPECT_TRUE(black);
}

TEST_F(ServerFixture, NoDisplayDeviceShowsThePlaceholder) {
  start(false);
  RfbClient c(loop, path);
  ASSERT_TRUE(c.handshake());
  EXPECT_EQ(c.width, 640);
  EXPECT_EQ(c.height, 480);
  // A corner only, raw: the server's writes block, and this client runs in
  // the server's thread (so it can take no more than the socket buffers).
  c.write({3, 0, 0, 0, 0, 0, 0, 32, 0, 32});
  std::vector<RfbClient::Rect> rects;
  ASSERT_TRUE(c.update(rects));
  ASSERT_EQ(rects.size(), 1u);
  EXPECT_EQ(rects[0].w, 32);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) ASSERT_EQ(c.fb[size_t(y) * c.width + x] & 0xffffff, 0u);
}

TEST_F(ServerFixture, KeysAndPointerBecomeOneBatchPerMessage) {
  start();
  RfbClient c(loop, path);
  ASSERT_TRUE(c.handshake());
  c.key(true, 0xffe1);  // Shift_L
  c.key(true, '!');
  c.key(false, '!');
  c.key(false, 0xffe1);
  c.key(true, 0x20ac);  // no US key: nothing
  ASSERT_TRUE(pump_until(loop, [&] { return keyboard.events.size() >= 4; }));
  ASSERT_EQ(keyboard.events.size(), 4u);
  EXPECT_EQ(keyboard.events[0].code, KEY_LEFTSHIFT);
  EXPECT_EQ(keyboard.events[1].code, KEY_1);
  EXPECT_EQ(keyboard.events[1].value, 1);
  EXPECT_EQ(keyboard.events[2].value, 0);
  EXPECT_EQ(keyboard.syncs, 4);

  // The tablet: absolute positions over the 64x48 surface, and buttons.
  c.pointer(0, 63, 0);
  c.pointer(1, 63, 47);
  ASSERT_TRUE(pump_until(loop, [&] { return tablet.events.size() >= 5; }));
  ASSERT_EQ(tablet.events.size(), 5u);
  EXPECT_EQ(tablet.events[0].type, InputEvent::kAbs);
  EXPECT_EQ(tablet.events[0].value, kInputAbsMax);
  EXPECT_EQ(tablet.events[1].value, 0);
  EXPECT_EQ(tablet.events[3].value, kInputAbsMax);  // y = 47 of 48
  EXPECT_EQ(tablet.events[4].type, InputEvent::kButton);
  EXPECT_EQ(tablet.events[4].value, 1);
  EXPECT_EQ(tablet.syncs, 2);

  // The client leaves with the button down: the guest sees it released.
  close(c.fd());
  ASSERT_TRUE(pump_until(loop, [&] { return server->client_count() == 0; }));
  ASSERT_EQ(tablet.events.size(), 6u);
  EXPECT_EQ(tablet.events[5].type, InputEvent::kButton);
  EXPECT_EQ(tablet.events[5].value, 0);
}

TEST_F(ServerFixture, OnReplayClientInputIsIgnoredButTheScreenIsShown) {
  ReplayPath replay;
  router.attach(replay);
  start();
  paint(*console->surface(), 4);
  RfbClient c(loop, path);
  ASSERT_TRUE(c.handshake());
  c.key(true, 'a');
  c.pointer(1, 3, 3);
  c.request(false);
  std::vector<RfbClient::Rect> rects;
  ASSERT_TRUE(c.update(rects));
  EXPECT_TRUE(matches(c, *console->surface()));
  EXPECT_TRUE(keyboard.events.empty());
  EXPECT_TRUE(tablet.events.empty());
}

// A well-behaved client still gets its screen after the others did harm.
void expect_service(HostLoop& loop, const std::string& path, DisplayConsole& console) {
  RfbClient good(loop, path);
  ASSERT_TRUE(good.handshake());
  good.request(false);
  std::vector<RfbClient::Rect> rects;
  ASSERT_TRUE(good.update(rects));
  EXPECT_TRUE(matches(good, *console.surface()));
}

TEST_F(ServerFixture, HostileClientsAreDroppedAndTheServerKeepsServing) {
  start(true, 8);
  paint(*console->surface(), 5);
  auto t0 = std::chrono::steady_clock::now();
  {
    RfbClient garbage(loop, path);
    ASSERT_GE(garbage.fd(), 0);
    garbage.write(std::vector<uint8_t>(4096, 0xff));
    ASSERT_TRUE(pump_until(loop, [&] { return server->client_count() == 0; }));
  }
  {
    RfbClient g2(loop, path);  // a valid handshake, then an unknown message type
    ASSERT_TRUE(g2.handshake());
    g2.write({0xfe, 1, 2, 3});
    ASSERT_TRUE(pump_until(loop, [&] { return server->client_count() == 0; }));
  }
  {
    RfbClient cut(loop, path);  // ClientCutText of 4 GiB - 1
    ASSERT_TRUE(cut.handshake());
    cut.write({6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 'x'});
    ASSERT_TRUE(pump_until(loop, [&] { return server->client_count() == 0; }));
  }
  {
    RfbClient enc(loop, path);  // SetEncodings announcing 65535, then gone mid-message
    ASSERT_TRUE(enc.handshake());
    enc.write({2, 0, 0xff, 0xff, 0, 0, 0, 0});
  }
  ASSERT_TRUE(pump_until(loop, [&] { return server->client_count() == 0; }));
  {
    RfbClient half(loop, path);  // half a PointerEvent, then silence: dropped at the hold limit
    ASSERT_TRUE(half.handshake());
    half.write({5, 0, 0});
    ASSERT_TRUE(pump_until(loop, [&] { return server->client_count() == 0; }));
  }
  {
    // More clients than connections=8: the extra ones are refused, none faults.
    std::vector<std::unique_ptr<RfbClient>> many;
    for (int i = 0; i < 20; ++i) {
      many.push_back(std::make_unique<RfbClient>(loop, path));
      loop.iterate(1);  // accepts (this client shares the server's thread: its connect would wait)
    }
    pump_until(loop, [&] { return false; }, 300);
    EXPECT_LE(server->client_count(), 8u);
    EXPECT_GE(server->client_count(), 1u);
  }
  ASSERT_TRUE(pump_until(loop, [&] { return server->client_count() == 0; }));
  expect_service(loop, path, *console);
  // None of it held the loop long.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

// A client that sends its messages one byte at a time, slowly, never makes
// one turn of the host loop (the guest's time) wait: its half messages are
// held back, and it is dropped when it stays too slow.
TEST_F(ServerFixture, DribblingClientNeverBlocksTheLoop) {
  start();
  RfbClient slow(loop, path);
  ASSERT_TRUE(slow.handshake());
  const uint8_t key_a[8] = {4, 1, 0, 0, 0, 0, 0, 'a'};
  auto longest = std::chrono::steady_clock::duration::zero();
  auto turn = [&] {
    auto t = std::chrono::steady_clock::now();
    loop.iterate(5);
    longest = std::max(longest, std::chrono::steady_clock::now() - t);
  };
  // 8 bytes, 150 ms apart: the whole message comes within the hold limit.
  for (uint8_t b : key_a) {
    ASSERT_EQ(send(slow.fd(), &b, 1, MSG_NOSIGNAL), 1);
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(150);
    while (std::chrono::steady_clock::now() < end) turn();
  }
  for (int i = 0; i < 20; ++i) turn();
  ASSERT_EQ(keyboard.events.size(), 1u);
  EXPECT_EQ(keyboard.events[0].code, KEY_A);
  // Then 1 byte every 600 ms: dropped at the 2 s limit. libvncserver alone
  // would block each turn for its 500 ms read wait; held back, no turn waits
  // (300 ms leaves room for a loaded host).
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 8 && server->client_count() == 1; ++i) {
    uint8_t b = i == 0 ? 4 : 0;
    send(slow.fd(), &b, 1, MSG_NOSIGNAL);
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(600);
    while (std::chrono::steady_clock::now() < end && server->client_count() == 1) turn();
  }
  EXPECT_EQ(server->client_count(), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(3000));
  EXPECT_LT(longest, std::chrono::milliseconds(300));
  // The half key event never reached the guest; the 'a' still down when the
  // client went is released.
  ASSERT_EQ(keyboard.events.size(), 2u);
  EXPECT_EQ(keyboard.events[1].code, KEY_A);
  EXPECT_EQ(keyboard.events[1].value, 0);
}

TEST(VncServerListen, BusyPortIsOneClearError) {
  HostLoop loop;
  InputRouter router;
  VncOptions o;
  std::string err;
  ASSERT_TRUE(parse_vnc_options("127.0.0.1:0,to=99", o, err));
  // Find a free display, hold it, and ask for exactly it.
  std::unique_ptr<VncServer> first = std::make_unique<VncServer>(o, loop, nullptr, router);
  int display = first->port() - kVncBasePort;
  ASSERT_TRUE(parse_vnc_options("127.0.0.1:" + std::to_string(display), o, err));
  try {
    VncServer second(o, loop, nullptr, router);
    FAIL() << "a second server on a busy port";
  } catch (const VncError& e) {
    EXPECT_STREQ(e.what(), "Failed to find an available port: Address already in use");
  }
  // to= moves on to the next free display.
  ASSERT_TRUE(parse_vnc_options("127.0.0.1:" + std::to_string(display) + ",to=99", o, err));
  VncServer third(o, loop, nullptr, router);
  EXPECT_GT(third.port(), first->port());
  EXPECT_EQ(third.address(), "127.0.0.1:" + std::to_string(third.port()));
}

}  // namespace
