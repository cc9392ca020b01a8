// virtio-gpu driven as a guest driver would (and as a hostile one would):
// requests built in guest RAM, posted through the virtio-mmio transport.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>

#include "hw/display/edid.h"
#include "hw/virtio/virtio_gpu.h"
#include "hw/virtio/virtio_gpu_options.h"
#include "tests/unit/virtio_driver.h"
#include "ui/display.h"
#include "ui/png_writer.h"
#include "ui/screendump.h"

namespace rwd {
namespace {

using namespace gpu;
using test::Desc;
using test::kBuf;
using test::kRam;
using test::kWrite;
using test::kNext;

constexpr uint64_t kCmd = kBuf, kResp = kBuf + 0x4000, kPages = kRam + 0x40000;

struct GpuRig : test::VirtioDriver {
  DisplaySet displays;
  VirtioGpu* gpu = nullptr;

  explicit GpuRig(GpuConfig cfg = {}) {
    auto dev = std::make_unique<VirtioGpu>(as, displays, cfg);
    gpu = dev.get();
    plug(std::move(dev));
    start();
  }
  // Sends `cmd` (len bytes) with a `resp_len` answer buffer; returns the
  // answer's type, and the answer in `resp` if given.
  uint32_t send(const void* cmd, size_t len, void* resp = nullptr, size_t resp_len = sizeof(CtrlHdr)) {
    EXPECT_TRUE(as.write_bytes(kCmd, cmd, len));
    std::vector<uint8_t> zero(resp_len, 0xee);
    EXPECT_TRUE(as.write_bytes(kResp, zero.data(), resp_len));
    set_desc(0, {kCmd, static_cast<uint32_t>(len), kNext, 1});
    set_desc(1, {kResp, static_cast<uint32_t>(resp_len), kWrite, 0});
    uint16_t before = used_idx();
    post(0);
    EXPECT_EQ(used_idx(), static_cast<uint16_t>(before + 1));
    EXPECT_FALSE(needs_reset());
    std::vector<uint8_t> out(resp_len);
    EXPECT_TRUE(as.read_bytes(kResp, out.data(), resp_len));
    if (resp) std::memcpy(resp, out.data(), resp_len);
    CtrlHdr h;
    std::memcpy(&h, out.data(), sizeof h);
    return h.type;
  }
  template <typename T>
  uint32_t cmd(T c) {
    return send(&c, sizeof c);
  }
  uint32_t create(uint32_t id, uint32_t w, uint32_t h, uint32_t format = kFormatB8G8R8X8) {
    ResourceCreate2d c{};
    c.hdr.type = kCmdResourceCreate2d;
    c.resource_id = id;
    c.format = format;
    c.width = w;
    c.height = h;
    return cmd(c);
  }
  uint32_t attach(uint32_t id, const std::vector<MemEntry>& entries, uint32_t nr = UINT32_MAX) {
    std::vector<uint8_t> buf(sizeof(AttachBacking) + entries.size() * sizeof(MemEntry));
    AttachBacking a{};
    a.hdr.type = kCmdResourceAttachBacking;
    a.resource_id = id;
    a.nr_entries = nr == UINT32_MAX ? static_cast<uint32_t>(entries.size()) : nr;
    std::memcpy(buf.data(), &a, sizeof a);
    if (!entries.empty()) std::memcpy(buf.data() + sizeof a, entries.data(), entries.size() * sizeof(MemEntry));
    return send(buf.data(), buf.size());
  }
  uint32_t transfer(uint32_t id, Rect r, uint64_t offset) {
    TransferToHost2d t{};
    t.hdr.type = kCmdTransferToHost2d;
    t.r = r;
    t.offset = offset;
    t.resource_id = id;
    return cmd(t);
  }
  uint32_t scanout(uint32_t id, Rect r, uint32_t scanout_id = 0) {
    SetScanout s{};
    s.hdr.type = kCmdSetScanout;
    s.r = r;
    s.scanout_id = scanout_id;
    s.resource_id = id;
    return cmd(s);
  }
  uint32_t flush(uint32_t id, Rect r) {
    ResourceFlush f{};
    f.hdr.type = kCmdResourceFlush;
    f.r = r;
    f.resource_id = id;
    return cmd(f);
  }
  uint32_t pixel(int x, int y) { return displays.console(0)->surface()->row(y)[x] & 0xffffff; }
};

// A 64x32 framebuffer in two backing pieces (split mid-row), filled with
// a pattern of 4-byte pixels whose bytes are (x, y, x^y, 0x80).
void fill_pattern(GpuRig& g, uint32_t w, uint32_t h) {
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t px[4] = {static_cast<uint8_t>(x), static_cast<uint8_t>(y), static_cast<uint8_t>(x ^ y), 0x80};
      ASSERT_TRUE(g.as.write_bytes(kPages + (uint64_t{y} * w + x) * 4, px, 4));
    }
}

TEST(VirtioGpu, ConfigAndDisplayInfo) {
  GpuRig g;
  EXPECT_EQ(g.rd(test::kDeviceId), 16u);
  EXPECT_EQ(g.rd(0x100 + 8), 1u);   // num_scanouts
  EXPECT_EQ(g.rd(0x100 + 12), 0u);  // num_capsets
  g.wr(test::kDevFeaturesSel, 0);
  EXPECT_EQ(g.rd(test::kDevFeatures) & 2u, 2u);  // EDID
  RespDisplayInfo info;
  CtrlHdr h{};
  h.type = kCmdGetDisplayInfo;
  ASSERT_EQ(g.send(&h, sizeof h, &info, sizeof info), kRespOkDisplayInfo);
  EXPECT_EQ(info.pmodes[0].r.width, 1280u);
  EXPECT_EQ(info.pmodes[0].r.height, 800u);
  EXPECT_EQ(info.pmodes[0].enabled, 1u);
  EXPECT_EQ(info.pmodes[1].enabled, 0u);
  // EDID: a valid block naming the mode.
  GetEdid ge{};
  ge.hdr.type = kCmdGetEdid;
  RespEdid edid;
  ASSERT_EQ(g.send(&ge, sizeof ge, &edid, sizeof edid), kRespOkEdid);
  EXPECT_EQ(edid.size, 128u);
  uint8_t sum = 0;
  for (int i = 0; i < 128; ++i) sum = static_cast<uint8_t>(sum + edid.edid[i]);
  EXPECT_EQ(sum, 0);
  EXPECT_EQ(edid.edid[56] | ((edid.edid[58] >> 4) << 8), 1280);  // hactive
  EXPECT_EQ(edid.edid[59] | ((edid.edid[61] >> 4) << 8), 800);   // vactive
  ge.scanout = 1;
  EXPECT_EQ(g.send(&ge, sizeof ge, &edid, sizeof edid), kRespErrInvalidParameter);
}

TEST(VirtioGpu, EdidOffAndMode) {
  GpuConfig cfg;
  cfg.edid = false;
  cfg.xres = 1024;
  cfg.yres = 768;
  GpuRig g(cfg);
  g.wr(test::kDevFeaturesSel, 0);
  EXPECT_EQ(g.rd(test::kDevFeatures) & 2u, 0u);
  GetEdid ge{};
  ge.hdr.type = kCmdGetEdid;
  EXPECT_EQ(g.cmd(ge), kRespErrUnspec);
  RespDisplayInfo info;
  CtrlHdr h{};
  h.type = kCmdGetDisplayInfo;
  ASSERT_EQ(g.send(&h, sizeof h, &info, sizeof info), kRespOkDisplayInfo);
  EXPECT_EQ(info.pmodes[0].r.width, 1024u);
  EXPECT_EQ(info.pmodes[0].r.height, 768u);
}

TEST(VirtioGpu, DrawsTheScanoutThroughFlush) {
  GpuRig g;
  const uint32_t w = 64, h = 32;
  fill_pattern(g, w, h);
  ASSERT_EQ(g.create(1, w, h), kRespOkNodata);
  EXPECT_EQ(g.gpu->hostmem_used(), uint64_t{w} * h * 4);
  // Two entries, the first ending mid-row.
  ASSERT_EQ(g.attach(1, {{kPages, 1000, 0}, {kPages + 1000, w * h * 4 - 1000, 0}}), kRespOkNodata);
  ASSERT_EQ(g.transfer(1, {0, 0, w, h}, 0), kRespOkNodata);
  EXPECT_EQ(g.displays.console(0)->surface(), nullptr);
  ASSERT_EQ(g.scanout(1, {0, 0, w, h}), kRespOkNodata);
  ASSERT_NE(g.displays.console(0)->surface(), nullptr);
  EXPECT_EQ(g.displays.console(0)->surface()->width(), 64);
  // B8G8R8X8: the bytes are blue, green, red.
  EXPECT_EQ(g.pixel(5, 9), (uint32_t{5 ^ 9} << 16) | (9u << 8) | 5u);
  EXPECT_EQ(g.pixel(63, 31), (uint32_t{63 ^ 31} << 16) | (31u << 8) | 63u);
  // A partial transfer of a rectangle: only it changes, after a flush.
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) ASSERT_TRUE(g.as.write_bytes(kPages + (uint64_t{y} * w + x) * 4, "\x11\x22\x33\x00", 4));
  ASSERT_EQ(g.transfer(1, {10, 4, 3, 2}, (4 * w + 10) * 4), kRespOkNodata);
  EXPECT_EQ(g.pixel(10, 4), (uint32_t{10 ^ 4} << 16) | (4u << 8) | 10u);  // not flushed yet
  ASSERT_EQ(g.flush(1, {0, 0, w, h}), kRespOkNodata);
  EXPECT_EQ(g.pixel(10, 4), 0x332211u);
  EXPECT_EQ(g.pixel(12, 5), 0x332211u);
  EXPECT_EQ(g.pixel(13, 5), (uint32_t{13 ^ 5} << 16) | (5u << 8) | 13u);
  EXPECT_EQ(g.pixel(10, 6), (uint32_t{10 ^ 6} << 16) | (6u << 8) | 10u);
  // A scanout of part of the resource is offset.
  ASSERT_EQ(g.scanout(1, {8, 2, 16, 8}), kRespOkNodata);
  EXPECT_EQ(g.displays.console(0)->surface()->width(), 16);
  EXPECT_EQ(g.pixel(2, 2), 0x332211u);  // resource (10, 4)
  // Resource 0 disables the scanout; unref of the shown resource too.
  ASSERT_EQ(g.scanout(0, {0, 0, 0, 0}), kRespOkNodata);
  EXPECT_EQ(g.displays.console(0)->surface(), nullptr);
  ASSERT_EQ(g.scanout(1, {0, 0, w, h}), kRespOkNodata);
  ResourceUnref u{};
  u.hdr.type = kCmdResourceUnref;
  u.resource_id = 1;
  ASSERT_EQ(g.cmd(u), kRespOkNodata);
  EXPECT_EQ(g.displays.console(0)->surface(), nullptr);
  EXPECT_EQ(g.gpu->hostmem_used(), 0u);
  EXPECT_EQ(g.cmd(u), kRespErrInvalidResourceId);
}

TEST(VirtioGpu, EveryFormatConverts) {
  // The bytes R=0x11 G=0x22 B=0x33 (A/X = 0x44) laid out as each format names them.
  struct F {
    uint32_t format;
    uint8_t bytes[4];
  } formats[] = {
      {kFormatB8G8R8A8, {0x33, 0x22, 0x11, 0x44}}, {kFormatB8G8R8X8, {0x33, 0x22, 0x11, 0x44}},
      {kFormatA8R8G8B8, {0x44, 0x11, 0x22, 0x33}}, {kFormatX8R8G8B8, {0x44, 0x11, 0x22, 0x33}},
      {kFormatR8G8B8A8, {0x11, 0x22, 0x33, 0x44}}, {kFormatR8G8B8X8, {0x11, 0x22, 0x33, 0x44}},
      {kFormatA8B8G8R8, {0x44, 0x33, 0x22, 0x11}}, {kFormatX8B8G8R8, {0x44, 0x33, 0x22, 0x11}},
  };
  GpuRig g;
  uint32_t id = 1;
  for (const F& f : formats) {
    for (int i = 0; i < 16; ++i) ASSERT_TRUE(g.as.write_bytes(kPages + 4 * i, f.bytes, 4));
    ASSERT_EQ(g.create(id, 4, 4, f.format), kRespOkNodata);
    ASSERT_EQ(g.attach(id, {{kPages, 64, 0}}), kRespOkNodata);
    ASSERT_EQ(g.transfer(id, {0, 0, 4, 4}, 0), kRespOkNodata);
    ASSERT_EQ(g.scanout(id, {0, 0, 4, 4}), kRespOkNodata);
    EXPECT_EQ(g.pixel(3, 3), 0x112233u) << "format " << f.format;
    ++id;
  }
  EXPECT_EQ(g.create(id, 4, 4, 5), kRespErrInvalidParameter);  // not a 2D format
}

TEST(VirtioGpu, FenceIsEchoed) {
  GpuRig g;
  CtrlHdr h{};
  h.type = kCmdGetDisplayInfo;
  h.flags = kFlagFence;
  h.fence_id = 0x123456789abcdefull;
  RespDisplayInfo info;
  ASSERT_EQ(g.send(&h, sizeof h, &info, sizeof info), kRespOkDisplayInfo);
  EXPECT_EQ(info.hdr.flags, kFlagFence);
  EXPECT_EQ(info.hdr.fence_id, 0x123456789abcdefull);
  // An error answer carries the fence too.
  ResourceCreate2d c{};
  c.hdr.type = kCmdResourceCreate2d;
  c.hdr.flags = kFlagFence;
  c.hdr.fence_id = 77;
  CtrlHdr resp;
  ASSERT_EQ(g.send(&c, sizeof c, &resp, sizeof resp), kRespErrInvalidResourceId);
  EXPECT_EQ(resp.fence_id, 77u);
  EXPECT_EQ(resp.flags, kFlagFence);
  // Without the flag: no fence in the answer.
  h.flags = 0;
  ASSERT_EQ(g.send(&h, sizeof h, &info, sizeof info), kRespOkDisplayInfo);
  EXPECT_EQ(info.hdr.fence_id, 0u);
}

TEST(VirtioGpu, HostileRequestsGetErrors) {
  GpuConfig cfg;
  cfg.max_hostmem = 1 << 20;
  GpuRig g(cfg);
  EXPECT_EQ(g.create(0, 4, 4), kRespErrInvalidResourceId);
  EXPECT_EQ(g.create(1, 0, 4), kRespErrInvalidParameter);
  EXPECT_EQ(g.create(1, 0xffffffff, 0xffffffff), kRespErrInvalidParameter);
  EXPECT_EQ(g.create(1, 16384, 16384), kRespErrOutOfMemory);  // 1 GiB > max_hostmem
  ASSERT_EQ(g.create(1, 256, 256), kRespOkNodata);             // 256 KiB
  EXPECT_EQ(g.create(1, 4, 4), kRespErrInvalidResourceId);     // twice
  ASSERT_EQ(g.create(2, 256, 512), kRespOkNodata);             // 512 KiB more
  ASSERT_EQ(g.create(3, 256, 256), kRespOkNodata);             // exactly 1 MiB in all
  ResourceUnref u3{};
  u3.hdr.type = kCmdResourceUnref;
  u3.resource_id = 3;
  ASSERT_EQ(g.cmd(u3), kRespOkNodata);
  EXPECT_EQ(g.create(3, 256, 257), kRespErrOutOfMemory);       // over 1 MiB
  EXPECT_LE(g.gpu->hostmem_used(), uint64_t{1} << 20);
  // Backing: outside RAM, across RAM's end, too many entries, fewer than claimed.
  EXPECT_EQ(g.attach(1, {{0x10000000, 4096, 0}}), kRespErrUnspec);
  EXPECT_EQ(g.attach(1, {{kRam + test::kRamSize - 8, 4096, 0}}), kRespErrUnspec);
  EXPECT_EQ(g.attach(1, {{0xfffffffffffff000ull, 0xffffffff, 0}}), kRespErrUnspec);
  EXPECT_EQ(g.attach(1, {{kPages, 4096, 0}}, 0x7fffffff), kRespErrInvalidParameter);
  EXPECT_EQ(g.attach(1, {{kPages, 4096, 0}}, 3), kRespErrInvalidParameter);
  EXPECT_EQ(g.attach(1, {}, 0), kRespErrInvalidParameter);
  EXPECT_EQ(g.attach(9, {{kPages, 4096, 0}}), kRespErrInvalidResourceId);
  // Transfers before any backing, then past the backing or the resource.
  EXPECT_EQ(g.transfer(1, {0, 0, 256, 256}, 0), kRespErrUnspec);
  ASSERT_EQ(g.attach(1, {{kPages, 4096, 0}}), kRespOkNodata);  // 4 rows' worth
  EXPECT_EQ(g.attach(1, {{kPages, 4096, 0}}), kRespErrUnspec);   // already attached
  EXPECT_EQ(g.transfer(1, {0, 0, 256, 5}, 0), kRespErrInvalidParameter);
  EXPECT_EQ(g.transfer(1, {0, 0, 256, 4}, 4), kRespErrInvalidParameter);
  EXPECT_EQ(g.transfer(1, {0, 0, 256, 1}, 0xffffffffffffff00ull), kRespErrInvalidParameter);
  EXPECT_EQ(g.transfer(1, {0xffffffff, 0, 2, 1}, 0), kRespErrInvalidParameter);
  EXPECT_EQ(g.transfer(1, {255, 0, 2, 1}, 0), kRespErrInvalidParameter);
  EXPECT_EQ(g.transfer(1, {0, 0, 256, 4}, 0), kRespOkNodata);
  // Scanouts and flushes out of bounds.
  EXPECT_EQ(g.scanout(1, {0, 0, 256, 256}, 1), kRespErrInvalidScanoutId);
  EXPECT_EQ(g.scanout(1, {0, 0, 256, 256}, 0xffffffff), kRespErrInvalidScanoutId);
  EXPECT_EQ(g.scanout(1, {1, 0, 256, 256}), kRespErrInvalidParameter);
  EXPECT_EQ(g.scanout(1, {0, 0xfffffff0, 256, 0x20}), kRespErrInvalidParameter);
  EXPECT_EQ(g.scanout(1, {0, 0, 0, 0}), kRespErrInvalidParameter);
  EXPECT_EQ(g.scanout(7, {0, 0, 4, 4}), kRespErrInvalidResourceId);
  EXPECT_EQ(g.flush(1, {0xffffffff, 0xffffffff, 2, 2}), kRespErrInvalidParameter);
  EXPECT_EQ(g.flush(8, {0, 0, 1, 1}), kRespErrInvalidResourceId);
  // Short commands, unknown and 3D commands.
  CtrlHdr h{};
  h.type = kCmdResourceCreate2d;
  EXPECT_EQ(g.send(&h, sizeof h), kRespErrInvalidParameter);
  h.type = 0x0200;  // CTX_CREATE
  EXPECT_EQ(g.send(&h, sizeof h), kRespErrUnspec);
  h.type = 0xdeadbeef;
  EXPECT_EQ(g.send(&h, sizeof h), kRespErrUnspec);
  EXPECT_EQ(g.send(&h, 3), kRespErrUnspec);  // not even a header
  // Detach twice.
  ResourceUnref d{};
  d.hdr.type = kCmdResourceDetachBacking;
  d.resource_id = 1;
  EXPECT_EQ(g.cmd(d), kRespOkNodata);
  EXPECT_EQ(g.cmd(d), kRespErrUnspec);
  EXPECT_EQ(g.transfer(1, {0, 0, 1, 1}, 0), kRespErrUnspec);
}

TEST(VirtioGpu, NoAnswerBufferIsNotAFault) {
  GpuRig g;
  CtrlHdr h{};
  h.type = kCmdGetDisplayInfo;
  // An answer buffer too small for the display info: what fits is written.
  ASSERT_TRUE(g.as.write_bytes(kCmd, &h, sizeof h));
  g.set_desc(0, {kCmd, sizeof h, 0, 0});  // no writable buffer at all
  g.post(0);
  EXPECT_EQ(g.used_idx(), 1);
  EXPECT_EQ(g.used_elem(0).second, 0u);
  EXPECT_FALSE(g.needs_reset());
}

TEST(VirtioGpu, RandomRequestsKeepTheDeviceSound) {
  GpuConfig cfg;
  cfg.max_hostmem = 4 << 20;
  GpuRig g(cfg);
  std::mt19937_64 rng(14);
  const uint32_t types[] = {kCmdGetDisplayInfo,   kCmdResourceCreate2d,     kCmdResourceUnref,
                            kCmdSetScanout,       kCmdResourceFlush,        kCmdTransferToHost2d,
                            kCmdResourceAttachBacking, kCmdResourceDetachBacking, kCmdGetEdid};
  auto small = [&rng] { return static_cast<uint32_t>(rng() % 4 == 0 ? rng() : rng() % 300); };
  for (int i = 0; i < 20000; ++i) {
    uint8_t buf[256];
    for (auto& b : buf) b = static_cast<uint8_t>(rng());
    CtrlHdr h;
    std::memcpy(&h, buf, sizeof h);
    h.type = types[rng() % (sizeof types / sizeof types[0])];
    std::memcpy(buf, &h, sizeof h);
    // Plausible fields most of the time: small ids and sizes, RAM addresses.
    uint32_t* words = reinterpret_cast<uint32_t*>(buf + sizeof h);
    for (int k = 0; k < 8; ++k)
      if (rng() % 3) words[k] = k == 0 || k == 5 ? static_cast<uint32_t>(rng() % 6) : small();
    if (h.type == kCmdResourceAttachBacking) {
      words[1] = static_cast<uint32_t>(rng() % 6);
      for (uint32_t k = 0; k < words[1]; ++k) {
        MemEntry m{kPages + rng() % 0x80000, static_cast<uint32_t>(rng() % 0x40000), 0};
        std::memcpy(buf + sizeof(AttachBacking) + k * sizeof m, &m, sizeof m);
      }
    }
    size_t len = rng() % 8 == 0 ? rng() % sizeof buf : sizeof buf;
    uint8_t resp[1100];
    uint32_t type = g.send(buf, len, resp, rng() % 2 ? sizeof resp : sizeof(CtrlHdr));
    ASSERT_TRUE((type >= kRespOkNodata && type <= kRespOkEdid) || (type >= kRespErrUnspec && type <= kRespErrInvalidParameter))
        << std::hex << type;
    ASSERT_LE(g.gpu->hostmem_used(), cfg.max_hostmem);
  }
}

TEST(VirtioGpu, CursorQueueKeepsTheCursor) {
  GpuRig g;
  // Queue 1 at its own rings.
  const uint64_t desc = kRam + 0x5000, avail = kRam + 0x6000, used = kRam + 0x7000;
  g.wr(test::kQueueSel, 1);
  g.wr(test::kQueueNum, 8);
  g.wr(test::kDescLo, static_cast<uint32_t>(desc));
  g.wr(test::kDescHi, 0);
  g.wr(test::kAvailLo, static_cast<uint32_t>(avail));
  g.wr(test::kAvailHi, 0);
  g.wr(test::kUsedLo, static_cast<uint32_t>(used));
  g.wr(test::kUsedHi, 0);
  g.wr(test::kQueueReady, 1);
  ASSERT_EQ(g.create(5, 64, 64), kRespOkNodata);
  uint16_t idx = 0;
  auto post = [&](UpdateCursor c) {
    ASSERT_TRUE(g.as.write_bytes(kCmd, &c, sizeof c));
    g.set_desc(0, {kCmd, sizeof c, 0, 0}, desc);
    g.poke<uint16_t>(avail + 4 + 2 * (idx % 8), 0);
    ++idx;
    g.poke<uint16_t>(avail + 2, idx);
    g.wr(test::kQueueNotify, 1);
    EXPECT_EQ(g.peek<uint16_t>(used + 2), idx);
  };
  UpdateCursor c{};
  c.hdr.type = kCmdUpdateCursor;
  c.pos = {0, 100, 50, 0};
  c.resource_id = 5;
  c.hot_x = 3;
  c.hot_y = 4;
  post(c);
  EXPECT_EQ(g.gpu->cursor().x, 100u);
  EXPECT_EQ(g.gpu->cursor().resource, 5u);
  EXPECT_EQ(g.gpu->cursor().hot_y, 4u);
  c.hdr.type = kCmdMoveCursor;
  c.pos = {0, 7, 8, 0};
  c.resource_id = 0;
  post(c);
  EXPECT_EQ(g.gpu->cursor().x, 7u);
  EXPECT_EQ(g.gpu->cursor().resource, 5u);  // a move keeps the image
  c.hdr.type = kCmdUpdateCursor;
  c.pos = {3, 1, 1, 0};  // no such scanout: ignored
  post(c);
  EXPECT_EQ(g.gpu->cursor().x, 7u);
  c.pos = {0, 1, 1, 0};
  c.resource_id = 99;  // no such resource: the position moves, the image stays
  post(c);
  EXPECT_EQ(g.gpu->cursor().resource, 5u);
}

TEST(VirtioGpu, SaveLoadRestoresTheScreen) {
  GpuRig g;
  fill_pattern(g, 64, 32);
  ASSERT_EQ(g.create(1, 64, 32), kRespOkNodata);
  ASSERT_EQ(g.attach(1, {{kPages, 64 * 32 * 4, 0}}), kRespOkNodata);
  ASSERT_EQ(g.transfer(1, {0, 0, 64, 32}, 0), kRespOkNodata);
  ASSERT_EQ(g.scanout(1, {0, 8, 64, 16}), kRespOkNodata);
  ByteWriter w;
  g.dev->save(w);
  std::vector<uint32_t> before;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 64; ++x) before.push_back(g.pixel(x, y));

  g.dev->reset();
  EXPECT_EQ(g.displays.console(0)->surface(), nullptr);
  EXPECT_EQ(g.gpu->resource_count(), 0u);
  ByteReader r(w.data().data(), w.data().size());
  g.dev->load(r);
  ASSERT_NE(g.displays.console(0)->surface(), nullptr);
  std::vector<uint32_t> after;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 64; ++x) after.push_back(g.pixel(x, y));
  EXPECT_EQ(before, after);
  EXPECT_EQ(g.gpu->hostmem_used(), 64u * 32 * 4);
  // The backing list came back too: a transfer still works.
  EXPECT_EQ(g.transfer(1, {0, 0, 64, 32}, 0), kRespOkNodata);

  // A corrupt state is refused (or harmless), never a crash.
  std::mt19937_64 rng(3);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> bytes = w.data();
    for (auto& b : bytes)
      if (rng() % 64 == 0) b = static_cast<uint8_t>(rng());
    bytes.resize(rng() % (bytes.size() + 1));
    ByteReader bad(bytes.data(), bytes.size());
    try {
      g.dev->load(bad);
    } catch (const DecodeError&) {
    }
    ASSERT_LE(g.gpu->hostmem_used(), GpuConfig{}.max_hostmem);
  }
}

TEST(VirtioGpu, OptionsAreChecked) {
  GpuConfig cfg;
  std::string err;
  EXPECT_TRUE(parse_gpu_config({{"xres", "1024"}, {"yres", "768"}, {"edid", "off"}, {"max_hostmem", "64M"}}, cfg, err));
  EXPECT_EQ(cfg.xres, 1024u);
  EXPECT_EQ(cfg.max_hostmem, 64ull << 20);
  EXPECT_FALSE(cfg.edid);
  EXPECT_FALSE(parse_gpu_config({{"max_outputs", "2"}}, cfg, err));
  EXPECT_NE(err.find("only one output"), std::string::npos);
  EXPECT_FALSE(parse_gpu_config({{"xres", "0"}}, cfg, err));
  EXPECT_FALSE(parse_gpu_config({{"xres", "99999"}}, cfg, err));
  EXPECT_FALSE(parse_gpu_config({{"yres", "12x"}}, cfg, err));
  EXPECT_FALSE(parse_gpu_config({{"edid", "maybe"}}, cfg, err));
  EXPECT_FALSE(parse_gpu_config({{"max_hostmem", "99999999999G"}}, cfg, err));
}

// The encoders: PPM as QEMU writes it, PNG decoded back with zlib.
TEST(Screendump, PpmAndPng) {
  DisplaySet set;
  DisplayConsole& con = set.add("gpu0");
  ASSERT_TRUE(con.resize(5, 3));
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 5; ++x) con.surface()->row(y)[x] = static_cast<uint32_t>((x * 40) << 16 | (y * 80) << 8 | 7);
  std::vector<uint8_t> ppm = encode_ppm(*con.surface());
  std::string head(ppm.begin(), ppm.begin() + 11);
  EXPECT_EQ(head, "P6\n5 3\n255\n");
  ASSERT_EQ(ppm.size(), 11u + 45);
  EXPECT_EQ(ppm[11 + 3 * (2 * 5 + 4)], 160);  // (4, 2) red
  EXPECT_EQ(ppm[11 + 3 * (2 * 5 + 4) + 1], 160);
  EXPECT_EQ(ppm[11 + 3 * (2 * 5 + 4) + 2], 7);

  std::vector<uint8_t> png = encode_png(*con.surface());
  ASSERT_GT(png.size(), 8u + 25 + 12 + 12);
  EXPECT_EQ(std::memcmp(png.data(), "\x89PNG\r\n\x1a\n", 8), 0);
  // Walk the chunks, check each CRC, inflate IDAT.
  size_t at = 8;
  std::vector<uint8_t> idat;
  std::vector<std::string> names;
  while (at + 12 <= png.size()) {
    uint32_t len = uint32_t{png[at]} << 24 | uint32_t{png[at + 1]} << 16 | uint32_t{png[at + 2]} << 8 | png[at + 3];
    std::string name(png.begin() + static_cast<long>(at) + 4, png.begin() + static_cast<long>(at) + 8);
    names.push_back(name);
    uLong crc = crc32(0, png.data() + at + 4, 4 + len);
    const uint8_t* c = png.data() + at + 8 + len;
    EXPECT_EQ(crc, uLong{uint32_t{c[0]} << 24 | uint32_t{c[1]} << 16 | uint32_t{c[2]} << 8 | c[3]}) << name;
    if (name == "IHDR") {
      EXPECT_EQ(png[at + 8 + 3], 5);   // width
      EXPECT_EQ(png[at + 8 + 7], 3);   // height
      EXPECT_EQ(png[at + 8 + 8], 8);   // bit depth
      EXPECT_EQ(png[at + 8 + 9], 2);   // RGB
    }
    if (name == "IDAT") idat.insert(idat.end(), png.begin() + static_cast<long>(at) + 8, png.begin() + static_cast<long>(at) + 8 + len);
    at += 12 + len;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
  std::vector<uint8_t> raw(3 * (1 + 15));
  uLongf raw_len = raw.size();
  ASSERT_EQ(uncompress(raw.data(), &raw_len, idat.data(), idat.size()), Z_OK);
  ASSERT_EQ(raw_len, raw.size());
  for (int y = 0; y < 3; ++y) {
    EXPECT_EQ(raw[y * 16], 0);  // filter none
    EXPECT_EQ(std::memcmp(&raw[y * 16 + 1], &ppm[11 + y * 15], 15), 0);
  }
}

TEST(Screendump, Errors) {
  DisplaySet none;
  ScreendumpError err;
  EXPECT_FALSE(screendump(none, "/tmp/x.ppm", "", 0, "", err));
  EXPECT_NE(err.message.find("no display device"), std::string::npos);
  DisplaySet set;
  DisplayConsole& con = set.add("gpu0");
  EXPECT_FALSE(screendump(set, "/tmp/x.ppm", "", 0, "", err));  // no surface yet
  ASSERT_TRUE(con.resize(4, 4));
  EXPECT_FALSE(screendump(set, "/tmp/x.ppm", "", 0, "bmp", err));
  EXPECT_EQ(err.message, "Parameter 'format' does not accept value 'bmp'");
  EXPECT_FALSE(screendump(set, "/tmp/x.ppm", "nope", 0, "", err));
  EXPECT_EQ(err.error_class, "DeviceNotFound");
  EXPECT_FALSE(screendump(set, "/tmp/x.ppm", "gpu0", 1, "", err));
  EXPECT_FALSE(screendump(set, "/nonexistent-dir/x.ppm", "", 0, "png", err));
  EXPECT_NE(err.message.find("/nonexistent-dir/x.ppm"), std::string::npos);
  std::string path = ::testing::TempDir() + "screendump_test.png";
  EXPECT_TRUE(screendump(set, path, "gpu0", 0, "png", err)) << err.message;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace rwd
