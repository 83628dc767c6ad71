#pragma once
// A remote operation (an async answer of the server) as a local li::Operation: a local
// OperationState follows the remote one, so Operation::wait/get/info/cancel work unchanged.

#include <functional>
#include <map>
#include <memory>

#include "client/rest_transport.hpp"
#include "libinstance/operation.hpp"

namespace li::rest {

/// Starts watching the operation of an async response (`GET /1.0/operations/<id>/wait?timeout=1`
/// on a connection of its own) and returns its local handle. Progress metadata is copied as it
/// changes; the remote `err` becomes the local failure (Backend, Cancelled when cancelled). A
/// local cancel() sends `DELETE /1.0/operations/<id>`. The watcher stops once nobody holds the
/// Operation any more.
Operation follow_operation(const std::shared_ptr<RestTransport>& transport, const RestResponse& async_response,
                           const std::map<std::string, std::string>& known = {});

/// The Operation of a response: follow_operation for an async one, an already finished one for
/// a sync one (servers may answer either). `known` is metadata the local operation has from the
/// start (what the library's own operation would leave, such as a created volume's "name"); the
/// server's values win.
Operation operation_of(const std::shared_ptr<RestTransport>& transport, const RestResponse& response,
                       const char* description, const std::map<std::string, std::string>& known = {});

}  // namespace li::rest

namespace li::rest {

/// A local operation running `work` on a thread of its own (several REST calls that make one
/// library call, e.g. a create then a start).
Operation local_operation(const char* description, std::function<void()> work);
/// The same, for work that returns the metadata the operation leaves (a fingerprint, paths).
Operation local_operation_with_metadata(const char* description, std::function<std::map<std::string, std::string>()> work);

}  // namespace li::rest
