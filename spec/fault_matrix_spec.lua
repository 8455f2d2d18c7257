-- The fault matrix (issue 12 §8): each sandbox fault × Mailgun batch,
-- MailerSend bulk and the unified batch, each resumed (reconcile, then
-- resume) until done, counting deliveries per recipient in
-- /sandbox/messages: zero lost, zero twice, every uncertain call reported.
-- A table of lost / once / twice / uncertain per fault is printed (and
-- written to $FAULT_MATRIX_OUT when set).
local sandbox = require("support.sandbox")
local mailgun = require("mailgun")
local mailersend = require("mailersend")
local unified = require("mailgun.unified")

local N, SIZE, PARALLEL = 120, 10, 4 -- 12 calls, 4 in flight
local TIMEOUT = 1                    -- seconds; the slow fault waits 2

local MG_PATH = "/v3/" .. sandbox.DOMAIN .. "/messages"
local MS_PATH = "/v1/bulk-email"

-- name, faults (path filled in), how many calls end uncertain at first
local FAULTS = {
  { "429 (retried)", { { status = 429, retry_after = 0, count = 3 } }, 0 },
  { "500", { { status = 500, count = 3 } }, 3 },
  { "502", { { status = 502, count = 3 } }, 3 },
  { "503", { { status = 503, count = 3 } }, 3 },
  { "drop before reading", { { drop = "before", count = 3 } }, 3 },
  { "drop, not processed", { { drop = true, count = 3 } }, 3 },
  { "drop after accepted", { { drop = "after", count = 3 } }, 3 },
  { "delay over timeout", { { delay_ms = 2000, count = 3 } }, 3 },
  { "mixed", { { status = 500 }, { drop = true }, { drop = "after" }, { status = 429, retry_after = 0 },
               { delay_ms = 2000 }, { status = 503 } }, 5 },
}

local function recipients()
  local list = {}
  for i = 1, N do list[i] = ("m%03d@example.com"):format(i) end
  return list
end

local function mg_client()
  return mailgun.new({ api_key = sandbox.MAILGUN_KEY, domain = sandbox.DOMAIN, base_url = sandbox.url(),
    timeout = TIMEOUT, backoff = { base = 0.01, max = 0.05 } })
end

local function ms_client()
  return mailersend.new({ token = sandbox.MAILERSEND_TOKEN, base_url = sandbox.url() .. "/v1",
    timeout = TIMEOUT, backoff = { base = 0.01, max = 0.05 } })
end

local function ms_domain_id(client)
  local domains = assert(client.domains:list())
  for _, d in ipairs(domains.data) do
    if d.name == sandbox.DOMAIN then return d.id end
  end
  return domains.data[1].id
end

-- Each runner: send(opts) -> report; reconcile(report) -> report.
local RUNNERS = {
  ["Mailgun batch"] = function()
    local c = mg_client()
    local b = c:batch({ from = "news@" .. sandbox.DOMAIN, subject = "Hi %recipient.n%", text = "T" })
    for i, a in ipairs(recipients()) do b:add(a, { n = i }) end
    return MG_PATH, function(opts) return b:send(opts) end,
      function(report) return b:reconcile(report, { settle = 3 }) end
  end,
  ["MailerSend bulk"] = function()
    local c = ms_client()
    local list = {}
    for i, a in ipairs(recipients()) do
      list[i] = { from = "news@" .. sandbox.DOMAIN, to = a, subject = "Hi " .. i, text = "T" }
    end
    local domain_id = ms_domain_id(c)
    return MS_PATH, function(opts) return c.email:send_bulk(list, opts) end,
      function(report) return c.email:reconcile_bulk(report, { settle = 3, domain_id = domain_id }) end
  end,
  ["unified batch (Mailgun)"] = function()
    local account = unified.connect({ provider = "mailgun", api_key = sandbox.MAILGUN_KEY,
      domain = sandbox.DOMAIN, base_url = sandbox.url(), timeout = TIMEOUT })
    local msg = { from = "news@" .. sandbox.DOMAIN, subject = "Issue {{ n }}", text = "T" }
    local list = {}
    for i, a in ipairs(recipients()) do list[i] = { email = a, variables = { n = tostring(i) } } end
    return MG_PATH, function(opts) return account:send_batch(msg, list, opts) end,
      function(report) return account:reconcile_batch(report, { settle = 3 }) end
  end,
  ["unified batch (MailerSend)"] = function()
    local account = unified.connect({ provider = "mailersend", token = sandbox.MAILERSEND_TOKEN,
      base_url = sandbox.url() .. "/v1", timeout = TIMEOUT })
    local msg = { from = "news@" .. sandbox.DOMAIN, subject = "Issue", text = "T" }
    local domain_id = ms_domain_id(ms_client())
    return MS_PATH, function(opts) return account:send_batch(msg, recipients(), opts) end,
      function(report) return account:reconcile_batch(report, { settle = 3, domain_id = domain_id }) end
  end,
}
local ORDER = { "Mailgun batch", "MailerSend bulk", "unified batch (Mailgun)", "unified batch (MailerSend)" }

local function count_deliveries()
  local per = {}
  for _, m in ipairs(sandbox.messages()) do
    local to = type(m.to) == "table" and m.to[1] or m.to
    to = tostring(to):match("<([^>]+)>") or tostring(to)
    per[to] = (per[to] or 0) + 1
  end
  local lost, once, twice = 0, 0, 0
  for _, a in ipairs(recipients()) do
    local n = per[a] or 0
    if n == 0 then lost = lost + 1 elseif n == 1 then once = once + 1 else twice = twice + 1 end
  end
  return lost, once, twice
end

local rows = {}

describe("fault matrix", function()
  setup(function() sandbox.url() end)

  teardown(function()
    local out = { "| runner | fault | lost | once | twice | uncertain calls reported | rounds |",
                  "| --- | --- | --- | --- | --- | --- | --- |" }
    for _, r in ipairs(rows) do out[#out + 1] = "| " .. table.concat(r, " | ") .. " |" end
    local text = table.concat(out, "\n")
    print("\n" .. text)
    local path = os.getenv("FAULT_MATRIX_OUT")
    if path then
      local f = io.open(path, "a")
      if f then f:write(text, "\n") f:close() end
    end
  end)

  -- the control: resending uncertain calls blindly (what resume did
  -- before) mails every recipient of a call accepted before the drop twice
  it("control: resend_uncertain = true without reconcile mails the dropped-after-accept calls twice", function()
    sandbox.reset()
    local path, send = RUNNERS["Mailgun batch"]()
    sandbox.fault({ method = "POST", path = path, drop = "after", count = 3 })
    local report = assert(send({ size = SIZE, parallel = PARALLEL }))
    report = assert(send({ size = SIZE, parallel = PARALLEL, resume = report, resend_uncertain = true }))
    assert.is_true(report.ok)
    local lost, once, twice = count_deliveries()
    rows[#rows + 1] = { "Mailgun batch (control: resend_uncertain)", "drop after accepted", lost, once, twice,
                        3, 2 }
    assert.equal(0, lost)
    assert.equal(3 * SIZE, twice)
  end)

  for _, runner in ipairs(ORDER) do
    for _, fault in ipairs(FAULTS) do
      it(runner .. " × " .. fault[1] .. ": resumed until done, none lost, none twice", function()
        sandbox.reset()
        local path, send, reconcile = RUNNERS[runner]()
        for _, rule in ipairs(fault[2]) do
          local r = { method = "POST", path = path }
          for k, v in pairs(rule) do r[k] = v end
          sandbox.fault(r)
        end
        local report = assert(send({ size = SIZE, parallel = PARALLEL }))
        local first_uncertain = 0
        for _, c in ipairs(report.calls) do
          if c.uncertain then
            first_uncertain = first_uncertain + 1
            assert.is_true(c.error.uncertain == true, "an uncertain call carries err.uncertain")
          end
        end
        local rounds = 1
        while not report.ok and rounds < 12 do
          if report.uncertain > 0 then
            reconcile(report)
            if report.uncertain > 0 then sandbox.sleep(0.5) end
          end
          if report.uncertain == 0 then
            report = assert(send({ size = SIZE, parallel = PARALLEL, resume = report }))
          end
          rounds = rounds + 1
        end
        assert.is_true(report.ok, "not done after " .. rounds .. " rounds")
        local lost, once, twice = count_deliveries()
        rows[#rows + 1] = { runner, fault[1], lost, once, twice, first_uncertain, rounds }
        assert.equal(0, lost)
        assert.equal(0, twice)
        assert.equal(N, once)
        assert.equal(fault[3], first_uncertain)
      end)
    end
  end
end)
