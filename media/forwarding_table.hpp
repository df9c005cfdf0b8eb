// One media worker's routing: the thread-safe control API the router actors use, and the
// worker-thread listener that hands every packet to the packet_router.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "media/media_worker.hpp"
#include "media/packet_router.hpp"

namespace parley::media {

// Transport events for the control plane, called on the worker thread; implementations
// forward them as messages and return at once.
class transport_observer {
 public:
  virtual ~transport_observer() = default;
  virtual void on_connected(transport_id id, srtp_profile profile) = 0;
  virtual void on_closed(transport_id id, transport_close_reason reason) = 0;
};

class forwarding_table final : public media_worker::listener, private packet_output {
 public:
  forwarding_table() : router_(*this) {}
  forwarding_table(const forwarding_table&) = delete;
  forwarding_table& operator=(const forwarding_table&) = delete;

  // Called once, before the worker receives anything. The worker must not outlive the table.
  void attach(media_worker& worker) noexcept { worker_ = &worker; }
  [[nodiscard]] media_worker& worker() noexcept { return *worker_; }

  // Thread-safe control API: each call becomes a command run on the worker thread in order.
  [[nodiscard]] std::optional<transport_info> create_transport(const transport_options& options,
                                                               std::shared_ptr<transport_observer> observer);
  void close_transport(transport_id id);
  [[nodiscard]] std::pair<std::string, std::string> restart_ice(transport_id id, std::string remote_ufrag);
  void set_producer(producer_spec spec);
  void remove_producer(uint64_t id);
  void set_consumer(consumer_spec spec);
  void remove_consumer(uint64_t id);
  void set_producer_enabled(uint64_t id, bool enabled);
  void set_producer_paused(uint64_t id, bool paused);
  // Calls `done` on the worker thread with the transport's counters (zeros if unknown).
  void query_counters(transport_id id, std::function<void(const transport_counters&)> done);
  // Thread-safe: every transport's counters and quality figures as of the last tick.
  [[nodiscard]] std::vector<std::pair<transport_id, transport_counters>> quality_snapshot() const;
  // Calls `done` on the worker thread with the loudest audio producer right now, if any.
  void query_loudest(std::function<void(std::optional<uint64_t>)> done);

 private:
  // media_worker::listener
  void on_transport_connected(transport_id id, srtp_profile profile) override;
  void on_transport_closed(transport_id id, transport_close_reason reason) override;
  void on_rtp(transport_id id, std::span<const uint8_t> packet) override;
  void on_rtcp(transport_id id, std::span<const uint8_t> packet) override;
  void on_tick() override;

  // packet_output
  std::span<uint8_t> scratch() noexcept override { return worker_->send_scratch(); }
  void send_rtp_in_place(transport_id to, size_t length) noexcept override { (void)worker_->send_rtp_in_place(to, length); }
  void send_rtcp(transport_id to, std::span<const uint8_t> packet) noexcept override { (void)worker_->send_rtcp(to, packet); }

  [[nodiscard]] static int64_t now_ms() noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  media_worker* worker_ = nullptr;
  // Worker-thread state.
  packet_router router_;
  std::unordered_map<transport_id, std::shared_ptr<transport_observer>> observers_;
  // Copied once a tick for readers on other threads (/metrics).
  mutable std::mutex snapshot_mutex_;
  std::vector<std::pair<transport_id, transport_counters>> snapshot_;
};

}  // namespace parley::media
