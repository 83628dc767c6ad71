#include <doctest.h>
#include <filesystem>
#include <fstream>

#include "image/templates.hpp"
#include "support/temp_state.hpp"
#include "sys/fs.hpp"

using namespace li;
namespace fs = std::filesystem;

TEST_CASE("templates render plain pongo2 variables") {
    TemplateContext ctx{{"container.name", "c1"}, {"instance.name", "c1"}};
    CHECK(render_template("{{ container.name }}\n", ctx) == "c1\n");
    CHECK(render_template("a {{instance.name}} b {{ unknown }} c", ctx) == "a c1 b  c");
    CHECK(render_template("no {{ close", ctx) == "no {{ close");
}

TEST_CASE("templates are written inside the rootfs only, honouring triggers and create_only") {
    test::TempDir dir("li-tpl");
    fs::path rootfs = dir.path() / "rootfs";
    fs::path tpls = dir.path() / "templates";
    fs::create_directories(rootfs / "etc");
    fs::create_directories(tpls);
    write_file_atomic(tpls / "hostname.tpl", "{{ container.name }}\n");
    write_file_atomic(rootfs / "etc/keep", "original\n");
    // A symlink pointing at the host's /etc must resolve inside the rootfs.
    fs::create_directory_symlink("/etc", rootfs / "hostetc");

    ImageMetadata md;
    md.templates["/etc/hostname"] = ImageTemplate{{"create"}, "hostname.tpl", false, {}};
    md.templates["/etc/keep"] = ImageTemplate{{"create"}, "hostname.tpl", true, {}};
    md.templates["/hostetc/li-template-test"] = ImageTemplate{{"create"}, "hostname.tpl", false, {}};
    md.templates["/etc/on-start"] = ImageTemplate{{"start"}, "hostname.tpl", false, {}};
    apply_templates(md, tpls, rootfs, "create", {{"container.name", "c9"}});

    CHECK(read_file(rootfs / "etc/hostname") == "c9\n");
    CHECK(read_file(rootfs / "etc/keep") == "original\n");
    CHECK_FALSE(fs::exists("/etc/li-template-test"));
    CHECK(read_file(rootfs / "etc/li-template-test") == "c9\n");
    CHECK_FALSE(fs::exists(rootfs / "etc/on-start"));
}
