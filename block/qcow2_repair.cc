// Rebuilding the refcounts of a dirty qcow2 image: see qcow2_repair.h.
#include "block/qcow2_repair.h"

#include "block/qcow2.h"

namespace rwd {

class Qcow2Repair {
 public:
  static void run(Qcow2Node& n) {
    throw BlockError("'" + n.name_ +
                     "': the image was not closed cleanly (qcow2 dirty bit); open it read-only, or repair it with "
                     "'qemu-img check -r all'");
  }
};

void qcow2_repair_refcounts(Qcow2Node& node) { Qcow2Repair::run(node); }

}  // namespace rwd
