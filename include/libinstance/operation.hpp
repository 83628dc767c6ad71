#pragma once
// li::Operation: long work running in the background, with progress, wait and cancel (as in LXD).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "libinstance/api/operation.hpp"

namespace li {

class OperationState;
class ManagerCore;

/// LXD's operation status codes.
enum class OperationStatus {
    Running = 103,
    Cancelling = 104,
    Pending = 105,
    Success = 200,
    Failure = 400,
    Cancelled = 401,
};

/// A handle on one operation; cheap to copy, safe to share between threads.
class Operation {
public:
    explicit Operation(std::shared_ptr<OperationState> state);

    const std::string& id() const;
    /// A snapshot of the operation as LXD's api.Operation.
    api::Operation info() const;
    /// Waits until the operation has ended; false when the timeout passed first. A negative timeout
    /// waits for ever.
    bool wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) const;
    /// Waits for the end, then throws the operation's error (Cancelled when it was cancelled).
    void get() const;
    /// Asks the operation to stop at its next check point. NotSupported when it cannot be cancelled;
    /// nothing happens when it has already ended.
    void cancel();

private:
    std::shared_ptr<OperationState> state_;
};

/// The operations of one Manager: running ones and those that ended recently.
class OperationStore {
public:
    explicit OperationStore(std::shared_ptr<ManagerCore> core);

    /// Running and recently finished operations, oldest first.
    std::vector<api::Operation> list();
    /// One operation by id; NotFound when unknown or expired.
    Operation get(const std::string& id);
    /// How long finished operations stay listed (default 5 minutes, LXD's retention).
    void set_retention(std::chrono::seconds retention);

private:
    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
