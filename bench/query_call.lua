-- wrk script: one query-protocol call (form in, XML out), repeated. SERVICE is the SigV4
-- signing name berth routes by (default iam); BODY the form (default GetRole of role "bench").
local service = os.getenv("SERVICE") or "iam"
local body = os.getenv("BODY") or "Action=GetRole&Version=2010-05-08&RoleName=bench"
local op = body:match("Action=([%w]+)") or "?"
wrk.method = "POST"
wrk.path = "/"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/" .. service ..
  "/aws4_request, SignedHeaders=host, Signature=0"

function done(summary, latency, requests)
  io.write(string.format("%s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, errors %d non-2xx %d\n",
    op, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.errors.status))
end
