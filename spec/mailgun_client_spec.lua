-- The Mailgun client over real HTTP against the sandbox: sending, checks
-- before sending, errors, retries, batches, pagination, every endpoint.
local mailgun = require("mailgun")
local sandbox = require("support.sandbox")

local function client(opts)
  opts = opts or {}
  local o = { api_key = "key-sandbox", domain = "sandbox.test", base_url = sandbox.url(),
              backoff = { base = 0.01, max = 0.05 } }
  for k, v in pairs(opts) do o[k] = v end
  return mailgun.new(o)
end

local function requests(filter)
  local out = {}
  for _, r in ipairs(sandbox.requests()) do
    if r.provider ~= "control" and (not filter or r.path:find(filter, 1, true)) then
      out[#out + 1] = r
    end
  end
  return out
end

-- the values of a form field in a recorded request (always a list)
local function field(r, name)
  local v = r.fields and r.fields[name]
  if v == nil then return {} end
  if type(v) ~= "table" then return { v } end
  return v
end

local MSG = { from = "Shop <shop@sandbox.test>", to = "ann@example.com", subject = "Hello",
              text = "Hi there" }

local function msg(extra)
  local m = {}
  for k, v in pairs(MSG) do m[k] = v end
  for k, v in pairs(extra or {}) do m[k] = v end
  return m
end

describe("mailgun.new", function()
  it("requires an api_key and checks option types", function()
    assert.has_error(function() mailgun.new({}) end,
      "bad argument 'opts.api_key' to 'mailgun.new' (string expected, got nil)")
    assert.has_error(function() mailgun.new({ api_key = "k", domain = 42 }) end,
      "bad argument 'opts.domain' to 'mailgun.new' (string expected, got number)")
    assert.has_error(function() mailgun.new("key") end)
  end)

  it("raises on an unknown option, with a did-you-mean for a near miss", function()
    assert.has_error(function() mailgun.new({ api_key = "k", timout = 5 }) end,
      "bad argument #1 to 'mailgun.new' (unknown option 'timout' (did you mean 'timeout'?))")
    assert.has_error(function() mailgun.new({ api_key = "k", token = "x" }) end,
      "bad argument #1 to 'mailgun.new' (unknown option 'token' (the API key goes in 'api_key'))")
    assert.has_error(function() mailgun.new({ api_key = "k", colour = "blue" }) end,
      "bad argument #1 to 'mailgun.new' (unknown option 'colour')")
    assert.has_error(function() mailgun.new({ api_key = "k", timeout = "5" }) end,
      "bad argument 'opts.timeout' to 'mailgun.new' (number expected, got string)")
  end)

  it("raises on unknown per-call options and on unknown params where the API declares them", function()
    local c = mailgun.new({ api_key = "k", domain = "example.com", transport = { request = function()
      error("nothing may be sent")
    end } })
    assert.has_error(function() c.bounces:list({ limt = 5 }) end,
      "bad argument #1 to 'bounces:list' (unknown field 'limt' (did you mean 'limit'?))")
    assert.has_error(function() c.bounces:list({ limit = 5 }, { retires = 1 }) end,
      "bad argument #2 to 'bounces:list' (unknown option 'retires' (did you mean 'retries'?))")
    assert.has_error(function() c.bounces:each({ limit = 5 }, { cursr = "x" }) end,
      "bad argument #2 to 'bounces:each' (unknown option 'cursr' (did you mean 'cursor'?))")
    assert.has_error(function() c.domains:list({}, { timeout = "5" }) end,
      "bad argument 'opts.timeout' to 'domains:list' (number expected, got string)")
    assert.has_error(function() c:request("GET", "/v3/domains", {}, { pagin = "url" }) end,
      "bad argument #4 to 'request' (unknown option 'pagin' (did you mean 'paging'?))")
    local batch = c:batch({ from = "a@example.com", subject = "Hi", text = "x" }):add("b@example.com")
    assert.has_error(function() batch:send({ paralel = 4 }) end,
      "bad argument #1 to 'batch:send' (unknown option 'paralel' (did you mean 'parallel'?))")
    assert.has_error(function() batch:send({ progress = true }) end,
      "bad argument 'opts.progress' to 'batch:send' (function expected, got boolean)")
  end)

  it("picks the base URL from the region", function()
    assert.equal("https://api.mailgun.net", mailgun.new({ api_key = "k" }).base_url)
    assert.equal("https://api.eu.mailgun.net", mailgun.new({ api_key = "k", region = "eu" }).base_url)
    assert.has_error(function() mailgun.new({ api_key = "k", region = "asia" }) end)
    assert.has_error(function() mailgun.new({ api_key = "k", base_url = "https://api.mailgun.net/v3" }) end)
  end)

  it("lists every declared endpoint", function()
    local eps = mailgun.endpoints()
    assert.equal(242, #eps)
    for _, ep in ipairs(eps) do
      assert.truthy(ep.resource and ep.name and ep.method and ep.path)
    end
  end)
end)

describe("client.messages", function()
  before_each(function() sandbox.reset() end)

  it("sends a message and the sandbox gets every field", function()
    local c = client()
    local res, err = c.messages:send(msg({
      to = { "ann@example.com", { name = "Bob Stone", address = "bob@example.com" } },
      cc = "carl@example.com",
      html = "<p>Hi</p>",
      tags = { "welcome", "t2" },
      headers = { ["X-Campaign"] = "nov" },
      vars = { user_id = 42, meta = { a = 1 } },
      template_text = true,
      testmode = true,
      tracking_clicks = "htmlonly",
      deliverytime = 1700000000,
      ["o:custom-option"] = "raw",
    }))
    assert.is_nil(err)
    assert.equal("Queued. Thank you.", res.message)
    assert.truthy(res.id:match("^<.+@sandbox%.test>$"))
    local r = requests("/messages")[1]
    assert.equal("POST", r.method)
    assert.equal("/v3/sandbox.test/messages", r.path)
    assert.same({ "ann@example.com", '"Bob Stone" <bob@example.com>' }, field(r, "to"))
    assert.same({ "welcome", "t2" }, field(r, "o:tag"))
    assert.same({ "nov" }, field(r, "h:X-Campaign"))
    assert.same({ "42" }, field(r, "v:user_id"))
    assert.same({ '{"a":1}' }, field(r, "v:meta"))
    assert.same({ "yes" }, field(r, "o:testmode"))
    assert.same({ "yes" }, field(r, "t:text"))
    assert.same({ "htmlonly" }, field(r, "o:tracking-clicks"))
    assert.same({ "Tue, 14 Nov 2023 22:13:20 +0000" }, field(r, "o:deliverytime"))
    assert.same({ "raw" }, field(r, "o:custom-option"))
  end)

  it("streams attachments from disk and from memory, byte for byte", function()
    local core = require("mailgun.core")
    local path = os.tmpname()
    local bytes = {}
    for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
    local blob = table.concat(bytes):rep(4096) -- 1 MiB, every byte value
    local f = assert(io.open(path, "wb")); f:write(blob); f:close()
    local c = client()
    local res, err = c.messages:send(msg({
      attachments = { { path = path, filename = "blob.bin" },
                      { data = "a,b\n1,2\n", filename = "t.csv", content_type = "text/csv" } },
      inline = { { data = "PNGDATA", filename = "logo.png", content_type = "image/png" } },
    }))
    os.remove(path)
    assert.is_nil(err)
    assert.truthy(res.id)
    local r = requests("/messages")[1]
    local files = {}
    for _, file in ipairs(r.files) do files[file.filename] = file end
    assert.equal(#blob, files["blob.bin"].size)
    assert.equal(core.sha256(blob), files["blob.bin"].sha256)
    assert.equal("attachment", files["blob.bin"].name)
    assert.equal(core.sha256("a,b\n1,2\n"), files["t.csv"].sha256)
    assert.equal("text/csv", files["t.csv"].content_type)
    assert.equal("inline", files["logo.png"].name)
  end)

  it("sends MIME with the message as a file part", function()
    local c = client()
    local mime = "From: shop@sandbox.test\r\nTo: ann@example.com\r\nSubject: Raw\r\n\r\nBody\r\n"
    local res, err = c.messages:send_mime({ to = "ann@example.com", message = mime })
    assert.is_nil(err)
    assert.truthy(res.id)
    local r = requests("messages.mime")[1]
    assert.equal("message", r.files[1].name)
    assert.equal(#mime, r.files[1].size)
  end)

  local bad = {
    { "no recipient", { to = nil }, "no recipient" },
    { "too many recipients", "many", "at most 1000" },
    { "options over 16 KB", { vars = { big = ("x"):rep(17000) } }, "16384" },
    { "CR/LF in a header value", { headers = { ["X-Evil"] = "a\r\nBcc: x@y.z" } }, "CR" },
    { "CR/LF in the subject", { subject = "a\nb" }, "CR or LF" },
    { "a missing attachment file", { attachments = { { path = "/nonexistent/file.pdf" } } },
      "cannot read attachment" },
    { "more than 10 tags", { tags = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11" } },
      "at most 10" },
    { "no body", { text = false }, "text, html" },
  }
  for _, case in ipairs(bad) do
    it("refuses " .. case[1] .. " before sending anything", function()
      local m
      if case[2] == "many" then
        m = msg()
        m.to = {}
        for i = 1, 1001 do m.to[i] = "r" .. i .. "@example.com" end
      else
        m = msg(case[2])
        if case[2].to == nil and case[1] == "no recipient" then m.to = nil end
        if case[2].text == false then m.text = nil end
      end
      local c = client()
      local res, err = c.messages:send(m)
      assert.is_nil(res)
      assert.equal("invalid", err.kind)
      assert.truthy(err.message:find(case[3], 1, true), err.message)
      assert.equal(0, #requests("/messages"))
    end)
  end

  it("raises on a message that is not a table", function()
    assert.has_error(function() client().messages:send("hello") end,
      "bad argument #1 to 'messages:send' (a message must be a table, got string)")
  end)

  -- the one rule for mistakes (README "Mistakes"): a wrong type or an
  -- unknown field is a bug in the program, so it raises, nothing sent
  local raising = {
    { "a bad type", { tags = 42 },
      "bad argument 'msg.tags' to 'messages:send' (string or table expected, got number)" },
    { "an unknown field", { subjcet = "typo" },
      "bad argument #1 to 'messages:send' (unknown message field 'subjcet' (did you mean 'subject'?))" },
    { "text = false", { text = false }, "bad argument 'msg.text' to 'messages:send' (string expected, got boolean)" },
    { "html = true", { html = true }, "bad argument 'msg.html' to 'messages:send' (string expected, got boolean)" },
    { "a numeric subject", { subject = 42 },
      "bad argument 'msg.subject' to 'messages:send' (string expected, got number)" },
  }
  for _, case in ipairs(raising) do
    it("raises on " .. case[1] .. ", nothing sent", function()
      local c = client()
      assert.has_error(function() c.messages:send(msg(case[2])) end, case[3])
      assert.equal(0, #requests("/messages"))
    end)
  end

  it("raises on an unknown call option, with a did-you-mean", function()
    assert.has_error(function() client().messages:send(msg(), { timout = 5 }) end,
      "bad argument #2 to 'messages:send' (unknown option 'timout' (did you mean 'timeout'?))")
  end)

  it("counts comma-joined recipients by their addresses and refuses CR/LF in a name", function()
    local c = client()
    local many = {}
    for i = 1, 1001 do many[i] = "r" .. i .. "@example.com" end
    local _, err = c.messages:send(msg({ to = table.concat(many, ", ") }))
    assert.equal("invalid", err.kind)
    assert.truthy(err.message:find("1001 recipients", 1, true), err.message)
    _, err = c.messages:send(msg({ to = { { email = "a@example.com", name = "A\r\nBcc: x@y.z" } } }))
    assert.equal("invalid", err.kind)
    assert.truthy(err.message:find("CR or LF", 1, true), err.message)
    assert.equal("mailgun", err.provider)
    assert.equal(0, #requests("/messages"))
  end)
end)

describe("client errors", function()
  before_each(function() sandbox.reset() end)

  it("401 on a wrong key: auth, a region hint, and the key never shown", function()
    local c = client({ api_key = "key-wrong-0123456789" })
    local res, err = c.messages:send(msg())
    assert.is_nil(res)
    assert.equal("auth", err.kind)
    assert.equal(401, err.status)
    assert.truthy(err.message:find("check the region", 1, true))
    local text = tostring(err)
    assert.falsy(text:find("key-wrong-0123456789", 1, true))
    for _, v in pairs(err) do
      if type(v) == "string" then assert.falsy(v:find("key-wrong-0123456789", 1, true)) end
    end
  end)

  it("404 on an unknown domain", function()
    local c = client({ domain = "unknown.example" })
    local _, err = c.domains:get()
    assert.equal("not_found", err.kind)
    assert.equal(404, err.status)
  end)

  it("400 from the server's own checks is a validation error", function()
    local c = client()
    local _, err = c:request("POST", "/v3/sandbox.test/messages",
      { from = "a@sandbox.test" }, { encoding = "multipart" })
    assert.equal("validation", err.kind)
    assert.equal(400, err.status)
    assert.equal(1, #sandbox.violations()) -- on purpose: no subject, no to
    sandbox.clear_violations()
  end)

  it("retries a send after a 429 with Retry-After", function()
    sandbox.fault({ method = "POST", path = "/v3/sandbox.test/messages", status = 429,
                    retry_after = 1, count = 1 })
    local c = client()
    local t0 = os.time()
    local res, err = c.messages:send(msg())
    assert.is_nil(err)
    assert.truthy(res.id)
    assert.truthy(os.time() - t0 >= 0)
    assert.equal(2, #requests("/messages"))
  end)

  it("never retries a send on 500 (no double send)", function()
    sandbox.fault({ method = "POST", path = "/v3/sandbox.test/messages", status = 500, count = 1 })
    local c = client()
    local res, err = c.messages:send(msg())
    assert.is_nil(res)
    assert.equal("http", err.kind)
    assert.equal(500, err.status)
    assert.equal(1, #requests("/messages"))
  end)

  it("never retries a send whose connection dropped", function()
    sandbox.fault({ method = "POST", path = "/v3/sandbox.test/messages", drop = true, count = 1 })
    local c = client()
    local res, err = c.messages:send(msg())
    assert.is_nil(res)
    assert.equal("network", err.kind)
  end)

  it("retries a read on 502 and 503 and on a dropped connection", function()
    sandbox.fault({ method = "GET", path = "/v3/routes", status = 502, count = 1 })
    sandbox.fault({ method = "GET", path = "/v3/routes", status = 503, count = 1 })
    sandbox.fault({ method = "GET", path = "/v3/routes", drop = true, count = 1 })
    local c = client()
    local res, err = c.routes:list()
    assert.is_nil(err)
    assert.truthy(res.items)
  end)

  it("times out on a slow answer", function()
    sandbox.fault({ method = "GET", path = "/v3/routes", delay_ms = 1500, count = 5 })
    local c = client({ timeout = 0.3, retries = 0 })
    local res, err = c.routes:list()
    assert.is_nil(res)
    assert.equal("timeout", err.kind)
  end)
end)

describe("client:batch", function()
  before_each(function() sandbox.reset() end)

  it("splits 2,500 recipients into 3 personalized calls", function()
    local c = client()
    local b = c:batch({ from = "news@sandbox.test", subject = "Hi %recipient.name%",
                        text = "Code %recipient.code%" })
    for i = 1, 2500 do b:add(("r%d@example.com"):format(i), { name = "R" .. i, code = i }) end
    local calls = 0
    local report = assert(b:send({ progress = function() calls = calls + 1 end }))
    assert.is_true(report.ok)
    assert.equal(3, #report.calls)
    assert.equal(3, calls)
    assert.equal(2500, report.sent)
    local rs = requests("/messages")
    assert.equal(3, #rs)
    local counts = {}
    for i, r in ipairs(rs) do
      counts[i] = #field(r, "to")
      local rv = require("cjson").decode(field(r, "recipient-variables")[1])
      assert.truthy(rv[field(r, "to")[1]])
    end
    table.sort(counts)
    assert.same({ 500, 1000, 1000 }, counts)
    local delivered = sandbox.messages()
    local seen
    for _, d in ipairs(delivered) do
      if d.to == "r7@example.com" then seen = d end
    end
    assert.truthy(seen, "r7 delivered")
    assert.equal("Hi R7", seen.subject)
  end)

  it("always sends recipient-variables, so recipients never see each other", function()
    local c = client()
    local b = c:batch({ from = "news@sandbox.test", subject = "S", text = "T" })
    b:add({ "a@example.com", "b@example.com" })
    assert(b:send())
    local r = requests("/messages")[1]
    assert.same({ ["a@example.com"] = {}, ["b@example.com"] = {} },
      require("cjson").decode(field(r, "recipient-variables")[1]))
  end)

  it("keys recipient-variables by bare address when names come in after bare addresses, and dedupes",
    function()
    local c = client()
    local b = c:batch({ from = "news@sandbox.test", subject = "Hi %recipient.name%", text = "T" })
    b:add("a@example.com", { name = "A" })
    b:add("b@example.com")
    b:add({ address = "c@example.com", name = "Cee" })
    b:add('"Doe, D" <d@example.com>', { code = 4 })
    b:add("b@example.com", { name = "Bee" }) -- replaces b's variables, same place
    assert.equal(4, b:count())
    assert(b:send())
    local r = requests("/messages")[1]
    assert.same({ "a@example.com", "b@example.com", '"Cee" <c@example.com>', '"Doe, D" <d@example.com>' },
      field(r, "to"))
    assert.same({ ["a@example.com"] = { name = "A" }, ["b@example.com"] = { name = "Bee" },
                  ["c@example.com"] = { name = "Cee" }, ["d@example.com"] = { code = 4 } },
      require("cjson").decode(field(r, "recipient-variables")[1]))
  end)

  it("sends calls in parallel and resumes only what failed", function()
    local c = client()
    local b = c:batch({ from = "news@sandbox.test", subject = "S", text = "T" })
    for i = 1, 50 do b:add(("p%d@example.com"):format(i)) end
    sandbox.fault({ method = "POST", path = "/v3/sandbox.test/messages", status = 400, count = 1 })
    local report = assert(b:send({ size = 10, parallel = 4 }))
    assert.equal(5, #report.calls)
    assert.equal(40, report.sent)
    assert.equal(10, report.failed)
    assert.is_false(report.ok)
    local again = assert(b:send({ size = 10, resume = report }))
    assert.is_true(again.ok)
    assert.equal(10, again.sent)
    assert.equal(6, #requests("/messages"))
  end)

  it("reports a 5xx on a call as uncertain and resumes it only when asked", function()
    local c = client()
    local b = c:batch({ from = "news@sandbox.test", subject = "S", text = "T" })
    for i = 1, 30 do b:add(("u%d@example.com"):format(i)) end
    sandbox.fault({ method = "POST", path = "/v3/sandbox.test/messages", status = 500, count = 1 })
    local report = assert(b:send({ size = 10 }))
    assert.equal(20, report.sent)
    assert.equal(10, report.uncertain)
    assert.equal(0, report.failed)
    assert.is_true(report.calls[1].uncertain)
    assert.equal(3, #requests("/messages")) -- the 5xx was not retried
    local again = assert(b:send({ resume = report }))
    assert.equal(3, #requests("/messages"))
    assert.equal(10, again.uncertain)
    again = assert(b:send({ resume = again, resend_uncertain = true }))
    assert.is_true(again.ok)
    assert.equal(4, #requests("/messages"))
  end)

  it("refuses recipients given in the message itself", function()
    assert.has_error(function() client():batch({ to = "x@y.z" }) end)
  end)
end)

describe("pagination", function()
  before_each(function() sandbox.reset() end)

  it("walks bounces across pages and resumes from a stored cursor", function()
    local c = client()
    local records = {}
    for i = 1, 25 do records[i] = { address = ("b%02d@example.com"):format(i), code = "550" } end
    assert(c.bounces:create(records))
    local seen = {}
    for item, err in c.bounces:each({ limit = 10 }) do
      assert.is_nil(err)
      seen[#seen + 1] = item.address
    end
    assert.equal(25, #seen)
    local it = c.bounces:pages({ limit = 10 })
    local first = it()
    assert.equal(10, #first.items)
    assert.truthy(first.cursor)
    local rest = 0
    for page in c.bounces:pages({ limit = 10 }, { cursor = first.cursor }) do
      rest = rest + #page.items
    end
    assert.equal(15, rest)
  end)

  it("walks events generated by sends", function()
    local c = client()
    for i = 1, 3 do assert(c.messages:send(msg({ to = "e" .. i .. "@example.com" }))) end
    local n = 0
    for ev, err in c.events:each({ limit = 2, event = "accepted" }) do
      assert.is_nil(err)
      assert.equal("accepted", ev.event)
      n = n + 1
    end
    assert.equal(3, n)
  end)
end)

describe("mailgun.webhooks.verify", function()
  local core = require("mailgun.core")
  local key = "whsec-signing-key"
  local function signed(ts, token)
    return { timestamp = ts, token = token, signature = core.hmac_sha256(key, ts .. token) }
  end

  it("accepts a good signature and refuses a tampered one", function()
    local now = os.time()
    local s = signed(tostring(now), "tok1")
    assert.is_true(mailgun.webhooks.verify({ signing_key = key, timestamp = s.timestamp,
                                             token = s.token, signature = s.signature }))
    local ok, why = mailgun.webhooks.verify({ signing_key = key, timestamp = s.timestamp,
                                              token = "tok2", signature = s.signature })
    assert.is_false(ok)
    assert.equal("signature mismatch", why)
  end)

  it("reads the decoded payload or its JSON text", function()
    local payload = { signature = signed(tostring(os.time()), "tok3"), ["event-data"] = {} }
    assert.is_true(mailgun.webhooks.verify({ signing_key = key, payload = payload }))
    assert.is_true(mailgun.webhooks.verify({ signing_key = key,
      payload = require("cjson").encode(payload) }))
  end)

  it("refuses stale timestamps and replays", function()
    local old = signed(tostring(os.time() - 3600), "tok4")
    local ok, why = mailgun.webhooks.verify({ signing_key = key, payload = { signature = old } })
    assert.is_false(ok)
    assert.equal("stale timestamp", why)
    local seen = mailgun.webhooks.replay_guard()
    local fresh = { signature = signed(tostring(os.time()), "tok5") }
    assert.is_true(mailgun.webhooks.verify({ signing_key = key, payload = fresh, seen = seen }))
    ok, why = mailgun.webhooks.verify({ signing_key = key, payload = fresh, seen = seen })
    assert.is_false(ok)
    assert.truthy(why:find("replay", 1, true))
  end)

  it("requires the signing key and never falls back to the API key", function()
    assert.has_error(function() mailgun.webhooks.verify({ timestamp = "1", token = "t", signature = "s" }) end)
    local ok = mailgun.webhooks.verify({ signing_key = key, timestamp = "1", token = "t" })
    assert.is_false(ok)
  end)
end)

-- every endpoint through its resource method: spec/reference_walk_spec.lua
