-- kill -9 mid-campaign (issue 12 §8): a subprocess lua5.4 sends a batch
-- with 4 calls in flight against a slow sandbox, with a journal; it is
-- killed with SIGKILL; running the same batch again with the same journal
-- sends no call twice, and the uncertain calls it lists are exactly those
-- that were in flight (started, not ended, in the journal). Reconcile and
-- resume then finish the batch: zero lost, zero twice.
local sandbox = require("support.sandbox")
local shell = require("support.shell")
local mailgun = require("mailgun")
local json = require("cjson")

local N, SIZE, PARALLEL = 400, 10, 4 -- 40 calls
local ROOT = shell.cwd()

local SCRIPT = [[
package.path = ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua;" .. package.path
package.cpath = ROOT .. "/build/lua5.4/?.so;" .. package.cpath
local mailgun = require("mailgun")
local c = mailgun.new({ api_key = "key-sandbox", domain = "sandbox.test", base_url = URL, timeout = 30 })
local b = c:batch({ from = "news@sandbox.test", subject = "Hi %recipient.n%", text = "T" })
for i = 1, N do b:add(("k%03d@example.com"):format(i), { n = i }) end
b:send({ size = SIZE, parallel = PARALLEL, journal = JOURNAL })
]]

local function batch(c)
  local b = c:batch({ from = "news@sandbox.test", subject = "Hi %recipient.n%", text = "T" })
  for i = 1, N do b:add(("k%03d@example.com"):format(i), { n = i }) end
  return b
end

-- started and ended call indexes in a journal file
local function read_journal(path)
  local started, ended = {}, {}
  for line in (shell.read_file(path) or ""):gmatch("[^\n]+") do
    local ok, r = pcall(json.decode, line)
    if ok and type(r) == "table" then
      if r.start then started[r.start] = true end
      if r["end"] then ended[r["end"]] = true end
    end
  end
  return started, ended
end

local function count(set)
  local n = 0
  for _ in pairs(set) do n = n + 1 end
  return n
end

describe("kill -9 mid-campaign with a journal", function()
  it("resends nothing, lists exactly the calls in flight as uncertain, then finishes", function()
    sandbox.reset()
    local dir = os.tmpname()
    os.remove(dir)
    assert(shell.execute("mkdir -p " .. dir))
    local journal = dir .. "/campaign.journal"
    local script = dir .. "/campaign.lua"
    shell.write_file(script, ("local ROOT, URL, JOURNAL, N, SIZE, PARALLEL = %q, %q, %q, %d, %d, %d\n")
      :format(ROOT, sandbox.url(), journal, N, SIZE, PARALLEL) .. SCRIPT)
    -- every send takes 0.8 s: 4 in flight at any time
    sandbox.fault({ method = "POST", path = "/v3/" .. sandbox.DOMAIN .. "/messages", delay_ms = 800,
                    count = 1000 })
    assert(shell.execute("lua5.4 " .. script .. " >" .. dir .. "/out 2>&1 & echo $! >" .. dir .. "/pid"))
    local pid = assert(shell.read_file(dir .. "/pid")):match("%d+")
    -- wait until 8 calls have ended, then kill it while 4 more are in flight
    local _, ended = read_journal(journal)
    local deadline = os.time() + 30
    while count(ended) < 8 and os.time() < deadline do
      sandbox.sleep(0.05)
      _, ended = read_journal(journal)
    end
    assert(shell.execute("kill -9 " .. pid))
    sandbox.sleep(0.2)
    local started
    started, ended = read_journal(journal)
    local in_flight = {}
    for i in pairs(started) do
      if not ended[i] then in_flight[#in_flight + 1] = i end
    end
    table.sort(in_flight)
    assert.is_true(#in_flight >= 1 and #in_flight <= PARALLEL, "in flight: " .. #in_flight)
    -- the server finishes what it had read; the rest of the faults go
    sandbox.request({ method = "DELETE", path = "/sandbox/faults", auth = false })
    sandbox.sleep(1)

    local c = mailgun.new({ api_key = sandbox.MAILGUN_KEY, domain = sandbox.DOMAIN, base_url = sandbox.url() })
    local b = batch(c)
    local report = assert(b:send({ size = SIZE, parallel = PARALLEL, journal = journal }))
    local uncertain = {}
    for _, call in ipairs(report.calls) do
      if call.uncertain then uncertain[#uncertain + 1] = call.index end
    end
    assert.same(in_flight, uncertain)
    assert.equal("interrupted", report.calls[in_flight[1]].error.kind)
    -- nobody got two copies, even before reconciling
    local per = {}
    for _, m in ipairs(sandbox.messages()) do per[m.to] = (per[m.to] or 0) + 1 end
    for a, n in pairs(per) do assert.equal(1, n, a) end

    -- reconcile from the events log, then the same journal finishes it
    local deadline2 = os.time() + 10
    while report.uncertain > 0 and os.time() < deadline2 do
      b:reconcile(report, { settle = 3 })
      if report.uncertain > 0 then sandbox.sleep(0.5) end
    end
    assert.equal(0, report.uncertain)
    report = assert(b:send({ size = SIZE, parallel = PARALLEL, journal = journal }))
    assert.is_true(report.ok)
    per = {}
    for _, m in ipairs(sandbox.messages()) do per[m.to] = (per[m.to] or 0) + 1 end
    local lost, once, twice = 0, 0, 0
    for i = 1, N do
      local n = per[("k%03d@example.com"):format(i)] or 0
      if n == 0 then lost = lost + 1 elseif n == 1 then once = once + 1 else twice = twice + 1 end
    end
    print(("\n| kill -9 after %d calls ended, %d in flight (calls %s) | lost %d | once %d | twice %d |"
      .. " uncertain listed %d |"):format(count(ended), #in_flight, table.concat(in_flight, ","), lost, once,
      twice, #uncertain))
    assert.equal(0, lost)
    assert.equal(0, twice)
    assert(shell.execute("rm -rf " .. dir))
  end)
end)
