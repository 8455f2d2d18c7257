-- The benchmark workloads through mailgun.core, the same as
-- bench/reference.c does them on raw libcurl.
--   lua5.4 bench/workload.lua WORKLOAD URL [COUNT] [FILE]
-- Prints "messages=N seconds=S peak_kib=K cpu=C" (C: CPU seconds).
local core = require "mailgun.core"

local workload, url = arg[1], arg[2]
local count = tonumber(arg[3] or "1")
local path = arg[4]

local FROM = "Excited User <mailgun@sandbox.example.com>"
local HEADERS = { Authorization = core.basic_auth("api", "key-0000000000000000") }
local BULK_RECIPIENTS = 1000
local PARALLEL = 8

local function now()
  local pipe = assert(io.popen("date +%s.%N"))
  local t = tonumber(pipe:read("*l"))
  pipe:close()
  return t
end

local function peak_kib()
  local file = assert(io.open("/proc/self/status"))
  local text = file:read("*a")
  file:close()
  return tonumber(text:match("VmHWM:%s*(%d+)"))
end

local function small_form()
  local form = core.form()
  form:field("from", FROM)
  form:field("to", "bar@example.com")
  form:field("subject", "Hello")
  form:field("text", "Testing some Mailgun awesomeness!")
  return form
end

local to, variables = {}, {}
for i = 0, BULK_RECIPIENTS - 1 do
  to[#to + 1] = "user" .. i .. "@example.com"
  variables[#variables + 1] = string.format('"%s":{"first":"User%d","id":%d}', to[#to], i, i)
end
variables = "{" .. table.concat(variables, ",") .. "}"

local function bulk_form()
  local form = core.form()
  form:field("from", FROM)
  for i = 1, BULK_RECIPIENTS do form:field("to", to[i]) end
  form:field("subject", "Hello %recipient.first%")
  form:field("text", "Your id is %recipient.id%")
  form:field("recipient-variables", variables)
  return form
end

local function attach_form()
  local form = small_form()
  assert(form:file("attachment", path, { filename = "big.bin",
                                         content_type = "application/octet-stream" }))
  return form
end

local function check(res, err, code, detail)
  if not res or res.status ~= 200 then
    error(string.format("workload: %s %s %s status %s", tostring(err), tostring(code),
                        tostring(detail), res and res.status or "-"))
  end
end

local function sequential(make)
  local session = core.session()
  for _ = 1, count do
    local form = make()
    check(session:request{ method = "POST", url = url, headers = HEADERS, form = form })
    form:close()
  end
  session:close()
end

local function parallel()
  local multi = core.multi{ max_connections = PARALLEL }
  local started, finished = 0, 0
  local forms = {}
  local function start()
    local form = small_form()
    local id = multi:add{ method = "POST", url = url, headers = HEADERS, form = form }
    forms[id] = form
    started = started + 1
  end
  while started < count and started < PARALLEL do start() end
  while finished < count do
    for _, c in ipairs(multi:poll(1000)) do
      check(c.res, c.err, c.code, c.detail)
      forms[c.id]:close()
      forms[c.id] = nil
      finished = finished + 1
      if started < count then start() end
    end
  end
  multi:close()
end

local cpu0 = os.clock()
local t0 = now()
if workload == "seq" then
  sequential(small_form)
elseif workload == "par8" then
  parallel()
elseif workload == "bulk" then
  sequential(bulk_form)
elseif workload == "attach" then
  sequential(attach_form)
else
  error("unknown workload " .. tostring(workload))
end
local seconds = now() - t0
print(string.format("messages=%d seconds=%.6f peak_kib=%d cpu=%.6f", count, seconds, peak_kib(),
  os.clock() - cpu0))
