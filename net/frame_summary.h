// A one-line description of an Ethernet frame, for rewind-dump and logs:
// "IPv4 10.0.2.2 > 10.0.2.15 TCP 80 > 40000", "ARP reply 10.0.2.2 is at
// 52:55:0a:00:02:02", "IPv4 ... UDP 67 > 68 (DHCP)", "IPv4 ... ICMP echo reply".
// Reads only inside the frame (any bytes: a truncated header says so).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace rwd {

std::string frame_summary(const uint8_t* data, size_t len);

}  // namespace rwd
