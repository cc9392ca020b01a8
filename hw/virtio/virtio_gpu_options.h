// virtio-gpu's -device properties (xres, yres, max_outputs, edid,
// max_hostmem), checked and turned into a GpuConfig.
#pragma once
#include <map>
#include <string>

#include "hw/virtio/virtio_gpu.h"

namespace rwd {

// False with "PROP=VALUE: why" in `err` when a value is unusable.
bool parse_gpu_config(const std::map<std::string, std::string>& props, GpuConfig& cfg, std::string& err);

}  // namespace rwd
