// A PNG encoder for screenshots: 8-bit RGB, no interlace, every row with
// filter type 0, the image data deflated by zlib in one IDAT chunk (PNG
// specification, 2nd edition: signature, IHDR, IDAT, IEND; chunk CRCs from
// zlib's crc32).
#pragma once
#include <cstdint>
#include <vector>

namespace rwd {

// `rgb`: width * height * 3 bytes, rows top to bottom. Returns the file's
// bytes (empty if zlib fails, e.g. out of memory).
std::vector<uint8_t> encode_png_rgb(const uint8_t* rgb, uint32_t width, uint32_t height);

}  // namespace rwd
