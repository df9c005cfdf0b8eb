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
  // The target travels as a spawn argument: CAF 0.17 dereferences a null argument tuple for
  // function actors spawned without arguments (UBSan reports it).
  system.spawn(
    [=](caf::event_based_actor* self, const caf::actor& target) mutable {
    self->request(target, timeout, std::move(xs)...)
      .then(
        [self, on_result](Result& value) mutable {
          on_result(std::move(value));
          self->quit();
        },
        [self, on_error](caf::error& err) mutable {
          on_error(err);
          self->quit();
        });
    },
    dest);
}

} // namespace parley::actors
