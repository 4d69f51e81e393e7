// A small, strict JSON parser for tests: enough to check that our JSON outputs
// are well formed and to read values back. Not for production use.
#ifndef TRACELANE_TESTS_ANALYSIS_JSON_PARSE_H_
#define TRACELANE_TESTS_ANALYSIS_JSON_PARSE_H_

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tracelane::testing {

struct JsonMember;

struct Json {
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject } type = kNull;
  bool b = false;
  double num = 0;
  std::string raw_number;  // the number's text, for exact integer checks
  std::string str;
  std::vector<Json> arr;
  // In document order. (Not std::pair<std::string, Json>: a pair of the
  // incomplete Json is refused by clang with libstdc++ 12; a vector of an
  // incomplete class is allowed.)
  std::vector<JsonMember> obj;

  bool Has(const std::string& k) const;
  const Json& operator[](const std::string& k) const;
  const Json& operator[](size_t i) const { return arr[i]; }
  int64_t Int() const { return std::strtoll(raw_number.c_str(), nullptr, 10); }
};

struct JsonMember {
  std::string first;  // the key
  Json second;        // the value
};

inline bool Json::Has(const std::string& k) const {
  for (const auto& [key, v] : obj) {
    if (key == k) return true;
  }
  return false;
}

inline const Json& Json::operator[](const std::string& k) const {
  static const Json kMissing;
  for (const auto& [key, v] : obj) {
    if (key == k) return v;
  }
  return kMissing;
}

class JsonParser {
 public:
  // Parses `text` (the whole of it, surrounding whitespace allowed). On failure
  // returns false and sets *error to "offset N: what".
  static bool Parse(std::string_view text, Json* out, std::string* error) {
    JsonParser p(text);
    p.Ws();
    if (!p.Value(out, 0)) {
      *error = "offset " + std::to_string(p.pos_) + ": " + p.err_;
      return false;
    }
    p.Ws();
    if (p.pos_ != text.size()) {
      *error = "offset " + std::to_string(p.pos_) + ": trailing characters";
      return false;
    }
    return true;
  }

 private:
  explicit JsonParser(std::string_view t) : t_(t) {}

  bool Fail(const char* what) {
    err_ = what;
    return false;
  }
  void Ws() {
    while (pos_ < t_.size() &&
           (t_[pos_] == ' ' || t_[pos_] == '\n' || t_[pos_] == '\t' || t_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Lit(std::string_view s) {
    if (t_.substr(pos_, s.size()) != s) return false;
    pos_ += s.size();
    return true;
  }
  bool Value(Json* v, int depth) {
    if (depth > 256) return Fail("nesting too deep");
    if (pos_ >= t_.size()) return Fail("unexpected end");
    const char c = t_[pos_];
    if (c == '{') return Object(v, depth);
    if (c == '[') return Array(v, depth);
    if (c == '"') {
      v->type = Json::kString;
      return String(&v->str);
    }
    if (Lit("true")) {
      v->type = Json::kBool;
      v->b = true;
      return true;
    }
    if (Lit("false")) {
      v->type = Json::kBool;
      return true;
    }
    if (Lit("null")) return true;
    return Number(v);
  }
  bool Number(Json* v) {
    const size_t start = pos_;
    if (pos_ < t_.size() && t_[pos_] == '-') ++pos_;
    const size_t digits = pos_;
    while (pos_ < t_.size() && isdigit(static_cast<unsigned char>(t_[pos_]))) ++pos_;
    if (pos_ == digits) return Fail("bad value");
    if (t_[digits] == '0' && pos_ - digits > 1) return Fail("leading zero");
    if (pos_ < t_.size() && t_[pos_] == '.') {
      ++pos_;
      const size_t f = pos_;
      while (pos_ < t_.size() && isdigit(static_cast<unsigned char>(t_[pos_]))) ++pos_;
      if (pos_ == f) return Fail("bad fraction");
    }
    if (pos_ < t_.size() && (t_[pos_] == 'e' || t_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < t_.size() && (t_[pos_] == '+' || t_[pos_] == '-')) ++pos_;
      const size_t e = pos_;
      while (pos_ < t_.size() && isdigit(static_cast<unsigned char>(t_[pos_]))) ++pos_;
      if (pos_ == e) return Fail("bad exponent");
    }
    v->type = Json::kNumber;
    v->raw_number = std::string(t_.substr(start, pos_ - start));
    v->num = std::strtod(v->raw_number.c_str(), nullptr);
    return true;
  }
  bool String(std::string* s) {
    ++pos_;  // opening quote
    while (pos_ < t_.size()) {
      const char c = t_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in string");
      if (c != '\\') {
        s->push_back(c);
        continue;
      }
      if (pos_ >= t_.size()) return Fail("bad escape");
      const char e = t_[pos_++];
      switch (e) {
        case '"':
          s->push_back('"');
          break;
        case '\\':
          s->push_back('\\');
          break;
        case '/':
          s->push_back('/');
          break;
        case 'b':
          s->push_back('\b');
          break;
        case 'f':
          s->push_back('\f');
          break;
        case 'n':
          s->push_back('\n');
          break;
        case 'r':
          s->push_back('\r');
          break;
        case 't':
          s->push_back('\t');
          break;
        case 'u': {
          if (pos_ + 4 > t_.size()) return Fail("bad \\u escape");
          for (int i = 0; i < 4; ++i) {
            if (!isxdigit(static_cast<unsigned char>(t_[pos_ + i]))) return Fail("bad \\u escape");
          }
          const unsigned cp = std::strtoul(std::string(t_.substr(pos_, 4)).c_str(), nullptr, 16);
          pos_ += 4;
          if (cp < 0x80)
            s->push_back(static_cast<char>(cp));
          else
            s->append("?");
          break;
        }
        default:
          return Fail("bad escape");
      }
    }
    return Fail("unterminated string");
  }
  bool Array(Json* v, int depth) {
    v->type = Json::kArray;
    ++pos_;
    Ws();
    if (pos_ < t_.size() && t_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      Ws();
      v->arr.emplace_back();
      if (!Value(&v->arr.back(), depth + 1)) return false;
      Ws();
      if (pos_ >= t_.size()) return Fail("unterminated array");
      if (t_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (t_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Fail("expected , or ]");
    }
  }
  bool Object(Json* v, int depth) {
    v->type = Json::kObject;
    ++pos_;
    Ws();
    if (pos_ < t_.size() && t_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      Ws();
      if (pos_ >= t_.size() || t_[pos_] != '"') return Fail("expected key");
      std::string key;
      if (!String(&key)) return false;
      Ws();
      if (pos_ >= t_.size() || t_[pos_] != ':') return Fail("expected :");
      ++pos_;
      Ws();
      v->obj.push_back(JsonMember{std::move(key), Json()});
      if (!Value(&v->obj.back().second, depth + 1)) return false;
      Ws();
      if (pos_ >= t_.size()) return Fail("unterminated object");
      if (t_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (t_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Fail("expected , or }");
    }
  }

  std::string_view t_;
  size_t pos_ = 0;
  std::string err_;
};

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_ANALYSIS_JSON_PARSE_H_
