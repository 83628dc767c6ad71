#include <doctest.h>
#include <stdexcept>
#include <vector>

#include "core/reverter.hpp"

TEST_CASE("the reverter undoes in reverse order unless success() is called") {
    std::vector<int> undone;
    {
        li::Reverter r;
        r.add([&] { undone.push_back(1); });
        r.add([&] { throw std::runtime_error("undo failed"); });
        r.add([&] { undone.push_back(3); });
    }
    CHECK(undone == std::vector<int>{3, 1});
    undone.clear();
    {
        li::Reverter r;
        r.add([&] { undone.push_back(1); });
        r.success();
    }
    CHECK(undone.empty());
}
