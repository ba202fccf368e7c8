-- wrk script for ops/bench/write-path: alternately a comment and a status change (open <->
-- in_progress) on a random item, as the items' owner; comments only with MIX=comments. Prints
-- "errors N" (socket errors and non-2xx answers) for the driver to read.
local ids = {}
local n = 0

function init(args)
  for line in io.lines(os.getenv("IDS_FILE")) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  n = n + 1
  local id = ids[math.random(#ids)]
  local headers = {
    ["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
    ["Content-Type"] = "application/json",
  }
  if n % 2 == 0 or os.getenv("MIX") == "comments" then
    return wrk.format("POST", "/api/action-items/" .. id .. "/comments", headers,
      '{"text":"Checked the runbook again, note ' .. n .. '."}')
  end
  local status = (math.random(2) == 1) and "in_progress" or "open"
  return wrk.format("POST", "/api/action-items/" .. id .. "/status", headers, '{"status":"' .. status .. '"}')
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("errors %d\n", e.connect + e.read + e.write + e.timeout + e.status))
end
