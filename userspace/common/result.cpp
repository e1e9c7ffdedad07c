#include "common/result.h"

#include <cstring>

namespace csflowd {

std::string Error::message() const {
  if (code == 0) {
    return context;
  }
  const char* name = strerrorname_np(code);
  std::string text = context + ": " + std::strerror(code);
  if (name != nullptr) {
    text += std::string(" (") + name + ")";
  }
  return text;
}

Error make_error(int code, std::string context) {
  return Error{code < 0 ? -code : code, std::move(context)};
}

}  // namespace csflowd
