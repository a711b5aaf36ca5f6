-- wrk script: one awsJson1_1 call, repeated. Set OP and BODY in the environment.
local op = os.getenv("OP") or "DescribeClusters"
local body = os.getenv("BODY") or "{}"
wrk.method = "POST"
wrk.path = "/"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AmazonEC2ContainerServiceV20141113." .. op
wrk.headers["Authorization"] =
  "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0"

function done(summary, latency, requests)
  io.write(string.format("%s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, errors %d non-2xx %d\n",
    op, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.errors.status))
end
