// -rr-probe IN,OUT: the replay serves rewind-diverge's requests instead of
// running on its own (system/divergence_probe.h).
#include <cstdlib>
#include <stdexcept>

#include "replay/navigator.h"
#include "system/divergence_probe.h"
#include "system/vm.h"

namespace rwd {

int Vm::run_probe() {
  const std::string& spec = opts_.rr_probe;
  size_t comma = spec.find(',');
  char* end = nullptr;
  long in_fd = std::strtol(spec.c_str(), &end, 10);
  long out_fd = comma == std::string::npos ? -1 : std::strtol(spec.c_str() + comma + 1, nullptr, 10);
  if (comma == std::string::npos || end != spec.c_str() + comma || in_fd < 0 || out_fd < 0)
    throw std::runtime_error("-rr-probe " + spec + ": expected IN,OUT file descriptor numbers");
  if (!replay_ || !navigator_) throw std::runtime_error("-rr-probe needs -icount rr=replay");
  DivergenceProbe probe(*machine_, *engine_, *loop_, *navigator_, *replay_, static_cast<int>(in_fd),
                        static_cast<int>(out_fd));
  return probe.serve();
}

}  // namespace rwd
