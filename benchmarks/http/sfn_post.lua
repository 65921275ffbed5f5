-- wrk script for the stepfiber HTTP endpoint: keep-alive POSTs alternating
-- a DescribeExecution and a SendTaskSuccess, shaped as botocore sends them
-- (AWS JSON 1.0, X-Amz-Target). Prints latency percentiles at the end.
-- Usage: wrk -t1 -c64 -d10s --latency -s benchmarks/http/sfn_post.lua http://127.0.0.1:PORT/
local calls = {
  {
    target = "AWSStepFunctions.DescribeExecution",
    body = '{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:bench:run-000001"}',
  },
  {
    target = "AWSStepFunctions.SendTaskSuccess",
    body = '{"taskToken":"AAAAKgAAAAIAAAAAAAAAAQ1bZ2Vu9Yx8b3G2wY4g4xKQ0qvQqQ","output":"{\\"approved\\":true}"}',
  },
}

local requests = {}
local n = 0

function init(args)
  for i, c in ipairs(calls) do
    requests[i] = wrk.format("POST", "/", {
      ["Content-Type"] = "application/x-amz-json-1.0",
      ["X-Amz-Target"] = c.target,
      ["X-Amz-Date"] = "20260101T000000Z",
      ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/states/aws4_request, "
        .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000",
    }, c.body)
  end
end

function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end

function done(summary, latency, requests)
  io.write(string.format("requests %d, errors: connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("req/s %.0f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("latency p%g %.3f ms\n", p, latency:percentile(p) / 1000))
  end
end
