-- wrk script for the soak: GET with the JSON body and both headers over the three query
-- endpoints; run with one thread (-t1). After SOAK_REQUESTS responses it stops sending and writes
-- `SOAK_DONE` to stderr; the harness, reading stderr, then ends wrk with SIGINT (wrk would otherwise
-- idle until -d with its connections open). A response that is not HTTP 200 with a `{"code":200,`
-- envelope counts as bad.
-- done() prints one SOAK_RESULT JSON line.

local token = os.getenv("SOAK_TOKEN")
local total = tonumber(os.getenv("SOAK_REQUESTS") or "100000")
local paths = {"/partner/v1/query/heart_beat", "/partner/v1/query/step", "/partner/v1/query/sleep"}
local body = '{"startTime": 1726358400, "endTime": 1726704000}'
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Cudis-Client-Id"] = "cudis-wellness",
    ["Content-Type"] = "application/json",
  }
  for i, path in ipairs(paths) do
    requests[i] = wrk.format("GET", path, headers, body)
  end
  counter, responses, bad = 0, 0, 0
  quota = total
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function response(status, headers, resp_body)
  responses = responses + 1
  if status ~= 200 or string.sub(resp_body, 1, 12) ~= '{"code":200,' then
    bad = bad + 1
  end
  if responses == quota then
    io.stderr:write("SOAK_DONE " .. tostring(responses) .. "\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests_)
  local total_bad = 0
  local total_responses = 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
    total_responses = total_responses + thread:get("responses")
  end
  io.write(string.format(
    'SOAK_RESULT {"requests": %d, "responses": %d, "bad": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, total_responses, total_bad, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
end
