-- The benchmark workloads through the public API (what users call), the
-- same work as bench/reference.c does on raw libcurl.
--   lua5.4 bench/api.lua WORKLOAD BASE_URL [COUNT] [FILE]
-- WORKLOAD: seq | par8 | ms | batch | percall | stream | attach | init | clients
-- Prints "messages=N seconds=S peak_kib=K cpu=C" (C: CPU seconds, user and
-- system, over the timed span; init: also require_ms= and new_ms=;
-- clients: also us= and bytes= per further client of each kind).
local clock0 = os.clock()
local workload, base = arg[1], arg[2]
local count = tonumber(arg[3] or "1")
local path = arg[4]

local KEY = "key-0000000000000000"
local DOMAIN = "sandbox.example.com"
local PARALLEL = 8
local PER_CALL = 1000

local function peak_kib()
  local file = assert(io.open("/proc/self/status"))
  local text = file:read("*a")
  file:close()
  return tonumber(text:match("VmHWM:%s*(%d+)"))
end

local function check(res, err)
  if not res then error("api workload: " .. tostring(err), 0) end
end

local cpu0, cpu_end -- os.clock() when the timed span started (and ended, if before report)
local function report(seconds, extra)
  print(string.format("messages=%d seconds=%.6f peak_kib=%d%s%s", count, seconds, peak_kib(),
    cpu0 and string.format(" cpu=%.6f", (cpu_end or os.clock()) - cpu0) or "", extra or ""))
end

if workload == "init" then
  -- a fresh process: require("mailgun") (the C core and libcurl included)
  -- and the first client; CPU seconds, as nothing here waits
  local mailgun = require("mailgun")
  local clock1 = os.clock()
  local client = mailgun.new{ api_key = KEY, domain = DOMAIN, base_url = base }
  local clock2 = os.clock()
  assert(client.messages)
  -- what the first request adds: loading the C core and libcurl
  require("mailgun.engine.native").core()
  local clock3 = os.clock()
  report(clock2 - clock0, string.format(" require_ms=%.3f new_ms=%.3f core_ms=%.3f",
    (clock1 - clock0) * 1000, (clock2 - clock1) * 1000, (clock3 - clock2) * 1000))
  return
end

local mailgun = require("mailgun")
local mailersend = require("mailersend")
local now = require("mailgun.core").now

local MSG = { from = "Excited User <mailgun@sandbox.example.com>", to = "bar@example.com",
              subject = "Hello", text = "Testing some Mailgun awesomeness!" }

local function client_for(domain)
  return mailgun.new{ api_key = KEY, domain = domain or DOMAIN, base_url = base, retries = 0 }
end

local function sequential(client, msg)
  for _ = 1, count do check(client.messages:send(msg)) end
end

local function parallel(client)
  local started, finished = 0, 0
  local function done(res, err)
    check(res, err)
    finished = finished + 1
  end
  local function top_up()
    while started < count and started - finished < PARALLEL do
      started = started + 1
      client.messages:send_async(MSG, done)
    end
  end
  top_up()
  while finished < count do
    mailgun.poll(1000)
    top_up()
  end
end

local function mailersend_seq()
  local ms = mailersend.new{ token = "mlsn.0000000000000000", base_url = base .. "/v1", retries = 0 }
  local msg = { from = "info@example.com", to = "bar@example.com", subject = "Hello",
                text = "Testing some MailerSend awesomeness!" }
  for _ = 1, count do check(ms.email:send(msg)) end
end

-- count calls of PER_CALL distinct recipients, {first, id} each
-- (prints where the time went, per call: the loop's own work measured
-- apart, adding, sending)
local batch_split = ""
local function batch()
  local client = client_for()
  local b = client:batch{ from = MSG.from, subject = "Hello %recipient.first%",
                          text = "Your id is %recipient.id%" }
  local t0 = now()
  for i = 0, count * PER_CALL - 1 do
    b:add("user" .. i .. "@example.com", { first = "User" .. i, id = i })
  end
  local t1 = now()
  local rep = assert(b:send{ size = PER_CALL })
  local t2 = now()
  cpu_end = os.clock()
  if not rep.ok then error("api workload: batch failed: " .. tostring(rep.calls[1].error), 0) end
  -- the same values built and dropped: what the loop costs without batch:add
  local t3 = now()
  for i = 0, count * PER_CALL - 1 do
    local _, _ = "user" .. i .. "@example.com", { first = "User" .. i, id = i }
  end
  local t4 = now()
  batch_split = string.format(" add_ms=%.3f send_ms=%.3f loop_ms=%.3f", (t1 - t0) * 1000 / count,
    (t2 - t1) * 1000 / count, (t4 - t3) * 1000 / count)
  return t2 - t0
end

-- count calls, each its own batch: its PER_CALL recipients built,
-- added and sent, as the reference builds each call (nothing held)
local function per_call()
  local client = client_for()
  for c = 0, count - 1 do
    local b = client:batch{ from = MSG.from, subject = "Hello %recipient.first%",
                            text = "Your id is %recipient.id%" }
    for i = c * PER_CALL, (c + 1) * PER_CALL - 1 do
      b:add("user" .. i .. "@example.com", { first = "User" .. i, id = i })
    end
    local rep = assert(b:send{ size = PER_CALL })
    if not rep.ok then error("api workload: batch failed: " .. tostring(rep.calls[1].error), 0) end
  end
end

-- the same calls, recipients drawn from a source one call at a time
-- (batch:send{source = fn}): memory stays flat whatever count is
local function stream()
  local client = client_for()
  local b = client:batch{ from = MSG.from, subject = "Hello %recipient.first%",
                          text = "Your id is %recipient.id%" }
  local i, last = -1, count * PER_CALL - 1
  local rep = assert(b:send{ size = PER_CALL, source = function()
    if i >= last then return nil end
    i = i + 1
    return "user" .. i .. "@example.com", { first = "User" .. i, id = i }
  end })
  if not rep.ok then error("api workload: stream failed: " .. tostring(rep.calls[1].error), 0) end
end

local function attach()
  local msg = {}
  for k, v in pairs(MSG) do msg[k] = v end
  msg.attachments = { { path = path, filename = "big.bin", content_type = "application/octet-stream" } }
  sequential(client_for("upload"), msg)
end

-- µs and Lua heap bytes per further client, `count` of each kind kept alive
local function clients()
  -- time with the collector running, as in a program (with it stopped,
  -- every new string lands on a fresh page: page faults, not our code);
  -- heap bytes in a second pass with it stopped
  local function measure(make)
    local keep = {}
    keep[1] = make(0)
    collectgarbage("collect")
    local t = os.clock()
    for i = 2, count + 1 do keep[i] = make(i) end
    local us = (os.clock() - t) * 1e6 / count -- CPU: the machine may be shared
    keep = { keep[1] }
    collectgarbage("collect")
    collectgarbage("stop")
    local kb = collectgarbage("count")
    for i = 2, count + 1 do keep[i] = make(count + i) end
    local bytes = (collectgarbage("count") - kb) * 1024 / count
    collectgarbage("restart")
    return us, bytes, keep
  end
  local mg_us, mg_bytes = measure(function(i)
    return mailgun.new{ api_key = "key-" .. i, domain = "d" .. i .. ".example.com", base_url = base }
  end)
  local ms_us, ms_bytes = measure(function(i)
    return mailersend.new{ token = "mlsn." .. i, base_url = base .. "/v1" }
  end)
  report(0, string.format(" mailgun_us=%.2f mailgun_bytes=%.0f mailersend_us=%.2f mailersend_bytes=%.0f",
    mg_us, mg_bytes, ms_us, ms_bytes))
end

-- The reference has libcurl loaded when it starts (linked, not opened):
-- load the C core (libcurl with it) before the clock starts, as the first
-- request would; the init row measures that load on its own.
require("mailgun.engine.native").core()

cpu0 = os.clock()
local t0 = now()
if workload == "seq" then
  sequential(client_for(), MSG)
elseif workload == "par8" then
  parallel(client_for())
elseif workload == "ms" then
  mailersend_seq()
elseif workload == "batch" then
  return report(batch(), batch_split)
elseif workload == "percall" then
  per_call()
elseif workload == "stream" then
  stream()
elseif workload == "attach" then
  attach()
elseif workload == "clients" then
  return clients()
else
  error("unknown workload " .. tostring(workload))
end
report(now() - t0)
