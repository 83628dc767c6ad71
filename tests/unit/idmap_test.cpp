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

TEST_CASE("raw.idmap entries are parsed and punch holes in the map") {
    auto raw = parse_raw_idmap("both 1000 1000\n# comment\n\nuid 2000-2009 10-19\ngid 3000 0\n");
    REQUIRE(raw.size() == 3);
    CHECK(raw[0] == IdRawEntry{true, true, 1000, 1000, 1});
    CHECK(raw[1] == IdRawEntry{true, false, 2000, 10, 10});
    CHECK(raw[2] == IdRawEntry{false, true, 3000, 0, 1});
    IdMap map{{100000, 65536}, {100000, 65536}, raw};
    CHECK(idmap_lines(map, true) == std::vector<IdMapLine>{{0, 100000, 10}, {10, 2000, 10}, {20, 100020, 980}, {1000, 1000, 1},
                                                           {1001, 101001, 64535}});
    CHECK(idmap_lines(map, false) == std::vector<IdMapLine>{{0, 3000, 1}, {1, 100001, 999}, {1000, 1000, 1}, {1001, 101001, 64535}});
    // No raw entries: the single main line; an entry at the very end leaves no empty line.
    CHECK(idmap_lines(IdMap{{100000, 65536}, {100000, 65536}, {}}, true) == std::vector<IdMapLine>{{0, 100000, 65536}});
    CHECK(idmap_lines(IdMap{{100000, 10}, {100000, 10}, parse_raw_idmap("uid 5 9")}, true) ==
          std::vector<IdMapLine>{{0, 100000, 9}, {9, 5, 1}});
    CHECK(parse_raw_idmap("").empty());
}

TEST_CASE("bad raw.idmap lines are refused naming the key and quoting the line") {
    for (const char* bad : {"both 1000", "all 1000 1000", "both x 1000", "uid 1000-1009 0-8", "gid 10-5 10-5",
                            "both 1000 1000 extra"}) {
        CAPTURE(bad);
        try {
            parse_raw_idmap(std::string("uid 1 1\n") + bad);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            CHECK(e.key() == "config.raw.idmap");
            CHECK(std::string(e.what()).find(std::string("\"") + bad + "\"") != std::string::npos);
        }
    }
    // Overlaps between entries of the same kind, in container or host ids.
    CHECK_THROWS_AS(parse_raw_idmap("both 1000 1000\nuid 2000 1000"), Error);
    CHECK_THROWS_AS(parse_raw_idmap("uid 1000-1010 0-10\nboth 1005 500"), Error);
    CHECK_NOTHROW(parse_raw_idmap("uid 1000 1000\ngid 2000 1000"));
}

TEST_CASE("raw.idmap host ids may not be ids the main range already uses") {
    IdMap ok{{100000, 65536}, {100000, 65536}, parse_raw_idmap("both 1000 1000")};
    CHECK_NOTHROW(check_raw_entries_fit(ok));
    CHECK(to_host_id(ok, true, 1000) == 1000u);
    CHECK(to_host_id(ok, true, 1001) == 101001u);
    CHECK(to_host_id(ok, false, 70000) == std::nullopt);
    CHECK(to_container_id(ok, true, 101000) == std::nullopt);  // the hole's old host id
    CHECK(to_container_id(ok, false, 1000) == 1000u);
    CHECK(root_host_uid(ok) == 100000u);
    CHECK(root_host_uid(IdMap{{100000, 65536}, {100000, 65536}, parse_raw_idmap("uid 5000 0")}) == 5000u);
    try {
        check_raw_entries_fit(IdMap{{100000, 65536}, {100000, 65536}, parse_raw_idmap("gid 100500-100504 5-9")});
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.key() == "config.raw.idmap");
        CHECK(std::string(e.what()).find("host gids 100500-100504") != std::string::npos);
    }
}
