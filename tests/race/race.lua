-- race.lua — wrk script for the race test: a rep's writes (follow-up creates,
-- customer updates with the optimistic lock) mixed with lists and gets, so the
-- event loops, the writer and the workers all run at once. Env: RACE_TOKEN, RACE_IDS.
local ids = {}
for id in string.gmatch(os.getenv("RACE_IDS") or "", "%d+") do ids[#ids + 1] = tonumber(id) end
local auth = "Bearer " .. (os.getenv("RACE_TOKEN") or "")
local ver, n = {}, 0
request = function()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  local k = n % 5
  if k == 0 then
    return wrk.format("POST", "/api/v1/follow_ups", {["Content-Type"] = "application/json", ["Authorization"] = auth},
      '{"customer_id":' .. id .. ',"channel":"phone","content":"race ' .. n .. '"}')
  elseif k == 1 and ver[id] then
    return wrk.format("PATCH", "/api/v1/customers/" .. id, {["Content-Type"] = "application/json", ["Authorization"] = auth},
      '{"version":' .. ver[id] .. ',"tags":"r' .. n .. '"}')
  elseif k == 2 then
    return wrk.format("GET", "/api/v1/customers?per_page=20&sort=-created_at", {["Authorization"] = auth})
  end
  return wrk.format("GET", "/api/v1/customers/" .. id, {["Authorization"] = auth})
end
response = function(status, headers, body)
  local id, v = string.match(body, '^{"id":(%d+),"version":(%d+)')
  if id then ver[tonumber(id)] = tonumber(v) end
end
