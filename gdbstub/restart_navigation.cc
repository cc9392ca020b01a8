#include "gdbstub/restart_navigation.h"

#include <stdexcept>
#include <string>

#include "accel/tcg/engine.h"
#include "hw/core/machine.h"
#include "migration/snapshot.h"
#include "replay/replay.h"
#include "system/run_loop.h"

namespace rwd {

RestartNavigation::RestartNavigation(Machine& machine, Engine& engine, RunLoop& loop, ReplayController& replay,
                                     std::string config)
    : machine_(machine),
      engine_(engine),
      loop_(loop),
      replay_(replay),
      config_(std::move(config)),
      start_(save_machine(machine, config_)) {
  replay_.mark_start();
}

uint64_t RestartNavigation::now() const { return machine_.cpu().s.icount; }

uint64_t RestartNavigation::end() const { return replay_.recorded_end(); }

void RestartNavigation::seek(uint64_t icount) {
  if (icount > end())
    throw std::runtime_error("instruction " + std::to_string(icount) + " is past the end of the recording (" +
                             std::to_string(end()) + ")");
  if (icount < now() || replay_.finished()) {
    load_machine(machine_, start_, config_);
    engine_.flush_translations();
    replay_.restart();
  }
  loop_.reopen();
  loop_.run_until(icount);
  if (now() != icount)
    throw std::runtime_error("the replay ended at instruction " + std::to_string(now()) + ", before " +
                             std::to_string(icount));
}

}  // namespace rwd
