// What the run loop needs of a debugger (the gdb stub, gdbstub/): whether
// it holds the machine stopped, its work between host polls, and the news
// that the engine stopped for it or that the run is over.
#pragma once

namespace rwd {

class Debugger {
 public:
  virtual ~Debugger() = default;
  // While true the run loop runs no guest code: it serves the host and
  // calls serve().
  virtual bool holds_machine() const = 0;
  // Called by the run loop while the machine is held, outside any host
  // callback: the debugger may run the machine from here (reverse
  // execution seeks through the replay).
  virtual void serve() = 0;
  // The engine stopped at one of the debugger's stops (Engine::kDebug).
  virtual void stopped() = 0;
  // The run is over (the guest powered off, or a replay reached the end of
  // its recording) with `exit_code`. True when the debugger keeps the
  // machine (a replay: gdb may go back); the run loop then goes on serving.
  virtual bool run_ended(int exit_code) = 0;
};

}  // namespace rwd
