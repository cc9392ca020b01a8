// Asynchronous device completions: a virtio device takes a request, hands
// it to host work, and completes it later from the host loop. When the guest
// sees it complete is the input path's choice: at once in a plain run, and
// in a replay at the recorded instruction count however slow the host is.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "hw/core/async_requests.h"
#include "replay/replay.h"
#include "test_machine.h"
#include "virtio_driver.h"

namespace rwd {
namespace {

using namespace test;

// Echoes each request's readable bytes upper-cased into its writable
// buffer, after `delay_ms` of host work.
class EchoDevice : public VirtioDevice {
 public:
  EchoDevice(HostWorkPool& pool, InputPath& path, int delay_ms) : requests_(pool, path, 0), delay_ms_(delay_ms) {}
  std::string name() const override { return "echo"; }
  uint32_t device_id() const override { return 0x7e; }
  unsigned queue_count() const override { return 1; }
  uint16_t queue_max_size(unsigned) const override { return 8; }
  void notify(unsigned, VirtQueue& q) override {
    VirtqElement e;
    while (q.pop(e) == VirtQueue::Pop::kElement) {
      auto data = std::make_shared<std::string>(e.out_bytes(), '\0');
      q.copy_from_guest(e, 0, data->data(), data->size());
      int delay = delay_ms_;
      requests_.start(
          [data, delay] {
            std::this_thread::sleep_for(std::chrono::milliseconds(delay));
            for (char& c : *data) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            return AsyncResult{};
          },
          [this, e, data](const AsyncResult&) {
            uint64_t n = queue_host()->copy_to_guest(0, e, 0, data->data(), data->size());
            queue_host()->complete(0, e, n);
          });
    }
  }
  void reset() override { requests_.cancel_all(); }
  void save(ByteWriter& w) const override { requests_.save(w); }
  void load(ByteReader& r) override { requests_.load(r); }

 private:
  AsyncRequests requests_;
  int delay_ms_;
};

constexpr uint64_t kOut = kBuf, kIn = kBuf + 0x100;

// The driver posts "hello" and a 16-byte reply buffer.
void post_hello(VirtioDriver& d) {
  d.start();
  const char msg[] = "hello";
  ASSERT_TRUE(d.as.write_bytes(kOut, msg, 5));
  d.set_desc(0, {kOut, 5, kNext, 1});
  d.set_desc(1, {kIn, 16, kWrite, 0});
  d.post(0);
}

std::string reply(VirtioDriver& d) {
  char buf[6] = {};
  EXPECT_TRUE(d.as.read_bytes(kIn, buf, 5));
  return buf;
}

// A plain run (no record/replay) with the driver's request posted.
struct PlainRun {
  HostLoop loop;
  HostWorkPool pool{loop};
  DirectInputPath path;
  VirtioDriver d;
  PlainRun() {
    d.plug(std::make_unique<EchoDevice>(pool, path, 20));
    post_hello(d);
  }
};

TEST(AsyncDevice, CompletesFromTheHostLoopNotInsideNotify) {
  PlainRun run;
  HostLoop& loop = run.loop;
  VirtioDriver& d = run.d;
  EXPECT_EQ(d.used_idx(), 0) << "completed synchronously";
  EXPECT_FALSE(d.irq.level);
  for (int i = 0; i < 50 && d.used_idx() == 0; ++i) loop.iterate(100);
  EXPECT_EQ(d.used_idx(), 1);
  EXPECT_EQ(d.used_elem(0), std::make_pair(0u, 5u));
  EXPECT_EQ(reply(d), "HELLO");
  EXPECT_TRUE(d.irq.level);
}

TEST(AsyncDevice, AResetDropsRequestsInFlight) {
  PlainRun run;
  HostLoop& loop = run.loop;
  VirtioDriver& d = run.d;
  d.wr(kStatus, 0);  // the driver resets the device
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  for (int i = 0; i < 5; ++i) loop.iterate(10);
  EXPECT_EQ(d.used_idx(), 0);
  EXPECT_FALSE(d.irq.level);
}

TEST(AsyncDevice, ReplayCompletesAtTheRecordedInstructionHoweverSlowTheHost) {
  char name[] = "/tmp/rewind-async-XXXXXX";
  close(mkstemp(name));
  Options o;
  o.icount.enabled = true;
  o.icount.rrfile = name;
  o.seed = 1;
  uint64_t completed_at = 0;
  {
    o.icount.rr = "record";
    ReplayController c(o, 0, nullptr);
    c.start(machine_fingerprint(o));
    HostLoop loop;
    HostWorkPool pool(loop);
    TestBoard board;
    VirtioDriver d;
    d.plug(std::make_unique<EchoDevice>(pool, c, 5));
    c.attach(board);
    board.run_to(100);
    post_hello(d);
    board.run_to(250);  // the host finishes while the guest runs on
    c.begin_service();
    for (int i = 0; i < 50 && d.used_idx() == 0; ++i) loop.iterate(100);
    ASSERT_EQ(d.used_idx(), 1);
    completed_at = board.m.cpu.s.icount;
    board.run_to(300);
    c.end(EndReason::kGuestShutdown, 0);
  }
  EXPECT_EQ(completed_at, 250u);
  {
    o.icount.rr = "replay";
    ReplayController c(o, 0, nullptr);
    c.start(machine_fingerprint(o));
    HostLoop loop;
    HostWorkPool pool(loop);
    TestBoard board;
    VirtioDriver d;
    d.plug(std::make_unique<EchoDevice>(pool, c, 150));  // a much slower host this time
    c.attach(board);
    c.replay_service(false);
    board.run_to(100);
    post_hello(d);
    board.run_to(200);
    c.replay_service(false);
    EXPECT_EQ(d.used_idx(), 0) << "completed before its recorded point";
    board.run_to(250);
    c.replay_service(false);  // waits for the host's work
    EXPECT_EQ(d.used_idx(), 1);
    EXPECT_EQ(reply(d), "HELLO");
    EXPECT_TRUE(d.irq.level);
    // The host's own completion comes later and changes nothing.
    for (int i = 0; i < 3; ++i) loop.iterate(10);
    EXPECT_EQ(d.used_idx(), 1);
    board.run_to(300);
    c.end(EndReason::kGuestShutdown, 0);
    EXPECT_TRUE(c.finished());
  }
  std::remove(name);
}

}  // namespace
}  // namespace rwd
