-- bench.lua — the one wrk script of `make bench` and the soak test.
-- Everything comes from the environment (set by scripts/bench.sh):
--   BENCH_MODE    paths | login | create_customer | create_followup | create_product | create_research
--                 | create_quote | update | update_research | mixed
--   BENCH_PRODUCTS "id:price id:price ..." catalogue products a quote's 10 lines take in turn (create_quote)
--   BENCH_COOKIE  "sl_session=..."      (session of a browser user)
--   BENCH_CSRF    X-CSRF-Token for cookie writes (mixed)
--   BENCH_TOKEN   API token: "Authorization: Bearer ..." (create, update)
--   BENCH_PATHS   file of request paths, one a line, used in turn (paths, mixed)
--   BENCH_IDS     file of customer ids the user owns, one a line, "id" or "id version"
--                 (update, create_followup, mixed)
--   BENCH_USERS   space-separated user names to sign in with (login)
--   BENCH_PASSWORD their password
-- done() prints one line "BENCH k=v ..." that bench.sh parses, with the
-- number of 5xx answers counted in response() (the soak test checks it).

local mode = os.getenv("BENCH_MODE") or "paths"
local cookie = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
local token = os.getenv("BENCH_TOKEN")

local function lines_of(path)
  local t = {}
  if not path then return t end
  local f = io.open(path, "r")
  if not f then return t end
  for l in f:lines() do if #l > 0 then t[#t + 1] = l end end
  f:close()
  return t
end

local threads = {}
function setup(thread)
  thread:set("tno", #threads)
  threads[#threads + 1] = thread
end

local paths, ids, users, version = {}, {}, {}, {}
n, s5xx, s409, s4xx = 0, 0, 0, 0 -- globals: done() reads them with thread:get
local kinds = {"interview", "questionnaire", "desk", "trade_show", "seminar"}

function init(args)
  paths = lines_of(os.getenv("BENCH_PATHS"))
  ids = lines_of(os.getenv("BENCH_IDS"))
  for u in string.gmatch(os.getenv("BENCH_USERS") or "", "%S+") do users[#users + 1] = u end
  -- a line is "id" or "id version" (the version the run starts from)
  for i = 1, #ids do
    local id, v = string.match(ids[i], "^(%d+)%s*(%d*)")
    ids[i] = tonumber(id); version[ids[i]] = tonumber(v) or 1
  end
  -- each wrk thread works on its own slice of the ids (no two threads update one row)
  local nt = tonumber(os.getenv("BENCH_THREADS") or "1")
  if #ids >= nt and nt > 1 then
    local mine, k = {}, (tno or 0)
    for i = 1, #ids do if (i - 1) % nt == k then mine[#mine + 1] = ids[i] end end
    ids = mine
  end
  wrk.headers["Accept"] = "application/json"
  if cookie then wrk.headers["Cookie"] = cookie end
  if token then wrk.headers["Authorization"] = "Bearer " .. token end
  if csrf then wrk.headers["X-CSRF-Token"] = csrf end
end

-- wrk.format does not merge wrk.headers with the headers it is given: do it here
local function hdrs(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end
local JSON = {["Content-Type"] = "application/json"}

local run = os.getenv("BENCH_RUN") or tostring(os.time())
local runno = tonumber(run) or 0

-- optimistic lock: the version last seen (learned from 200 and 409 answers in response())
local function patch_entity(entity, body_of)
  local id = ids[(n % #ids) + 1]
  return wrk.format("PATCH", "/api/v1/" .. entity .. "/" .. id, hdrs(JSON), body_of(version[id] or 1))
end
local terms = {"月结30天", "月结60天", "款到发货", "季度结算"}
local function patch_customer()
  return patch_entity("customers", function(v)
    return string.format('{"version":%d,"credit_limit":%d,"payment_terms":"%s"}', v, (n % 500) * 100000, terms[1 + n % 4])
  end)
end
local function patch_research()
  return patch_entity("market_research", function(v) return string.format('{"version":%d,"respondents":%d}', v, n % 1000) end)
end

-- A customer no one has: the name, phone and e-mail are new for every request (the bench's
-- own ranges: "基准" names with the run, thread and counter; a landline with an extension
-- made of the counter, run and thread, a key longer than any the generator draws), so
-- every create runs the full duplicate check and finds nothing.
local regions = {"上海", "江苏", "浙江", "北京", "广东"}
local region_codes = {"31", "32", "33", "11", "44"} -- the customers' region is a GB/T 2260 code
local function create_customer()
  local t = tno or 0
  local uniq = string.format("%06d%02d%07d", runno % 1000000, t, n)
  local body = string.format(
    '{"name":"%s基准%s机械有限公司","phone":"0755-%08d-%04d%d","email":"b%s@bench.cn","region":"%s","industry":"C","source":"online","address":"%s工业大道%d号"}',
    regions[1 + n % 5], uniq, n % 100000000, runno % 10000, t % 10, uniq, region_codes[1 + n % 5], regions[1 + n % 5], n % 999)
  return wrk.format("POST", "/api/v1/customers", hdrs(JSON), body)
end

local channels = {"phone", "visit", "wechat", "email"}
local function create_followup()
  local id = ids[((n * 7) % #ids) + 1]
  local body = string.format('{"customer_id":%d,"channel":"%s","content":"压测跟进 %d：确认采购计划与交货期。","next_step":"发送报价","next_date":"2026-12-%02d"}',
    id, channels[1 + n % 4], n, 1 + n % 28)
  return wrk.format("POST", "/api/v1/follow_ups", hdrs(JSON), body)
end

local function create_research()
  local body = string.format(
    '{"research_date":"2026-%02d-%02d","topic":"压测调研 %d-%d","kind":"%s","region":"上海","respondents":%d,"cost":%d,"findings":"客户关注交货周期与备件供应。"}',
    1 + n % 12, 1 + n % 28, tno or 0, n, kinds[1 + n % 5], n % 500, (n % 100) * 10000)
  return wrk.format("POST", "/api/v1/market_research", hdrs(JSON), body)
end

-- A quotation of 10 catalogue lines for one of the rep's customers (server: costs from the
-- catalogue, amounts, totals, margin, the approval level, the number, 11 rows and the audit entry).
local products = {}
for id, price in string.gmatch(os.getenv("BENCH_PRODUCTS") or "", "(%d+):(%d+)") do
  products[#products + 1] = {id = tonumber(id), price = tonumber(price)}
end
local function create_quote()
  local id = ids[((n * 11) % #ids) + 1]
  local lines = {}
  for i = 1, 10 do
    local p = products[((n + i) % #products) + 1]
    lines[i] = string.format('{"product_id":%d,"quantity":%d,"unit_price":%d,"discount_bp":%d}',
      p.id, 1000 * (1 + (n + i) % 20), p.price, (i % 4) * 100)
  end
  local body = string.format('{"customer_id":%d,"delivery_term":"合同签订后30天内交货","lines":[%s]}', id, table.concat(lines, ","))
  return wrk.format("POST", "/api/v1/quotes", hdrs(JSON), body)
end

function request()
  n = n + 1
  if mode == "paths" then
    if #paths == 0 then return wrk.format("GET") end -- the URL's own path
    return wrk.format("GET", paths[(n % #paths) + 1])
  elseif mode == "login" then
    local u = users[(n % #users) + 1]
    local body = string.format('{"username":"%s","password":"%s"}', u, os.getenv("BENCH_PASSWORD") or "")
    return wrk.format("POST", "/api/v1/auth/login", {["Content-Type"] = "application/json", ["Host"] = wrk.headers["Host"]}, body)
  elseif mode == "create_product" then
    -- a new code every time: each create runs the duplicate query on products.code
    local body = string.format(
      '{"code":"B%s-%d-%d","name":"压测产品 %d","unit":"台","list_price":%d,"product_line":"工业泵","model":"BX-%d"}',
      run, tno or 0, n, n, 100000 + n % 1000, n % 997)
    return wrk.format("POST", "/api/v1/products", hdrs(JSON), body)
  elseif mode == "create_customer" then
    return create_customer()
  elseif mode == "create_followup" then
    return create_followup()
  elseif mode == "create_research" then
    return create_research()
  elseif mode == "create_quote" then
    return create_quote()
  elseif mode == "update" then
    return patch_customer()
  elseif mode == "update_research" then
    return patch_research()
  else -- mixed: what a sales team does during the day, on customers
    local r = n % 20
    local id = #ids > 0 and ids[((n * 13) % #ids) + 1] or 1
    if r < 8 then return wrk.format("GET", paths[(n % #paths) + 1])            -- gets and lists of customers (40 %)
    elseif r < 10 then return wrk.format("GET", "/api/v1/follow_ups?filter[customer_id]=" .. id .. "&sort=-followed_at") -- a customer's follow-ups (10 %)
    elseif r < 11 then return wrk.format("GET", "/api/v1/customers/" .. id .. "/overview")  -- customer 360 (5 %)
    elseif r < 12 then return wrk.format("GET", "/api/v1/leads?filter[state]=new,contacted&sort=-created_at&per_page=20") -- leads (5 %)
    elseif r < 13 then return wrk.format("GET", "/api/v1/auth/me")              -- (5 %)
    elseif r < 14 then return wrk.format("GET", "/api/v1/customers?q=%E6%81%92%E4%BF%A1")  -- search 恒信 (5 %)
    elseif r < 16 then return patch_customer()                                  -- updates (10 %)
    elseif r < 19 then return create_followup()                                 -- follow-ups (15 %)
    else return create_customer() end                                           -- creates with duplicate check (5 %)
  end
end

-- Bodies are handed to Lua only where needed (wrk runs faster without response()):
-- writes learn versions and count statuses; read benches count with BENCH_STATUS=1.
local want_response = mode ~= "paths" and mode ~= "login" or os.getenv("BENCH_STATUS") == "1"
local debug_left = tonumber(os.getenv("BENCH_DEBUG") or "0")
local function on_response(status, headers, body)
  if status >= 400 and debug_left > 0 then
    debug_left = debug_left - 1
    io.stderr:write("bench.lua: ", status, " ", tostring(body):sub(1, 300), "\n")
  end
  if status >= 500 then s5xx = s5xx + 1
  elseif status == 409 then s409 = s409 + 1
  elseif status >= 400 then s4xx = s4xx + 1 end
  if (mode == "update" or mode == "update_research" or mode == "mixed") and body and (status == 200 or status == 409) then
    -- learn the row's current version: from the row (200) or from "current" (409)
    local cur = status == 409 and string.match(body, '"current":(.*)$') or body
    if cur then
      local id = tonumber(string.match(cur, '"id":(%d+)'))
      local v = tonumber(string.match(cur, '"version":(%d+)'))
      if id and v and version[id] then version[id] = v end
    end
  end
end

if want_response then response = on_response end

function done(summary, latency, requests)
  local t5, t409, t4 = 0, 0, 0
  for _, t in ipairs(threads) do
    t5 = t5 + (t:get("s5xx") or 0)
    t409 = t409 + (t:get("s409") or 0)
    t4 = t4 + (t:get("s4xx") or 0)
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d s5xx=%d s409=%d s4xx=%d sockerr=%d timeouts=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, t5, t409, t4, e.connect + e.read + e.write, e.timeout))
end
