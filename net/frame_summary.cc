#include "net/frame_summary.h"

#include <cstdio>

namespace rwd {

namespace {

unsigned be16(const uint8_t* p) { return (unsigned{p[0]} << 8) | p[1]; }

std::string ip4(const uint8_t* p) {
  char b[20];
  std::snprintf(b, sizeof b, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
  return b;
}

std::string hex4(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%04x", v);
  return b;
}

const char* port_name(unsigned a, unsigned b) {
  auto is = [&](unsigned p) { return a == p || b == p; };
  if (is(67) || is(68)) return " (DHCP)";
  if (is(53)) return " (DNS)";
  if (is(80) || is(8080)) return " (HTTP)";
  return "";
}

std::string ipv4(const uint8_t* p, size_t len) {
  if (len < 20 || (p[0] >> 4) != 4) return "IPv4 (truncated)";
  size_t ihl = size_t{p[0] & 15u} * 4;
  std::string s = "IPv4 " + ip4(p + 12) + " > " + ip4(p + 16);
  if (ihl < 20 || ihl > len) return s + " (bad header length)";
  const uint8_t* l4 = p + ihl;
  size_t l4len = len - ihl;
  if ((be16(p + 6) & 0x1fff) != 0) return s + " fragment";
  switch (p[9]) {
    case 1:
      if (l4len < 1) return s + " ICMP";
      return s + (l4[0] == 8 ? " ICMP echo request" : l4[0] == 0 ? " ICMP echo reply" : " ICMP type " + std::to_string(l4[0]));
    case 6: {
      if (l4len < 20) return s + " TCP (truncated)";
      unsigned sp = be16(l4), dp = be16(l4 + 2), flags = l4[13];
      std::string f;
      if (flags & 2) f += 'S';
      if (flags & 1) f += 'F';
      if (flags & 4) f += 'R';
      if (flags & 8) f += 'P';
      if (flags & 16) f += '.';
      size_t off = static_cast<size_t>(l4[12] >> 4) * 4;
      size_t payload = off <= l4len ? l4len - off : 0;
      return s + " TCP " + std::to_string(sp) + " > " + std::to_string(dp) + " [" + f + "] len " +
             std::to_string(payload) + port_name(sp, dp);
    }
    case 17: {
      if (l4len < 8) return s + " UDP (truncated)";
      unsigned sp = be16(l4), dp = be16(l4 + 2);
      return s + " UDP " + std::to_string(sp) + " > " + std::to_string(dp) + port_name(sp, dp);
    }
    default:
      return s + " protocol " + std::to_string(p[9]);
  }
}

}  // namespace

std::string frame_summary(const uint8_t* data, size_t len) {
  if (len < 14) return "(runt frame)";
  unsigned type = be16(data + 12);
  const uint8_t* p = data + 14;
  size_t n = len - 14;
  if (type == 0x0800) return ipv4(p, n);
  if (type == 0x0806) {
    if (n < 28) return "ARP (truncated)";
    unsigned op = be16(p + 6);
    if (op == 1) return "ARP who-has " + ip4(p + 24) + " tell " + ip4(p + 14);
    if (op == 2) {
      char mac[24];
      std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", p[8], p[9], p[10], p[11], p[12], p[13]);
      return "ARP reply " + ip4(p + 14) + " is at " + mac;
    }
    return "ARP op " + std::to_string(op);
  }
  if (type == 0x86dd) return "IPv6";
  return "ethertype " + hex4(type);
}

}  // namespace rwd
