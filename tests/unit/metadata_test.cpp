#include <doctest.h>

#include "image/metadata.hpp"
#include "libinstance/error.hpp"

using namespace li;

TEST_CASE("metadata.yaml parses LXD's fields and round-trips") {
    const char* yaml = R"(architecture: x86_64
creation_date: 1700000000
expiry_date: 1800000000
properties:
  os: debian
  release: bookworm
templates:
  /etc/hostname:
    when:
      - create
      - copy
    template: hostname.tpl
  /etc/hosts:
    when: [start]
    template: hosts.tpl
    create_only: true
    properties:
      default: x
)";
    ImageMetadata md = parse_image_metadata(yaml);
    CHECK(md.architecture == "x86_64");
    CHECK(md.creation_date == 1700000000);
    CHECK(md.expiry_date == 1800000000);
    CHECK(md.properties.at("release") == "bookworm");
    REQUIRE(md.templates.size() == 2);
    CHECK(md.templates.at("/etc/hostname").when == std::vector<std::string>{"create", "copy"});
    CHECK(md.templates.at("/etc/hosts").create_only);
    CHECK(md.templates.at("/etc/hosts").properties.at("default") == "x");

    ImageMetadata again = parse_image_metadata(render_image_metadata(md));
    CHECK(again.architecture == md.architecture);
    CHECK(again.properties == md.properties);
    CHECK(again.templates.at("/etc/hostname").template_file == "hostname.tpl");
    CHECK(again.templates.at("/etc/hosts").create_only);
}

TEST_CASE("bad metadata.yaml names the field") {
    auto field_of = [](const char* yaml) {
        try {
            parse_image_metadata(yaml);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            return e.key();
        }
        return std::string("accepted");
    };
    CHECK(field_of("properties: {}") == "metadata.yaml:architecture");
    CHECK(field_of("architecture: x86_64\ncreation_date: soon") == "metadata.yaml:creation_date");
    CHECK(field_of("architecture: x86_64\ntemplates:\n  /x: {when: [create]}") == "metadata.yaml:templates./x.template");
    CHECK(field_of("- a list") == "metadata.yaml:(document)");
}
