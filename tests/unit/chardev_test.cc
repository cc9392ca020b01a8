// Character devices: the -chardev and legacy -serial/-monitor syntax, the
// registry (duplicate ids, QEMU's console defaults), the mux's Ctrl-A keys.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <memory>
#include <string>

#include "chardev/char_mux.h"
#include "chardev/char_registry.h"
#include "chardev/char_spec.h"
#include "util/host_loop.h"

namespace rwd {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ChardevError& e) {
    return e.what();
  }
  return "";
}

TEST(ChardevSpec, ParsesChardevOption) {
  ChardevSpec s = parse_chardev_option("socket,id=mon0,host=127.0.0.1,port=4444,server=on,wait=off");
  EXPECT_EQ(s.backend, "socket");
  EXPECT_EQ(s.id, "mon0");
  EXPECT_EQ(spec_str(s, "host"), "127.0.0.1");
  EXPECT_EQ(spec_str(s, "port"), "4444");
  EXPECT_TRUE(spec_bool(s, "server", false));
  EXPECT_FALSE(spec_bool(s, "wait", true));
  EXPECT_FALSE(s.mux);

  s = parse_chardev_option("stdio,id=c,mux=on,signal=off");
  EXPECT_TRUE(s.mux);
  EXPECT_FALSE(spec_bool(s, "signal", true));

  // Old spellings: bare booleans, nowait; ",," is a literal comma.
  s = parse_chardev_option("socket,id=s,path=/tmp/a,,b,server,nowait");
  EXPECT_EQ(spec_str(s, "path"), "/tmp/a,b");
  EXPECT_TRUE(spec_bool(s, "server", false));
  EXPECT_FALSE(spec_bool(s, "wait", true));

  s = parse_chardev_option("file,id=f,path=/tmp/out,input-path=/tmp/in");
  EXPECT_EQ(spec_str(s, "input-path"), "/tmp/in");
}

TEST(ChardevSpec, RejectsBadChardevOptions) {
  EXPECT_EQ(error_of([] { parse_chardev_option("serial,id=x"); }),
            "-chardev serial,id=x: 'serial' is not a valid char driver name (rewind has null, stdio, file, pipe, socket, pty)");
  EXPECT_EQ(error_of([] { parse_chardev_option("null,id=x,path=/tmp/a"); }),
            "-chardev null,id=x,path=/tmp/a: invalid parameter 'path' for backend 'null'");
  EXPECT_NE(error_of([] { parse_chardev_option("null"); }).find("no id"), std::string::npos);
  EXPECT_NE(error_of([] { parse_chardev_option("id=x"); }).find("backend"), std::string::npos);
  EXPECT_NE(error_of([] { parse_chardev_option(""); }), "");
  EXPECT_NE(error_of([] { parse_chardev_option("socket,id=s"); }).find("port="), std::string::npos);
  EXPECT_NE(error_of([] { parse_chardev_option("socket,id=s,path=/x,port=1"); }), "");
  EXPECT_NE(error_of([] { parse_chardev_option("socket,id=s,port=1,server=maybe"); }).find("on or off"), std::string::npos);
  EXPECT_NE(error_of([] { parse_chardev_option("file,id=f"); }).find("path="), std::string::npos);
  EXPECT_NE(error_of([] { parse_chardev_option("null,id=x,mux=sometimes"); }), "");
}

TEST(ChardevSpec, ParsesLegacySyntax) {
  ChardevSpec s = parse_legacy_chardev("-serial", "mon:stdio", "serial0");
  EXPECT_EQ(s.backend, "stdio");
  EXPECT_TRUE(s.mux);
  EXPECT_TRUE(s.with_monitor);
  EXPECT_FALSE(spec_bool(s, "signal", true));  // ^C goes to the guest

  s = parse_legacy_chardev("-serial", "stdio", "serial0");
  EXPECT_FALSE(s.mux);
  EXPECT_TRUE(spec_bool(s, "signal", true));

  s = parse_legacy_chardev("-serial", "tcp::4444,server=on,wait=off", "serial0");
  EXPECT_EQ(s.backend, "socket");
  EXPECT_EQ(spec_str(s, "host"), "");
  EXPECT_EQ(spec_str(s, "port"), "4444");
  EXPECT_TRUE(spec_bool(s, "server", false));
  EXPECT_FALSE(spec_bool(s, "wait", true));

  s = parse_legacy_chardev("-serial", "tcp:localhost:5555,server,nowait", "serial0");
  EXPECT_EQ(spec_str(s, "host"), "localhost");
  EXPECT_FALSE(spec_bool(s, "wait", true));

  s = parse_legacy_chardev("-monitor", "unix:/tmp/m.sock,server=on,wait=off", "compat_monitor0");
  EXPECT_EQ(spec_str(s, "path"), "/tmp/m.sock");
  EXPECT_EQ(s.id, "compat_monitor0");

  EXPECT_EQ(parse_legacy_chardev("-serial", "file:/tmp/x", "serial0").backend, "file");
  EXPECT_EQ(parse_legacy_chardev("-serial", "pipe:/tmp/p", "serial0").backend, "pipe");
  EXPECT_EQ(parse_legacy_chardev("-serial", "pty", "serial0").backend, "pty");
  EXPECT_EQ(parse_legacy_chardev("-serial", "none", "serial0").backend, "none");
  EXPECT_EQ(parse_legacy_chardev("-serial", "null", "serial0").backend, "null");
  EXPECT_EQ(parse_legacy_chardev("-serial", "chardev:c0", "serial0").ref, "c0");
  EXPECT_TRUE(parse_legacy_chardev("-serial", "mon:tcp::1234,server=on,wait=off", "serial0").with_monitor);

  EXPECT_EQ(error_of([] { parse_legacy_chardev("-serial", "bogus", "serial0"); }).rfind("-serial bogus: ", 0), 0u);
  EXPECT_NE(error_of([] { parse_legacy_chardev("-serial", "tcp:nocolon", "serial0"); }), "");
  EXPECT_NE(error_of([] { parse_legacy_chardev("-serial", "unix:/x,frob=1", "serial0"); }).find("'frob'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_legacy_chardev("-serial", "chardev:", "serial0"); }), "");
}

TEST(ChardevSpec, ParsesMon) {
  EXPECT_EQ(parse_mon_option("chardev=c0"), "c0");
  EXPECT_EQ(parse_mon_option("chardev=c0,mode=readline"), "c0");
  bool control = true, pretty = true;
  EXPECT_EQ(parse_mon_option("chardev=c0,mode=readline", &control, &pretty), "c0");
  EXPECT_FALSE(control);
  EXPECT_FALSE(pretty);
  EXPECT_EQ(parse_mon_option("chardev=c1,mode=control,pretty=on", &control, &pretty), "c1");
  EXPECT_TRUE(control);
  EXPECT_TRUE(pretty);
  EXPECT_NE(error_of([] { parse_mon_option("chardev=c0,mode=json"); }).find("readline or control"), std::string::npos);
  EXPECT_NE(error_of([] { parse_mon_option("mode=readline"); }).find("chardev=ID"), std::string::npos);
  EXPECT_NE(error_of([] { parse_mon_option("chardev=c0,bogus=1"); }).find("'bogus'"), std::string::npos);
}

TEST(CharRegistry, DuplicateIdsAndMissingReferences) {
  HostLoop loop;
  CharRegistry reg(loop);
  reg.add(parse_chardev_option("null,id=a"));
  EXPECT_EQ(error_of([&] { reg.add(parse_chardev_option("null,id=a")); }), "-chardev null,id=a: duplicate chardev id 'a'");
  EXPECT_TRUE(reg.has("a"));
  EXPECT_NE(reg.attach("a"), nullptr);
  EXPECT_NE(error_of([&] { reg.attach("a"); }).find("in use"), std::string::npos);
  EXPECT_NE(error_of([&] { reg.attach("zz"); }).find("not found"), std::string::npos);
  EXPECT_NE(error_of([&] { reg.setup({{}, {"chardev:nope"}, {}, {}, false}); }).find("not found"), std::string::npos);
}

TEST(CharRegistry, OpenFailureIsOneLine) {
  HostLoop loop;
  CharRegistry reg(loop);
  std::string e = error_of([&] { reg.add(parse_chardev_option("file,id=f,path=/no/such/dir/x")); });
  EXPECT_EQ(e.rfind("-chardev file,id=f,path=/no/such/dir/x: could not open '/no/such/dir/x'", 0), 0u) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos);
}

TEST(CharRegistry, QemuConsoleDefaults) {
  HostLoop loop;
  {
    CharRegistry reg(loop);  // -nographic alone: serial and monitor share stdio
    ConsoleSetup c = reg.setup({{}, {}, {}, {}, true});
    ASSERT_EQ(c.serial_ids.size(), 1u);
    EXPECT_EQ(c.serial_ids[0], "serial0");
    ASSERT_EQ(c.monitor_ids.size(), 1u);
    EXPECT_EQ(c.monitor_ids[0], "serial0");
  }
  {
    CharRegistry reg(loop);  // no -nographic: the serial port goes nowhere, no monitor
    ConsoleSetup c = reg.setup({{}, {}, {}, {}, false});
    EXPECT_TRUE(c.serial_ids.empty());
    EXPECT_TRUE(c.monitor_ids.empty());
  }
  {
    CharRegistry reg(loop);  // -nographic -serial null: the monitor alone on stdio
    ConsoleSetup c = reg.setup({{}, {"null"}, {}, {}, true});
    ASSERT_EQ(c.monitor_ids.size(), 1u);
    EXPECT_EQ(c.monitor_ids[0], "compat_monitor0");
  }
  {
    CharRegistry reg(loop);  // -chardev mux shared by -serial chardev: and -mon
    ConsoleSetup c = reg.setup({{"null,id=c0,mux=on"}, {"chardev:c0"}, {}, {"chardev=c0"}, true});
    EXPECT_EQ(c.serial_ids, std::vector<std::string>{"c0"});
    EXPECT_EQ(c.monitor_ids, std::vector<std::string>{"c0"});
    EXPECT_NE(reg.attach("c0"), reg.attach("c0"));  // a port each
  }
  {
    CharRegistry reg(loop);  // stdio twice
    EXPECT_NE(error_of([&] { reg.setup({{}, {"stdio"}, {}, {}, true}); }).find("cannot use stdio by multiple"),
              std::string::npos);
  }
}

// A backend that records output and lets the test inject input.
class FakeBackend : public CharBackend {
 public:
  void write(const uint8_t* d, size_t n) override { out.append(reinterpret_cast<const char*>(d), n); }
  // Returns how much the chain took.
  size_t type(const std::string& s) { return deliver(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
  void event(CharEvent e) { notify(e); }
  std::string out;
};

// A frontend that takes up to `room` bytes and records them.
struct Sink : CharReceiver {
  explicit Sink(CharBackend* be) { be->set_frontend(this); }
  size_t can_receive() override { return room; }
  void receive(const uint8_t* d, size_t n) override {
    got.append(reinterpret_cast<const char*>(d), n);
    if (room != SIZE_MAX) room -= n;
  }
  void char_event(CharEvent e) override { events.push_back(e); }
  size_t room = SIZE_MAX;
  std::string got;
  std::vector<CharEvent> events;
};

// A filter that upper-cases what passes, to see the chain's order.
struct Upper : CharFilter {
  explicit Upper(int stage) : CharFilter(stage) {}
  void receive(const uint8_t* d, size_t n) override {
    std::string s(reinterpret_cast<const char*>(d), n);
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CharFilter::receive(reinterpret_cast<const uint8_t*>(s.data()), n);
  }
};

TEST(CharRegistry, QmpMonitors) {
  HostLoop loop;
  {
    // -qmp, -qmp-pretty and -mon mode=control are QMP monitors; the legacy
    // ids count on from -monitor's.
    CharRegistry reg(loop);
    ConsoleSetup c = reg.setup({{"null,id=q"}, {"null"}, {"null"}, {"chardev=q,mode=control"}, false, {"null"}, {"null"}});
    EXPECT_EQ(c.monitor_ids, std::vector<std::string>{"compat_monitor0"});
    ASSERT_EQ(c.qmps.size(), 3u);
    EXPECT_EQ(c.qmps[0].id, "compat_monitor1");
    EXPECT_FALSE(c.qmps[0].pretty);
    EXPECT_EQ(c.qmps[1].id, "compat_monitor2");
    EXPECT_TRUE(c.qmps[1].pretty);
    EXPECT_EQ(c.qmps[2].id, "q");
  }
  {
    // -nographic -qmp ...: as QEMU, no default HMP; the serial port alone on stdio.
    CharRegistry reg(loop);
    ConsoleSetup c = reg.setup({{}, {}, {}, {}, true, {"null"}});
    EXPECT_EQ(c.serial_ids, std::vector<std::string>{"serial0"});
    EXPECT_TRUE(c.monitor_ids.empty());
    ASSERT_EQ(c.qmps.size(), 1u);
  }
}

TEST(CharChain, FiltersSitBetweenBackendAndFrontendInAnyJoiningOrder) {
  for (bool filter_first : {false, true}) {
    FakeBackend be;
    Upper up(CharFilter::kReplayTap);
    std::unique_ptr<Sink> fe;
    if (filter_first) be.add_filter(&up);
    fe = std::make_unique<Sink>(&be);
    if (!filter_first) be.add_filter(&up);
    EXPECT_EQ(be.type("ls"), 2u);
    EXPECT_EQ(fe->got, "LS") << "filter first: " << filter_first;
    be.event(CharEvent::kOpened);
    EXPECT_EQ(fe->events.size(), 1u);
    // Flow control reaches through the filter.
    fe->room = 1;
    EXPECT_EQ(be.type("ab"), 1u);
    EXPECT_EQ(fe->got, "LSA");
    be.remove_filter(&up);
    fe->room = 10;
    be.type("x");
    EXPECT_EQ(fe->got, "LSAx");
  }
}

TEST(CharChain, FrontendReadyAsksForServiceOnlyWithInputPending) {
  // A FdChardev holds back input the frontend refused; the frontend making
  // room must ask for a service step.
  HostLoop loop;
  int requests = 0;
  loop.set_service_hook([&] { ++requests; });
  CharRegistry reg(loop);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  std::string path = "/proc/self/fd/" + std::to_string(p[0]);
  reg.add(parse_chardev_option("file,id=f,path=/dev/null,input-path=" + path));
  CharBackend* be = reg.attach("f");
  Sink fe(be);
  fe.room = 1;
  ASSERT_EQ(write(p[1], "abc", 3), 3);
  for (int i = 0; i < 10 && fe.got.empty(); ++i) loop.iterate(100);
  EXPECT_EQ(fe.got, "a");
  be->frontend_ready();  // the guest read the byte, but no room yet: still a request
  EXPECT_EQ(requests, 1);
  EXPECT_TRUE(loop.take_service_request());
  fe.room = 2;
  EXPECT_TRUE(reg.pump_all());
  EXPECT_EQ(fe.got, "abc");
  be->frontend_ready();  // nothing pending: no request
  EXPECT_EQ(requests, 1);
  close(p[0]);
  close(p[1]);
}

TEST(MuxChardev, CtrlAKeys) {
  FakeBackend be;
  MuxChardev mux(be);
  int quits = 0;
  mux.on_quit = [&] { ++quits; };
  CharBackend* serial = mux.add_frontend();
  CharBackend* monitor = mux.add_frontend();
  Sink s(serial), m(monitor);
  EXPECT_TRUE(serial->is_open());
  EXPECT_FALSE(monitor->is_open());

  be.type("ls\r");
  EXPECT_EQ(s.got, "ls\r");
  be.type("\x01\x01");  // C-a C-a: one literal C-a
  EXPECT_EQ(s.got, "ls\r\x01");

  be.type("\x01" "c");  // switch to the monitor
  EXPECT_EQ(mux.focus(), 1u);
  EXPECT_TRUE(monitor->is_open());
  ASSERT_EQ(m.events.size(), 1u);
  EXPECT_EQ(m.events[0], CharEvent::kFocusIn);
  be.type("info status\r");
  EXPECT_EQ(m.got, "info status\r");
  EXPECT_EQ(s.got, "ls\r\x01");

  be.type("\x01");  // an escape split across two reads
  be.type("c");
  EXPECT_EQ(mux.focus(), 0u);

  be.type("\x01h");
  EXPECT_NE(be.out.find("C-a x    exit emulator"), std::string::npos);
  be.type("\x01z");  // unknown: swallowed
  EXPECT_EQ(s.got, "ls\r\x01");
  EXPECT_EQ(quits, 0);
  be.type("\x01x");
  EXPECT_EQ(quits, 1);

  // Both frontends' output reaches the backend.
  be.out.clear();
  serial->write(reinterpret_cast<const uint8_t*>("a"), 1);
  monitor->write(reinterpret_cast<const uint8_t*>("b"), 1);
  EXPECT_EQ(be.out, "ab");
}

TEST(MuxChardev, FlowControlHoldsInputForTheFrontend) {
  FakeBackend be;
  MuxChardev mux(be);
  CharBackend* serial = mux.add_frontend();
  Sink fe(serial);
  fe.room = 2;
  be.type("hello");
  EXPECT_EQ(fe.got, "he");
  fe.room = 10;
  EXPECT_TRUE(serial->pump());
  EXPECT_EQ(fe.got, "hello");
}

TEST(HostLoop, WatchesFds) {
  HostLoop loop;
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  int calls = 0;
  FdWatch w(&loop);
  w.set(p[0], kIoIn, [&](unsigned cond) {
    EXPECT_TRUE(cond & kIoIn);
    char c;
    EXPECT_EQ(read(p[0], &c, 1), 1);
    ++calls;
  });
  EXPECT_FALSE(loop.iterate(0));
  ASSERT_EQ(write(p[1], "x", 1), 1);
  EXPECT_TRUE(loop.iterate(1000));
  EXPECT_EQ(calls, 1);
  w.clear();
  ASSERT_EQ(write(p[1], "y", 1), 1);
  EXPECT_FALSE(loop.iterate(0));
  EXPECT_EQ(calls, 1);
  close(p[0]);
  close(p[1]);
}

}  // namespace
}  // namespace rwd
