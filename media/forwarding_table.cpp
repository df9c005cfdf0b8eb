// Control commands become worker-thread tasks; worker events reach the packet router and
// the transport's observer.
#include "media/forwarding_table.hpp"

namespace parley::media {

std::optional<transport_info> forwarding_table::create_transport(const transport_options& options,
                                                                 std::shared_ptr<transport_observer> observer) {
  auto info = worker_->create_transport(options);
  if (!info) return info;
  // Queued right behind the create command: registered before any DTLS can complete.
  worker_->post([this, id = info->id, observer = std::move(observer)]() mutable {
    router_.add_transport(id);
    observers_.insert_or_assign(id, std::move(observer));
  });
  return info;
}

void forwarding_table::close_transport(transport_id id) {
  worker_->close_transport(id);
  worker_->post([this, id] {
    router_.remove_transport(id);
    observers_.erase(id);
  });
}

std::pair<std::string, std::string> forwarding_table::restart_ice(transport_id id, std::string remote_ufrag) {
  return worker_->restart_ice(id, std::move(remote_ufrag));
}

void forwarding_table::set_producer(producer_spec spec) {
  worker_->post([this, spec = std::move(spec)] { router_.set_producer(spec); });
}

void forwarding_table::remove_producer(uint64_t id) {
  worker_->post([this, id] { router_.remove_producer(id); });
}

void forwarding_table::set_consumer(consumer_spec spec) {
  worker_->post([this, spec = std::move(spec)] { router_.set_consumer(spec); });
}

void forwarding_table::remove_consumer(uint64_t id) {
  worker_->post([this, id] { router_.remove_consumer(id); });
}

void forwarding_table::set_producer_enabled(uint64_t id, bool enabled) {
  worker_->post([this, id, enabled] { router_.set_producer_enabled(id, enabled); });
}

void forwarding_table::set_producer_paused(uint64_t id, bool paused) {
  worker_->post([this, id, paused] { router_.set_producer_paused(id, paused); });
}

void forwarding_table::query_counters(transport_id id, std::function<void(const transport_counters&)> done) {
  worker_->post([this, id, done = std::move(done)] {
    const auto* c = router_.counters(id);
    done(c ? *c : transport_counters{});
  });
}

void forwarding_table::query_loudest(std::function<void(std::optional<uint64_t>)> done) {
  worker_->post([this, done = std::move(done)] { done(router_.loudest_producer(now_ms())); });
}

void forwarding_table::on_transport_connected(transport_id id, srtp_profile profile) {
  if (const auto it = observers_.find(id); it != observers_.end()) it->second->on_connected(id, profile);
}

void forwarding_table::on_transport_closed(transport_id id, transport_close_reason reason) {
  const auto it = observers_.find(id);
  if (it == observers_.end()) return;
  const auto observer = it->second;
  router_.remove_transport(id);
  observers_.erase(it);
  observer->on_closed(id, reason);
}

void forwarding_table::on_tick() {
  router_.on_tick(now_ms());
  std::lock_guard lock(snapshot_mutex_);
  snapshot_.clear();  // keeps its capacity: no allocation once the node's size is steady
  try {
    router_.for_each_transport([this](transport_id id, const transport_counters& c) { snapshot_.emplace_back(id, c); });
  } catch (...) {
    snapshot_.clear();  // out of memory: the next tick tries again
  }
}

std::vector<std::pair<transport_id, transport_counters>> forwarding_table::quality_snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

void forwarding_table::on_rtp(transport_id id, std::span<const uint8_t> packet) {
  // One clock read: microseconds time transport-wide congestion control arrivals.
  const int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  router_.on_rtp(id, packet, now_us / 1000, now_us);
}

void forwarding_table::on_rtcp(transport_id id, std::span<const uint8_t> packet) {
  router_.on_rtcp(id, packet, now_ms());
}

}  // namespace parley::media
