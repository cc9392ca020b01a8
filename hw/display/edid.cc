#include "hw/display/edid.h"

#include <algorithm>
#include <cstring>

namespace rwd {

namespace {

// An 18-byte descriptor that carries a string (tag 0xfc: the monitor's
// name): up to 13 characters, ended by '\n' and padded with spaces.
void text_descriptor(uint8_t* d, uint8_t tag, const char* text) {
  std::memset(d, 0, 18);
  d[3] = tag;
  size_t n = std::min<size_t>(std::strlen(text), 13);
  std::memset(d + 5, ' ', 13);
  std::memcpy(d + 5, text, n);
  if (n < 13) d[5 + n] = '\n';
}

// The detailed timing descriptor of the preferred mode, with reduced
// blanking (160 pixels, 23 lines) as CVT-RB uses. Its fields are 12 bits:
// a side of 4096 or more gets no timing (the guest then uses the mode
// GET_DISPLAY_INFO gives).
void timing_descriptor(uint8_t* d, uint32_t w, uint32_t h) {
  std::memset(d, 0, 18);
  if (w > 4095 || h > 4095) {
    d[3] = 0x10;  // a "dummy" descriptor
    return;
  }
  const uint32_t hblank = 160, hfront = 48, hsync = 32, vblank = 23, vfront = 3, vsync = 6;
  uint64_t clock = uint64_t{w + hblank} * (h + vblank) * 60 / 10000;  // 10 kHz units
  clock = std::min<uint64_t>(clock, 0xffff);
  uint32_t wmm = w * 254 / 960, hmm = h * 254 / 960;  // 96 dots per inch
  d[0] = clock & 0xff;
  d[1] = static_cast<uint8_t>(clock >> 8);
  d[2] = w & 0xff;
  d[3] = hblank & 0xff;
  d[4] = static_cast<uint8_t>(((w >> 8) << 4) | (hblank >> 8));
  d[5] = h & 0xff;
  d[6] = vblank & 0xff;
  d[7] = static_cast<uint8_t>(((h >> 8) << 4) | (vblank >> 8));
  d[8] = hfront & 0xff;
  d[9] = hsync & 0xff;
  d[10] = static_cast<uint8_t>(((vfront & 0xf) << 4) | (vsync & 0xf));
  d[11] = static_cast<uint8_t>(((hfront >> 8) << 6) | ((hsync >> 8) << 4) | ((vfront >> 4) << 2) | (vsync >> 4));
  d[12] = wmm & 0xff;
  d[13] = hmm & 0xff;
  d[14] = static_cast<uint8_t>((((wmm >> 8) & 0xf) << 4) | ((hmm >> 8) & 0xf));
  d[17] = 0x1a;  // digital separate sync, hsync +, vsync -
}

}  // namespace

std::array<uint8_t, 128> make_edid(uint32_t width, uint32_t height) {
  std::array<uint8_t, 128> e{};
  const uint8_t header[8] = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};
  std::memcpy(e.data(), header, 8);
  // Manufacturer "RWD": three 5-bit letters (A = 1), big-endian.
  uint16_t maker = static_cast<uint16_t>((('R' - '@') << 10) | (('W' - '@') << 5) | ('D' - '@'));
  e[8] = static_cast<uint8_t>(maker >> 8);
  e[9] = maker & 0xff;
  e[10] = 1;                 // product code
  e[16] = 1;                 // week
  e[17] = 2024 - 1990;       // year of manufacture
  e[18] = 1;                 // EDID 1.4
  e[19] = 4;
  e[20] = 0xa0;              // digital input, 8 bits per colour
  e[21] = static_cast<uint8_t>(std::min<uint32_t>(width * 254 / 9600, 255));   // cm
  e[22] = static_cast<uint8_t>(std::min<uint32_t>(height * 254 / 9600, 255));
  e[23] = 120;               // gamma 2.2
  e[24] = 0x06;              // RGB 4:4:4, sRGB default, preferred timing is native
  // sRGB chromaticity: red, green, blue and white x/y, 10 bits each.
  const uint16_t c[8] = {655, 338, 307, 614, 154, 61, 320, 337};
  e[25] = static_cast<uint8_t>(((c[0] & 3) << 6) | ((c[1] & 3) << 4) | ((c[2] & 3) << 2) | (c[3] & 3));
  e[26] = static_cast<uint8_t>(((c[4] & 3) << 6) | ((c[5] & 3) << 4) | ((c[6] & 3) << 2) | (c[7] & 3));
  for (int i = 0; i < 8; ++i) e[27 + i] = static_cast<uint8_t>(c[i] >> 2);
  for (int i = 38; i < 54; ++i) e[i] = 0x01;  // no standard timings
  timing_descriptor(&e[54], width, height);
  text_descriptor(&e[72], 0xfc, "rewind");
  std::memset(&e[90], 0, 18);
  e[93] = 0x10;
  std::memset(&e[108], 0, 18);
  e[111] = 0x10;
  e[126] = 0;  // no extension blocks
  uint8_t sum = 0;
  for (int i = 0; i < 127; ++i) sum = static_cast<uint8_t>(sum + e[i]);
  e[127] = static_cast<uint8_t>(0x100 - sum);
  return e;
}

}  // namespace rwd
