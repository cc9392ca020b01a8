// A 128-byte EDID 1.4 base block describing one monitor whose preferred
// (native) mode is WIDTHxHEIGHT at 60 Hz: what virtio-gpu's GET_EDID
// answers, so the guest's mode list starts with the configured mode.
#pragma once
#include <array>
#include <cstdint>

namespace rwd {

std::array<uint8_t, 128> make_edid(uint32_t width, uint32_t height);

}  // namespace rwd
