#include <doctest.h>
#include <filesystem>
#include <fstream>

#include "image/templates.hpp"
#include "libinstance/error.hpp"
#include "support/temp_state.hpp"
#include "sys/fs.hpp"

using namespace li;
namespace fs = std::filesystem;

namespace {

TemplateContext sample_context() {
    TemplateContext ctx = instance_template_context("c1", "container", "x86_64", false,
                                                    {{"user.foo", "bar\n"}, {"security.privileged", "true"}, {"limits.cpu", "2"}},
                                                    {{"eth0", {{"type", "nic"}, {"nictype", "bridged"}}}});
    ctx.trigger = "create";
    ctx.path = "/etc/hostname";
    ctx.properties = {{"default", "#cloud-config\n{}"}};
    return ctx;
}

// The error's code and that its message names the problem.
void check_syntax_error(const std::string& text, const std::string& needle) {
    try {
        render_template(text, sample_context(), "bad.tpl");
        FAIL("no error for " << text);
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "template");
        CHECK(std::string(e.what()).find("bad.tpl") != std::string::npos);
        CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
    }
}

}  // namespace

TEST_CASE("templates: variables of the LXD context") {
    auto ctx = sample_context();
    CHECK(render_template("{{ container.name }}\n", ctx) == "c1\n");
    CHECK(render_template("a {{instance.name}} b {{ unknown }} c {{ container.nope }}", ctx) == "a c1 b  c ");
    CHECK(render_template("{{ instance.type }}/{{ container.architecture }}", ctx) == "container/x86_64");
    CHECK(render_template("{{ container.privileged }} {{ instance.ephemeral }}", ctx) == "true false");
    CHECK(render_template("{{ config.limits.cpu }}|{{ config[\"user.foo\"] }}", ctx) == "2|bar\n");
    CHECK(render_template("{{ devices.eth0.nictype }}", ctx) == "bridged");
    CHECK(render_template("{{ trigger }} {{ path }}", ctx) == "create /etc/hostname");
    CHECK(render_template("{{ properties.default }}", ctx) == "#cloud-config\n{}");
    CHECK(render_template("{{ \"lit\" }}{{ 'eral' }}", ctx) == "literal");
    CHECK(render_template("{# a comment #}x", ctx) == "x");
    CHECK(render_template("a { b } {", ctx) == "a { b } {");
}

TEST_CASE("templates: config_get as LXD defines it") {
    auto ctx = sample_context();
    CHECK(render_template("{{ config_get(\"user.foo\", \"dflt\") }}", ctx) == "bar");  // trailing newline trimmed
    CHECK(render_template("{{ config_get(\"user.missing\", \"dflt\") }}", ctx) == "dflt");
    CHECK(render_template("{{ config_get(\"user.missing\", properties.default) }}", ctx) == "#cloud-config\n{}");
    CHECK(render_template("[{{ config_get(\"user.missing\") }}]", ctx) == "[]");
}

TEST_CASE("templates: if, elif, else with ==, !=, not, and, or, truthiness") {
    auto ctx = sample_context();
    CHECK(render_template("{% if container.name == \"c1\" %}yes{% else %}no{% endif %}", ctx) == "yes");
    CHECK(render_template("{% if container.name != \"c1\" %}yes{% else %}no{% endif %}", ctx) == "no");
    CHECK(render_template("{% if not config_get(\"user.missing\", \"\") %}empty{% endif %}", ctx) == "empty");
    CHECK(render_template("{% if config_get(\"user.foo\", \"\") and instance.type == \"container\" %}both{% endif %}", ctx) == "both");
    CHECK(render_template("{% if config_get(\"user.missing\", \"\") or devices.eth0 %}a{% else %}b{% endif %}", ctx) == "b");
    CHECK(render_template("{% if unknown %}a{% elif instance.type == \"virtual-machine\" %}b{% elif trigger == \"create\" %}c{% else %}d{% endif %}", ctx) == "c");
    CHECK(render_template("{% if (not unknown) and !unknown %}t{% endif %}", ctx) == "t");
    CHECK(render_template("{{ container.name == \"c1\" }}", ctx) == "True");
    // Nested ifs, as in the cloud-init network template of real images.
    std::string net = "{% if config_get(\"cloud-init.network-config\", \"\") == \"\" %}{% if config_get(\"user.network-config\", \"\") == \"\" %}"
                      "name: {% if instance.type == \"virtual-machine\" %}enp5s0{% else %}eth0{% endif %}"
                      "{% else %}{{ config_get(\"user.network-config\", \"\") }}{% endif %}{% else %}{{ config_get(\"cloud-init.network-config\", \"\") }}{% endif %}";
    CHECK(render_template(net, ctx) == "name: eth0");
    ctx.config["user.network-config"] = "custom";
    CHECK(render_template(net, ctx) == "custom");
}

TEST_CASE("templates: whitespace trimming markers") {
    auto ctx = sample_context();
    CHECK(render_template("a  {%- if true -%}  b  {%- endif %}\n", ctx) == "ab\n");
    CHECK(render_template("x {{- container.name -}} y", ctx) == "xc1y");
}

TEST_CASE("templates: syntax errors name the template and the problem") {
    check_syntax_error("no {{ close", "never closed");
    check_syntax_error("{% if x %}a", "endif");
    check_syntax_error("{% endif %}", "without");
    check_syntax_error("{% for x in y %}{% endfor %}", "for x in y");
    check_syntax_error("{{ nope(\"a\") }}", "nope");
    check_syntax_error("{{ container.name | upper }}", "filters");
    check_syntax_error("{{ \"open }}", "unterminated");
    check_syntax_error("{% if %}a{% endif %}", "condition");
    check_syntax_error("{% if a %}x{% else %}y{% else %}z{% endif %}", "after");
    // Also in a branch that is not taken.
    check_syntax_error("{% if false %}{{ a == }}{% endif %}", "a ==");
}

TEST_CASE("templates are written inside the rootfs only, honouring triggers and create_only") {
    test::TempDir dir("li-tpl");
    fs::path rootfs = dir.path() / "rootfs";
    fs::path tpls = dir.path() / "templates";
    fs::create_directories(rootfs / "etc");
    fs::create_directories(tpls);
    write_file_atomic(tpls / "hostname.tpl", "{{ container.name }}\n");
    write_file_atomic(tpls / "info.tpl", "{{ trigger }} {{ path }} {{ properties.k }}\n");
    write_file_atomic(rootfs / "etc/keep", "original\n");
    // A symlink pointing at the host's /etc must resolve inside the rootfs.
    fs::create_directory_symlink("/etc", rootfs / "hostetc");

    ImageMetadata md;
    md.templates["/etc/hostname"] = ImageTemplate{{"create", "copy"}, "hostname.tpl", false, {}};
    md.templates["/etc/keep"] = ImageTemplate{{"create"}, "hostname.tpl", true, {}};
    md.templates["/etc/new-once"] = ImageTemplate{{"create"}, "hostname.tpl", true, {}};
    md.templates["/hostetc/li-template-test"] = ImageTemplate{{"create"}, "hostname.tpl", false, {}};
    md.templates["/etc/on-start"] = ImageTemplate{{"start"}, "info.tpl", false, {{"k", "v"}}};
    TemplateContext ctx = instance_template_context("c9", "container", "x86_64", false, {}, {});
    apply_templates(md, tpls, rootfs, "create", ctx);

    CHECK(read_file(rootfs / "etc/hostname") == "c9\n");
    CHECK(read_file(rootfs / "etc/keep") == "original\n");
    CHECK(read_file(rootfs / "etc/new-once") == "c9\n");
    CHECK_FALSE(fs::exists("/etc/li-template-test"));
    CHECK(read_file(rootfs / "etc/li-template-test") == "c9\n");
    CHECK_FALSE(fs::exists(rootfs / "etc/on-start"));

    apply_templates(md, tpls, rootfs, "start", ctx);
    CHECK(read_file(rootfs / "etc/on-start") == "start /etc/on-start v\n");

    // The copy trigger (used by instance copy) rewrites the hostname for the new name.
    apply_templates(md, tpls, rootfs, "copy", instance_template_context("c10", "container", "x86_64", false, {}, {}));
    CHECK(read_file(rootfs / "etc/hostname") == "c10\n");
    CHECK(read_file(rootfs / "etc/new-once") == "c9\n");
}

TEST_CASE("apply_instance_templates reads metadata.yaml beside rootfs/ and names the trigger on errors") {
    test::TempDir dir("li-tpl");
    fs::create_directories(dir.path() / "rootfs/etc");
    fs::create_directories(dir.path() / "templates");
    write_file_atomic(dir.path() / "metadata.yaml",
                      "architecture: x86_64\ncreation_date: 1\ntemplates:\n  /etc/hostname:\n    when: [start]\n    template: h.tpl\n");
    write_file_atomic(dir.path() / "templates/h.tpl", "{% if x %}\n");
    try {
        apply_instance_templates(dir.path(), "start", instance_template_context("c", "container", "x86_64", false, {}, {}));
        FAIL("a broken template was applied");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(std::string(e.what()).find("start templates") != std::string::npos);
        CHECK(std::string(e.what()).find("h.tpl") != std::string::npos);
    }
    write_file_atomic(dir.path() / "templates/h.tpl", "{{ instance.name }}\n");
    apply_instance_templates(dir.path(), "start", instance_template_context("c", "container", "x86_64", false, {}, {}));
    CHECK(read_file(dir.path() / "rootfs/etc/hostname") == "c\n");
    // No metadata.yaml: nothing to do.
    fs::remove(dir.path() / "metadata.yaml");
    apply_instance_templates(dir.path(), "start", {});
}
