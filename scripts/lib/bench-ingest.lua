-- wrk script for scripts/bench-ingest.sh: POST realistic, varied payments with keep-alive.
local key = os.getenv("BENCH_API_KEY")
local currencies = {"EUR", "USD", "GBP", "SEK", "CHF"}
local counter = 0

init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"accountId":"acc-%d","amountMinor":%d,"currency":"%s","merchantId":"m-%d"}',
    math.random(1, 10000), math.random(100, 500000), currencies[math.random(1, #currencies)], math.random(1, 2000))
  return wrk.format("POST", "/v1/jobs/payment", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end

local non202 = 0
response = function(status, headers, body)
  if status ~= 202 then non202 = non202 + 1 end
end
