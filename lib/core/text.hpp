#pragma once
// Splitting text into views of it, for small parsers (config values, raw.idmap lines, paths).

#include <cctype>
#include <string_view>
#include <vector>

namespace li {

/// The parts of text between delimiters, empty ones included ("a//b" → "a", "", "b").
inline std::vector<std::string_view> split_view(std::string_view text, char delim) {
    std::vector<std::string_view> parts;
    size_t pos = 0;
    while (true) {
        size_t end = text.find(delim, pos);
        if (end == std::string_view::npos) {
            parts.push_back(text.substr(pos));
            return parts;
        }
        parts.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
}

/// The whitespace-separated words of text.
inline std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    for (size_t i = 0; i < text.size();) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        size_t j = i;
        while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
        if (j > i) words.push_back(text.substr(i, j - i));
        i = j;
    }
    return words;
}

}  // namespace li
