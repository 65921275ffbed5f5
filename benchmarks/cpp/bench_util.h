// Helpers shared by the benchmark drivers.
#pragma once

#include <fstream>
#include <string>

namespace stepfiber::bench {

/// Resident set size of this process (Linux /proc), in bytes.
inline long rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string key;
  long value = 0;
  while (f >> key) {
    if (key == "VmRSS:") {
      f >> value;
      return value * 1024;
    }
    f.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace stepfiber::bench
