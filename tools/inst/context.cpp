#include "context.hpp"

namespace li::cli {

std::shared_ptr<Manager> Context::shared_manager() {
    if (!manager_) manager_ = Manager::open(opts_.state_dir);
    return manager_;
}

}  // namespace li::cli
