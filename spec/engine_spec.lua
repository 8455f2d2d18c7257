-- The engine's logic, driven through a scripted transport: what request a
-- call builds, which failures are retried, how errors read, how pages are
-- followed. Real HTTP is exercised by the client and sandbox specs.
local request = require("mailgun.engine.request")
local json = require("mailgun.engine.json")
local errors = require("mailgun.engine.errors")

-- A transport that answers from a script and records what it was asked.
local function scripted(answers)
  local t = { sent = {}, slept = {} }
  function t:request(req)
    self.sent[#self.sent + 1] = { method = req.method, url = req.url, headers = req.headers,
                                  body = req.body, form = req.form }
    local a = table.remove(answers, 1)
    assert(a, "unexpected request " .. req.method .. " " .. req.url)
    if a.word then return nil, a.word, a.detail end
    return { status = a.status or 200, headers = a.headers or { ["content-type"] = "application/json" },
             body = a.body or "{}" }
  end
  function t:sleep(s) self.slept[#self.slept + 1] = s end
  function t:now() return 1700000000 end
  return t
end

local function engine_with(answers, cfg)
  local t = scripted(answers)
  cfg = cfg or {}
  cfg.transport = t
  cfg.base_url = cfg.base_url or "https://api.example.test"
  cfg.headers = cfg.headers or { Authorization = "Basic c2VjcmV0LWtleQ==" }
  cfg.secrets = cfg.secrets or { "secret-key", "c2VjcmV0LWtleQ==" }
  cfg.fill = cfg.fill or function(name) if name == "domain" then return "example.com" end end
  cfg.backoff = { base = 0.01, max = 0.05 }
  return request.new(cfg), t
end

describe("engine: building requests", function()
  it("fills the domain, escapes placeholders and puts the rest in the query", function()
    local e, t = engine_with({ { body = '{"address":"a b@x.y"}' } })
    local ep = { name = "get", method = "GET", path = "/v3/{domain}/bounces/{address}" }
    local res = assert(e:call(ep, { address = "a b/c@x.y", limit = 5 }))
    assert.equal("a b@x.y", res.address)
    assert.equal("https://api.example.test/v3/example.com/bounces/a%20b%2Fc@x.y?limit=5", t.sent[1].url)
  end)

  it("accepts a plain string for the one placeholder besides the domain", function()
    local e, t = engine_with({ {} })
    local ep = { name = "get", method = "GET", path = "/v3/{domain}/bounces/{address}" }
    assert(e:call(ep, "x@y.z"))
    assert.equal("https://api.example.test/v3/example.com/bounces/x@y.z", t.sent[1].url)
  end)

  it("accepts a plain string for the domain when it is the only placeholder", function()
    local e, t = engine_with({ {} }, { fill = function() return nil end })
    local ep = { name = "get", method = "GET", path = "/v4/domains/{name}" }
    assert(e:call(ep, "other.test"))
    assert.equal("https://api.example.test/v4/domains/other.test", t.sent[1].url)
  end)

  it("raises, naming the field, when a placeholder is missing", function()
    local e = engine_with({})
    local ep = { name = "get", method = "GET", path = "/v3/routes/{id}" }
    assert.has_error(function() e:call(ep, {}) end,
      "bad argument #1 to 'get' (field 'id' is required)")
  end)

  it("raises on a wrong argument type", function()
    local e = engine_with({})
    local ep = { name = "list", method = "GET", path = "/v3/routes" }
    assert.has_error(function() e:call(ep, 42 == 42 and function() end) end)
  end)

  it("encodes urlencoded bodies with repeated fields and sorted keys", function()
    local e, t = engine_with({ {} })
    local ep = { name = "create", method = "POST", path = "/v3/routes", encoding = "urlencoded" }
    assert(e:call(ep, { priority = 1, action = { 'forward("a@b.c")', "stop()" }, expression = "catch_all()" }))
    assert.equal("action=forward%28%22a%40b.c%22%29&action=stop%28%29&expression=catch_all%28%29&priority=1",
      t.sent[1].body)
    assert.equal("application/x-www-form-urlencoded", t.sent[1].headers["Content-Type"])
  end)

  it("encodes JSON bodies, arrays included, and keeps named query params", function()
    local e, t = engine_with({ {}, {} })
    local ep = { name = "query", method = "POST", path = "/v1/analytics/logs", encoding = "json",
                 query = { "dry" } }
    assert(e:call(ep, { events = json.array(), dry = true, pagination = { limit = 10 } }))
    assert.equal("https://api.example.test/v1/analytics/logs?dry=true", t.sent[1].url)
    assert.same({ events = {}, pagination = { limit = 10 } }, json.decode(t.sent[1].body))
    assert.truthy(t.sent[1].body:find('"events":[]', 1, true))
    local bulk = { name = "bulk", method = "POST", path = "/v3/{domain}/bounces", encoding = "json" }
    assert(e:call(bulk, { { address = "a@b.c" }, { address = "d@e.f" } }))
    assert.same({ { address = "a@b.c" }, { address = "d@e.f" } }, json.decode(t.sent[2].body))
  end)

  it("sends a JSON body on DELETE when the endpoint says so", function()
    local e, t = engine_with({ {} })
    local ep = { name = "delete", method = "DELETE", path = "/v1/analytics/tags", encoding = "json" }
    assert(e:call(ep, { tag = "promo" }))
    assert.equal('{"tag":"promo"}', t.sent[1].body)
  end)

  it("gives results their HTTP status and headers without hiding body keys", function()
    local e = engine_with({ { status = 202, headers = { ["x-message-id"] = "abc" },
                              body = '{"status":"uploaded"}' } })
    local res = assert(e:call({ name = "x", method = "GET", path = "/x" }))
    assert.equal("uploaded", res.status)
    assert.equal(202, request.meta(res).status)
    assert.equal("abc", res.headers["x-message-id"])
  end)

  it("returns {} for an empty body and {body=} for a non-JSON one", function()
    local e = engine_with({ { status = 202, body = "" },
                            { headers = { ["content-type"] = "message/rfc2822" }, body = "From: a" } })
    local a = assert(e:call({ name = "x", method = "POST", path = "/x" }))
    assert.same({}, a)
    local b = assert(e:call({ name = "y", method = "GET", path = "/y" }))
    assert.equal("From: a", b.body)
  end)

  it("shapes JSON bodies by the declared array fields, singulars included", function()
    local fields = { tags = { type = "array" }, to = { type = "array" }, name = { type = "string" },
                     ids = { type = "array" }, id = { type = "string" } }
    local ref = { ["POST /x"] = { params = {}, bodies = { json = { fields = fields } } },
                  ["POST /y"] = { params = {}, bodies = { json = { fields = fields, array = true } } } }
    local e, t = engine_with({ {}, {}, {}, {}, {} }, { reference = ref })
    local ep = { name = "x", method = "POST", path = "/x", encoding = "json" }
    -- one value where a list is wanted, {} as [], a singular for its list
    assert(e:call(ep, { to = "a@b.c", tags = {}, name = "n" }))
    assert.same({ to = { "a@b.c" }, tags = {}, name = "n" }, json.decode(t.sent[1].body))
    assert.truthy(t.sent[1].body:find('"tags":[]', 1, true))
    assert(e:call(ep, { tag = "promo" }))
    assert.equal('{"tags":["promo"]}', t.sent[2].body)
    -- the list wins over its singular; a declared singular (id) stays itself
    assert(e:call(ep, { tag = "one", tags = { "two" }, id = "7" }))
    assert.same({ tag = "one", tags = { "two" }, id = "7" }, json.decode(t.sent[3].body))
    -- each item of an array body; the endpoint's path may change between calls
    local many = { name = "y", method = "POST", path = "/y", encoding = "json" }
    assert(e:call(many, { body = { { tag = "a" }, { to = "b@c.d" } } }))
    assert.same({ { tags = { "a" } }, { to = { "b@c.d" } } }, json.decode(t.sent[4].body))
    many.path = "/x"
    assert(e:call(many, { body = { tag = "b" } }))
    assert.equal('{"tags":["b"]}', t.sent[5].body)
  end)

  it("leaves text that looks like the encoder's empty-array marker as it is", function()
    local marker = "\0json-empty-array\0"
    assert.same({ s = marker }, json.decode(assert(json.encode({ s = marker }))))
  end)
end)

describe("engine: errors and retries", function()
  it("classifies statuses and keeps MailerSend-style error maps", function()
    local e = engine_with({ { status = 422, body = json.encode({ message = "The given data was invalid.",
      errors = { ["from.email"] = { "The from.email must be verified. #MS42207" } } }) } })
    local res, err = e:call({ name = "send", method = "POST", path = "/email", send = true })
    assert.is_nil(res)
    assert.equal("validation", err.kind)
    assert.equal(422, err.status)
    -- the engine names no provider: MailerSend's "#MS" codes are read by the
    -- mailersend client's on_error (mailersend_client_spec)
    assert.is_nil(err.code)
    assert.same({ "The from.email must be verified. #MS42207" }, err.errors["from.email"])
    assert.truthy(tostring(err):find("from.email: The from.email must be verified", 1, true))
  end)

  it("gives a useful message for an empty error body", function()
    local e = engine_with({ { status = 422, body = "" } })
    local _, err = e:call({ name = "send", method = "POST", path = "/email" })
    assert.equal("HTTP 422 unprocessable entity", err.message)
  end)

  it("never shows the key in an error", function()
    local e = engine_with({ { status = 401, body = '{"message":"bad key secret-key"}' } })
    local _, err = e:call({ name = "get", method = "GET", path = "/v3/{domain}/x" })
    assert.equal("auth", err.kind)
    local text = tostring(err)
    assert.falsy(text:find("secret-key", 1, true))
    assert.falsy(text:find("c2VjcmV0LWtleQ", 1, true))
    for _, v in pairs(err) do
      if type(v) == "string" then assert.falsy(v:find("secret-key", 1, true)) end
    end
  end)

  it("retries a read on 503 and 429, honouring Retry-After", function()
    local e, t = engine_with({ { status = 503 }, { status = 429, headers = { ["retry-after"] = "2" } },
                               { body = '{"ok":true}' } })
    local res = assert(e:call({ name = "list", method = "GET", path = "/v3/routes" }))
    assert.is_true(res.ok)
    assert.equal(3, #t.sent)
    assert.equal(2, #t.slept)
    assert.equal(2, t.slept[2])
    assert.truthy(t.slept[1] > 0 and t.slept[1] <= 0.05)
  end)

  it("reads X-RateLimit-Reset as epoch seconds", function()
    local e, t = engine_with({ { status = 429, headers = { ["x-ratelimit-reset"] = "1700000003" } }, {} })
    assert(e:call({ name = "list", method = "GET", path = "/v3/routes" }))
    assert.equal(3, t.slept[1])
  end)

  it("never retries a send on 5xx or on a failure after sending", function()
    local e, t = engine_with({ { status = 500 } })
    local ep = { name = "send", method = "POST", path = "/v3/{domain}/messages", send = true }
    local _, err = e:call(ep, {})
    assert.equal("http", err.kind)
    assert.equal(1, #t.sent)
    local e2, t2 = engine_with({ { word = "recv", detail = "reset by peer" } })
    local _, err2 = e2:call(ep, {})
    assert.equal("network", err2.kind)
    assert.equal("recv", err2.reason)
    assert.equal(1, #t2.sent)
  end)

  it("retries a send on 429 and when the connection never opened", function()
    local e, t = engine_with({ { status = 429 }, { word = "connect" }, { body = '{"id":"<1@x>"}' } })
    local ep = { name = "send", method = "POST", path = "/v3/{domain}/messages", send = true }
    local res = assert(e:call(ep, {}))
    assert.equal("<1@x>", res.id)
    assert.equal(3, #t.sent)
  end)

  it("stops after the configured number of retries", function()
    local e, t = engine_with({ { status = 502 }, { status = 502 }, { status = 502 } }, { retries = 2 })
    local _, err = e:call({ name = "get", method = "GET", path = "/x" })
    assert.equal(502, err.status)
    assert.equal(3, err.attempts)
    assert.equal(3, #t.sent)
  end)

  it("does not wait longer than max_wait for a Retry-After", function()
    local e, t = engine_with({ { status = 429, headers = { ["retry-after"] = "86400" } } })
    local _, err = e:call({ name = "get", method = "GET", path = "/x" })
    assert.equal("rate_limited", err.kind)
    assert.equal(86400, err.retry_after)
    assert.equal(0, #t.slept)
  end)

  it("classifies transport failures", function()
    local e = engine_with({ { word = "timeout", detail = "Operation timed out" } }, { retries = 0 })
    local _, err = e:call({ name = "get", method = "GET", path = "/x" })
    assert.equal("timeout", err.kind)
    assert.truthy(err.message:find("timed out"))
    assert.truthy(errors.is_error(err))
  end)
end)

describe("engine: pagination", function()
  local paging = require("mailgun.engine.paging")

  it("follows paging.next URLs and stops on an empty page", function()
    local e, t = engine_with({
      { body = json.encode({ items = { { id = 1 }, { id = 2 } }, paging = { next = "https://api.example.test/p2" } }) },
      { body = json.encode({ items = { { id = 3 } }, paging = { next = "https://api.example.test/p3" } }) },
      { body = json.encode({ items = {}, paging = { next = "https://api.example.test/p4" } }) },
    })
    local ep = { name = "list", method = "GET", path = "/v3/{domain}/bounces", paging = "url" }
    local ids = {}
    for item, err in paging.each(e, ep, {}) do
      assert.is_nil(err)
      ids[#ids + 1] = item.id
    end
    assert.same({ 1, 2, 3 }, ids)
    assert.equal("https://api.example.test/p2", t.sent[2].url)
    assert.equal(3, #t.sent)
  end)

  it("stops when the last page repeats itself", function()
    local page = json.encode({ items = { { id = 1 } }, paging = { next = "https://api.example.test/same" } })
    local e, t = engine_with({ { body = page }, { body = page }, { body = page } })
    local ep = { name = "list", method = "GET", path = "/x", paging = "url" }
    local n = 0
    for _ in paging.each(e, ep, {}) do n = n + 1 end
    assert.equal(1, n)
    assert.truthy(#t.sent <= 2)
  end)

  it("pages with skip/limit and resumes from a stored cursor", function()
    local e, t = engine_with({
      { body = json.encode({ items = { { id = 1 }, { id = 2 } }, total_count = 5 }) },
      { body = json.encode({ items = { { id = 3 }, { id = 4 } }, total_count = 5 }) },
    })
    local ep = { name = "list", method = "GET", path = "/v3/routes", paging = "skip" }
    local it = paging.pages(e, ep, { limit = 2 })
    local p1 = it()
    assert.equal("2", p1.cursor)
    -- later, elsewhere: resume from the cursor
    local it2 = paging.pages(e, ep, { limit = 2 }, { cursor = p1.cursor })
    local p2 = it2()
    assert.equal(3, p2.items[1].id)
    assert.equal("4", p2.cursor)
    assert.truthy(t.sent[2].url:find("skip=2", 1, true))
  end)

  it("pages with a token in the POST body", function()
    local e, t = engine_with({
      { body = json.encode({ items = { { id = 1 } }, pagination = { next = "tok2" } }) },
      { body = json.encode({ items = { { id = 2 } }, pagination = {} }) },
    })
    local ep = { name = "query", method = "POST", path = "/v1/analytics/logs", encoding = "json",
                 paging = "body_token" }
    local n = 0
    for _ in paging.each(e, ep, { pagination = { limit = 1 } }) do n = n + 1 end
    assert.equal(2, n)
    assert.equal("tok2", json.decode(t.sent[2].body).pagination.token)
  end)

  it("pages with page/limit and links.next, clamping the limit", function()
    local e, t = engine_with({
      { body = json.encode({ data = { { id = "a" } }, links = { next = "x?page=2" }, meta = {} }) },
      { body = json.encode({ data = { { id = "b" } }, links = { next = json.null }, meta = {} }) },
    })
    e.page_limits = { min = 10, max = 100 }
    local ep = { name = "list", method = "GET", path = "/users", paging = "page" }
    local ids = {}
    for item in paging.each(e, ep, { limit = 3 }) do ids[#ids + 1] = item.id end
    assert.same({ "a", "b" }, ids)
    assert.truthy(t.sent[1].url:find("limit=10", 1, true))
    assert.truthy(t.sent[2].url:find("page=2", 1, true))
  end)

  it("yields false, err once on a failure", function()
    local e = engine_with({ { status = 404, body = '{"message":"nope"}' } })
    local ep = { name = "list", method = "GET", path = "/x", paging = "url" }
    local it = paging.each(e, ep, {})
    local item, err = it()
    assert.is_false(item)
    assert.equal("not_found", err.kind)
    assert.is_nil(it())
  end)
end)

describe("engine: options", function()
  it("sends opts.query fields even when named like a placeholder", function()
    local e, t = engine_with({ {} })
    local ep = { name = "delete", method = "DELETE", path = "/v3/domains/{domain}/ips/{ip}" }
    assert(e:call(ep, { ip = "10.0.0.1" }, { query = { ip = "10.0.0.2" } }))
    assert.equal("https://api.example.test/v3/domains/example.com/ips/10.0.0.1?ip=10.0.0.2", t.sent[1].url)
  end)

  it("reads items under a dotted key", function()
    local paging = require("mailgun.engine.paging")
    local items = paging.items_of({ template = { versions = { { tag = "v1" } } } },
      { items = "template.versions" })
    assert.equal("v1", items[1].tag)
  end)
end)
