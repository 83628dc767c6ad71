#pragma once
// li::Manager: the entry point; one open, exclusively locked state directory.

#include <filesystem>
#include <memory>

#include "libinstance/event.hpp"
#include "libinstance/image.hpp"
#include "libinstance/instance.hpp"
#include "libinstance/operation.hpp"
#include "libinstance/remote.hpp"

namespace li {

class ManagerCore;

/// An open state directory. Handles it gives out keep it alive.
class Manager {
public:
    /// Opens (creating on first use) a state directory; Busy if another process has it.
    /// An empty path means $LIBINSTANCE_DIR, else /var/lib/libinstance.
    static std::shared_ptr<Manager> open(const std::filesystem::path& state_dir = {});
    /// The state directory open() would use for an empty path.
    static std::filesystem::path default_state_dir();

    explicit Manager(std::shared_ptr<ManagerCore> core);

    const std::filesystem::path& state_dir() const;
    ImageStore& images() { return images_; }
    InstanceStore& instances() { return instances_; }
    OperationStore& operations() { return operations_; }
    EventBus& events() { return events_; }
    /// The image servers (lxc's remotes) known to this state directory.
    RemoteStore& remotes() { return remotes_; }
    /// Where the library's log records go (they are also logging events). The output is
    /// process-wide: every Manager in the process shares it. InvalidArgument (key "level") for an
    /// unknown level; a file that cannot be opened fails with its errno's code.
    void set_log(const LogOptions& opts);

private:
    std::shared_ptr<ManagerCore> core_;
    ImageStore images_;
    InstanceStore instances_;
    OperationStore operations_;
    EventBus events_;
    RemoteStore remotes_;
};

}  // namespace li
