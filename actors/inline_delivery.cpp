// An execution unit that resumes the actor it is handed on the calling thread.
#include "actors/inline_delivery.hpp"

#include <optional>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/execution_unit.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

namespace parley::actors {

namespace {

// Bounds how long one connection's actor may hold an I/O thread before yielding to the scheduler.
constexpr size_t max_inline_messages = 32;

class inline_execution_unit final : public caf::execution_unit {
public:
  explicit inline_execution_unit(caf::actor_system& system) : caf::execution_unit(&system) {}

  void exec_later(caf::resumable* job) override {
    if (running_) { // made runnable by the actor running here: not ours to run
      system().scheduler().enqueue(job);
      return;
    }
    running_ = true;
    auto result = job->resume(this, max_inline_messages);
    running_ = false;
    switch (result) {
      case caf::resumable::resume_later:
        system().scheduler().enqueue(job); // the scheduler takes over our reference
        break;
      case caf::resumable::done:
      case caf::resumable::awaiting_message:
        caf::intrusive_ptr_release(job);
        break;
      default:
        break;
    }
  }

private:
  bool running_ = false;
};

inline_execution_unit& unit_for(caf::actor_system& system) {
  thread_local std::optional<inline_execution_unit> unit;
  if (!unit || &unit->system() != &system)
    unit.emplace(system);
  return *unit;
}

} // namespace

void deliver_inline(const caf::actor& dest, caf::message msg) {
  if (!dest)
    return;
  auto& unit = unit_for(dest->home_system());
  dest->enqueue(caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, std::move(msg)), &unit);
}

} // namespace parley::actors
