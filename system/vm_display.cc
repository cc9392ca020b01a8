// The monitor's view of the screen: screendump of a console.
#include "system/vm.h"
#include "ui/screendump.h"

namespace rwd {

std::string Vm::screendump(const std::string& path, const std::string& device, int64_t head, const std::string& format,
                           std::string& error_class) {
  ScreendumpError err;
  if (rwd::screendump(*displays_, path, device, head, format, err)) return "";
  error_class = err.error_class;
  return err.message + "\n";
}

}  // namespace rwd
