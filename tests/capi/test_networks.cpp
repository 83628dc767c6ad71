// Managed networks through the C ABI, on the mock driver (it validates as the bridge driver does
// and makes nothing on the host): create with a generated subnet, get with ETag, list, update
// (if_match, bad config naming the key and changing nothing), unknown type, rename, delete refused
// while the default profile uses it, li_manager_init and its idempotence, state and leases, NULL
// arguments. A state directory of their own: li_manager_init changes the default profile, which
// the shared one's containers must not get.

#include <cstdlib>
#include <string>
#include <unistd.h>

#include "support.hpp"

using namespace capi_test;

namespace {

// $LIBINSTANCE_NETWORK_DRIVER=mock for the scope (the driver is chosen at every network call), and
// what it was before afterwards, so the suite never touches the host's interfaces.
class MockNetworks {
public:
    MockNetworks() {
        if (const char* old = std::getenv("LIBINSTANCE_NETWORK_DRIVER")) old_ = old;
        setenv("LIBINSTANCE_NETWORK_DRIVER", "mock", 1);
    }
    ~MockNetworks() {
        if (old_.empty()) unsetenv("LIBINSTANCE_NETWORK_DRIVER");
        else setenv("LIBINSTANCE_NETWORK_DRIVER", old_.c_str(), 1);
    }
    MockNetworks(const MockNetworks&) = delete;
    MockNetworks& operator=(const MockNetworks&) = delete;

private:
    std::string old_;
};

// A manager on its own state directory; declared after MockNetworks so it closes first.
struct NetworkEnv {
    MockNetworks mock;
    TempDir dir{"capi-net"};
    ManagerPtr mgr;
    NetworkEnv() {
        li_manager* raw = nullptr;
        expect_ok(CALL(li_manager_open(&raw, dir.path().c_str(), ERR)));
        REQUIRE(raw != nullptr);
        mgr.reset(raw);
    }
};

// Interface names are at most 15 characters; the pid keeps parallel test programs apart.
std::string net_name(const std::string& what) { return "ln" + std::to_string(getpid() % 1000000) + what; }

nlohmann::json network(li_manager* mgr, const std::string& name, std::string* etag = nullptr) {
    char* json = nullptr;
    char* tag = nullptr;
    expect_ok(CALL(li_network_get_json(&json, etag ? &tag : nullptr, mgr, nullptr, name.c_str(), ERR)));
    if (etag) {
        REQUIRE(tag != nullptr);
        *etag = tag;
        li_free(tag);
    }
    return take_json(json);
}

nlohmann::json listed_network(li_manager* mgr, const std::string& name) {
    char* json = nullptr;
    expect_ok(CALL(li_network_list_json(&json, mgr, "", ERR)));
    auto list = take_json(json);
    REQUIRE(list.is_array());
    for (const auto& e : list)
        if (e.at("name") == name) return e;
    return nullptr;
}

nlohmann::json default_profile(li_manager* mgr) {
    char* json = nullptr;
    expect_ok(CALL(li_profile_get_json(&json, nullptr, mgr, nullptr, "default", ERR)));
    return take_json(json);
}

}  // namespace

TEST_SUITE("networks") {

TEST_CASE("networks through the C ABI: create, get, list, update with ETag, bad input, rename, state, leases, delete") {
    NetworkEnv ne;
    li_manager* mgr = ne.mgr.get();
    std::string n = net_name("a");
    std::string renamed = net_name("b");
    char* json = nullptr;

    nlohmann::json post{{"name", n}, {"description", "capi"}, {"type", "bridge"},
                        {"config", {{"ipv4.address", "auto"}, {"ipv4.nat", "true"}, {"ipv6.address", "none"}}}};
    expect_ok(CALL(li_network_create_json(&json, mgr, nullptr, post.dump().c_str(), ERR)));
    auto created = take_json(json);
    CHECK(created.at("name") == n);
    CHECK(created.at("managed") == true);
    CHECK(created.at("type") == "bridge");
    // "auto" is replaced by the chosen subnet: the gateway's address with a prefix.
    std::string v4 = created.at("config").at("ipv4.address");
    CHECK(v4 != "auto");
    CHECK(v4.find('/') != std::string::npos);
    CHECK(created.at("config").at("ipv6.address") == "none");

    expect_fail(CALL(li_network_create_json(nullptr, mgr, nullptr, post.dump().c_str(), ERR)), LI_ERR_ALREADY_EXISTS, {n});
    auto bad_type = CALL(li_network_create_json(nullptr, mgr, "", R"({"name":"lnx1","type":"warp"})", ERR));
    expect_fail(bad_type, LI_ERR_NOT_SUPPORTED, {"warp"});
    CHECK(bad_type.key == "type");
    expect_invalid(CALL(li_network_create_json(nullptr, mgr, "", R"({"name":"lnx1","config":{"ipv4.address":"banana"}})", ERR)),
                   "config.ipv4.address", {"banana"});
    expect_invalid(CALL(li_network_create_json(nullptr, mgr, "", R"({"name":"lnx1","config":{"ipv4.frobnicate":"1"}})", ERR)),
                   "config.ipv4.frobnicate", {"ipv4.frobnicate"});
    expect_invalid(CALL(li_network_create_json(nullptr, mgr, "", R"({"name":"lnx1","config":"x"})", ERR)), "config");
    expect_fail(CALL(li_network_create_json(nullptr, mgr, "", "{not json", ERR)), LI_ERR_INVALID_ARGUMENT, {"invalid JSON"});
    expect_invalid(CALL(li_network_create_json(nullptr, mgr, "", nullptr, ERR)), "networks_post_json");
    // None of the refused creates left a network behind.
    CHECK(listed_network(mgr, "lnx1").is_null());
    auto missing = CALL(li_network_get_json(&json, nullptr, mgr, nullptr, "lnx1", ERR));
    expect_fail(missing, LI_ERR_NOT_FOUND, {"lnx1"});
    CHECK(missing.key == "name");

    // Get with its ETag, and the list shows it managed.
    std::string etag;
    auto got = network(mgr, n, &etag);
    CHECK(got.at("config") == created.at("config"));
    CHECK(got.at("description") == "capi");
    CHECK_FALSE(etag.empty());
    auto in_list = listed_network(mgr, n);
    REQUIRE_FALSE(in_list.is_null());
    CHECK(in_list.at("managed") == true);
    CHECK(in_list.at("config").at("ipv4.address") == v4);

    // Update with the ETag; the stale ETag and a bad value are refused and change nothing.
    nlohmann::json put{{"description", "changed"}, {"config", got.at("config")}};
    put["config"]["ipv4.nat"] = "false";
    expect_ok(CALL(li_network_update_json(mgr, nullptr, n.c_str(), put.dump().c_str(), etag.c_str(), ERR)));
    auto stale = CALL(li_network_update_json(mgr, nullptr, n.c_str(), put.dump().c_str(), etag.c_str(), ERR));
    expect_fail(stale, LI_ERR_CONFLICT, {n});
    CHECK(stale.key == "etag");
    nlohmann::json bad = put;
    bad["config"]["bridge.mtu"] = "tall";
    expect_invalid(CALL(li_network_update_json(mgr, nullptr, n.c_str(), bad.dump().c_str(), nullptr, ERR)),
                   "config.bridge.mtu", {"tall"});
    expect_invalid(CALL(li_network_update_json(mgr, nullptr, n.c_str(), nullptr, nullptr, ERR)), "network_put_json");
    std::string new_etag;
    auto after = network(mgr, n, &new_etag);
    CHECK(after.at("description") == "changed");
    CHECK(after.at("config").at("ipv4.nat") == "false");
    CHECK_FALSE(after.at("config").contains("bridge.mtu"));
    CHECK(new_etag != etag);

    // State (made up by the mock from the config) and leases (none yet) are well-formed documents.
    expect_ok(CALL(li_network_state_json(&json, mgr, nullptr, n.c_str(), ERR)));
    auto state = take_json(json);
    REQUIRE(state.is_object());
    REQUIRE(state.at("addresses").is_array());
    REQUIRE(state.at("addresses").size() == 1);
    CHECK(state.at("addresses")[0].at("family") == "inet");
    CHECK(state.at("addresses")[0].at("address").get<std::string>() + "/" +
              state.at("addresses")[0].at("netmask").get<std::string>() == v4);
    CHECK(state.at("counters").is_object());
    CHECK(state.at("bridge").is_object());
    CHECK(state.at("bridge").at("upper_devices").is_array());
    expect_ok(CALL(li_network_leases_json(&json, mgr, nullptr, n.c_str(), ERR)));
    auto leases = take_json(json);
    CHECK(leases == nlohmann::json::array());

    // Rename, then the old name is gone.
    expect_ok(CALL(li_network_rename(mgr, nullptr, n.c_str(), renamed.c_str(), ERR)));
    expect_fail(CALL(li_network_get_json(&json, nullptr, mgr, nullptr, n.c_str(), ERR)), LI_ERR_NOT_FOUND, {n});
    CHECK(network(mgr, renamed).at("config").at("ipv4.address") == v4);
    expect_invalid(CALL(li_network_rename(mgr, nullptr, renamed.c_str(), nullptr, ERR)), "new_name");

    // A profile using it keeps it: delete and rename are refused naming the profile.
    std::string prof = "netuser";
    nlohmann::json ppost{{"name", prof}, {"devices", {{"eth0", {{"type", "nic"}, {"network", renamed}, {"name", "eth0"}}}}}};
    expect_ok(CALL(li_profile_create_json(nullptr, mgr, nullptr, ppost.dump().c_str(), ERR)));
    CHECK(network(mgr, renamed).at("used_by") == nlohmann::json::array({"/1.0/profiles/" + prof}));
    auto busy = CALL(li_network_delete(mgr, nullptr, renamed.c_str(), ERR));
    expect_fail(busy, LI_ERR_BUSY, {renamed, prof});
    CHECK(busy.key == "name");
    auto busy_rename = CALL(li_network_rename(mgr, nullptr, renamed.c_str(), n.c_str(), ERR));
    expect_fail(busy_rename, LI_ERR_BUSY, {renamed});
    CHECK(busy_rename.key == "name");
    expect_ok(CALL(li_profile_delete(mgr, nullptr, prof.c_str(), ERR)));

    expect_ok(CALL(li_network_delete(mgr, nullptr, renamed.c_str(), ERR)));
    expect_fail(CALL(li_network_get_json(&json, nullptr, mgr, nullptr, renamed.c_str(), ERR)), LI_ERR_NOT_FOUND, {renamed});
    CHECK(listed_network(mgr, renamed).is_null());
    expect_fail(CALL(li_network_delete(mgr, nullptr, renamed.c_str(), ERR)), LI_ERR_NOT_FOUND, {renamed});
}

TEST_CASE("li_manager_init: a NATed bridge and eth0 in the default profile, idempotent, bad options naming them") {
    NetworkEnv ne;
    li_manager* mgr = ne.mgr.get();
    std::string n = net_name("i");
    char* json = nullptr;

    // Bad options change nothing and name the option.
    expect_invalid(CALL(li_manager_init(&json, mgr, R"({"network_nmae":"x"})", ERR)), "network_nmae", {"network_nmae"});
    CHECK(json == nullptr);
    expect_invalid(CALL(li_manager_init(nullptr, mgr, R"({"network_name":5})", ERR)), "network_name");
    nlohmann::json bad_addr{{"network_name", n}, {"ipv4_address", "banana"}};
    expect_invalid(CALL(li_manager_init(nullptr, mgr, bad_addr.dump().c_str(), ERR)), "ipv4_address", {"banana"});
    nlohmann::json empty_addr{{"network_name", n}, {"ipv6_address", ""}};
    expect_invalid(CALL(li_manager_init(nullptr, mgr, empty_addr.dump().c_str(), ERR)), "ipv6_address");
    expect_invalid(CALL(li_manager_init(nullptr, nullptr, nullptr, ERR)), "mgr");
    expect_fail(CALL(li_network_get_json(&json, nullptr, mgr, nullptr, n.c_str(), ERR)), LI_ERR_NOT_FOUND, {n});
    CHECK_FALSE(default_profile(mgr).at("devices").contains("eth0"));

    nlohmann::json opts{{"network_name", n}, {"ipv6_address", "none"}};
    expect_ok(CALL(li_manager_init(&json, mgr, opts.dump().c_str(), ERR)));
    auto first = take_json(json);
    CHECK(first == nlohmann::json{{"network_created", true}, {"profile_nic_added", true}, {"network_name", n}});
    auto net = network(mgr, n);
    CHECK(net.at("managed") == true);
    CHECK(net.at("config").at("ipv4.nat") == "true");
    CHECK(net.at("config").at("ipv4.address") != "auto");
    CHECK(net.at("config").at("ipv6.address") == "none");
    auto eth0 = default_profile(mgr).at("devices").at("eth0");
    CHECK(eth0 == nlohmann::json{{"type", "nic"}, {"network", n}, {"name", "eth0"}});
    CHECK(net.at("used_by") == nlohmann::json::array({"/1.0/profiles/default"}));

    // Again: nothing new, the same network reported.
    expect_ok(CALL(li_manager_init(&json, mgr, opts.dump().c_str(), ERR)));
    CHECK(take_json(json) == nlohmann::json{{"network_created", false}, {"profile_nic_added", false}, {"network_name", n}});
    expect_ok(CALL(li_manager_init(nullptr, mgr, opts.dump().c_str(), ERR)));

    // The default profile's eth0 keeps it.
    auto busy = CALL(li_network_delete(mgr, nullptr, n.c_str(), ERR));
    expect_fail(busy, LI_ERR_BUSY, {n, "default"});
    CHECK(busy.key == "name");
    CHECK_FALSE(network(mgr, n).is_null());
}

TEST_CASE("network calls reject NULL handles, names and out-parameters") {
    NetworkEnv ne;
    li_manager* mgr = ne.mgr.get();
    char* json = nullptr;
    char* etag = nullptr;
    expect_invalid(CALL(li_network_list_json(nullptr, mgr, nullptr, ERR)), "out_json");
    expect_invalid(CALL(li_network_list_json(&json, nullptr, nullptr, ERR)), "mgr");
    expect_invalid(CALL(li_network_get_json(nullptr, &etag, mgr, nullptr, "x", ERR)), "out_json");
    CHECK(etag == nullptr);
    expect_invalid(CALL(li_network_get_json(&json, nullptr, mgr, nullptr, nullptr, ERR)), "name");
    expect_invalid(CALL(li_network_state_json(nullptr, mgr, nullptr, "x", ERR)), "out_json");
    expect_invalid(CALL(li_network_state_json(&json, mgr, nullptr, nullptr, ERR)), "name");
    expect_invalid(CALL(li_network_leases_json(nullptr, mgr, nullptr, "x", ERR)), "out_json");
    expect_invalid(CALL(li_network_leases_json(&json, mgr, nullptr, nullptr, ERR)), "name");
    expect_invalid(CALL(li_network_create_json(&json, nullptr, nullptr, "{}", ERR)), "mgr");
    expect_invalid(CALL(li_network_update_json(mgr, nullptr, nullptr, "{}", nullptr, ERR)), "name");
    expect_invalid(CALL(li_network_rename(mgr, nullptr, nullptr, "y", ERR)), "name");
    expect_invalid(CALL(li_network_delete(mgr, nullptr, nullptr, ERR)), "name");
    expect_invalid(CALL(li_network_delete(nullptr, nullptr, "x", ERR)), "mgr");
    CHECK(json == nullptr);
    // Errors are optional: a NULL err still gets the code back.
    CHECK(li_network_delete(mgr, nullptr, nullptr, nullptr) == -LI_ERR_INVALID_ARGUMENT);
}

}  // TEST_SUITE
