#pragma once
// A real call as a post-call fixture (`blandhook call get ID --as fixture`): the webhook body
// built from the call-details object of GET /v1/calls/{id}. Bland says the post-call payload has
// the call-details shape (spec section 1), but the two differ at the edges (spec section 2's S and
// C columns): fields only in call details are dropped, and fields only in the webhook are derived
// where the details allow it, and named as modelled.
#include "payload/json.hpp"

#include <string>
#include <vector>

namespace blandhook::bland {

struct CallFixture {
    payload::Json body;                ///< the post-call body, keys in the details' order
    std::vector<std::string> modelled; ///< fields we derived: "pathway_tags (from pathway_logs)"
    std::vector<std::string> dropped;  ///< call-details-only fields left out
    std::vector<std::string> absent;   ///< webhook fields the details cannot give (left out)
};

/// Builds the fixture. Throws blandhook::Error (api) when `details` is not a call-details object
/// (no call_id), or the call is not over yet (its webhook does not exist).
CallFixture fixture_from_call(const payload::Json& details);

} // namespace blandhook::bland
