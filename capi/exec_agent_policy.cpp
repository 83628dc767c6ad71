// C ABI: li_manager_set_exec_agent_policy / li_manager_get_exec_agent_policy (ADR 0011).

#include <fmt/format.h>

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;

namespace {

constexpr std::pair<li::ExecAgentPolicy, const char*> kPolicies[] = {
    {li::ExecAgentPolicy::Off, "off"},
    {li::ExecAgentPolicy::OnDemand, "on-demand"},
    {li::ExecAgentPolicy::AtStart, "at-start"},
};

}  // namespace

extern "C" {

int li_manager_set_exec_agent_policy(li_manager* mgr, const char* policy, li_error** err) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        std::string_view word = li::capi::required(policy, "policy");
        for (const auto& [value, name] : kPolicies) {
            if (word == name) return m.manager_->set_exec_agent_policy(value);
        }
        throw li::Error::invalid("policy", fmt::format("exec agent policy \"{}\" is not off, on-demand or at-start", word));
    });
}

int li_manager_get_exec_agent_policy(char** out_policy, li_manager* mgr, li_error** err) {
    return boundary(err, [&] {
        li::capi::out_param(out_policy, "out_policy");
        auto& m = checked(mgr, "mgr");
        for (const auto& [value, name] : kPolicies) {
            if (m.manager_->exec_agent_policy() == value) *out_policy = li::capi::to_c_string(name);
        }
    });
}

}  // extern "C"
