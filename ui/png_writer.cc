#include "ui/png_writer.h"

#include <zlib.h>

#include <cstring>

namespace rwd {

namespace {

void be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// length, type, data, CRC of type and data.
void chunk(std::vector<uint8_t>& out, const char type[4], const uint8_t* data, size_t len) {
  be32(out, static_cast<uint32_t>(len));
  size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  if (len) out.insert(out.end(), data, data + len);
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, out.data() + start, static_cast<uInt>(4 + len));
  be32(out, static_cast<uint32_t>(crc));
}

}  // namespace

std::vector<uint8_t> encode_png_rgb(const uint8_t* rgb, uint32_t width, uint32_t height) {
  // The filtered image: each row is a filter-type byte (0: none) and its pixels.
  const size_t row = size_t{width} * 3;
  std::vector<uint8_t> raw(height * (row + 1));
  for (uint32_t y = 0; y < height; ++y) {
    raw[y * (row + 1)] = 0;
    std::memcpy(&raw[y * (row + 1) + 1], rgb + y * row, row);
  }
  uLongf packed_len = compressBound(static_cast<uLong>(raw.size()));
  std::vector<uint8_t> packed(packed_len);
  if (compress2(packed.data(), &packed_len, raw.data(), static_cast<uLong>(raw.size()), 6) != Z_OK) return {};

  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> ihdr;
  be32(ihdr, width);
  be32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // bit depth 8, truecolour, deflate, filter method 0, no interlace
  chunk(out, "IHDR", ihdr.data(), ihdr.size());
  chunk(out, "IDAT", packed.data(), packed_len);
  chunk(out, "IEND", nullptr, 0);
  return out;
}

}  // namespace rwd
