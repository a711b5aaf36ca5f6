// STS GetCallerIdentity: who the request's credentials belong to. berth does not verify
// signatures; a 12-digit access key id names the account, whose root is the caller.
#include "api/services.h"

namespace berth::api::sts {
namespace {
Outcome get_caller_identity(OpContext& ctx, const json::Value&) {
  Body b;
  b.w.StartObject();
  json::kv(b.w, "UserId", ctx.account);  // the root user's id is its account id
  json::kv(b.w, "Account", ctx.account);
  json::kv(b.w, "Arn", ctx.principal_arn());
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_caller_identity(OperationTable& t) {
  t.add("sts", "GetCallerIdentity", get_caller_identity, Access::Read);
}

}  // namespace berth::api::sts
