#include "runtime/stack_arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

// LeakSanitizer scans thread stacks, globals and the heap for pointers, but
// not memory a program maps itself: without help, everything a parked fiber
// references only from its (mmap'd) stack reads as leaked. Sanitizer builds
// register each in-use stack slot as an LSan root region.
#if defined(__SANITIZE_ADDRESS__)
#define STEPFIBER_LSAN_ROOTS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define STEPFIBER_LSAN_ROOTS 1
#endif
#endif
#ifdef STEPFIBER_LSAN_ROOTS
#include <sanitizer/lsan_interface.h>
#endif

namespace stepfiber::runtime {
namespace {

#ifndef MADV_GUARD_INSTALL
constexpr int MADV_GUARD_INSTALL = 102;  // Linux 6.13 uapi value
#endif

constexpr std::uint64_t kCanary = 0x5354455046494245ull;  // "STEPFIBE"
constexpr std::size_t kPage = 4096;

}  // namespace

StackArena::StackArena(std::size_t slot_size, std::size_t warm_limit)
    : slot_size_(slot_size), warm_limit_(warm_limit) {}

StackArena::~StackArena() {
  for (void* chunk : chunks_) munmap(chunk, slot_size_ * kSlotsPerChunk);
}

void StackArena::add_chunk() {
  const std::size_t bytes = slot_size_ * kSlotsPerChunk;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  chunks_.push_back(p);
  carved_ = 0;
}

boost::context::stack_context StackArena::allocate() {
  char* base = nullptr;
  if (!warm_.empty()) {
    base = warm_.back();
    warm_.pop_back();
  } else if (!cold_.empty()) {
    base = cold_.back();
    cold_.pop_back();
  } else {
    if (chunks_.empty() || carved_ == kSlotsPerChunk) add_chunk();
    base = static_cast<char*>(chunks_.back()) + carved_ * slot_size_;
    ++carved_;
    // The lowest page of the slot guards against overflow. One guard
    // install per fresh slot; guards survive MADV_DONTNEED.
    if (chunks_.size() == 1 && carved_ == 1) {
      guard_pages_ = madvise(base, kPage, MADV_GUARD_INSTALL) == 0;
    } else if (guard_pages_) {
      madvise(base, kPage, MADV_GUARD_INSTALL);
    }
  }
  if (!guard_pages_) std::memcpy(base + kPage - sizeof(kCanary), &kCanary, sizeof(kCanary));
  ++in_use_;
#ifdef STEPFIBER_LSAN_ROOTS
  __lsan_register_root_region(base + kPage, slot_size_ - kPage);
#endif
  boost::context::stack_context sctx;
  sctx.size = slot_size_ - kPage;
  sctx.sp = base + slot_size_;  // stacks grow down from the top
  return sctx;
}

void StackArena::deallocate(boost::context::stack_context& sctx) noexcept {
  char* base = static_cast<char*>(sctx.sp) - slot_size_;
  if (!guard_pages_) {
    std::uint64_t word;
    std::memcpy(&word, base + kPage - sizeof(word), sizeof(word));
    if (word != kCanary) ++canary_failures_;
  }
  --in_use_;
#ifdef STEPFIBER_LSAN_ROOTS
  __lsan_unregister_root_region(base + kPage, slot_size_ - kPage);
#endif
  if (warm_.size() >= warm_limit_) {
    release(base);
    cold_.push_back(base);
  } else {
    warm_.push_back(base);
  }
}

void StackArena::release(char* base) noexcept {
  // Give the pages back; the slot's address range stays reserved.
  madvise(base + kPage, slot_size_ - kPage, MADV_DONTNEED);
}

std::size_t StackArena::release_warm() {
  const std::size_t n = warm_.size();
  for (char* base : warm_) release(base);
  cold_.insert(cold_.end(), warm_.begin(), warm_.end());
  warm_.clear();
  return n;
}

std::size_t StackArena::resident_bytes() const {
  const std::size_t bytes = slot_size_ * kSlotsPerChunk;
  std::vector<unsigned char> vec(bytes / kPage);
  std::size_t resident = 0;
  for (void* chunk : chunks_) {
    if (mincore(chunk, bytes, vec.data()) != 0) continue;
    for (unsigned char v : vec) resident += (v & 1) ? kPage : 0;
  }
  return resident;
}

}  // namespace stepfiber::runtime
