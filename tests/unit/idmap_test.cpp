#include <doctest.h>

#include "support/temp_state.hpp"
#include "sys/fs.hpp"
#include "sys/idmap.hpp"

using namespace li;

TEST_CASE("subordinate id ranges come from the first large enough entry of the user") {
    test::TempDir dir("li-idmap");
    auto file = dir.path() / "subuid";
    write_file_atomic(file, "other:100000:65536\nroot:200000:1000\nbroken line\nroot:300000:65536\n0:400000:70000\n");
    IdRange r = find_subid_range(file, "root", "0");
    CHECK(r.host_start == 300000);
    CHECK(r.size == 65536);
    CHECK(find_subid_range(file, "nobody", "65534").size == 0);
    write_file_atomic(file, "0:400000:2000000000\n");
    IdRange capped = find_subid_range(file, "root", "0");
    CHECK(capped.host_start == 400000);
    CHECK(capped.size == 1000000000);
}
