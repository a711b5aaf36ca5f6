#pragma once
// The dispatcher's two steps about the caller: identify (who signed the request, verifying the
// signature under --credentials and for every key berth minted) and authorize (--enforce-iam).
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "api/context.h"
#include "api/http_types.h"
#include "api/identity.h"

namespace berth::api {

// `scope_key`: the access key the SigV4 scope names (header or presigned); `query`: the
// protocol answers errors in query words. Without --credentials an unsigned or unknown key is
// the account root of a 12-digit key, or of the default account.
std::variant<Identity, AwsError> identify_caller(state::Database& db, const Services& services, const Config& config,
                                                 const HttpRequest& req, std::string_view scope_key, bool query,
                                                 std::int64_t now);

// The account root a key names when berth does not verify it: a 12-digit key is that account,
// any other the default account (defined in identity.cpp).
Identity root_identity(std::string_view access_key, std::string_view default_account);

// Whether the request carries a key berth minted for a task (the task-facing listener serves AWS
// calls only then; the dispatcher's identify step then verifies its signature).
bool signed_with_task_key(state::Database& db, const berth::iam::CredentialMinter& minter, const HttpRequest& req,
                          std::string_view default_account, std::int64_t now);

// --enforce-iam for a role session: `iam_prefix:operation` on resource `*`.
std::optional<AwsError> authorize_caller(state::Database& db, const Config& config, const Identity& caller,
                                         std::string_view iam_prefix, std::string_view operation, bool query);

}  // namespace berth::api
