#include "operation_wait.hpp"

#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "context.hpp"
#include "interrupt.hpp"
#include "libinstance/error.hpp"
#include "libinstance/event.hpp"

namespace li::cli {

namespace {

constexpr auto poll_interval = std::chrono::milliseconds(100);
constexpr int force_after = 3;  // interrupts, as in lxc

/// Passes the progress of one operation to a renderer. Events can arrive before the operation's
/// id is known (the start call returns after the operation began), so until then the latest
/// metadata of each operation is kept and replayed once the id is set.
class ProgressFollower {
public:
    explicit ProgressFollower(ProgressRenderer& progress) : progress_(progress) {}

    void on_event(const std::string& event_json) {
        auto event = nlohmann::json::parse(event_json, nullptr, false);
        if (event.is_discarded() || event.value("type", "") != "operation") return;
        const auto& op = event["metadata"];
        if (!op.is_object() || !op.contains("id") || !op["id"].is_string()) return;
        std::map<std::string, std::string> metadata;
        if (op.contains("metadata") && op["metadata"].is_object())
            for (const auto& [k, v] : op["metadata"].items())
                if (v.is_string()) metadata[k] = v.get<std::string>();
        std::lock_guard lock(mutex_);
        std::string id = op["id"].get<std::string>();
        if (target_.empty()) {
            pending_[id] = std::move(metadata);
        } else if (id == target_) {
            progress_.update_op(metadata);
        }
    }

    void follow(const std::string& id) {
        std::lock_guard lock(mutex_);
        target_ = id;
        if (auto it = pending_.find(id); it != pending_.end()) progress_.update_op(it->second);
        pending_.clear();
    }

private:
    ProgressRenderer& progress_;
    std::mutex mutex_;
    std::string target_;
    std::map<std::string, std::map<std::string, std::string>> pending_;
};

std::string remaining_text(int left) {
    return left == 1 ? "interrupt one more time to force" : "interrupt two more times to force";
}

// ' "c1"' for an operation on one object (from its resource path, "/1.0/instances/c1?project=p").
std::string subject_of(const api::Operation& info) {
    if (info.resources.size() != 1 || info.resources.begin()->second.size() != 1) return {};
    std::string path = info.resources.begin()->second.front();
    path = path.substr(0, path.find('?'));
    return fmt::format(" \"{}\"", path.substr(path.rfind('/') + 1));
}

// Exiting here abandons the operation mid-way, exactly what the user insisted on; say so.
[[noreturn]] void force_exit() {
    std::fflush(stdout);
    std::fputs("\nError: User signaled us three times, exiting. The operation was left unfinished\n", stderr);
    std::_Exit(1);
}

// lxc's CancelableWait. Waits, counting interrupts from the count `seen` on (an interrupt may come before the wait).
void wait_counting(Operation& op, ProgressRenderer& progress, int seen) {
    int interrupts = 0;
    bool cancel_requested = false;
    while (!op.wait(poll_interval)) {
        // Operations of this process itself (a copy between servers, a remote's followed
        // operation) publish no events on the embedded Manager: their metadata is read here.
        if (progress.drawing()) progress.update_op(op.info().metadata);
        int now = InterruptGuard::count();
        for (; seen < now; ++seen) {
            if (++interrupts >= force_after) force_exit();
            if (cancel_requested) {
                progress.warn(fmt::format("Cancelling, waiting for the clean-up to finish ({})",
                                          remaining_text(force_after - interrupts)));
                continue;
            }
            try {
                op.cancel();
                cancel_requested = true;
                progress.warn("Cancelling...");
            } catch (const Error& e) {
                progress.warn(fmt::format("{} ({})", e.what(), remaining_text(force_after - interrupts)));
            }
        }
    }
    api::Operation info = op.info();
    if (cancel_requested && info.status_code == static_cast<int>(OperationStatus::Cancelled))
        throw Error(ErrorCode::Cancelled, fmt::format("{}{} cancelled", info.description, subject_of(info)));
    op.get();  // the operation's own failure, if any
}

}  // namespace

Operation run_operation(Context& ctx, ProgressRenderer& progress, const std::function<Operation()>& start) {
    InterruptGuard guard;  // from before the start: an early Ctrl-C still cancels, not kills
    int before = InterruptGuard::count();
    auto follower = std::make_shared<ProgressFollower>(progress);
    std::unique_ptr<Subscription> subscription;
    if (progress.drawing()) {
        EventFilter filter;
        filter.types = {"operation"};
        filter.all_projects = true;  // matched by id below
        subscription = ctx.manager().events().subscribe(
            filter, [follower](const std::string& event) { follower->on_event(event); });
    }
    Operation op = start();
    follower->follow(op.id());
    wait_counting(op, progress, before);
    return op;
}

}  // namespace li::cli
