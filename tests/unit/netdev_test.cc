// The network layer without a guest: virtio-net driven through the
// virtio-mmio transport as Linux drives it, the netdev's bounded queue,
// filters in QEMU's order, the option parser and the frame summaries. Then
// hostile input: garbage rings and registers with frames arriving.
#include <gtest/gtest.h>

#include <random>

#include "hw/virtio/virtio_net.h"
#include "net/frame_summary.h"
#include "net/net_options.h"
#include "net/netdev.h"
#include "util/host_loop.h"
#include "virtio_driver.h"

namespace rwd {
namespace {

using namespace test;

struct FakeBackend : NetBackend {
  std::vector<Frame> got;
  std::string type() const override { return "fake"; }
  void receive(const uint8_t* d, size_t n) override { got.emplace_back(d, d + n); }
  std::string info() const override { return ""; }
  void inject(const Frame& f) { to_guest(f.data(), f.size()); }
};

struct Recorder : NetFilter {
  std::vector<std::string>* log;
  std::string name;
  Recorder(std::vector<std::string>* l, std::string n) : log(l), name(std::move(n)) {}
  std::string type() const override { return "recorder"; }
  bool filter(NetDirection d, const uint8_t*, size_t, size_t) override {
    log->push_back(name + (d == NetDirection::kToGuest ? ">guest" : ">host"));
    return true;
  }
};

Frame frame(size_t len, uint8_t fill) {
  Frame f(len, fill);
  f[12] = 0x08;  // IPv4 ethertype
  f[13] = 0x00;
  return f;
}

constexpr uint64_t kTxDesc = kRam + 0x4000, kTxAvail = kRam + 0x5000, kTxUsed = kRam + 0x6000;

struct NetFixture : ::testing::Test, VirtioDriver {
  HostLoop loop;
  Netdev link{"n1", loop};
  FakeBackend* backend = nullptr;
  VirtioNet* nic = nullptr;
  void SetUp() override {
    auto b = std::make_unique<FakeBackend>();
    backend = b.get();
    link.set_backend(std::move(b));
    auto n = std::make_unique<VirtioNet>(&link, VirtioNet::Mac{0x52, 0x54, 0, 0x12, 0x34, 0x56});
    nic = n.get();
    plug(std::move(n));
  }
  void start_both(uint64_t features = 1ull << 32) {
    negotiate(features);
    setup_queue();  // queue 0: receive
    wr(kQueueSel, 1);
    wr(kQueueNum, 8);
    wr(kDescLo, static_cast<uint32_t>(kTxDesc));
    wr(kDescHi, 0);
    wr(kAvailLo, static_cast<uint32_t>(kTxAvail));
    wr(kAvailHi, 0);
    wr(kUsedLo, static_cast<uint32_t>(kTxUsed));
    wr(kUsedHi, 0);
    wr(kQueueReady, 1);
    wr(kStatus, 1 | 2 | 8 | 4);
  }
  void post_rx(unsigned i, uint32_t len) {
    set_desc(i, {kBuf + 0x800ull * i, len, kWrite, 0});
    post(static_cast<uint16_t>(i));
  }
  uint16_t tx_avail = 0;
  void send_tx(const Frame& f) {
    uint8_t hdr[12] = {};
    as.write_bytes(kBuf + 0x8000, hdr, 12);
    as.write_bytes(kBuf + 0x8000 + 12, f.data(), f.size());
    poke(kTxDesc, Desc{kBuf + 0x8000, static_cast<uint32_t>(12 + f.size()), 0, 0});
    poke<uint16_t>(kTxAvail + 4 + 2 * (tx_avail % 8), 0);
    ++tx_avail;
    poke<uint16_t>(kTxAvail + 2, tx_avail);
    wr(kQueueNotify, 1);
  }
};

TEST_F(NetFixture, IdentifiesWithMacLinkAndMtu) {
  EXPECT_EQ(rd(kDeviceId), 1u);
  wr(kDevFeaturesSel, 0);
  uint32_t f = rd(kDevFeatures);
  EXPECT_TRUE(f & (1u << 5));  // MAC
  EXPECT_TRUE(f & (1u << 16)); // STATUS
  EXPECT_TRUE(f & (1u << 3));  // MTU
  EXPECT_EQ(dev->read(0x100, 1), 0x52u);
  EXPECT_EQ(dev->read(0x105, 1), 0x56u);
  EXPECT_EQ(dev->read(0x106, 1), 1u);  // link up
  EXPECT_EQ(dev->read(0x10a, 1) | (dev->read(0x10b, 1) << 8), 1500u);
}

TEST_F(NetFixture, ReceivesIntoPostedBuffer) {
  start_both();
  post_rx(0, 2048);
  Frame f = frame(100, 0xab);
  backend->inject(f);
  ASSERT_EQ(used_idx(), 1);
  EXPECT_EQ(used_elem(0).second, 112u);
  EXPECT_EQ(peek<uint16_t>(kBuf + 10), 1u);  // num_buffers
  Frame back(100);
  as.read_bytes(kBuf + 12, back.data(), back.size());
  EXPECT_EQ(back, f);
  EXPECT_TRUE(irq.level);
}

TEST_F(NetFixture, WithoutBuffersFramesWaitBoundedThenFlowWhenPosted) {
  start_both();
  for (size_t i = 0; i < Netdev::kQueueFrames + 500; ++i) backend->inject(frame(60, static_cast<uint8_t>(i)));
  EXPECT_EQ(link.queued(), Netdev::kQueueFrames);
  EXPECT_EQ(link.dropped(), 500u);
  EXPECT_EQ(used_idx(), 0);
  post_rx(0, 2048);  // the notify kicks the netdev; the flush runs from the host loop
  EXPECT_EQ(used_idx(), 0);
  loop.iterate(0);
  EXPECT_EQ(used_idx(), 1);
  EXPECT_EQ(link.queued(), Netdev::kQueueFrames - 1);
  EXPECT_EQ(peek<uint8_t>(kBuf + 12), 0u);  // the first frame, in order
}

TEST_F(NetFixture, TransmitsAndDropsRunts) {
  start_both();
  Frame f = frame(60, 0x11);
  send_tx(f);
  ASSERT_EQ(backend->got.size(), 1u);
  EXPECT_EQ(backend->got[0], f);
  send_tx(Frame(5, 1));  // shorter than an Ethernet header
  EXPECT_EQ(backend->got.size(), 1u);
  EXPECT_EQ(peek<uint16_t>(kTxUsed + 2), 2u);  // both returned to the driver
}

TEST_F(NetFixture, TinyReceiveBufferComesBackEmpty) {
  start_both();
  post_rx(0, 4);
  post_rx(1, 30);
  backend->inject(frame(60, 1));
  backend->inject(frame(60, 2));
  EXPECT_EQ(used_idx(), 2);
  EXPECT_EQ(used_elem(0).second, 0u);
  EXPECT_EQ(used_elem(1).second, 30u);  // cut to the buffer
}

constexpr uint64_t kMergeable = (1ull << 32) | (1ull << 15);  // VERSION_1, MRG_RXBUF

TEST_F(NetFixture, MergeableFrameSpansPostedBuffers) {
  start_both(kMergeable);
  for (unsigned i = 0; i < 3; ++i) post_rx(i, 600);
  Frame f = frame(1400, 0);
  for (size_t i = 14; i < f.size(); ++i) f[i] = static_cast<uint8_t>(i * 7);
  backend->inject(f);
  ASSERT_EQ(used_idx(), 3);
  EXPECT_EQ(peek<uint16_t>(kBuf + 10), 3u);  // num_buffers
  EXPECT_EQ(used_elem(0).second, 600u);
  EXPECT_EQ(used_elem(1).second, 600u);
  EXPECT_EQ(used_elem(2).second, 1412u - 1200u);
  Frame back(1400);
  as.read_bytes(kBuf + 12, back.data(), 588);
  as.read_bytes(kBuf + 0x800, back.data() + 588, 600);
  as.read_bytes(kBuf + 0x1000, back.data() + 1188, 212);
  EXPECT_EQ(back, f);
}

TEST_F(NetFixture, MergeableFrameWaitsUntilTheBuffersHoldTheLargest) {
  start_both(kMergeable);
  post_rx(0, 1000);  // less than a full-size frame: nothing is taken yet
  backend->inject(frame(60, 1));
  EXPECT_EQ(used_idx(), 0);
  EXPECT_EQ(link.queued(), 1u);
  post_rx(1, 1000);
  loop.iterate(0);
  ASSERT_EQ(used_idx(), 1);  // the small frame fits the first buffer
  EXPECT_EQ(used_elem(0).second, 72u);
  EXPECT_EQ(peek<uint16_t>(kBuf + 10), 1u);
  EXPECT_EQ(link.queued(), 0u);
}

TEST_F(NetFixture, FiltersRunInQemuOrder) {
  std::vector<std::string> log;
  link.add_filter(std::make_unique<Recorder>(&log, "a"));
  link.add_filter(std::make_unique<Recorder>(&log, "b"));
  auto c = std::make_unique<Recorder>(&log, "c");
  c->queue = NetFilter::Queue::kRx;  // only frames towards the backend
  link.add_filter(std::move(c));
  start_both();
  post_rx(0, 2048);
  backend->inject(frame(60, 1));
  send_tx(frame(60, 2));
  EXPECT_EQ(log, (std::vector<std::string>{"a>guest", "b>guest", "c>host", "b>host", "a>host"}));
}

TEST_F(NetFixture, GarbageNeverCrashes) {
  std::mt19937_64 rng(42);
  std::vector<uint8_t> noise(kRamSize);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  as.load_image(kRam, noise.data(), noise.size());
  start_both();
  for (int i = 0; i < 200000; ++i) {
    uint64_t off = rng() % 0x110 & ~3ull;
    if (rng() % 4 == 0) wr(kQueueNotify, static_cast<uint32_t>(rng() % 3));
    else if (off != kStatus || rng() % 16 == 0) wr(off, static_cast<uint32_t>(rng()));
    if (i % 7 == 0) backend->inject(frame(14 + rng() % 1600, static_cast<uint8_t>(i)));
    if (i % 1000 == 0) loop.iterate(0);
  }
  EXPECT_LE(link.queued(), Netdev::kQueueFrames);
}

TEST(NetOptions, NicUserMakesABackendAndItsNic) {
  NetConfig c;
  std::string err;
  ASSERT_TRUE(parse_net_config({}, {"user,mac=52:54:00:aa:bb:cc,hostfwd=tcp::2222-:22"}, {}, {}, c, err)) << err;
  ASSERT_EQ(c.netdevs.size(), 1u);
  EXPECT_EQ(c.netdevs[0].type, "user");
  EXPECT_EQ(c.netdevs[0].all("hostfwd"), std::vector<std::string>{"tcp::2222-:22"});
  ASSERT_EQ(c.nics.size(), 1u);
  EXPECT_EQ(c.nics[0].props.at("netdev"), c.netdevs[0].id);
  EXPECT_EQ(c.nics[0].props.at("mac"), "52:54:00:aa:bb:cc");
}

TEST(NetOptions, LegacyNetPairsNicWithBackend) {
  NetConfig c;
  std::string err;
  ASSERT_TRUE(parse_net_config({}, {}, {"nic,macaddr=52:54:00:00:00:01", "user,hostfwd=tcp::1-:2"}, {}, c, err)) << err;
  ASSERT_EQ(c.nics.size(), 1u);
  EXPECT_EQ(c.nics[0].props.at("netdev"), c.netdevs[0].id);
  EXPECT_TRUE(parse_net_config({}, {"none"}, {"none"}, {}, c, err));
  EXPECT_TRUE(c.netdevs.empty() && c.nics.empty());
}

TEST(NetOptions, RefusesWithOneLine) {
  NetConfig c;
  std::string err;
  auto refused = [&](std::vector<std::string> nd, std::vector<std::string> objs, const std::string& what) {
    bool ok = parse_net_config(nd, {}, {}, objs, c, err);
    return !ok && err.find(what) != std::string::npos && err.find('\n') == std::string::npos;
  };
  EXPECT_TRUE(refused({"user"}, {}, "'id' is missing"));
  EXPECT_TRUE(refused({"user,id=a,bogus=1"}, {}, "invalid parameter 'bogus'"));
  EXPECT_TRUE(refused({"bridge,id=a"}, {}, "not supported"));
  EXPECT_TRUE(refused({"user,id=a", "user,id=a"}, {}, "duplicate"));
  EXPECT_TRUE(refused({"user,id=a"}, {"filter-dump,id=d,netdev=a"}, "'file' is missing"));
  EXPECT_TRUE(refused({"user,id=a"}, {"filter-replay,id=r,netdev=b"}, "not found"));
  EXPECT_TRUE(refused({"user,id=a"}, {"filter-replay,id=r,netdev=a,queue=sideways"}, "queue"));
  EXPECT_TRUE(refused({"user,id=a"}, {"memory-backend-ram,id=m"}, "unsupported object"));
  EXPECT_TRUE(refused({"hubport,id=h"}, {}, "hubid"));
}

TEST(NetOptions, MacAddresses) {
  VirtioNet::Mac m;
  EXPECT_TRUE(VirtioNet::parse_mac("52:54:00:12:34:56", m));
  EXPECT_EQ(m[5], 0x56);
  EXPECT_FALSE(VirtioNet::parse_mac("01:00:5e:00:00:01", m));  // multicast
  EXPECT_FALSE(VirtioNet::parse_mac("52:54:00:12:34", m));
  EXPECT_FALSE(VirtioNet::parse_mac("52:54:00:12:34:56:78", m));
}

TEST(FrameSummary, DescribesCommonFrames) {
  // ARP who-has 10.0.2.2 tell 10.0.2.15.
  Frame arp(42, 0);
  arp[12] = 0x08, arp[13] = 0x06;
  arp[20] = 0, arp[21] = 1;
  uint8_t spa[4] = {10, 0, 2, 15}, tpa[4] = {10, 0, 2, 2};
  std::copy(spa, spa + 4, arp.begin() + 28);
  std::copy(tpa, tpa + 4, arp.begin() + 38);
  EXPECT_EQ(frame_summary(arp.data(), arp.size()), "ARP who-has 10.0.2.2 tell 10.0.2.15");
  // IPv4 UDP 67 > 68.
  Frame udp(14 + 20 + 8, 0);
  udp[12] = 0x08;
  udp[14] = 0x45;
  udp[23] = 17;
  udp[26] = 10, udp[27] = 0, udp[28] = 2, udp[29] = 2;
  udp[30] = 10, udp[31] = 0, udp[32] = 2, udp[33] = 15;
  udp[35] = 67, udp[37] = 68;
  EXPECT_EQ(frame_summary(udp.data(), udp.size()), "IPv4 10.0.2.2 > 10.0.2.15 UDP 67 > 68 (DHCP)");
  EXPECT_EQ(frame_summary(udp.data(), 20), "IPv4 (truncated)");
  EXPECT_EQ(frame_summary(udp.data(), 3), "(runt frame)");
}

}  // namespace
}  // namespace rwd
