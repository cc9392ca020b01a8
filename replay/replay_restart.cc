// Going back to the start of a replay: what a navigation without snapshots
// of its own (gdbstub/restart_navigation.h) needs from the controller.
#include <stdexcept>

#include "hw/core/machine.h"
#include "replay/replay.h"

namespace rwd {

void ReplayController::mark_start() {
  start_mark_ = StartMark{next_block_, queue_pos_, queue_, last_match_icount_, last_match_what_};
}

void ReplayController::restart() {
  if (!start_mark_) throw std::logic_error("ReplayController::restart without mark_start");
  next_block_ = start_mark_->next_block;
  queue_ = start_mark_->queue;
  queue_pos_ = start_mark_->queue_pos;
  last_match_icount_ = start_mark_->last_match_icount;
  last_match_what_ = start_mark_->last_match_what;
  finished_ = guest_ended_ = exhausted_ = false;
  stopped_early_.reset();
  end_status_ = 0;
  if (machine_) attach(*machine_);  // fresh state hashes for the restored machine
}

uint64_t ReplayController::recorded_end() const {
  if (!reader_ || reader_->blocks().empty()) return 0;
  return reader_->blocks().back().last_icount;
}

}  // namespace rwd
