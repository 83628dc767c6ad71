#pragma once
// Helpers for the C ABI tests: owning wrappers, a checked call recipe, temp dirs and the shared
// state directory with the busybox image.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <doctest.h>
#include <nlohmann/json.hpp>

#include "libinstance.h"

namespace capi_test {

struct ManagerFree {
    void operator()(li_manager* m) const noexcept { li_manager_free(m); }
};
struct InstanceFree {
    void operator()(li_instance* i) const noexcept { li_instance_free(i); }
};
struct ExecResultFree {
    void operator()(li_exec_result* r) const noexcept { li_exec_result_free(r); }
};
struct OperationFree {
    void operator()(li_operation* o) const noexcept { li_operation_free(o); }
};
struct SubscriptionFree {
    void operator()(li_subscription* s) const noexcept { li_subscription_free(s); }
};
using ManagerPtr = std::unique_ptr<li_manager, ManagerFree>;
using InstancePtr = std::unique_ptr<li_instance, InstanceFree>;
using ExecResultPtr = std::unique_ptr<li_exec_result, ExecResultFree>;
using OperationPtr = std::unique_ptr<li_operation, OperationFree>;
using SubscriptionPtr = std::unique_ptr<li_subscription, SubscriptionFree>;

/// What a fallible call reported. The invariant (err set exactly on failure, its code equal to
/// -rc) is checked by call() for every call the tests make.
struct Outcome {
    int rc = 0;
    int code = 0;
    int sys_errno = 0;
    std::string message;
    std::string key;
};

/// A non-NULL value put in err before each call: a call must overwrite it (NULL on success).
li_error* poison();

/// Runs fn(&err) with a poisoned err and checks the error invariant.
template <class Fn>
Outcome call(Fn&& fn);

/// CALL(li_instance_start(inst, nullptr, ERR)): one checked call.
#define CALL(expr) ::capi_test::call([&](li_error** ERR) { return (expr); })

void expect_ok(const Outcome& o);
/// A failure with this code, whose message mentions every string in names.
void expect_fail(const Outcome& o, int code, const std::vector<std::string>& names = {});
/// An InvalidArgument naming key, whose message mentions every string in names.
void expect_invalid(const Outcome& o, const std::string& key,
                    const std::vector<std::string>& names = {});

/// Takes a malloc'ed JSON string from the library, parses it and frees it.
nlohmann::json take_json(char* s);

/// A fresh directory (mode 0711) under $LI_TEST_TMPDIR or /tmp, removed at the end. /tmp rather
/// than the build tree, whose parents containers may not be able to traverse.
class TempDir {
public:
    explicit TempDir(const std::string& prefix);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// A name unique to this test process, so parallel test programs never share a container name.
std::string unique_name(const std::string& what);

/// The shared state directory: opened once, the busybox image (alias "busybox") built once.
struct Env {
    TempDir dir{"capi"};
    ManagerPtr mgr;
    std::string busybox_fingerprint;
};
Env& env();
/// Deletes what failed tests left behind and closes the shared state directory.
void shutdown_env();

/// The InstancesPost document creating name from the busybox alias.
std::string post_json(const std::string& name, const std::string& alias = "busybox");
/// Creates a stopped container from busybox in the shared env.
InstancePtr create_container(const std::string& name);
/// Names of the instances listed in the shared env.
std::vector<std::string> instance_names(li_manager* mgr);
/// True when the shared env lists an instance of that name.
bool listed(const std::string& name);
/// The instance's directory in the shared env's default dir pool.
std::filesystem::path container_dir(const std::string& name);

/// The instance's LXD Instance document (li_instance_get_json).
nlohmann::json instance_json(li_instance* inst);
/// All of fd's content, read from its start (a file pulled into a tmpfile).
std::string read_fd(int fd);
/// The operation's LXD Operation document.
nlohmann::json operation_json(li_operation* op);
/// The ids of the operations the manager lists.
std::vector<std::string> operation_ids(li_manager* mgr);

// ---- template definitions

template <class Fn>
Outcome call(Fn&& fn) {
    li_error* err = poison();
    Outcome o;
    o.rc = fn(&err);
    REQUIRE_MESSAGE(err != poison(), "the call left *err untouched (rc " << o.rc << ")");
    if (o.rc == 0) {
        CHECK_MESSAGE(err == nullptr, "success but *err is set: " << li_error_message(err));
        li_error_free(err);
        return o;
    }
    CHECK(o.rc < 0);
    REQUIRE_MESSAGE(err != nullptr, "failure (rc " << o.rc << ") but *err is NULL");
    o.code = li_error_code(err);
    o.message = li_error_message(err);
    o.key = li_error_key(err);
    o.sys_errno = li_error_errno(err);
    CHECK_MESSAGE(o.code == -o.rc, "li_error_code " << o.code << " != -rc " << -o.rc);
    CHECK_FALSE(o.message.empty());
    li_error_free(err);
    return o;
}

}  // namespace capi_test
