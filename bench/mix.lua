-- wrk script: GET with a JSON body and both headers, cycling over the three query endpoints.
-- Configured by environment: BENCH_TOKEN, BENCH_CLIENT, BENCH_DAYS, BENCH_END (Unix seconds), and
-- BENCH_PACE_MS: when set, each connection waits that long after an answer before its next request
-- (a paced load below capacity, for the latency a hop adds; without it, as fast as answers come).
-- response() counts answers that are not an HTTP 200 carrying "code": 200 (a mock answering an
-- error envelope fast must not look fast); done() prints one JSON line the harness parses.

local token = os.getenv("BENCH_TOKEN")
local client = os.getenv("BENCH_CLIENT") or "cudis-wellness"
local days = tonumber(os.getenv("BENCH_DAYS") or "30")
local finish = tonumber(os.getenv("BENCH_END"))
local pace = tonumber(os.getenv("BENCH_PACE_MS") or "0")
local paths = {"/partner/v1/query/heart_beat", "/partner/v1/query/step", "/partner/v1/query/sleep"}
local requests = {}
local counter = 0
local threads = {}
not_ok = 0 -- global: done() reads it from each thread

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local body = string.format('{"startTime": %d, "endTime": %d}', finish - days * 86400, finish)
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Cudis-Client-Id"] = client,
    ["Content-Type"] = "application/json",
  }
  for i, path in ipairs(paths) do
    requests[i] = wrk.format("GET", path, headers, body)
  end
end

if pace > 0 then
  function delay()
    return pace
  end
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '^%s*{%s*"code"%s*:%s*200%s*,') then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests_)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, "errors": %d, "status_errors": %d, "not_ok": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors, summary.errors.status, bad))
end
