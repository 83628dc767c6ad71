#include "petname.hpp"

#include <array>
#include <random>
#include <string_view>

namespace li::cli {

namespace {

constexpr std::array<std::string_view, 48> adjectives = {
    "able",    "amazed",  "amused",   "apt",     "awake",   "bold",    "brave",   "bright",
    "calm",    "capital", "careful",  "charmed", "clever",  "cool",    "crisp",   "daring",
    "direct",  "eager",   "elegant",  "enabled", "exact",   "fair",    "fancy",   "fine",
    "fit",     "fluent",  "game",     "gentle",  "glad",    "golden",  "grand",   "happy",
    "helped",  "honest",  "humble",   "ideal",   "keen",    "kind",    "light",   "lucky",
    "merry",   "modest",  "neat",     "nice",    "noble",   "polite",  "quick",   "sterling",
};

constexpr std::array<std::string_view, 48> animals = {
    "ant",     "ape",     "badger",   "bass",    "bear",    "bee",     "bison",   "boar",
    "calf",    "camel",   "cat",      "crab",    "crane",   "deer",    "dodo",    "dog",
    "dove",    "eagle",   "eel",      "elk",     "ferret",  "finch",   "fox",     "frog",
    "gecko",   "goat",    "goose",    "hare",    "hawk",    "heron",   "ibex",    "koala",
    "lamb",    "lark",    "lion",     "lynx",    "mole",    "moose",   "mouse",   "mule",
    "newt",    "otter",   "owl",      "panda",   "quail",   "raven",   "seal",    "wren",
};

}  // namespace

std::string random_instance_name() {
    std::random_device rd;
    std::uniform_int_distribution<size_t> pick_adj(0, adjectives.size() - 1);
    std::uniform_int_distribution<size_t> pick_animal(0, animals.size() - 1);
    return std::string(adjectives[pick_adj(rd)]) + "-" + std::string(animals[pick_animal(rd)]);
}

}  // namespace li::cli
