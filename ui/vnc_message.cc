#include "ui/vnc_message.h"

namespace rwd {

size_t rfb_message_size(RfbPhase phase, const uint8_t* head, size_t avail) {
  switch (phase) {
    case RfbPhase::kVersion: return 12;  // "RFB 003.008\n"
    case RfbPhase::kSecurity: return 1;
    case RfbPhase::kClientInit: return 1;
    case RfbPhase::kOther: return 0;
    case RfbPhase::kNormal: break;
  }
  if (avail < 1) return 1;
  switch (head[0]) {
    case 0: return 20;  // SetPixelFormat
    case 2:             // SetEncodings: 4 + 4 per encoding
      if (avail < 4) return 4;
      return 4 + 4 * size_t(head[2] << 8 | head[3]);
    case 3: return 10;  // FramebufferUpdateRequest
    case 4: return 8;   // KeyEvent
    case 5: return 6;   // PointerEvent
    case 6: {           // ClientCutText: 8 + the text
      if (avail < 8) return 8;
      uint32_t len = uint32_t(head[4]) << 24 | head[5] << 16 | head[6] << 8 | head[7];
      return 8 + size_t{len};
    }
    default: return 0;
  }
}

}  // namespace rwd
