// rewind's version, from meson.build's project() (the one place it is set).
#pragma once

namespace rwd {

inline constexpr const char* kRewindVersion = REWIND_VERSION;

}  // namespace rwd
