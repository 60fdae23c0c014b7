#include "payload/json.hpp"
#include "payload/pointer.hpp"

#include <doctest/doctest.h>

using namespace blandhook::payload;

namespace {

Json json(const char* text) {
    return parse_json(text);
}

std::vector<std::string> pointers(const std::vector<Difference>& differences) {
    std::vector<std::string> out;
    for (const auto& difference : differences) {
        out.push_back(difference.pointer);
    }
    return out;
}

} // namespace

TEST_CASE("pointer tokens unescape ~1 and ~0, and escaping gives them back") {
    CHECK(pointer_tokens("").empty());
    CHECK(pointer_tokens("/a~1b/~0c/0") == std::vector<std::string>{"a/b", "~c", "0"});
    CHECK(pointer_tokens("/") == std::vector<std::string>{""});
    CHECK(escape_pointer_token("a/b~c") == "a~1b~0c");
}

TEST_CASE("find_pointer follows members and indexes and reports what is not there") {
    Json doc = json(R"({"a":{"b/c":[10,{"d":null}]},"":1})");
    REQUIRE(find_pointer(doc, "") == &doc);
    CHECK(*find_pointer(doc, "/a/b~1c/0") == 10);
    CHECK(find_pointer(doc, "/a/b~1c/1/d")->is_null());
    CHECK(*find_pointer(doc, "/") == 1);
    CHECK(find_pointer(doc, "/a/b~1c/2") == nullptr);
    CHECK(find_pointer(doc, "/a/b~1c/01") == nullptr);
    CHECK(find_pointer(doc, "/a/x") == nullptr);
    CHECK(find_pointer(doc, "/a/b~1c/0/deeper") == nullptr);
}

TEST_CASE("erase_pointer removes members and elements, * matches every one") {
    Json rows = json(R"([{"id":1,"v":"a","at":"t1"},{"id":2,"v":"b","at":"t2"}])");
    erase_pointer(rows, "/*/id");
    erase_pointer(rows, "/1/at");
    erase_pointer(rows, "/7/at");     // nothing there
    erase_pointer(rows, "/0/v/deep"); // crosses a string: ignored
    CHECK(canonical_json(rows) == R"([{"v":"a","at":"t1"},{"v":"b"}])");
    Json object = json(R"({"x":{"a":1,"b":2},"y":3})");
    erase_pointer(object, "/x/*");
    CHECK(canonical_json(object) == R"({"x":{},"y":3})");
    erase_pointer(object, "");
    CHECK(object.is_null());
}

TEST_CASE("replace_in_strings reaches nested strings and object keys, not numbers") {
    Json doc = json(R"({"call_id":"abc","m":{"abc":"see abc/abc"},"n":123,"l":["xabc"]})");
    replace_in_strings(doc, "abc", "<id>");
    CHECK(canonical_json(doc) ==
          R"({"call_id":"<id>","m":{"<id>":"see <id>/<id>"},"n":123,"l":["x<id>"]})");
}

TEST_CASE("diff names every differing pointer, members by name whatever their order") {
    CHECK(diff(json(R"({"a":1,"b":[1,2]})"), json(R"({"b":[1,2],"a":1})")).empty());
    CHECK(same_json(json(R"({"a":1,"b":2})"), json(R"({"b":2,"a":1})")));
    // The differences point into the documents, which must outlive them.
    const Json left = json(R"({"a":1,"b":[1,2],"c":{"d":"x"},"gone":true})");
    const Json right = json(R"({"a":2,"b":[1],"c":{"d":"y"},"new":null})");
    auto differences = diff(left, right);
    CHECK(pointers(differences) == std::vector<std::string>{"/a", "/b/1", "/c/d", "/gone", "/new"});
    CHECK(*differences[0].left == 1);
    CHECK(*differences[0].right == 2);
    CHECK(differences[1].right == nullptr);
    CHECK(differences[4].left == nullptr);
    CHECK(differences[4].right->is_null());
    CHECK(pointers(diff(json("[1]"), json(R"({"0":1})"))) == std::vector<std::string>{""});
    CHECK(diff(json(R"({"a":1,"b":2,"c":3})"), json("{}"), 2).size() == 2);
    CHECK(pointers(diff(json(R"({"a/b":1})"), json(R"({"a/b":2})"))) ==
          std::vector<std::string>{"/a~1b"});
}

TEST_CASE("shorten cuts long values to a width with an ellipsis, and leaves short ones") {
    CHECK(shorten(json(R"({"a":1})")) == R"({"a":1})");
    std::string long_text(100, 'x');
    std::string cut = shorten(Json(long_text), 20);
    CHECK(cut == "\"" + std::string(18, 'x') + "…");
    CHECK(shorten_text("ééééé", 5) == "ééééé");
    CHECK(shorten_text("éééééé", 5) == "éééé…");
}
