// A classic pcap file (tcpdump's format: a 24-byte header, then one 16-byte
// record header per frame), link type Ethernet, microsecond timestamps.
// Shared by filter-dump and `rewind-dump --pcap`.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace rwd {

class PcapWriter {
 public:
  // Throws std::runtime_error (one line) when the file cannot be created.
  PcapWriter(const std::string& path, uint32_t snaplen);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // `ns`: the frame's time since the epoch (or since power-on).
  void write(uint64_t ns, const uint8_t* data, size_t len);
  void flush();

 private:
  FILE* f_;
  uint32_t snaplen_;
};

}  // namespace rwd
