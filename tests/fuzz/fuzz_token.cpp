// Fuzz target: TokenRegistry::find on arbitrary bytes. Only the exact text
// of an issued, still-open token may read kOpen, and it must name its own
// slot and task.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "runtime/token_registry.h"

using namespace stepfiber;
using runtime::TokenRegistry;

namespace {

struct Fixture {
  TokenRegistry reg;
  std::vector<TokenRegistry::Issued> open;  // index i was issued for execution 100 + i
  std::string closed;
  Fixture() {
    for (std::uint32_t i = 0; i < 4; ++i) open.push_back(reg.issue(100 + i, i, 7));
    auto c = reg.issue(999, 0, 1);
    closed = c.token;
    reg.close(c.slot);
    open.push_back(reg.issue(104, 4, 7));  // reuses the closed token's slot
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture f;
  const auto text = fuzz::text(data, size);
  auto found = f.reg.find(text);
  if (found.status == TokenRegistry::Lookup::kOpen) {
    bool exact = false;
    for (std::size_t i = 0; i < f.open.size(); ++i) {
      if (text != f.open[i].token) continue;
      exact = true;
      if (found.slot != f.open[i].slot || found.execution != 100 + i) fuzz::fail("open token resolved to another task");
    }
    if (!exact) fuzz::fail("bytes that are not an issued token read kOpen");
  }
  if (text == f.closed && found.status != TokenRegistry::Lookup::kClosed) fuzz::fail("closed token did not read kClosed");
  // The input also read as edits of a real token: byte 0 picks the token,
  // then (position, xor mask) pairs, so mutations of authentic tokens are
  // explored even though the MAC key is random per process. A trailing odd
  // byte truncates (< 128) or extends (>= 128) the token.
  if (size > 0) {
    const auto& base = f.open[data[0] % f.open.size()];
    std::string m = base.token;
    std::size_t i = 1;
    for (; i + 1 < size; i += 2) m[data[i] % m.size()] = static_cast<char>(m[data[i] % m.size()] ^ data[i + 1]);
    if (i < size) {
      if (data[i] < 128) m.resize(data[i] % m.size());
      else m.push_back(static_cast<char>(data[i] - 128));
    }
    auto g = f.reg.find(m);
    if (g.status == TokenRegistry::Lookup::kOpen) {
      bool exact = false;
      for (const auto& o : f.open) exact = exact || (m == o.token && g.slot == o.slot);
      if (!exact) fuzz::fail("a mutated token read kOpen");
      if (m != base.token) fuzz::fail("a mutated token resolved to a different open slot");
    }
  }
  return 0;
}
