#include "report/xml.hpp"

#include <doctest/doctest.h>

using namespace blandhook;

TEST_CASE("xml_attribute escapes markup, quotes and whitespace as entities") {
    CHECK(report::xml_attribute("a&b<c>\"d'\n\r\t") ==
          "a&amp;b&lt;c&gt;&quot;d&apos;&#10;&#13;&#9;");
}

TEST_CASE("xml_text escapes markup but keeps quotes and newlines readable") {
    CHECK(report::xml_text("a&b<c>\"d'\nnext") == "a&amp;b&lt;c&gt;\"d'\nnext");
}

TEST_CASE("control bytes and invalid UTF-8 become '?' so a report stays well-formed XML") {
    CHECK(report::xml_text(std::string("ok\x01\xff", 4)) == "ok??");
    CHECK(report::xml_attribute("caf\xc3\xa9") == "caf\xc3\xa9");
}
