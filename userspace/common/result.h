// Result<T>: the error convention for every call that can fail at run time.
//
// A failure carries the errno value (0 when no system error applies) and a context
// string naming the object and the operation, for example
// "failed to attach 'sflow_ingress' to veth1a2b". Exceptions are used only for fatal
// start-up errors and are caught in main().
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace csflowd {

// Error of a failed operation: an errno value plus a readable context.
struct Error {
  int code = 0;         // errno value, or 0 when the failure is not a system error
  std::string context;  // what failed, naming the object

  // Formats "context: strerror (ENAME)", or just the context when code is 0.
  [[nodiscard]] std::string message() const;
};

// Builds an Error from an errno value; a negative value (libbpf style) is negated.
Error make_error(int code, std::string context);

// Builds an Error from the current errno.
inline Error errno_error(std::string context) { return make_error(errno, std::move(context)); }

// Builds an Error that is not a system error (bad input, parse failure).
inline Error plain_error(std::string context) { return Error{0, std::move(context)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result of an operation that returns no value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error)
      : error_(std::move(error)), failed_(true) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  [[nodiscard]] const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace csflowd
