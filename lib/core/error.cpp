#include "libinstance/error.hpp"

#include <cstring>
#include <fmt/format.h>

namespace li {

std::string_view error_code_name(ErrorCode code) {
    switch (code) {
    case ErrorCode::NotFound: return "NotFound";
    case ErrorCode::AlreadyExists: return "AlreadyExists";
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::NotSupported: return "NotSupported";
    case ErrorCode::Busy: return "Busy";
    case ErrorCode::Conflict: return "Conflict";
    case ErrorCode::PermissionDenied: return "PermissionDenied";
    case ErrorCode::Timeout: return "Timeout";
    case ErrorCode::Cancelled: return "Cancelled";
    case ErrorCode::System: return "System";
    case ErrorCode::Backend: return "Backend";
    case ErrorCode::Internal: return "Internal";
    }
    return "Unknown";
}

Error::Error(ErrorCode code, std::string message, std::string key, int sys_errno)
    : std::runtime_error(std::move(message)), code_(code), key_(std::move(key)), errno_(sys_errno) {}

Error Error::from_errno(std::string_view what, int err) {
    ErrorCode code = ErrorCode::System;
    if (err == ENOENT) code = ErrorCode::NotFound;
    else if (err == EEXIST) code = ErrorCode::AlreadyExists;
    else if (err == EACCES || err == EPERM) code = ErrorCode::PermissionDenied;
    else if (err == EBUSY) code = ErrorCode::Busy;
    return Error(code, fmt::format("{}: {}", what, std::strerror(err)), {}, err);
}

Error Error::invalid(std::string key, std::string_view message) {
    return Error(ErrorCode::InvalidArgument, std::string(message), std::move(key));
}

Error Error::with_context(std::string_view context) const {
    return Error(code_, fmt::format("{}: {}", context, what()), key_, errno_);
}

}  // namespace li
