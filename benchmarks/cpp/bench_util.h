// Helpers shared by the benchmark drivers.
#pragma once

#include <malloc.h>

#include <fstream>
#include <string>

namespace stepfiber::bench {

/// Bytes the C++ heap (glibc malloc) has handed out and not taken back:
/// small blocks plus mmap'd ones. Deltas of it are the heap a phase keeps.
inline long heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<long>(m.uordblks + m.hblkhd);
}

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
