-- Three outcomes (sent / failed / uncertain), streaming batches, the
-- journal, and refusing batch input that cannot be sent correctly
-- (issue 12 §1, §3, §5; issue 16 §3).
local sandbox = require("support.sandbox")
local mailgun = require("mailgun")
local mailersend = require("mailersend")

local SEND = "/v3/" .. sandbox.DOMAIN .. "/messages"

local function client(opts)
  local o = { api_key = sandbox.MAILGUN_KEY, domain = sandbox.DOMAIN, base_url = sandbox.url(),
              backoff = { base = 0.01, max = 0.05 } }
  for k, v in pairs(opts or {}) do o[k] = v end
  return mailgun.new(o)
end

local function sends()
  local n = 0
  for _, r in ipairs(sandbox.requests({ path = SEND })) do
    if r.method == "POST" then n = n + 1 end
  end
  return n
end

local function delivered_to()
  local out = {}
  for _, m in ipairs(sandbox.messages()) do out[#out + 1] = m.to end
  return out
end

-- a source of n recipients; raise_at / bad_at make it misbehave once
local function source(n, opts)
  opts = opts or {}
  local i = 0
  local drawn = { n = 0 }
  return function()
    i = i + 1
    drawn.n = i
    if i > n then return nil end
    if opts.raise_at == i then error("disk on fire") end
    if opts.bad_at == i then return "not an address\r\n", { n = i } end
    return ("s%03d@example.com"):format(i), { n = i }
  end, drawn
end

local function tmpname()
  local p = os.tmpname()
  os.remove(p)
  return p
end

describe("three outcomes of a send", function()
  before_each(function() sandbox.reset() end)

  it("a 5xx is uncertain and never retried; a 4xx failed; a refused connection failed", function()
    local c = client()
    local msg = { from = "a@sandbox.test", to = "b@example.com", subject = "s", text = "t" }
    sandbox.fault({ method = "POST", path = SEND, status = 503 })
    local res, err = c.messages:send(msg)
    assert.is_nil(res)
    assert.is_true(err.uncertain)
    assert.equal(1, sends())
    sandbox.fault({ method = "POST", path = SEND, status = 400 })
    res, err = c.messages:send(msg)
    assert.is_nil(res)
    assert.is_nil(err.uncertain)
    local closed = client({ base_url = "http://127.0.0.1:1", retries = 0 })
    res, err = closed.messages:send(msg)
    assert.is_nil(res)
    assert.equal("connect", err.reason)
    assert.is_nil(err.uncertain)
  end)

  it("a timeout after sending and a dropped connection are uncertain, not retried", function()
    local c = client({ timeout = 0.3 })
    local msg = { from = "a@sandbox.test", to = "b@example.com", subject = "s", text = "t" }
    sandbox.fault({ method = "POST", path = SEND, delay_ms = 800 })
    local _, err = c.messages:send(msg)
    assert.equal("timeout", err.kind)
    assert.is_true(err.uncertain)
    sandbox.fault({ method = "POST", path = SEND, drop = "after" })
    local _, err2 = c.messages:send(msg)
    err = err2
    assert.is_true(err.uncertain)
    assert.equal(2, sends())
    sandbox.sleep(0.8) -- the slow one is still delivered: let it land before the next case resets
    assert.equal(2, #delivered_to())
  end)

  it("a 2xx without a readable id is uncertain", function()
    local errors = require("mailgun.engine.errors")
    local ep = { send = true, result_id = "id" }
    local err = errors.unreadable_send(ep, { body = "<html>ok</html>" }, { status = 200, headers = {} })
    assert.is_true(err.uncertain)
    assert.is_nil(errors.unreadable_send(ep, { id = "<x@y>" }, { status = 200, headers = {} }))
  end)
end)

describe("batch:send{source = fn}", function()
  before_each(function() sandbox.reset() end)

  it("draws one call at a time, in order, and reports one small entry per call", function()
    local c = client()
    local b = c:batch({ from = "news@sandbox.test", subject = "Hi %recipient.n%", text = "T" })
    local fn, drawn = source(25)
    local seen = {}
    local report = assert(b:send({ source = fn, size = 10, progress = function(r, call)
      -- never more drawn than the calls started so far
      assert.is_true(drawn.n <= call.index * 10 + 1)
      seen[#seen + 1] = { call.index, call.first, call.count, r.sent }
    end }))
    assert.is_true(report.ok)
    assert.same({ { 1, 1, 10, 10 }, { 2, 11, 10, 20 }, { 3, 21, 5, 25 } }, seen)
    assert.equal(25, report.total)
    local to = delivered_to()
    assert.equal(25, #to)
    assert.equal("s001@example.com", to[1])
    assert.equal("s025@example.com", to[25])
  end)

  it("a source that raises is reported; what was drawn before is sent; resume goes on", function()
    local c = client()
    local b = c:batch({ from = "news@sandbox.test", subject = "S", text = "T" })
    local report = assert(b:send({ source = source(35, { raise_at = 25 }), size = 10 }))
    assert.is_false(report.ok)
    assert.equal("source", report.source_error.kind)
    assert.truthy(report.source_error.message:find("disk on fire", 1, true))
    assert.equal(20, report.sent)
    local again = assert(b:send({ source = source(35), resume = report }))
    assert.is_true(again.ok)
    assert.equal(15, again.sent)
    assert.equal(20, again.skipped)
    assert.equal(35, #delivered_to())
  end)

  it("a bad address fails its own call only", function()
    local c = client()
    local b = c:batch({ from = "news@sandbox.test", subject = "S", text = "T" })
    local report = assert(b:send({ source = source(30, { bad_at = 15 }), size = 10 }))
    assert.equal(20, report.sent)
    assert.equal(10, report.failed)
    local bad = report.calls[2]
    assert.equal("invalid", bad.error.kind)
    assert.equal(15, bad.error.index)
    assert.equal(20, #delivered_to())
    assert.equal(2, sends())
  end)

  it("holds one call's recipients at a time: 50,000 recipients at flat memory", function()
    -- a transport that answers every send at once, without a network
    local n = 0
    local transport = { name = "fake", request = function(_, req)
      n = n + 1
      if req.form then req.form:close() end
      return { status = 200, headers = { ["content-type"] = "application/json" },
               body = '{"id":"<' .. n .. '@x>","message":"Queued"}' }
    end, now = function() return os.time() end, sleep = function() end }
    local c = mailgun.new({ api_key = "key", domain = "x.test", transport = transport })
    local b = c:batch({ from = "news@x.test", subject = "Hi %recipient.n%", text = "T" })
    local i, peak = 0, 0
    collectgarbage("collect")
    local base = collectgarbage("count")
    local report = assert(b:send({ size = 1000, source = function()
      i = i + 1
      if i % 5000 == 0 then
        collectgarbage("collect")
        peak = math.max(peak, collectgarbage("count") - base)
      end
      if i > 50000 then return nil end
      return ("r%06d@example.com"):format(i), { n = i }
    end }))
    assert.is_true(report.ok)
    assert.equal(50, #report.calls)
    assert.equal(50000, report.sent)
    -- one call of 1,000 recipients is well under 2 MB; all 50,000 held would be ~25 MB
    assert.is_true(peak < 2048, ("peak Lua heap growth %.0f KB"):format(peak))
    print(("\n[streaming] 50,000 recipients, 50 calls: peak Lua heap growth %.0f KB"):format(peak))
  end)

  it("a source's bare and named recipients, with and without variables, go out as batch:add sends them", function()
    local cjson = require("cjson")
    local function capture()
      local forms = {}
      local transport = { name = "fake", request = function(_, req)
        local body = req.form:read(1e7)
        local fields = {}
        -- "name" -> list of values, from the multipart text
        for name, value in body:gmatch('name="([^"]+)"\r\n\r\n(.-)\r\n%-%-') do
          fields[name] = fields[name] or {}
          table.insert(fields[name], value)
        end
        forms[#forms + 1] = fields
        return { status = 200, headers = { ["content-type"] = "application/json" },
                 body = '{"id":"<' .. #forms .. '@x>","message":"Queued"}' }
      end, now = function() return os.time() end, sleep = function() end }
      return mailgun.new({ api_key = "key", domain = "x.test", transport = transport }), forms
    end
    local recipients = {
      { "a@example.com", { first = "A", id = 1 } }, { "Bob <b@example.com>", { first = "B" } },
      { "c@example.com" }, { "d@example.com", { nested = { x = 1 } } }, { "e@example.com", { id = 5 } },
    }
    local listed, list_forms = capture()
    local b = listed:batch({ from = "news@x.test", subject = "S", text = "T" })
    for _, r in ipairs(recipients) do b:add(r[1], r[2]) end
    assert.is_true(assert(b:send({ size = 3 })).ok)
    local streamed, stream_forms = capture()
    local i = 0
    local report = assert(streamed:batch({ from = "news@x.test", subject = "S", text = "T" }):send({
      size = 3, source = function()
        i = i + 1
        if recipients[i] then return recipients[i][1], recipients[i][2] end
      end }))
    assert.is_true(report.ok)
    assert.equal(2, #stream_forms)
    for k = 1, 2 do
      assert.same(list_forms[k].to, stream_forms[k].to)
      assert.same(cjson.decode(list_forms[k]["recipient-variables"][1]),
        cjson.decode(stream_forms[k]["recipient-variables"][1]))
    end
    assert.same({ "a@example.com", "Bob <b@example.com>", "c@example.com" }, stream_forms[1].to)
    assert.same({ first = "B" }, cjson.decode(stream_forms[1]["recipient-variables"][1])["b@example.com"])
  end)

  it("MailerSend send_bulk takes an iterator of messages", function()
    local ms = mailersend.new({ token = sandbox.MAILERSEND_TOKEN, base_url = sandbox.url() .. "/v1" })
    local i = 0
    local report = assert(ms.email:send_bulk(function()
      i = i + 1
      if i > 7 then return nil end
      return { from = "news@sandbox.test", to = ("b%d@example.com"):format(i), subject = "S", text = "T" }
    end, { size = 3 }))
    assert.is_true(report.ok)
    assert.equal(3, #report.calls)
    assert.equal(7, report.sent)
    assert.equal(3, #report.bulk_email_ids)
  end)
end)

describe("the journal", function()
  before_each(function() sandbox.reset() end)

  local function newsletter(c, n)
    local b = c:batch({ from = "news@sandbox.test", subject = "S", text = "T" })
    for i = 1, n do b:add(("j%02d@example.com"):format(i)) end
    return b
  end

  it("a finished journal sends nothing again; a failed call is sent on the next run", function()
    local path = tmpname()
    finally(function() os.remove(path) end)
    local c = client()
    sandbox.fault({ method = "POST", path = SEND, status = 400 })
    local report = assert(newsletter(c, 30):send({ size = 10, journal = path }))
    assert.equal(10, report.failed)
    assert.equal(path, report.journal)
    report = assert(newsletter(c, 30):send({ size = 10, journal = path }))
    assert.is_true(report.ok)
    assert.equal(10, report.sent)
    assert.equal(20, report.skipped)
    report = assert(newsletter(c, 30):send({ size = 10, journal = path }))
    assert.equal(0, report.sent)
    assert.equal(4, sends())
  end)

  it("refuses a corrupt journal and one of another batch with a clear error", function()
    local path = tmpname()
    finally(function() os.remove(path) end)
    local c = client()
    assert(newsletter(c, 5):send({ journal = path }))
    local other = c:batch({ from = "news@sandbox.test", subject = "Another", text = "T" })
    other:add("x@example.com")
    local report, err = other:send({ journal = path })
    assert.is_nil(report)
    assert.equal("journal", err.kind)
    assert.truthy(err.message:find("another batch", 1, true))
    -- the same message to other recipients: refused too
    report, err = newsletter(c, 6):send({ journal = path })
    assert.is_nil(report)
    assert.truthy(err.message:find("another batch", 1, true))
    -- a streamed source that differs from the one recorded stops at the first call that differs
    local streamed = tmpname()
    finally(function() os.remove(streamed) end)
    local s1 = c:batch({ from = "news@sandbox.test", subject = "S", text = "T" })
    assert(s1:send({ source = source(4), size = 2, journal = streamed }))
    local i = 0
    report = assert(s1:send({ size = 2, journal = streamed, source = function()
      i = i + 1
      if i > 4 then return nil end
      return i == 3 and "changed@example.com" or ("s%03d@example.com"):format(i), { n = i }
    end }))
    assert.equal("journal", report.source_error.kind)
    assert.equal(2, report.source_error.index)
    assert.equal(2, sends() - 1)
    local f = assert(io.open(path, "ab"))
    f:write("{not json}\n{\"start\":9}\n")
    f:close()
    report, err = newsletter(c, 5):send({ journal = path })
    assert.is_nil(report)
    assert.truthy(err.message:find("corrupt", 1, true))
    local garbage = tmpname()
    finally(function() os.remove(garbage) end)
    f = assert(io.open(garbage, "wb"))
    f:write("hello\n")
    f:close()
    report, err = newsletter(c, 5):send({ journal = garbage })
    assert.is_nil(report)
    assert.truthy(err.message:find("not a journal", 1, true))
    assert.equal(3, sends())
  end)

  it("treats a call started but never ended as uncertain, and a cut last line as never written", function()
    local path = tmpname()
    finally(function() os.remove(path) end)
    local c = client()
    assert(newsletter(c, 20):send({ size = 10, journal = path }))
    -- as if the process had died: call 2's end is gone, a start is cut short
    local lines = {}
    for line in io.lines(path) do lines[#lines + 1] = line end
    local f = assert(io.open(path, "wb"))
    for i = 1, #lines - 1 do f:write(lines[i], "\n") end
    f:write('{"start":3,"fi')
    f:close()
    local report = assert(newsletter(c, 20):send({ size = 10, journal = path }))
    assert.equal(10, report.uncertain)
    assert.equal("interrupted", report.calls[2].error.kind)
    assert.equal(2, sends())
    local b = newsletter(c, 20)
    b:reconcile(report, { settle = 0 })
    assert.equal(0, report.uncertain)
    assert.is_string(report.calls[2].id)
    report = assert(newsletter(c, 20):send({ size = 10, journal = path }))
    assert.is_true(report.ok)
    assert.equal(2, sends())
  end)
end)

describe("batch input that cannot be sent correctly", function()
  before_each(function() sandbox.reset() end)

  it("refuses variables cjson cannot encode, before anything is sent", function()
    local c = client()
    local b = c:batch({ from = "news@sandbox.test", subject = "S", text = "T" })
    for _, bad in ipairs({ { x = 0 / 0 }, { x = math.huge }, { x = print }, { list = { 1, nil, 3 } } }) do
      assert.has_error(function() b:add("a@example.com", bad) end)
    end
    local nan = c:batch({ from = "news@sandbox.test", subject = "S", text = "T", variables = { x = -math.huge } })
    nan:add("a@example.com")
    local report, err = nan:send()
    assert.is_nil(report)
    assert.equal("invalid", err.kind)
    local s = c:batch({ from = "news@sandbox.test", subject = "S", text = "T" })
    report = assert(s:send({ source = function() return nil end }))
    assert.equal(0, #report.calls)
    assert.equal(0, sends())
  end)

  it("raises on a nil hole in a recipient list and counts comma-joined addresses", function()
    local c = client()
    local b = c:batch({ from = "news@sandbox.test", subject = "S", text = "T" })
    assert.has_error(function() b:add({ "a@example.com", nil, "c@example.com" }) end)
    assert.has_error(function() b:add("a@example.com, b@example.com") end)
    assert.has_error(function()
      c.messages:send({ from = "a@sandbox.test", to = { "a@example.com", nil, "b@example.com" },
                        subject = "s", text = "t" })
    end)
    local many = {}
    for i = 1, 1001 do many[i] = ("r%d@example.com"):format(i) end
    local _, err = c.messages:send({ from = "a@sandbox.test", to = table.concat(many, ", "), subject = "s",
                                     text = "t" })
    assert.equal("invalid", err.kind)
    assert.truthy(err.message:find("1001 recipients", 1, true))
    assert.equal(0, sends())
  end)
end)
