// Helpers for the C ABI tests.

#include "support.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <system_error>
#include <sys/stat.h>
#include <unistd.h>

namespace capi_test {

li_error* poison() {
    static int marker;
    return reinterpret_cast<li_error*>(&marker);
}

namespace {
// doctest streams a const char* as a pointer; names must go in as strings.
std::string name_of(int code) {
    return li_status_name(code);
}
}  // namespace

void expect_ok(const Outcome& o) {
    CHECK_MESSAGE(o.rc == 0, "expected success, got " << name_of(o.code) << ": "
                                                      << o.message);
}

void expect_fail(const Outcome& o, int code, const std::vector<std::string>& names) {
    REQUIRE_MESSAGE(o.rc != 0, "expected " << name_of(code) << ", the call succeeded");
    CHECK_MESSAGE(o.code == code, "expected " << name_of(code) << ", got "
                                             << name_of(o.code) << ": " << o.message);
    for (const auto& name : names) {
        CHECK_MESSAGE(o.message.find(name) != std::string::npos,
                      "message '" << o.message << "' does not name '" << name << "'");
    }
}

void expect_invalid(const Outcome& o, const std::string& key,
                    const std::vector<std::string>& names) {
    expect_fail(o, LI_ERR_INVALID_ARGUMENT, names);
    CHECK_MESSAGE(o.key == key, "key '" << o.key << "' instead of '" << key << "' ("
                                        << o.message << ")");
}

nlohmann::json take_json(char* s) {
    REQUIRE(s != nullptr);
    std::string text{s};
    li_free(s);
    return nlohmann::json::parse(text);
}

TempDir::TempDir(const std::string& prefix) {
    const char* base = std::getenv("LI_TEST_TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" +
                       prefix + "-XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    // Unprivileged containers run as mapped ids that must be able to traverse to their rootfs.
    REQUIRE(chmod(tmpl.c_str(), 0711) == 0);
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string unique_name(const std::string& what) {
    return "capi" + std::to_string(getpid()) + "-" + what;
}

namespace {
std::optional<Env> g_env;
}

Env& env() {
    if (g_env && g_env->busybox_fingerprint.empty()) {
        FAIL("the shared state directory could not be set up (see the first failure)");
    }
    if (!g_env) {
        auto& e = g_env.emplace();
        li_manager* m = nullptr;
        expect_ok(CALL(li_manager_open(&m, e.dir.path().c_str(), ERR)));
        REQUIRE(m != nullptr);
        e.mgr.reset(m);
        li_image_build_opts opts = LI_IMAGE_BUILD_OPTS_INIT;
        opts.alias = "busybox";
        char* json = nullptr;
        auto o = CALL(li_image_build(&json, m, nullptr, "busybox", &opts, ERR));
        expect_ok(o);
        REQUIRE(o.rc == 0);
        e.busybox_fingerprint = take_json(json).at("fingerprint").get<std::string>();
    }
    return *g_env;
}

void shutdown_env() {
    if (!g_env) {
        return;
    }
    if (g_env->mgr) {
        // Failed tests may leave containers behind; delete them so the temp dir can go.
        char* json = nullptr;
        if (li_instance_list_json(&json, g_env->mgr.get(), nullptr, 0, nullptr) == 0) {
            auto list = nlohmann::json::parse(json);
            li_free(json);
            for (const auto& item : list) {
                li_instance* inst = nullptr;
                auto name = item.at("name").get<std::string>();
                if (li_instance_get(&inst, g_env->mgr.get(), nullptr, name.c_str(), nullptr) == 0) {
                    li_delete_opts opts = LI_DELETE_OPTS_INIT;
                    opts.force = 1;
                    li_instance_delete(inst, &opts, nullptr);
                    li_instance_free(inst);
                }
            }
        }
    }
    g_env.reset();
}

std::string post_json(const std::string& name, const std::string& alias) {
    nlohmann::json post = {{"name", name}, {"source", {{"type", "image"}, {"alias", alias}}}};
    return post.dump();
}

InstancePtr create_container(const std::string& name) {
    li_instance* inst = nullptr;
    auto o = CALL(li_instance_create_json(&inst, env().mgr.get(), nullptr,
                                          post_json(name).c_str(), ERR));
    expect_ok(o);
    REQUIRE(inst != nullptr);
    return InstancePtr{inst};
}

std::vector<std::string> instance_names(li_manager* mgr) {
    char* json = nullptr;
    auto o = CALL(li_instance_list_json(&json, mgr, nullptr, LI_LIST_DEFAULT, ERR));
    expect_ok(o);
    std::vector<std::string> names;
    for (const auto& item : take_json(json)) {
        names.push_back(item.at("name").get<std::string>());
    }
    return names;
}

bool listed(const std::string& name) {
    auto names = instance_names(env().mgr.get());
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::filesystem::path container_dir(const std::string& name) {
    return env().dir.path() / "storage-pools" / "default" / "containers" / name;
}

nlohmann::json instance_json(li_instance* inst) {
    char* json = nullptr;
    expect_ok(CALL(li_instance_get_json(&json, inst, ERR)));
    return take_json(json);
}

std::string read_fd(int fd) {
    std::string out;
    ::lseek(fd, 0, SEEK_SET);
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    return out;
}

nlohmann::json operation_json(li_operation* op) {
    char* json = nullptr;
    auto o = CALL(li_operation_get_json(&json, op, ERR));
    expect_ok(o);
    REQUIRE(o.rc == 0);
    return take_json(json);
}

std::vector<std::string> operation_ids(li_manager* mgr) {
    char* json = nullptr;
    auto o = CALL(li_operation_list_json(&json, mgr, ERR));
    expect_ok(o);
    REQUIRE(o.rc == 0);
    std::vector<std::string> ids;
    for (const auto& item : take_json(json)) {
        ids.push_back(item.at("id").get<std::string>());
    }
    return ids;
}

}  // namespace capi_test
