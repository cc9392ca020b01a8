// The replay controller itself, without a guest: a scripted sequence of host
// inputs, synchronous requests and run-loop events is recorded, then
// replayed into a fresh machine, and every input must reach the same
// receiver at the same instruction count. Also: the character replay tap
// delivers to the same frontend whichever of tap, frontend and mux joined
// the chain first.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "chardev/char_mux.h"
#include "chardev/char_replay_tap.h"
#include "hw/core/machine.h"
#include "replay/replay.h"
#include "test_machine.h"

namespace rwd {
namespace {

using test::TestBoard;

// Records what it is given and when.
struct Receiver : InputReceiver {
  explicit Receiver(TestBoard& b) : board(b) {}
  size_t input_room() override { return room; }
  void receive_input(const uint8_t* d, size_t n) override {
    got.push_back({board.m.cpu.s.icount, std::string(reinterpret_cast<const char*>(d), n)});
    if (room != SIZE_MAX) room -= n;
  }
  TestBoard& board;
  size_t room = SIZE_MAX;
  std::vector<std::pair<uint64_t, std::string>> got;
};

std::string temp_rrfile() {
  char name[] = "/tmp/rewind-controller-XXXXXX";
  int fd = mkstemp(name);
  close(fd);
  return name;
}

Options options(const std::string& mode, const std::string& file) {
  Options o;
  o.icount.enabled = true;
  o.icount.rr = mode;
  o.icount.rrfile = file;
  o.seed = 7;
  o.rr_check_interval = 1000;
  return o;
}

size_t submit(InputChannel& c, const std::string& s) {
  return c.submit(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

class ReplayControllerTest : public ::testing::Test {
 protected:
  void TearDown() override { std::remove(path.c_str()); }
  // A recording with one char input "x" from `source` at instruction `at`.
  void record_one_input(uint8_t source, uint64_t at) {
    Options o = options("record", path);
    ReplayController c(o, 0, nullptr);
    c.start(machine_fingerprint(o));
    TestBoard board;
    Receiver a(board);
    auto ca = c.open(EventKind::kCharInput, source, a);
    c.attach(board);
    board.run_to(at);
    c.begin_service();
    submit(*ca, "x");
    board.run_to(at + 100);
    c.end(EndReason::kGuestShutdown, 0);
  }
  std::string path = temp_rrfile();
};

TEST_F(ReplayControllerTest, ScriptedInputsReplayAtTheirInstructionCounts) {
  std::vector<std::pair<uint64_t, std::string>> recorded_a, recorded_b;
  int64_t clock_seen = 0;
  {
    Options o = options("record", path);
    ReplayController c(o, 0, nullptr);
    c.start(machine_fingerprint(o));
    TestBoard board;
    Receiver a(board), b(board);
    auto ca = c.open(EventKind::kCharInput, 0, a);
    auto cb = c.open(EventKind::kCompletion, 3, b);
    ASSERT_TRUE(ca->live());
    c.attach(board);
    for (uint64_t at : {10, 500, 1500, 1501, 4000}) {
      board.run_to(at);
      c.begin_service();
      EXPECT_EQ(submit(*ca, "in@" + std::to_string(at)), 3 + std::to_string(at).size());
      if (at % 2 == 0) submit(*cb, "req" + std::to_string(at));
    }
    board.run_to(4100);
    c.begin_service();
    a.room = 3;  // flow control: only what the receiver takes is recorded
    EXPECT_EQ(submit(*ca, "hello"), 3u);
    board.run_to(4200);
    clock_seen = c.sync_value(EventKind::kClockRead, 123456789);
    EXPECT_EQ(clock_seen, 123456789);
    board.run_to(5000);
    c.end(EndReason::kGuestShutdown, 0);
    recorded_a = a.got;
    recorded_b = b.got;
  }
  ASSERT_EQ(recorded_a.size(), 6u);
  EXPECT_EQ(recorded_a.back(), std::make_pair(uint64_t{4100}, std::string("hel")));
  ASSERT_EQ(recorded_b.size(), 4u);  // 10, 500, 1500, 4000

  Options o = options("replay", path);
  ReplayController c(o, 0, nullptr);
  c.start(machine_fingerprint(o));
  TestBoard board;
  Receiver a(board), b(board);
  auto cb = c.open(EventKind::kCompletion, 3, b);  // opened in the other order
  auto ca = c.open(EventKind::kCharInput, 0, a);
  EXPECT_FALSE(ca->live());
  c.attach(board);
  EXPECT_EQ(submit(*ca, "live input is dropped"), 21u);
  EXPECT_TRUE(a.got.empty());
  // The run loop's part: run to each stop the controller names, serve it.
  int steps = 0;
  while (!c.finished() && steps++ < 100) {
    uint64_t stop = c.next_stop();
    if (stop == 4200 && board.m.cpu.s.icount < 4200) {
      board.run_to(4200);
      EXPECT_EQ(c.sync_value(EventKind::kClockRead, 0), clock_seen);
      continue;
    }
    board.run_to(std::max(stop, board.m.cpu.s.icount));
    if (board.m.cpu.s.icount >= 5000) break;
    c.replay_service(false);
  }
  board.run_to(5000);
  c.end(EndReason::kGuestShutdown, 0);
  EXPECT_TRUE(c.finished());
  EXPECT_EQ(a.got, recorded_a);
  EXPECT_EQ(b.got, recorded_b);
}

TEST_F(ReplayControllerTest, AStateDifferenceStopsTheReplay) {
  record_one_input(0, 100);
  Options o = options("replay", path);
  ReplayController c(o, 0, nullptr);
  c.start(machine_fingerprint(o));
  TestBoard board;
  Receiver a(board);
  auto ca = c.open(EventKind::kCharInput, 0, a);
  c.attach(board);
  board.m.cpu.s.x[5] = 42;  // the replay went elsewhere
  board.run_to(100);
  EXPECT_THROW(c.replay_service(false), ReplayDivergence);
  EXPECT_TRUE(a.got.empty());
}

TEST_F(ReplayControllerTest, InputForASourceThisMachineLacksIsADivergence) {
  record_one_input(1, 10);
  Options o = options("replay", path);
  ReplayController c(o, 0, nullptr);
  c.start(machine_fingerprint(o));
  TestBoard board;
  c.attach(board);
  c.replay_service(false);
  board.run_to(10);
  try {
    c.replay_service(false);
    FAIL() << "no divergence";
  } catch (const ReplayDivergence& d) {
    EXPECT_NE(std::string(d.what()).find("char-input input for source 1"), std::string::npos) << d.what();
  }
}

// --- -rr-net-check: the frames the guest sends -------------------------------------

std::string describe_frame(const uint8_t*, size_t) { return "a test frame"; }

void send(ReplayController& c, const std::string& frame) {
  c.guest_output(EventKind::kNetSent, 0, reinterpret_cast<const uint8_t*>(frame.data()), frame.size(), describe_frame);
}

// Records "frame-one" at 100 and "frame-two" at 200; replays sending `second` at `at`.
std::string replay_sends(const std::string& path, bool net_check, const std::string& second, uint64_t at) {
  {
    Options o = options("record", path);
    o.rr_net_check = net_check;
    ReplayController c(o, 0, nullptr);
    c.start(machine_fingerprint(o));
    TestBoard board;
    c.attach(board);
    board.run_to(100);
    send(c, "frame-one");
    board.run_to(200);
    send(c, "frame-two");
    board.run_to(300);
    c.end(EndReason::kGuestShutdown, 0);
  }
  Options o = options("replay", path);
  ReplayController c(o, 0, nullptr);
  c.start(machine_fingerprint(o));
  TestBoard board;
  c.attach(board);
  try {
    board.run_to(100);
    send(c, "frame-one");
    board.run_to(at);
    send(c, second);
    board.run_to(300);
    c.end(EndReason::kGuestShutdown, 0);
  } catch (const ReplayDivergence& d) {
    return d.what();
  }
  return c.finished() ? "" : "not finished";
}

TEST_F(ReplayControllerTest, NetCheckPassesTheSameFramesAtTheSameCounts) {
  EXPECT_EQ(replay_sends(path, true, "frame-two", 200), "");
}

TEST_F(ReplayControllerTest, NetCheckStopsAtAFrameWithOtherBytes) {
  std::string why = replay_sends(path, true, "frame-TWO", 200);
  EXPECT_NE(why.find("the guest sent a 9-byte frame to netdev 0 (a test frame), but the recorded frame was another of "
                     "the same length"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("instruction 200"), std::string::npos) << why;
}

TEST_F(ReplayControllerTest, NetCheckStopsAtAFrameSentElsewhen) {
  std::string why = replay_sends(path, true, "frame-two", 150);
  EXPECT_NE(why.find("the recording's next event is net-sent at instruction 200"), std::string::npos) << why;
  why = replay_sends(path, true, "frame-2", 200);
  EXPECT_NE(why.find("the recorded frame was 9 bytes to netdev 0"), std::string::npos) << why;
}

TEST_F(ReplayControllerTest, WithoutNetCheckFramesAreNotRecordedOrChecked) {
  EXPECT_EQ(replay_sends(path, false, "something else", 150), "");
}

// --- the character tap --------------------------------------------------------

class FakeBackend : public CharBackend {
 public:
  void write(const uint8_t*, size_t) override {}
  void type(const std::string& s) { deliver(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
};

// A UART-like frontend: a 4-byte FIFO.
struct Uart : CharReceiver {
  explicit Uart(TestBoard& b) : board(b) {}
  size_t can_receive() override { return 4 - fifo.size(); }
  void receive(const uint8_t* d, size_t n) override {
    fifo.append(reinterpret_cast<const char*>(d), n);
    log.push_back({board.m.cpu.s.icount, std::string(reinterpret_cast<const char*>(d), n)});
  }
  TestBoard& board;
  std::string fifo;
  std::vector<std::pair<uint64_t, std::string>> log;
};

// Builds backend -> mux -> port -> {tap, uart}, joining in the given order.
struct Console {
  Console(InputPath& path, TestBoard& board, bool tap_first) : uart(board), tap(path, 0) {
    serial = mux.add_frontend();
    if (tap_first) serial->add_filter(&tap);
    serial->set_frontend(&uart);
    if (!tap_first) serial->add_filter(&tap);
  }
  FakeBackend be;
  MuxChardev mux{be};
  CharBackend* serial;
  Uart uart;
  CharReplayTap tap;
};

TEST_F(ReplayControllerTest, CharTapDeliversToTheSameFrontendInEitherOrder) {
  for (bool tap_first : {true, false}) {
    std::vector<std::pair<uint64_t, std::string>> recorded;
    {
      Options o = options("record", path);
      ReplayController c(o, 0, nullptr);
      c.start(machine_fingerprint(o));
      TestBoard board;
      Console con(c, board, tap_first);
      c.attach(board);
      board.run_to(50);
      c.begin_service();
      con.be.type("abcdef");  // the FIFO takes 4; the mux holds the rest
      board.run_to(60);
      con.uart.fifo.clear();  // the guest read them
      c.begin_service();
      con.serial->pump();
      board.run_to(70);
      c.end(EndReason::kGuestShutdown, 0);
      recorded = con.uart.log;
    }
    ASSERT_EQ(recorded.size(), 2u) << "tap first: " << tap_first;
    EXPECT_EQ(recorded[0], std::make_pair(uint64_t{50}, std::string("abcd")));
    EXPECT_EQ(recorded[1], std::make_pair(uint64_t{60}, std::string("ef")));

    Options o = options("replay", path);
    ReplayController c(o, 0, nullptr);
    c.start(machine_fingerprint(o));
    TestBoard board;
    Console con(c, board, !tap_first);  // and the other way round on replay
    c.attach(board);
    con.be.type("typed into the replay");
    EXPECT_TRUE(con.uart.log.empty()) << "live input reached the guest";
    for (uint64_t at : {0, 50, 60}) {
      board.run_to(at);
      if (at == 60) con.uart.fifo.clear();
      c.replay_service(false);
    }
    board.run_to(70);
    c.end(EndReason::kGuestShutdown, 0);
    EXPECT_EQ(con.uart.log, recorded) << "tap first: " << tap_first;
  }
}

}  // namespace
}  // namespace rwd
