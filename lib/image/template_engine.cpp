#include "image/template_engine.hpp"

#include <cctype>
#include <fmt/format.h>
#include <memory>
#include <vector>

#include "libinstance/error.hpp"

namespace li {

namespace {

[[noreturn]] void syntax_error(std::string_view name, const std::string& what) {
    throw Error::invalid("template", fmt::format("template {}: {}", name, what));
}

// ---- values -------------------------------------------------------------------------------

struct Value {
    enum Kind { Nil, Bool, Str } kind = Nil;
    bool b = false;
    std::string s;

    static Value str(std::string v) { return Value{Str, false, std::move(v)}; }
    static Value boolean(bool v) { return Value{Bool, v, {}}; }
    bool truthy() const { return kind == Bool ? b : kind == Str && !s.empty(); }
    // pongo2 prints booleans the Python way.
    std::string output() const { return kind == Bool ? (b ? "True" : "False") : s; }
};

bool equal(const Value& a, const Value& b) {
    if (a.kind == Value::Nil || b.kind == Value::Nil) return a.kind == b.kind;
    if (a.kind == Value::Bool && b.kind == Value::Bool) return a.b == b.b;
    return a.output() == b.output();
}

Value lookup_map(const std::map<std::string, std::string>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? Value{} : Value::str(it->second);
}

std::string join_from(const std::vector<std::string>& parts, size_t from) {
    std::string out;
    for (size_t i = from; i < parts.size(); i++) out += (i > from ? "." : "") + parts[i];
    return out;
}

Value lookup(const TemplateContext& ctx, const std::vector<std::string>& parts) {
    const std::string& head = parts[0];
    if (head == "trigger" && parts.size() == 1) return Value::str(ctx.trigger);
    if (head == "path" && parts.size() == 1) return Value::str(ctx.path);
    if (parts.size() < 2) return {};
    if (head == "container" || head == "instance") return lookup_map(ctx.instance, join_from(parts, 1));
    if (head == "config") return lookup_map(ctx.config, join_from(parts, 1));
    if (head == "properties") return lookup_map(ctx.properties, join_from(parts, 1));
    if (head == "devices" && parts.size() >= 3) {
        auto dev = ctx.devices.find(parts[1]);
        return dev == ctx.devices.end() ? Value{} : lookup_map(dev->second, join_from(parts, 2));
    }
    return {};
}

// ---- expressions (recursive descent, evaluated directly) ------------------------------------

class Expr {
public:
    Expr(std::string_view text, const TemplateContext& ctx, std::string_view name) : t_(text), ctx_(ctx), name_(name) {}

    Value evaluate() {
        Value v = parse_or();
        skip_ws();
        if (pos_ != t_.size()) fail(fmt::format("unexpected \"{}\"", t_.substr(pos_)));
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) { syntax_error(name_, fmt::format("in \"{}\": {}", t_, what)); }

    void skip_ws() {
        while (pos_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[pos_]))) pos_++;
    }
    bool eat(std::string_view tok) {
        skip_ws();
        if (t_.substr(pos_, tok.size()) != tok) return false;
        pos_ += tok.size();
        return true;
    }
    // A keyword only when not the start of a longer name.
    bool eat_word(std::string_view word) {
        skip_ws();
        if (t_.substr(pos_, word.size()) != word) return false;
        size_t end = pos_ + word.size();
        if (end < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[end])) || t_[end] == '_')) return false;
        pos_ = end;
        return true;
    }

    Value parse_or() {
        Value v = parse_and();
        while (eat_word("or") || eat("||")) {
            Value r = parse_and();
            v = Value::boolean(v.truthy() || r.truthy());
        }
        return v;
    }
    Value parse_and() {
        Value v = parse_not();
        while (eat_word("and") || eat("&&")) {
            Value r = parse_not();
            v = Value::boolean(v.truthy() && r.truthy());
        }
        return v;
    }
    Value parse_not() {
        if (eat_word("not")) return Value::boolean(!parse_not().truthy());
        skip_ws();
        if (t_.substr(pos_, 1) == "!" && t_.substr(pos_, 2) != "!=") {
            pos_++;
            return Value::boolean(!parse_not().truthy());
        }
        return parse_compare();
    }
    Value parse_compare() {
        Value v = parse_primary();
        if (eat("==")) return Value::boolean(equal(v, parse_primary()));
        if (eat("!=") || eat("<>")) return Value::boolean(!equal(v, parse_primary()));
        skip_ws();
        if (t_.substr(pos_, 1) == "|") fail("filters are not supported");
        return v;
    }
    Value parse_primary() {
        skip_ws();
        if (pos_ >= t_.size()) fail("expression ends too early");
        char c = t_[pos_];
        if (c == '(') {
            pos_++;
            Value v = parse_or();
            if (!eat(")")) fail("missing \")\"");
            return v;
        }
        if (c == '"' || c == '\'') return Value::str(parse_string());
        if (std::isdigit(static_cast<unsigned char>(c)) || (c == '-' && pos_ + 1 < t_.size() && std::isdigit(static_cast<unsigned char>(t_[pos_ + 1])))) {
            size_t start = pos_++;
            while (pos_ < t_.size() && (std::isdigit(static_cast<unsigned char>(t_[pos_])) || t_[pos_] == '.')) pos_++;
            return Value::str(std::string(t_.substr(start, pos_ - start)));
        }
        if (!std::isalpha(static_cast<unsigned char>(c)) && c != '_') fail(fmt::format("unexpected \"{}\"", t_.substr(pos_)));
        std::vector<std::string> parts{parse_ident()};
        for (;;) {
            if (pos_ < t_.size() && t_[pos_] == '.') {
                pos_++;
                if (pos_ >= t_.size() || !(std::isalnum(static_cast<unsigned char>(t_[pos_])) || t_[pos_] == '_'))
                    fail("a name may not end with \".\"");
                parts.push_back(parse_ident());
            } else if (pos_ < t_.size() && t_[pos_] == '[') {
                pos_++;
                skip_ws();
                if (pos_ >= t_.size() || (t_[pos_] != '"' && t_[pos_] != '\'')) fail("only string subscripts are supported");
                parts.push_back(parse_string());
                if (!eat("]")) fail("missing \"]\"");
            } else {
                break;
            }
        }
        if (parts.size() == 1) {
            const std::string& w = parts[0];
            if (w == "true" || w == "True") return Value::boolean(true);
            if (w == "false" || w == "False") return Value::boolean(false);
            if (w == "nil" || w == "None") return {};
            skip_ws();
            if (pos_ < t_.size() && t_[pos_] == '(') return call(w);
        }
        return lookup(ctx_, parts);
    }
    std::string parse_ident() {
        size_t start = pos_;
        while (pos_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[pos_])) || t_[pos_] == '_' || t_[pos_] == '-')) pos_++;
        return std::string(t_.substr(start, pos_ - start));
    }
    std::string parse_string() {
        char quote = t_[pos_++];
        std::string out;
        while (pos_ < t_.size() && t_[pos_] != quote) {
            char c = t_[pos_++];
            if (c == '\\' && pos_ < t_.size()) {
                char e = t_[pos_++];
                out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
            } else {
                out += c;
            }
        }
        if (pos_ >= t_.size()) fail("unterminated string");
        pos_++;
        return out;
    }
    Value call(const std::string& fn) {
        pos_++;  // '('
        std::vector<Value> args;
        if (!eat(")")) {
            do args.push_back(parse_or());
            while (eat(","));
            if (!eat(")")) fail("missing \")\" after the arguments");
        }
        if (fn != "config_get") fail(fmt::format("unknown function \"{}\" (only config_get is available)", fn));
        if (args.empty() || args.size() > 2) fail("config_get takes a key and an optional default");
        auto it = ctx_.config.find(args[0].output());
        if (it == ctx_.config.end()) return args.size() == 2 ? args[1] : Value{};
        // As LXD: the value without trailing line breaks.
        std::string v = it->second;
        while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
        return Value::str(v);
    }

    std::string_view t_;
    const TemplateContext& ctx_;
    std::string_view name_;
    size_t pos_ = 0;
};

// ---- template structure --------------------------------------------------------------------

struct Token {
    enum Kind { Text, Output, Tag } kind;
    std::string text;  // literal text, or the trimmed inside of {{ }} / {% %}
};

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) b++;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) e--;
    return std::string(s.substr(b, e - b));
}

std::vector<Token> tokenize(std::string_view text, std::string_view name) {
    std::vector<Token> out;
    size_t pos = 0;
    bool trim_next = false;
    while (pos <= text.size()) {
        size_t open = text.find('{', pos);
        while (open != std::string_view::npos && open + 1 < text.size() && text[open + 1] != '{' && text[open + 1] != '%' &&
               text[open + 1] != '#')
            open = text.find('{', open + 1);
        if (open != std::string_view::npos && open + 1 >= text.size()) open = std::string_view::npos;
        std::string literal(text.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos));
        if (trim_next) literal.erase(0, literal.find_first_not_of(" \t\r\n") == std::string::npos ? literal.size() : literal.find_first_not_of(" \t\r\n"));
        trim_next = false;
        if (open == std::string_view::npos) {
            if (!literal.empty()) out.push_back({Token::Text, literal});
            break;
        }
        char kind = text[open + 1];
        const char* closer = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
        size_t close = text.find(closer, open + 2);
        if (close == std::string_view::npos)
            syntax_error(name, fmt::format("\"{}{}\" is never closed", '{', kind));
        std::string_view inner = text.substr(open + 2, close - open - 2);
        if (!inner.empty() && inner.front() == '-') {
            inner.remove_prefix(1);
            literal.erase(literal.find_last_not_of(" \t\r\n") == std::string::npos ? 0 : literal.find_last_not_of(" \t\r\n") + 1);
        }
        if (!inner.empty() && inner.back() == '-') {
            inner.remove_suffix(1);
            trim_next = true;
        }
        if (!literal.empty()) out.push_back({Token::Text, literal});
        if (kind == '{') out.push_back({Token::Output, trim(inner)});
        else if (kind == '%') out.push_back({Token::Tag, trim(inner)});
        pos = close + 2;
    }
    return out;
}

struct Node {
    enum Kind { Text, Output, If } kind = Text;
    std::string text;                                           // Text: literal; Output: expression
    std::vector<std::pair<std::string, std::vector<Node>>> branches;  // If: (condition, body); "" = else
};

std::string tag_word(const std::string& tag) { return tag.substr(0, tag.find_first_of(" \t")); }
std::string tag_rest(const std::string& tag) {
    size_t sp = tag.find_first_of(" \t");
    return sp == std::string::npos ? std::string() : trim(tag.substr(sp));
}

// Parses tokens from pos until one of the end tags (returned in *ended_by) or the end.
std::vector<Node> parse_block(const std::vector<Token>& toks, size_t& pos, std::string_view name,
                              const std::vector<std::string>& enders, std::string* ended_by) {
    std::vector<Node> out;
    while (pos < toks.size()) {
        const Token& t = toks[pos++];
        if (t.kind == Token::Text) {
            out.push_back(Node{Node::Text, t.text, {}});
        } else if (t.kind == Token::Output) {
            if (t.text.empty()) syntax_error(name, "empty \"{{ }}\"");
            out.push_back(Node{Node::Output, t.text, {}});
        } else {
            std::string word = tag_word(t.text);
            for (const auto& e : enders) {
                if (word == e) {
                    *ended_by = t.text;
                    return out;
                }
            }
            if (word != "if") syntax_error(name, fmt::format("unknown or misplaced tag \"{{% {} %}}\"", t.text));
            Node node{Node::If, {}, {}};
            std::string cond = tag_rest(t.text);
            if (cond.empty()) syntax_error(name, "\"{% if %}\" needs a condition");
            bool seen_else = false;
            for (;;) {
                std::string end;
                auto body = parse_block(toks, pos, name, {"elif", "else", "endif"}, &end);
                if (end.empty()) syntax_error(name, "\"{% if " + cond + " %}\" has no \"{% endif %}\"");
                node.branches.emplace_back(cond, std::move(body));
                std::string w = tag_word(end);
                if (w == "endif") break;
                if (seen_else) syntax_error(name, fmt::format("\"{{% {} %}}\" after \"{{% else %}}\"", end));
                if (w == "else") {
                    seen_else = true;
                    cond.clear();
                } else {
                    cond = tag_rest(end);
                    if (cond.empty()) syntax_error(name, "\"{% elif %}\" needs a condition");
                }
            }
            out.push_back(std::move(node));
        }
    }
    return out;
}

// Checks every expression (even in branches not taken), so a broken template always fails.
void check_expressions(const std::vector<Node>& nodes, const TemplateContext& ctx, std::string_view name) {
    for (const auto& n : nodes) {
        if (n.kind == Node::Output) Expr(n.text, ctx, name).evaluate();
        for (const auto& [cond, body] : n.branches) {
            if (!cond.empty()) Expr(cond, ctx, name).evaluate();
            check_expressions(body, ctx, name);
        }
    }
}

void render_nodes(const std::vector<Node>& nodes, const TemplateContext& ctx, std::string_view name, std::string& out) {
    for (const auto& n : nodes) {
        if (n.kind == Node::Text) {
            out += n.text;
        } else if (n.kind == Node::Output) {
            out += Expr(n.text, ctx, name).evaluate().output();
        } else {
            for (const auto& [cond, body] : n.branches) {
                if (cond.empty() || Expr(cond, ctx, name).evaluate().truthy()) {
                    render_nodes(body, ctx, name, out);
                    break;
                }
            }
        }
    }
}

}  // namespace

std::string render_template(std::string_view text, const TemplateContext& context, std::string_view name) {
    auto tokens = tokenize(text, name);
    size_t pos = 0;
    std::string ended_by;
    auto nodes = parse_block(tokens, pos, name, {"elif", "else", "endif"}, &ended_by);
    if (!ended_by.empty()) syntax_error(name, fmt::format("\"{{% {} %}}\" without \"{{% if %}}\"", ended_by));
    check_expressions(nodes, context, name);
    std::string out;
    render_nodes(nodes, context, name, out);
    return out;
}

}  // namespace li
