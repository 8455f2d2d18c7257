local sandbox = require("support.sandbox")

local D = "/v3/sandbox.test"

local function send(extra)
  local form = { from = "news@sandbox.test", to = "ann@example.com", subject = "S", text = "T" }
  for k, v in pairs(extra or {}) do form[k] = v end
  return sandbox.mailgun("POST", D .. "/messages", { form = form })
end

local function rows(file)
  local out = {}
  for line in io.lines(file) do
    local method, path = line:match("^(%u+)\t(%S+)")
    if method then out[#out + 1] = { method, path } end
  end
  return out
end

local function concrete(path)
  return (path:gsub("{([^}]+)}", function(name)
    if name == "domain" or name == "domain_name" or name == "name" or name == "authority_name" then
      return "sandbox.test"
    end
    return "x1"
  end))
end

describe("sandbox: control API", function()
  before_each(function() sandbox.reset() end)

  it("records requests with parsed fields, file digests and no Authorization", function()
    local data = string.rep("attachment-bytes ", 1000)
    sandbox.mailgun("POST", D .. "/messages", { form = {
      { "from", "news@sandbox.test" }, { "to", "a@example.com" }, { "to", "b@example.com" },
      { "text", "T" }, { "attachment", { data = data, filename = "a.txt",
        content_type = "text/plain" } } }, headers = { ["X-Custom"] = "yes" } })
    local r = sandbox.requests({ path = D .. "/messages" })
    assert.equal(1, #r)
    r = r[1]
    assert.equal("POST", r.method)
    assert.equal("mailgun", r.provider)
    assert.same({ "a@example.com", "b@example.com" }, r.fields.to)
    assert.equal("yes", r.headers["x-custom"])
    assert.is_nil(r.headers.authorization)
    assert.equal(1, #r.files)
    assert.equal("a.txt", r.files[1].filename)
    assert.equal(#data, r.files[1].size)
    assert.equal(require("mailgun.core").sha256(data), r.files[1].sha256)
    assert.equal(200, r.status)
  end)

  it("records query strings and JSON bodies", function()
    sandbox.mailersend("GET", "/domains", { query = { page = 1, limit = 10 } })
    sandbox.mailersend("POST", "/email", { json = { subject = "x" } })
    local r = sandbox.requests({ provider = "mailersend" })
    assert.equal("10", r[1].query.limit)
    assert.equal("x", r[2].json.subject)
    assert.equal(422, r[2].status)
  end)

  it("accepts large uploads", function()
    local big = string.rep("0123456789abcdef", 2 * 1024 * 1024) -- 32 MiB
    local res = send({ attachment = { data = big, filename = "big.bin" } })
    assert.equal(200, res.status)
    local f = sandbox.requests()[1].files[1]
    assert.equal(#big, f.size)
    assert.equal(require("mailgun.core").sha256(big), f.sha256)
  end)

  it("resets everything with DELETE /sandbox", function()
    send()
    sandbox.fault({ path = "/v3/routes", status = 500 })
    sandbox.reset()
    assert.equal(0, #sandbox.requests())
    assert.equal(0, #sandbox.messages())
    assert.equal(0, #sandbox.faults())
  end)

  describe("faults", function()
    it("answers 429 with Retry-After for the next N matches only", function()
      sandbox.fault({ method = "POST", path = D .. "/messages", status = 429, retry_after = 7,
        count = 2 })
      local a, b, c = send(), send(), send()
      assert.equal(429, a.status)
      assert.equal("7", a.headers["retry-after"])
      assert.equal(429, b.status)
      assert.equal(200, c.status)
      assert.equal(1, #sandbox.messages())
    end)

    it("answers 500, 502 and 503", function()
      for _, st in ipairs({ 500, 502, 503 }) do
        sandbox.fault({ path = "/v3/routes", status = st })
        assert.equal(st, sandbox.mailgun("GET", "/v3/routes").status)
      end
      assert.equal(200, sandbox.mailgun("GET", "/v3/routes").status)
    end)

    it("matches Lua patterns and methods", function()
      sandbox.fault({ method = "GET", path = "^/v1/domains/[^/]+$", status = 503 })
      assert.equal(200, sandbox.mailersend("GET", "/domains").status)
      local id = sandbox.mailersend("GET", "/domains").json.data[1].id
      assert.equal(503, sandbox.mailersend("GET", "/domains/" .. id).status)
    end)

    it("delays an answer", function()
      sandbox.fault({ path = "/v3/routes", delay_ms = 400 })
      local t0 = require("mailgun.core").now()
      assert.equal(200, sandbox.mailgun("GET", "/v3/routes").status)
      assert.is_true(require("mailgun.core").now() - t0 >= 0.35)
    end)

    it("drops the connection without an answer", function()
      sandbox.fault({ path = "/v3/routes", drop = true })
      -- a fresh connection: on a reused one libcurl retries a dropped request by itself
      local res, word = sandbox.request({ method = "GET", path = "/v3/routes", raw_errors = true,
        fresh = true })
      assert.is_nil(res)
      assert.truthy(word)
      assert.equal(200, sandbox.mailgun("GET", "/v3/routes").status)
    end)

    it("truncates a body", function()
      sandbox.fault({ path = "/v4/domains", truncate = true })
      local res, word = sandbox.request({ method = "GET", path = "/v4/domains", raw_errors = true })
      assert.is_nil(res)
      assert.truthy(word)
    end)

    it("rejects bad rules", function()
      local res = sandbox.request({ method = "POST", path = "/sandbox/faults", auth = false,
        json = { path = "/x" } })
      assert.equal(400, res.status)
      res = sandbox.request({ method = "POST", path = "/sandbox/faults", auth = false,
        json = { path = "/x", status = 418 } })
      assert.equal(400, res.status)
    end)
  end)

  it("logs outgoing webhooks", function()
    sandbox.mailgun("POST", "/v3/domains/sandbox.test/webhooks", { form = { id = "accepted",
      url = sandbox.hook_url("x") } })
    send()
    local log = sandbox.wait(function()
      local l = sandbox.webhooks()
      return #l > 0 and l[1].status == 200 and l
    end)
    assert.truthy(log)
    assert.equal("mailgun", log[1].provider)
    assert.equal("accepted", log[1].payload["event-data"].event)
  end)

  it("answers every Mailgun endpoint of the catalog", function()
    local bad = {}
    for _, row in ipairs(rows("spec/fixtures/mailgun-endpoints.tsv")) do
      local res = sandbox.mailgun(row[1], concrete(row[2]))
      local route = res.headers["x-sandbox-route"]
      if route == "none" or res.status >= 500 or res.status == 405
        or (route == "generic" and res.status >= 300) then
        bad[#bad + 1] = row[1] .. " " .. row[2] .. " -> " .. res.status
      end
    end
    assert.same({}, bad)
  end)

  it("answers every MailerSend endpoint of the catalog", function()
    local bad = {}
    for _, row in ipairs(rows("spec/fixtures/mailersend-endpoints.tsv")) do
      local res = sandbox.mailersend(row[1], concrete(row[2]), { json = {} })
      local route = res.headers["x-sandbox-route"]
      if route == "none" or res.status >= 500 or res.status == 405
        or (route == "generic" and res.status >= 300) then
        bad[#bad + 1] = row[1] .. " " .. row[2] .. " -> " .. res.status
      end
      assert.truthy(res.headers["x-ratelimit-remaining"])
    end
    assert.same({}, bad)
  end)

  it("keeps what generic MailerSend endpoints create", function()
    local res = sandbox.mailersend("POST", "/identities", { json = { name = "Me",
      email = "me@sandbox.test" } })
    assert.equal(201, res.status)
    local id = res.json.data.id
    assert.equal("Me", sandbox.mailersend("GET", "/identities/" .. id).json.data.name)
    assert.equal(1, #sandbox.mailersend("GET", "/identities").json.data)
    local sms = sandbox.mailersend("POST", "/sms", { json = { from = "+1", to = { "+2" }, text = "x" } })
    assert.equal(202, sms.status)
    assert.truthy(sms.headers["x-sms-message-id"])
  end)
end)
