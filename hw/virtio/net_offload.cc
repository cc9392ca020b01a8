#include "hw/virtio/net_offload.h"

#include <algorithm>
#include <cstring>

namespace rwd::net_offload {

namespace {

constexpr size_t kEth = 14;
constexpr uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kTcpFin = 0x01, kTcpPsh = 0x08, kTcpCwr = 0x80;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]; }
void put_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put_be32(uint8_t* p, uint32_t v) {
  put_be16(p, static_cast<uint16_t>(v >> 16));
  put_be16(p + 2, static_cast<uint16_t>(v));
}
uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }

// A computed checksum of 0 goes out as 0xffff (the same in ones'
// complement; UDP reserves 0 for "no checksum").
uint16_t final_checksum(uint32_t sum) {
  uint16_t c = static_cast<uint16_t>(~sum);
  return c ? c : 0xffff;
}

}  // namespace

TxHeader parse_tx_header(const uint8_t* p) {
  TxHeader h;
  h.flags = p[0];
  h.gso_type = p[1];
  h.hdr_len = le16(p + 2);
  h.gso_size = le16(p + 4);
  h.csum_start = le16(p + 6);
  h.csum_offset = le16(p + 8);
  return h;
}

uint32_t sum16(const uint8_t* p, size_t len, uint32_t sum) {
  uint64_t s = sum;
  size_t i = 0;
  for (; i + 8 <= len; i += 8)
    s += uint64_t{be16(p + i)} + be16(p + i + 2) + be16(p + i + 4) + be16(p + i + 6);
  for (; i + 2 <= len; i += 2) s += be16(p + i);
  if (i < len) s += uint32_t{p[i]} << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint32_t>(s);
}

bool finish_checksum(uint8_t* frame, size_t len, uint16_t start, uint16_t offset) {
  if (start >= len || offset > len - start || len - start - offset < 2) return false;
  put_be16(frame + start + offset, final_checksum(sum16(frame + start, len - start)));
  return true;
}

bool segment_tcp(const uint8_t* frame, size_t len, uint16_t mss, const EmitFrame& emit) {
  if (mss == 0 || len < kEth) return false;
  const uint16_t ethertype = be16(frame + 12);
  const bool v4 = ethertype == kEtherIpv4;
  if (!v4 && ethertype != kEtherIpv6) return false;
  const size_t l3 = kEth;
  size_t ip_len;
  if (v4) {
    if (len < l3 + 20) return false;
    ip_len = (frame[l3] & 0xf) * 4u;
    if (ip_len < 20 || frame[l3 + 9] != kProtoTcp) return false;
  } else {
    ip_len = 40;
    if (len < l3 + ip_len || frame[l3 + 6] != kProtoTcp) return false;  // no extension headers
  }
  const size_t l4 = l3 + ip_len;
  if (len < l4 + 20) return false;
  const size_t tcp_len = (frame[l4 + 12] >> 4) * 4u;
  if (tcp_len < 20 || len < l4 + tcp_len) return false;
  const size_t headers = l4 + tcp_len;
  const size_t payload = len - headers;
  if (headers - l3 + std::min<size_t>(mss, payload) > 0xffff) return false;  // no IP length fits
  const uint32_t seq0 = be32(frame + l4 + 4);
  const uint8_t flags0 = frame[l4 + 13];
  const uint16_t id0 = v4 ? be16(frame + l3 + 4) : 0;

  std::vector<uint8_t> seg(headers + std::min<size_t>(mss, payload));
  std::memcpy(seg.data(), frame, headers);
  uint16_t index = 0;
  for (size_t off = 0; off < payload || off == 0; off += mss, ++index) {
    const size_t n = std::min<size_t>(mss, payload - off);
    const bool first = off == 0, last = off + n >= payload;
    std::memcpy(seg.data() + headers, frame + headers + off, n);
    uint8_t* ip = seg.data() + l3;
    uint8_t* tcp = seg.data() + l4;
    const uint16_t l4_bytes = static_cast<uint16_t>(tcp_len + n);
    uint32_t pseudo;
    if (v4) {
      put_be16(ip + 2, static_cast<uint16_t>(ip_len + l4_bytes));
      put_be16(ip + 4, static_cast<uint16_t>(id0 + index));
      put_be16(ip + 10, 0);
      put_be16(ip + 10, final_checksum(sum16(ip, ip_len)));
      pseudo = sum16(ip + 12, 8, kProtoTcp + l4_bytes);
    } else {
      put_be16(ip + 4, l4_bytes);
      pseudo = sum16(ip + 8, 32, kProtoTcp + l4_bytes);
    }
    put_be32(tcp + 4, seq0 + static_cast<uint32_t>(off));
    uint8_t f = flags0;
    if (!last) f &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
    if (!first) f &= static_cast<uint8_t>(~kTcpCwr);
    tcp[13] = f;
    put_be16(tcp + 16, 0);
    put_be16(tcp + 16, final_checksum(sum16(tcp, l4_bytes, pseudo)));
    emit(seg.data(), headers + n);
    if (payload == 0) break;
  }
  return true;
}

}  // namespace rwd::net_offload
