#pragma once
// li::Error: the one exception type libinstance throws.

#include <stdexcept>
#include <string>
#include <string_view>

namespace li {

/// Failure codes; append-only, values equal the C ABI's li_status.
enum class ErrorCode {
    NotFound = 1,
    AlreadyExists = 2,
    InvalidArgument = 3,
    NotSupported = 4,
    Busy = 5,
    Conflict = 6,
    PermissionDenied = 7,
    Timeout = 8,
    Cancelled = 9,
    System = 10,
    Backend = 11,
    Internal = 12,
};

/// Stable name of a code ("NotFound", ...).
std::string_view error_code_name(ErrorCode code);

/// An error with a code, a context-chained message, errno for System errors and the offending key.
class Error : public std::runtime_error {
public:
    Error(ErrorCode code, std::string message, std::string key = {}, int sys_errno = 0);

    /// A System error from errno, e.g. Error::from_errno("opening /x").
    static Error from_errno(std::string_view what, int err);
    /// An InvalidArgument naming the offending key.
    static Error invalid(std::string key, std::string_view message);

    ErrorCode code() const noexcept { return code_; }
    const std::string& key() const noexcept { return key_; }
    int sys_errno() const noexcept { return errno_; }

    /// The same error with "context: " prefixed to its message.
    Error with_context(std::string_view context) const;

private:
    ErrorCode code_;
    std::string key_;
    int errno_;
};

}  // namespace li
