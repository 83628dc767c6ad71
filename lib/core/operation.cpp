// The public Operation, OperationStore, EventBus and Subscription: thin handles over the core.
#include "client/rest_streams.hpp"
#include "client/rest_facades.hpp"
#include "libinstance/operation.hpp"

#include "core/event_hub.hpp"
#include "core/manager_core.hpp"
#include "core/operations.hpp"
#include "libinstance/event.hpp"

namespace li {

Operation::Operation(std::shared_ptr<OperationState> state) : state_(std::move(state)) {}
const std::string& Operation::id() const { return state_->id(); }
api::Operation Operation::info() const { return state_->snapshot(); }
bool Operation::wait(std::chrono::milliseconds timeout) const { return state_->wait(timeout); }
void Operation::get() const { state_->get(); }
void Operation::cancel() { state_->cancel(); }

OperationStore::OperationStore(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}
std::vector<api::Operation> OperationStore::list() {
    if (auto rest = core_->rest()) return rest::list_operations(rest);
    return core_->operations().list();
}
Operation OperationStore::get(const std::string& id) {
    if (auto rest = core_->rest()) return rest::get_operation(rest, id);
    return core_->operations().get(id);
}
void OperationStore::set_retention(std::chrono::seconds retention) {
    core_->refuse_remote("setting the operations' retention");
    core_->operations().set_retention(retention);
}

Subscription::Subscription(std::shared_ptr<SubscriberQueue> queue) : queue_(std::move(queue)) {}
Subscription::~Subscription() { unsubscribe(); }
uint64_t Subscription::dropped() const { return queue_->dropped(); }
void Subscription::unsubscribe() { queue_->stop(); }

EventBus::EventBus(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}

std::unique_ptr<Subscription> EventBus::subscribe(const EventFilter& filter, EventCallback callback) {
    if (auto rest = core_->rest()) return rest::subscribe(rest, filter, std::move(callback));
    return std::make_unique<Subscription>(core_->events().subscribe(filter, std::move(callback)));
}

}  // namespace li
