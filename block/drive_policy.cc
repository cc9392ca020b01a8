// discard= and detect-zeroes=: see drive_policy.h.
#include "block/drive_policy.h"

#include <cerrno>
#include <cstring>

namespace rwd {

int DrivePolicyNode::write(uint64_t offset, const void* buf, size_t len) {
  if (detect_ != DetectZeroes::kOff && len > 0) {
    const auto* p = static_cast<const uint8_t*>(buf);
    if (p[0] == 0 && std::memcmp(p, p + 1, len - 1) == 0)
      return inner_->write_zeroes(offset, len, detect_ == DetectZeroes::kUnmap && unmap_);
  }
  return inner_->write(offset, buf, len);
}

int DrivePolicyNode::discard(uint64_t offset, uint64_t len) {
  if (!unmap_) return inner_->read_only() ? -EROFS : 0;  // discard=ignore
  return inner_->discard(offset, len);
}

void parse_drive_policy(const std::string& drive, const std::string& discard, const std::string& detect_zeroes,
                        bool* unmap, DetectZeroes* detect) {
  if (discard.empty() || discard == "ignore" || discard == "off")
    *unmap = false;
  else if (discard == "unmap" || discard == "on")
    *unmap = true;
  else
    throw BlockError("drive '" + drive + "': invalid discard option '" + discard + "' (ignore, unmap)");
  if (detect_zeroes.empty() || detect_zeroes == "off")
    *detect = DetectZeroes::kOff;
  else if (detect_zeroes == "on")
    *detect = DetectZeroes::kOn;
  else if (detect_zeroes == "unmap")
    *detect = DetectZeroes::kUnmap;
  else
    throw BlockError("drive '" + drive + "': invalid detect-zeroes option '" + detect_zeroes + "' (off, on, unmap)");
  if (*detect == DetectZeroes::kUnmap && !*unmap)
    throw BlockError("drive '" + drive + "': detect-zeroes=unmap needs discard=unmap (as in QEMU)");
}

}  // namespace rwd
