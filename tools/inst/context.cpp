#include "context.hpp"

namespace li::cli {

Manager& Context::manager() {
    if (!manager_) manager_ = Manager::open(opts_.state_dir);
    return *manager_;
}

}  // namespace li::cli
