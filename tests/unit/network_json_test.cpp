// JSON of LXD's network documents: round trips, the bridge state's null, fields of the wrong type
// named in the error; and the networks table's repository.
#include <doctest.h>
#include <nlohmann/json.hpp>

#include "libinstance/api/network.hpp"
#include "libinstance/error.hpp"
#include "store/db.hpp"
#include "store/network_repo.hpp"
#include "support/temp_state.hpp"

using namespace li;
using nlohmann::json;

TEST_CASE("NetworksPost: round trip; type defaults to bridge") {
    auto post = api::networks_post_from_json(R"({"name":"br0","description":"d","config":{"ipv4.address":"10.1.2.1/24"}})");
    CHECK(post.name == "br0");
    CHECK(post.type == "bridge");
    CHECK(post.config.at("ipv4.address") == "10.1.2.1/24");
    auto back = api::networks_post_from_json(api::to_json(post));
    CHECK(back.name == post.name);
    CHECK(back.description == post.description);
    CHECK(back.type == post.type);
    CHECK(back.config == post.config);
    CHECK(api::networks_post_from_json(R"({"name":"m","type":"macvlan"})").type == "macvlan");
}

TEST_CASE("NetworkPut and NetworkPost: a whole Network is accepted as a PUT") {
    auto put = api::network_put_from_json(
        R"({"name":"br0","type":"bridge","managed":true,"status":"Created","description":"x","config":{"bridge.mtu":"1400"},"used_by":[],"locations":["none"]})");
    CHECK(put.description == "x");
    CHECK(put.config == std::map<std::string, std::string>{{"bridge.mtu", "1400"}});
    CHECK(json::parse(api::to_json(put)) == json::parse(R"({"description":"x","config":{"bridge.mtu":"1400"}})"));
    CHECK(api::network_post_from_json(R"({"name":"br1"})").name == "br1");
    api::Network n;
    n.description = "p";
    n.config = {{"ipv4.nat", "true"}};
    auto p = api::put_of(n);
    CHECK(p.description == "p");
    CHECK(p.config == n.config);
}

TEST_CASE("Network: LXD's fields") {
    api::Network n;
    n.name = "br0";
    n.type = "bridge";
    n.managed = true;
    n.status = "Created";
    n.used_by = {"/1.0/instances/c1"};
    auto doc = json::parse(api::to_json(n));
    CHECK(doc["name"] == "br0");
    CHECK(doc["managed"] == true);
    CHECK(doc["status"] == "Created");
    CHECK(doc["locations"] == json::array({"none"}));
    CHECK(doc["used_by"] == json::array({"/1.0/instances/c1"}));
    auto list = json::parse(api::to_json(std::vector<api::Network>{n, n}));
    CHECK(list.size() == 2);
}

TEST_CASE("NetworkState: bridge is null unless has_bridge") {
    api::NetworkState s;
    s.addresses.push_back({"inet", "10.0.0.1", "24", "global"});
    s.mtu = 1500;
    s.state = "up";
    s.type = "broadcast";
    s.counters.bytes_sent = 7;
    auto doc = json::parse(api::to_json(s));
    CHECK(doc["bridge"].is_null());
    CHECK(doc["addresses"][0]["netmask"] == "24");
    CHECK(doc["counters"]["bytes_sent"] == 7);
    CHECK(doc["mtu"] == 1500);
    s.has_bridge = true;
    s.bridge.id = "8000.aabbccddeeff";
    s.bridge.upper_devices = {"veth1"};
    doc = json::parse(api::to_json(s));
    CHECK(doc["bridge"]["id"] == "8000.aabbccddeeff");
    CHECK(doc["bridge"]["upper_devices"] == json::array({"veth1"}));
}

TEST_CASE("NetworkLease: LXD's fields") {
    api::NetworkLease l{"c1", "00:16:3e:00:00:01", "10.0.0.5", "dynamic"};
    auto doc = json::parse(api::to_json(std::vector<api::NetworkLease>{l}));
    CHECK(doc[0] == json::parse(R"({"hostname":"c1","hwaddr":"00:16:3e:00:00:01","address":"10.0.0.5","type":"dynamic","location":"none"})"));
}

TEST_CASE("network documents: fields of the wrong type are named") {
    auto key_of = [](auto parse, std::string_view text) {
        try {
            parse(text);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            return e.key();
        }
        FAIL("no error for " << text);
        return std::string();
    };
    auto post = [](std::string_view t) { api::networks_post_from_json(t); };
    auto put = [](std::string_view t) { api::network_put_from_json(t); };
    auto rename = [](std::string_view t) { api::network_post_from_json(t); };
    CHECK(key_of(post, R"({"name":5})") == "name");
    CHECK(key_of(post, R"({"name":"a","type":[]})") == "type");
    CHECK(key_of(post, R"({"name":"a","config":{"ipv4.nat":true}})") == "config.ipv4.nat");
    CHECK(key_of(put, R"({"description":7})") == "description");
    CHECK(key_of(put, R"({"config":[]})") == "config");
    CHECK(key_of(rename, R"({"name":3})") == "name");
    CHECK(key_of(rename, "[1]") == "body");
}

TEST_CASE("networks table: insert, find, list, update, rename, delete; (project, name) unique") {
    test::TempDir dir("li-db-net");
    Db db(dir.path() / "local.db");
    NetworkRecord r;
    r.project = "default";
    r.name = "br0";
    r.type = "bridge";
    r.config = {{"ipv4.address", "10.9.8.1/24"}};
    db.transaction([&](SQLite::Database& d) { r.id = repo::insert_network(d, r); });
    auto found = db.read([](SQLite::Database& d) { return repo::find_network(d, "default", "br0"); });
    REQUIRE(found);
    CHECK(found->config == r.config);
    CHECK(found->status == "Created");
    CHECK_THROWS(db.transaction([&](SQLite::Database& d) { repo::insert_network(d, r); }));
    r.description = "d";
    r.config["bridge.mtu"] = "1400";
    db.transaction([&](SQLite::Database& d) {
        repo::update_network(d, r);
        repo::rename_network(d, r.id, "br1");
    });
    auto list = db.read([](SQLite::Database& d) { return repo::list_networks(d, "default"); });
    REQUIRE(list.size() == 1);
    CHECK(list[0].name == "br1");
    CHECK(list[0].description == "d");
    CHECK(list[0].config.at("bridge.mtu") == "1400");
    db.transaction([&](SQLite::Database& d) { repo::delete_network(d, r.id); });
    CHECK(db.read([](SQLite::Database& d) { return repo::list_all_networks(d); }).empty());
}
