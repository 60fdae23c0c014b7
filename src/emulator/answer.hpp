#pragma once
// What the emulator's endpoints answer, in the two error shapes Bland's API uses: send-call's
// {"status":"error","message":…,"errors":[…]} and the newer endpoints' {"data":null,"errors":
// [{"error":CODE,"message":…}]}. One definition each, so every endpoint refuses alike.
#include "payload/json.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace blandhook::emulator {

/// An HTTP status and a JSON body, for a route to send.
struct Answer {
    int status = 200;
    payload::Json body;
};

/// {"status":"error","message":`message`}, with "errors":`errors` when there are any.
payload::Json status_error(std::string_view message, const std::vector<std::string>& errors = {});

/// {"data":null,"errors":[{"error":`code`,"message":`message`}]}.
payload::Json data_error(std::string_view code, std::string_view message);

/// 400 {"status":"error","message":"Invalid parameters","errors":`errors`}: how send-call and
/// the endpoints shaped like it refuse a request.
Answer invalid_parameters(const std::vector<std::string>& errors);

/// "The body is not valid JSON: " and where and why the parser stopped.
std::string not_json(const payload::JsonError& error);

} // namespace blandhook::emulator
