// Asking an actor from a thread that is not an actor (the network edge) without blocking it.
#pragma once

#include <chrono>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

namespace parley::actors {

/// Sends `xs...` to `dest` as a request from a one-shot actor and calls `on_result(Result)` or
/// `on_error(const caf::error&)` on a scheduler thread; the callbacks must hand the outcome back
/// to their own thread (e.g. post to an Asio strand) and must not block.
template <class Result, class OnResult, class OnError, class... Ts>
void ask(caf::actor_system& system, const caf::actor& dest, std::chrono::milliseconds timeout,
         OnResult on_result, OnError on_error, Ts... xs) {
  system.spawn([=](caf::event_based_actor* self) mutable {
    self->request(dest, timeout, std::move(xs)...)
      .then(
        [self, on_result](Result& value) mutable {
          on_result(std::move(value));
          self->quit();
        },
        [self, on_error](caf::error& err) mutable {
          on_error(err);
          self->quit();
        });
  });
}

} // namespace parley::actors
