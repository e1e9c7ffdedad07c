// The loaded BPF sampler: skeleton lifetime, per-interface rates, counters and samples.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "common/result.h"
#include "csflowd/abi.h"

struct sampler;      // generated skeleton (sampler.skel.h)
struct ring_buffer;  // libbpf

namespace csflowd::datapath {

struct SamplerOptions {
  uint32_t header_bytes = 128;     // frame bytes copied per sample, 1..CSFLOWD_MAX_HEADER_BYTES
  uint32_t ring_bytes = 1U << 20;  // ring buffer size: a power of two, at least the page size
};

// Sums of one interface's per-CPU counters over every CPU and both directions.
struct SamplerCounters {
  uint64_t pool = 0;     // packets seen (sFlow sample_pool)
  uint64_t samples = 0;  // packets selected
  uint64_t drops = 0;    // selected packets lost to a full ring buffer
};

// One sampled packet as user space receives it: the fixed record plus the frame bytes.
struct SampleView {
  const csflowd_sample* record;
  std::span<const uint8_t> header;
};

// Owns the loaded programs and maps. Not copyable: the kernel objects are freed with it.
class Sampler {
 public:
  using SampleHandler = std::function<void(const SampleView&)>;

  // Opens the skeleton, applies the options and loads it into the kernel.
  static Result<std::unique_ptr<Sampler>> load(const SamplerOptions& options);
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  [[nodiscard]] int ingress_program_fd() const;
  [[nodiscard]] int egress_program_fd() const;

  // Starts sampling ifindex at 1 in rate, with zeroed counters for both directions. The
  // rate lives in the counter entries, so calling it again restarts the counters too.
  Status set_rate(int ifindex, uint32_t rate);
  // Stops sampling ifindex and deletes its counters.
  Status forget(int ifindex);
  [[nodiscard]] Result<SamplerCounters> read_counters(int ifindex) const;

  // Sets the function that receives every sample; call before polling.
  Status set_sample_handler(SampleHandler handler);
  // An epoll file descriptor that becomes readable when samples are waiting.
  [[nodiscard]] int ring_epoll_fd() const;
  // Hands every waiting sample to the handler. Returns how many were consumed.
  Result<int> consume();

  [[nodiscard]] uint32_t header_bytes() const { return header_bytes_; }

 private:
  Sampler(struct sampler* skeleton, uint32_t header_bytes);
  Status read_direction(int ifindex, uint32_t direction, SamplerCounters& sum) const;
  static int on_sample(void* context, void* data, size_t size);

  struct sampler* skeleton_;
  ring_buffer* ring_ = nullptr;
  SampleHandler handler_;
  uint32_t header_bytes_;
  int cpu_count_;
};

}  // namespace csflowd::datapath
