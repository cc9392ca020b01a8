// virtio-net's transmit offloads (hw/virtio/net_offload.h): checksums a
// receiver accepts, TSO segments that put the original stream back together,
// and malformed super-frames refused without reading past them.
#include "hw/virtio/net_offload.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rwd::net_offload {
namespace {

using Bytes = std::vector<uint8_t>;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t{be16(p)} << 16 | be16(p + 2); }

// An Ethernet + IPv4 (or IPv6) + TCP frame with `payload` bytes of a pattern.
Bytes tcp_frame(bool v6, size_t payload, uint8_t tcp_flags) {
  const size_t ip = v6 ? 40 : 20;
  Bytes f(14 + ip + 20 + payload, 0);
  f[12] = v6 ? 0x86 : 0x08;
  f[13] = v6 ? 0xdd : 0x00;
  uint8_t* l3 = &f[14];
  if (v6) {
    l3[0] = 0x60;
    l3[6] = 6;
    l3[7] = 64;
    for (int i = 0; i < 32; ++i) l3[8 + i] = static_cast<uint8_t>(i * 7 + 1);
  } else {
    l3[0] = 0x45;
    l3[4] = 0x12;  // id 0x1234
    l3[5] = 0x34;
    l3[8] = 64;
    l3[9] = 6;
    const uint8_t addrs[8] = {10, 0, 2, 15, 10, 0, 2, 2};
    for (int i = 0; i < 8; ++i) l3[12 + i] = addrs[i];
  }
  uint8_t* tcp = l3 + ip;
  tcp[0] = 0x80, tcp[1] = 0x01, tcp[2] = 0x00, tcp[3] = 0x50;  // ports
  tcp[4] = 0xff, tcp[5] = 0xff, tcp[6] = 0xff, tcp[7] = 0x00;  // seq: wraps within a segment run
  tcp[12] = 5 << 4;
  tcp[13] = tcp_flags;
  for (size_t i = 0; i < payload; ++i) tcp[20 + i] = static_cast<uint8_t>(i * 31 + (i >> 8));
  return f;
}

// A receiver's check: the TCP checksum with its pseudo-header sums to 0xffff.
bool tcp_checksum_ok(const Bytes& f) {
  const bool v6 = f[12] == 0x86;
  const size_t ip = v6 ? 40 : 20;
  const size_t l4 = f.size() - 14 - ip;
  uint32_t pseudo = v6 ? sum16(&f[14 + 8], 32, 6 + static_cast<uint32_t>(l4))
                       : sum16(&f[14 + 12], 8, 6 + static_cast<uint32_t>(l4));
  return sum16(&f[14 + ip], l4, pseudo) == 0xffff;
}

TEST(NetOffload, Sum16KnownAnswer) {
  // The IPv4 header of RFC 1071-style examples: its checksum field is 0xb861.
  const Bytes h = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                   0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(sum16(h.data(), h.size()), 0xffffu);
  Bytes z = h;
  z[10] = z[11] = 0;
  EXPECT_EQ(static_cast<uint16_t>(~sum16(z.data(), z.size())), 0xb861);
  const uint8_t odd[3] = {0x01, 0x02, 0x03};  // a trailing byte counts as its high half
  EXPECT_EQ(sum16(odd, 3), 0x0102u + 0x0300u);
}

TEST(NetOffload, HeaderParse) {
  const uint8_t raw[10] = {1, 0x81, 0x36, 0x00, 0xa8, 0x05, 0x22, 0x00, 0x10, 0x00};
  TxHeader h = parse_tx_header(raw);
  EXPECT_EQ(h.flags, kNeedsCsum);
  EXPECT_EQ(h.gso_type, kGsoTcpV4 | kGsoEcn);
  EXPECT_EQ(h.hdr_len, 0x36);
  EXPECT_EQ(h.gso_size, 1448);
  EXPECT_EQ(h.csum_start, 34);
  EXPECT_EQ(h.csum_offset, 16);
}

TEST(NetOffload, PartialChecksumCompleted) {
  for (bool v6 : {false, true}) {
    for (size_t payload : {0u, 1u, 7u, 1000u}) {
      Bytes f = tcp_frame(v6, payload, 0x18);
      const size_t ip = v6 ? 40 : 20;
      const size_t l4 = f.size() - 14 - ip;
      // What the guest leaves: the pseudo-header sum, not inverted.
      uint32_t pseudo = v6 ? sum16(&f[22], 32, 6 + static_cast<uint32_t>(l4)) : sum16(&f[26], 8, 6 + static_cast<uint32_t>(l4));
      f[14 + ip + 16] = static_cast<uint8_t>(pseudo >> 8);
      f[14 + ip + 17] = static_cast<uint8_t>(pseudo);
      EXPECT_FALSE(tcp_checksum_ok(f));
      ASSERT_TRUE(finish_checksum(f.data(), f.size(), static_cast<uint16_t>(14 + ip), 16));
      EXPECT_TRUE(tcp_checksum_ok(f)) << "v6 " << v6 << " payload " << payload;
    }
  }
}

TEST(NetOffload, PartialChecksumOutOfBoundsRefused) {
  Bytes f = tcp_frame(false, 10, 0);
  const Bytes before = f;
  EXPECT_FALSE(finish_checksum(f.data(), f.size(), static_cast<uint16_t>(f.size()), 0));
  EXPECT_FALSE(finish_checksum(f.data(), f.size(), 34, static_cast<uint16_t>(f.size() - 34 - 1)));
  EXPECT_FALSE(finish_checksum(f.data(), f.size(), 0xffff, 0xffff));
  EXPECT_EQ(f, before);
  EXPECT_TRUE(finish_checksum(f.data(), f.size(), 34, static_cast<uint16_t>(f.size() - 34 - 2)));
}

TEST(NetOffload, TsoSegmentsRebuildTheStream) {
  for (bool v6 : {false, true}) {
    const size_t payload = 4000, mss = 1448;
    Bytes f = tcp_frame(v6, payload, 0x80 | 0x18 | 0x01);  // CWR, PSH|ACK, FIN
    const size_t ip = v6 ? 40 : 20, headers = 14 + ip + 20;
    std::vector<Bytes> segs;
    ASSERT_TRUE(segment_tcp(f.data(), f.size(), mss, [&](const uint8_t* p, size_t n) { segs.emplace_back(p, p + n); }));
    ASSERT_EQ(segs.size(), 3u);
    Bytes stream;
    for (size_t i = 0; i < segs.size(); ++i) {
      const Bytes& s = segs[i];
      const size_t n = s.size() - headers;
      EXPECT_EQ(n, i < 2 ? mss : payload - 2 * mss);
      const uint8_t* l3 = &s[14];
      const uint8_t* tcp = &s[14 + ip];
      if (v6) {
        EXPECT_EQ(be16(l3 + 4), 20 + n);
      } else {
        EXPECT_EQ(be16(l3 + 2), 20 + 20 + n);
        EXPECT_EQ(be16(l3 + 4), 0x1234 + i);
        EXPECT_EQ(sum16(l3, 20), 0xffffu) << "IPv4 header checksum of segment " << i;
      }
      EXPECT_EQ(be32(tcp + 4), static_cast<uint32_t>(0xffffff00u + i * mss));  // wraps past 2^32
      EXPECT_EQ(tcp[13] & 0x01, i == 2 ? 0x01 : 0) << "FIN on the last only";
      EXPECT_EQ(tcp[13] & 0x08, i == 2 ? 0x08 : 0) << "PSH on the last only";
      EXPECT_EQ(tcp[13] & 0x80, i == 0 ? 0x80 : 0) << "CWR on the first only";
      EXPECT_EQ(tcp[13] & 0x10, 0x10) << "ACK on all";
      EXPECT_TRUE(tcp_checksum_ok(s)) << "segment " << i << " v6 " << v6;
      stream.insert(stream.end(), s.begin() + headers, s.end());
    }
    EXPECT_EQ(stream, Bytes(f.begin() + headers, f.end()));
  }
}

TEST(NetOffload, TsoShortFrameIsOneSegment) {
  Bytes f = tcp_frame(false, 100, 0x18);
  int n = 0;
  ASSERT_TRUE(segment_tcp(f.data(), f.size(), 1448, [&](const uint8_t* p, size_t len) {
    ++n;
    EXPECT_EQ(len, f.size());
    EXPECT_TRUE(tcp_checksum_ok(Bytes(p, p + len)));
  }));
  EXPECT_EQ(n, 1);
}

TEST(NetOffload, TsoMalformedRefused) {
  auto refused = [](Bytes f, uint16_t mss) {
    int n = 0;
    bool ok = segment_tcp(f.data(), f.size(), mss, [&](const uint8_t*, size_t) { ++n; });
    return !ok && n == 0;
  };
  EXPECT_TRUE(refused(tcp_frame(false, 100, 0), 0));             // no MSS
  Bytes udp = tcp_frame(false, 100, 0);
  udp[14 + 9] = 17;
  EXPECT_TRUE(refused(udp, 100));                                // not TCP
  Bytes arp = tcp_frame(false, 100, 0);
  arp[12] = 0x08, arp[13] = 0x06;
  EXPECT_TRUE(refused(arp, 100));                                // not IP
  Bytes ihl = tcp_frame(false, 100, 0);
  ihl[14] = 0x4f;                                                // a 60-byte IPv4 header...
  EXPECT_TRUE(refused(Bytes(ihl.begin(), ihl.begin() + 14 + 60), 100));  // ...and no room for TCP
  Bytes doff = tcp_frame(false, 10, 0);
  doff[14 + 20 + 12] = 0xf0;                                     // a 60-byte TCP header in 30 bytes
  EXPECT_TRUE(refused(doff, 100));
  const Bytes whole = tcp_frame(false, 0, 0);
  for (size_t cut = 0; cut < whole.size(); ++cut)  // every truncation of the headers
    EXPECT_TRUE(refused(Bytes(whole.begin(), whole.begin() + static_cast<long>(cut)), 100)) << cut;
}

}  // namespace
}  // namespace rwd::net_offload
