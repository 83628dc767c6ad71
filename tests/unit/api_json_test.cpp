#include <doctest.h>
#include <nlohmann/json.hpp>

#include "libinstance/api/instance.hpp"
#include "libinstance/error.hpp"

using namespace li;

TEST_CASE("InstancesPost parses LXD's body") {
    auto post = api::instances_post_from_json(R"({"name":"c1","type":"container","source":{"type":"image","alias":"bb"},
        "config":{"user.x":"1"},"devices":{"root":{"type":"disk","path":"/","pool":"default"}},
        "profiles":["default"],"ephemeral":true,"start":true})");
    CHECK(post.name == "c1");
    CHECK(post.source.alias == "bb");
    CHECK(post.config.at("user.x") == "1");
    CHECK(post.devices.at("root").at("pool") == "default");
    CHECK(post.profiles == std::vector<std::string>{"default"});
    CHECK(post.ephemeral);
    CHECK(post.start);
    auto again = api::instances_post_from_json(api::to_json(post));
    CHECK(again.name == post.name);
    CHECK(again.devices == post.devices);
}

TEST_CASE("InstancesPost type errors name the field") {
    auto key_of = [](const char* body) {
        try {
            api::instances_post_from_json(body);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            return e.key();
        }
        return std::string("accepted");
    };
    CHECK(key_of(R"({"name": 5})") == "name");
    CHECK(key_of(R"({"name":"c","config":{"limits.cpu": 2}})") == "config.limits.cpu");
    CHECK(key_of(R"({"name":"c","devices":{"eth0":"nic"}})") == "devices.eth0");
    CHECK(key_of(R"({"name":"c","profiles":"default"})") == "profiles");
    CHECK(key_of(R"({"name":"c","source":{"alias":1}})") == "source.alias");
    CHECK(key_of(R"({"name":)") == "instance definition");
    CHECK(key_of(R"([1,2])") == "body");
}

TEST_CASE("Instance JSON carries LXD's field names") {
    api::Instance i;
    i.name = "c1";
    i.status = "Running";
    i.status_code = 103;
    i.state = api::InstanceState{};
    auto j = nlohmann::json::parse(api::to_json(i));
    for (const char* field : {"name", "status", "status_code", "config", "devices", "expanded_config",
                              "expanded_devices", "profiles", "ephemeral", "stateful", "created_at",
                              "last_used_at", "location", "project", "type", "architecture", "state"})
        CHECK_MESSAGE(j.contains(field), field);
    CHECK(j["state"]["memory"].contains("usage"));
    CHECK(api::status_name(102) == "Stopped");
}

TEST_CASE("InstanceState JSON carries LXD's names for CPU, memory, disk and network") {
    api::InstanceState st;
    st.status = "Running";
    st.status_code = 103;
    st.processes = 4;
    st.cpu.usage = 1500000000;
    st.memory = {100, 200, 3, 4};
    st.disk["root"].usage = 4096;
    auto& eth = st.network["eth0"];
    eth.addresses.push_back({"inet", "10.0.3.5", "24", "global"});
    eth.counters.bytes_received = 11;
    eth.counters.packets_dropped_outbound = 7;
    eth.hwaddr = "00:16:3e:00:00:01";
    eth.host_name = "veth1234";
    eth.mtu = 1500;
    eth.state = "up";
    eth.type = "broadcast";
    auto j = nlohmann::json::parse(api::to_json(st));
    CHECK(j["cpu"]["usage"] == 1500000000);
    CHECK(j["memory"] == nlohmann::json{{"usage", 100}, {"usage_peak", 200}, {"swap_usage", 3}, {"swap_usage_peak", 4}});
    CHECK(j["disk"]["root"]["usage"] == 4096);
    const auto& n = j["network"]["eth0"];
    CHECK(n["addresses"][0] == nlohmann::json{{"family", "inet"}, {"address", "10.0.3.5"}, {"netmask", "24"}, {"scope", "global"}});
    CHECK(n["counters"]["bytes_received"] == 11);
    CHECK(n["counters"]["packets_dropped_outbound"] == 7);
    for (const char* key : {"bytes_sent", "packets_received", "packets_sent", "errors_received", "errors_sent",
                            "packets_dropped_inbound"})
        CHECK(n["counters"].contains(key));
    CHECK(n["hwaddr"] == "00:16:3e:00:00:01");
    CHECK(n["host_name"] == "veth1234");
    CHECK(n["mtu"] == 1500);
    CHECK(n["state"] == "up");
    CHECK(n["type"] == "broadcast");

    // Stopped: LXD sends network null and disk {}.
    auto stopped = nlohmann::json::parse(api::to_json(api::InstanceState{}));
    CHECK(stopped["network"].is_null());
    CHECK(stopped["disk"].is_object());
}
