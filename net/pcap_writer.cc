#include "net/pcap_writer.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace rwd {

namespace {
void put32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }  // little-endian host: the magic says which
void put16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
constexpr uint32_t kMagicMicro = 0xa1b2c3d4, kLinkEthernet = 1;
}  // namespace

PcapWriter::PcapWriter(const std::string& path, uint32_t snaplen) : snaplen_(snaplen ? snaplen : 65535) {
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) throw std::runtime_error("cannot create '" + path + "': " + std::strerror(errno));
  uint8_t h[24] = {};
  put32(h, kMagicMicro);
  put16(h + 4, 2);
  put16(h + 6, 4);
  put32(h + 16, snaplen_);
  put32(h + 20, kLinkEthernet);
  std::fwrite(h, 1, sizeof h, f_);
}

PcapWriter::~PcapWriter() { std::fclose(f_); }

void PcapWriter::write(uint64_t ns, const uint8_t* data, size_t len) {
  uint32_t cap = static_cast<uint32_t>(len < snaplen_ ? len : snaplen_);
  uint8_t r[16];
  put32(r, static_cast<uint32_t>(ns / 1'000'000'000));
  put32(r + 4, static_cast<uint32_t>(ns % 1'000'000'000 / 1000));
  put32(r + 8, cap);
  put32(r + 12, static_cast<uint32_t>(len));
  std::fwrite(r, 1, sizeof r, f_);
  std::fwrite(data, 1, cap, f_);
}

void PcapWriter::flush() { std::fflush(f_); }

}  // namespace rwd
