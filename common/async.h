// Bridges between Asio coroutines and spard's threads: running blocking work (a query, a
// store read) on a thread pool, and waiting in a coroutine for a callback that another thread
// fires (a group commit completing, the ingest queue having room).
//
// Header-only on Boost.Asio. Thread-safety: the callbacks may be invoked from any thread; the
// coroutine always resumes on its own executor.

#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace spard {

namespace asio = boost::asio;

// co_await RunOn(pool.get_executor(), work): runs work() on `executor` and resumes with its
// result. The function must not throw.
//
// GCC 12 mis-destroys temporaries with non-trivial destructors that live across a co_await in
// the same full-expression (e.g. a lambda capturing a std::string, built in the call). So pass
// a named function object, as an lvalue: it is copied into Asio's own frame, never a temporary
// of the caller's expression. The same holds for every co_await in spard: name the pieces.
template <typename Executor, typename Fn>
auto RunOn(Executor executor, Fn& fn) {
  using R = std::invoke_result_t<Fn&>;
  return asio::async_initiate<decltype(asio::use_awaitable), void(R)>(
      [executor](auto handler, Fn f) mutable {
        asio::post(executor, [handler = std::move(handler), f = std::move(f)]() mutable {
          R result = f();
          auto home = asio::get_associated_executor(handler);
          asio::post(home, [handler = std::move(handler), result = std::move(result)]() mutable {
            std::move(handler)(std::move(result));
          });
        });
      },
      asio::use_awaitable, fn);
}

// co_await AwaitCallback<T>(start): `start` receives a callback that may be called once, from
// any thread; the coroutine resumes with the value passed to it. Pass `start` as a named
// lvalue (see RunOn).
template <typename T, typename Start>
auto AwaitCallback(Start& start) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      [](auto handler, Start s) mutable {
        using H = decltype(handler);
        auto shared = std::make_shared<H>(std::move(handler));
        s(std::function<void(T)>([shared](T value) {
          auto home = asio::get_associated_executor(*shared);
          asio::post(home, [shared, value = std::move(value)]() mutable {
            std::move (*shared)(std::move(value));
          });
        }));
      },
      asio::use_awaitable, start);
}

}  // namespace spard
