#include "runtime/secure_random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace stepfiber::runtime {

void SecureRandom::refill() {
  std::size_t got = 0;
  while (got < buf_.size()) {
    ssize_t r = getrandom(buf_.data() + got, buf_.size() - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "stepfiber: getrandom failed: %s\n", std::strerror(errno));
      std::abort();
    }
    got += static_cast<std::size_t>(r);
  }
  pos_ = 0;
}

void SecureRandom::fill(std::uint8_t* out, std::size_t n) {
  while (n > 0) {
    if (pos_ == buf_.size()) refill();
    std::size_t take = std::min(n, buf_.size() - pos_);
    std::memcpy(out, buf_.data() + pos_, take);
    // Never hand out the same bytes twice.
    std::memset(buf_.data() + pos_, 0, take);
    pos_ += take;
    out += take;
    n -= take;
  }
}

}  // namespace stepfiber::runtime
