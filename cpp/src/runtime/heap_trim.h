// Returning the allocator's free memory to the OS after a large load was
// shed (glibc keeps freed heap pages mapped until asked).
#pragma once

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace stepfiber::runtime {

/// Asks malloc to release free pages (glibc malloc_trim); a no-op elsewhere.
inline void trim_heap() noexcept {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace stepfiber::runtime
