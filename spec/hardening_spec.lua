-- Issue 12 (safe by default, hostile input, secrets), one rule per test,
-- on a scripted transport with a clock of its own: what is refused before
-- sending, what is retried and for how long, what an error may show.
-- The same rules against real hostile servers: spec/hostile_spec.lua.
local mailgun = require("mailgun")
local mailersend = require("mailersend")
local request = require("mailgun.engine.request")
local defaults = require("mailgun.engine.defaults")
local url = require("mailgun.engine.url")
local json = require("mailgun.engine.json")
local core = require("mailgun.core")

local API_KEY = "key-0123456789abcdef-secret"
local TOKEN = "mlsn.0123456789abcdef-token"
local SIGNING_KEY = "signing-0123456789abcdef"

-- answers: {status=, headers=, body=, word=, detail=, sent=, takes= (seconds
-- the attempt lasts on the clock)}; records every request it is given.
local function scripted(answers)
  local t = { sent = {}, slept = {}, clock = 1700000000 }
  function t:request(req)
    self.sent[#self.sent + 1] = { method = req.method, url = req.url, headers = req.headers,
                                  body = req.body, form = req.form, timeout = req.timeout,
                                  once = req.once }
    local a = assert(table.remove(answers, 1), "unexpected request " .. req.method .. " " .. req.url)
    self.clock = self.clock + (a.takes or 0)
    if a.word then return nil, a.word, a.detail, a.sent end
    return { status = a.status or 200, headers = a.headers or { ["content-type"] = "application/json" },
             body = a.body or "{}" }
  end
  function t:sleep(s)
    self.slept[#self.slept + 1] = s
    self.clock = self.clock + s
  end
  function t:now() return self.clock end
  return t
end

local function mg(answers, opts)
  local t = scripted(answers or {})
  local o = { api_key = API_KEY, domain = "example.test", transport = t, signing_key = SIGNING_KEY,
              backoff = { base = 0.01, max = 0.05 } }
  for k, v in pairs(opts or {}) do o[k] = v end
  return mailgun.new(o), t
end

local function ms(answers, opts)
  local t = scripted(answers or {})
  local o = { token = TOKEN, transport = t, backoff = { base = 0.01, max = 0.05 } }
  for k, v in pairs(opts or {}) do o[k] = v end
  return mailersend.new(o), t
end

-- the same minimal message suits both providers
local MSG = { from = "shop@example.test", to = "ann@example.com", subject = "Hi", text = "Hello" }

local function msg(extra)
  local m = {}
  for k, v in pairs(MSG) do m[k] = v end
  for k, v in pairs(extra or {}) do m[k] = v end
  return m
end
local ms_msg = msg

-- every string reachable from v (keys too)
local function strings_of(v, out, seen)
  out, seen = out or {}, seen or {}
  if type(v) == "string" then out[#out + 1] = v
  elseif type(v) == "table" and not seen[v] then
    seen[v] = true
    for k, x in pairs(v) do strings_of(k, out, seen); strings_of(x, out, seen) end
  end
  return out
end

local function assert_clean(v, secrets)
  for _, s in ipairs(strings_of(v)) do
    for _, secret in ipairs(secrets) do
      assert.falsy(s:find(secret, 1, true), "a secret in: " .. s)
    end
  end
end

describe("hardening: safe defaults", function()
  it("has a timeout per attempt, a deadline per call and a max_body by default", function()
    assert.equal(30, defaults.timeout)
    assert.equal(10, defaults.connect_timeout)
    assert.equal(120, defaults.deadline)
    assert.equal(32 * 1024 * 1024, defaults.max_body)
    assert.equal(64 * 1024, defaults.max_header_bytes)
    local c, t = mg({ {} })
    assert(c.domains:list())
    assert.equal(30, t.sent[1].timeout)
    local e = request.new({ transport = scripted({}) })
    assert.equal(30, e.timeout)
    assert.equal(120, e.deadline)
  end)

  it("gives the curl transport a total timeout, a connect timeout and a max_body", function()
    local seen
    local real = core.session
    core.session = function(o) seen = o; return real(o) end
    local ok, err = pcall(function()
      -- the session opens with the first request, or with open()
      require("mailgun.engine.transport.curl").new({}):open():close()
    end)
    core.session = real
    assert(ok, err)
    assert.equal(30000, seen.timeout)
    assert.equal(10000, seen.connect_timeout)
    assert.equal(32 * 1024 * 1024, seen.max_body)
  end)

  it("stops retrying at the call's deadline and shrinks the last attempt to fit", function()
    -- three 10 s timeouts of a read; deadline 25 s: the third gets 5 s, no fourth
    local c, t = mg({ { word = "timeout", takes = 10, sent = true }, { word = "timeout", takes = 10, sent = true },
                      { word = "timeout", takes = 5, sent = true } },
      { timeout = 10, deadline = 25, retries = 10 })
    local _, err = c.domains:list()
    assert.equal("timeout", err.kind)
    assert.equal(3, #t.sent)
    assert.equal(10, t.sent[1].timeout)
    assert.truthy(t.sent[3].timeout <= 5 and t.sent[3].timeout > 4.9, tostring(t.sent[3].timeout))
    assert.truthy(err.message:find("deadline", 1, true), err.message)
  end)

  it("takes deadline= per call too", function()
    local c, t = mg({ { status = 503, takes = 3 }, { status = 503, takes = 3 } }, { retries = 5 })
    local _, err = c.domains:list(nil, { deadline = 4 })
    assert.equal(503, err.status)
    assert.equal(2, #t.sent)
  end)

  it("waits at least a second for a negative Retry-After", function()
    local c, t = mg({ { status = 429, headers = { ["retry-after"] = "-30" } }, { body = '{"items":[]}' } })
    assert(c.domains:list())
    assert.equal(2, #t.sent)
    assert.equal(1, #t.slept)
    assert.truthy(t.slept[1] >= 1, tostring(t.slept[1]))
  end)

  it("does not wait for a Retry-After that ends past the deadline", function()
    local c, t = mg({ { status = 429, headers = { ["retry-after"] = "50" } } }, { deadline = 20,
      backoff = { max_wait = 600 } })
    local _, err = c.domains:list()
    assert.equal("rate_limited", err.kind)
    assert.equal(0, #t.slept)
    assert.equal(1, #t.sent)
  end)

  it("never retries a TLS failure, even of a read", function()
    local c, t = mg({ { word = "tls", detail = "certificate verify failed", sent = false } }, { retries = 3 })
    local _, err = c.domains:list()
    assert.equal("tls", err.reason)
    assert.equal(1, #t.sent)
  end)

  it("marks sends once (never re-sent below the engine) and reads as not", function()
    local c, t = mg({ { body = '{"id":"<1@x>","message":"Queued"}' }, { body = '{"items":[]}' } })
    assert(c.messages:send(msg()))
    assert(c.domains:list())
    assert.is_true(t.sent[1].once)
    assert.is_false(t.sent[2].once)
  end)

  it("retries a send whose transport says it never left, and not one that may have", function()
    local c, t = mg({ { word = "recv", sent = false }, { body = '{"id":"<1@x>"}' } })
    assert(c.messages:send(msg()))
    assert.equal(2, #t.sent)
    local c2, t2 = mg({ { word = "recv", sent = true } })
    local _, err = c2.messages:send(msg())
    assert.is_true(err.sent)
    assert.equal(1, #t2.sent)
  end)

  it("takes a 2xx send answer without JSON as uncertain, never as sent", function()
    local c = mg({ { status = 200, headers = { ["content-type"] = "text/html" }, body = "<html>ok</html>" } })
    local res, err = c.messages:send(msg())
    assert.is_nil(res)
    assert.is_true(err.uncertain) -- it may have been accepted: never counted as sent
    assert.equal(200, err.status)
    local c2 = mg({ { body = '{"id":"<1@x>","message":"Queued"}' } })
    assert.equal("<1@x>", assert(c2.messages:send(msg())).id)
  end)
end)

describe("hardening: path placeholders", function()
  it("refuses '.' and '..' so normalisation cannot turn them into another path", function()
    local c, t = mg({})
    assert.has_error(function() c.bounces:delete(".") end,
      "bad argument #1 to 'bounces:delete' (field 'address' must not be '.' or '..')")
    assert.has_error(function() c.webhooks:delete({ webhook_name = ".." }) end,
      "bad argument #1 to 'webhooks:delete' (field 'webhook_name' must not be '.' or '..')")
    assert.has_error(function() c.bounces:delete("") end,
      "bad argument #1 to 'bounces:delete' (field 'address' is required)")
    assert.equal(0, #t.sent)
  end)

  it("escapes the rest, so '/' or '%2e' inside a value stay one segment", function()
    assert.equal("/b/..%2F..%2Fx", url.expand("/b/{a}", { a = "../../x" }))
    assert.equal("/b/.a.", url.expand("/b/{a}", { a = ".a." }))
    assert.equal("/b/%252e", url.expand("/b/{a}", { a = "%2e" }))
    assert.same({ nil, "a", "dot" }, { url.expand("/b/{a}", { a = ".." }) })
  end)
end)

describe("hardening: fields that reach a header or a form field", function()
  local cases = {
    { "an h: list value with CR/LF", { ["h:X-Tag"] = { "a", "b\r\nBcc: x@evil.test" } } },
    { "an h: value with LF", { ["h:X-Tag"] = "a\nb" } },
    { "an h: table value", { ["h:X-Tag"] = { x = 1 } } },
    { "an o: value", { ["o:tag"] = "a\r\nb" } },
    { "an o: list value (tags)", { ["o:tag"] = { "ok", "a\nb" } } },
    { "a tag", { tags = { "ok", "bad\r\nX: y" } } },
    { "a t: value", { ["t:version"] = "v1\r\nX: y" } },
    { "a v: name", { ["v:a\r\nX"] = "1" } },
    { "a template", { template = "welcome\r\nBcc: x@evil.test", text = nil } },
    { "a header name with a space", { headers = { ["X Bad"] = "1" } } },
    { "a header name with non-ASCII bytes", { headers = { ["X-B\195\164d"] = "1" } } },
    { "a header name with a colon", { headers = { ["X-A:b"] = "1" } } },
    { "a header value with CR", { headers = { ["X-A"] = "a\rb" } } },
    { "a table header value", { headers = { ["X-A"] = { "a" } } } },
    { "a boolean header value", { headers = { ["X-A"] = true } } },
    { "a function as a v: value", { ["v:k"] = print } },
  }
  it("Mailgun raises on a table as an o: option (a wrong type), before sending", function()
    local c, t = mg({})
    assert.has_error(function() c.messages:send(msg({ tracking = { "yes" } })) end)
    assert.equal(0, #t.sent)
  end)
  for _, case in ipairs(cases) do
    it("Mailgun refuses " .. case[1] .. " before sending", function()
      local c, t = mg({})
      local _, err = c.messages:send(msg(case[2]))
      assert.equal("invalid", err and err.kind, case[1])
      assert.equal(0, #t.sent)
    end)
  end

  it("Mailgun raises for a table as an o: option (a wrong type)", function()
    local c, t = mg({})
    assert.has_error(function() c.messages:send(msg({ tracking = { "yes" } })) end)
    assert.equal(0, #t.sent)
  end)

  it("Mailgun still sends plain o:, t:, h: and v: values", function()
    local c, t = mg({ { body = '{"id":"<1@x>"}' } })
    assert(c.messages:send(msg({ ["o:tag"] = { "a", "b" }, ["h:X-A"] = "1", ["v:k"] = "v",
      headers = { ["X-Custom_1.!#"] = 42 }, tags = { "t1" } })))
    assert.equal(1, #t.sent)
  end)

  local ms_cases = {
    { "a template_id with CR/LF", { template_id = "abc\r\nX: y" } },
    { "a header value with LF", { headers = { ["X-A"] = "a\nb" } } },
    { "a header name outside the token", { headers = { { name = "X A", value = "1" } } } },
    { "a table header value", { headers = { { name = "X-A", value = { "x" } } } } },
    { "a tag with CR/LF", { tags = { "a\r\nb" } } },
  }
  for _, case in ipairs(ms_cases) do
    it("MailerSend refuses " .. case[1] .. " before sending", function()
      local c, t = ms({})
      local _, err = c.email:send(ms_msg(case[2]))
      assert.equal("invalid", err and err.kind, case[1])
      assert.equal(0, #t.sent)
    end)
  end
end)

describe("hardening: attachments must be regular files", function()
  local dir, fifo
  setup(function()
    dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p '" .. dir .. "'"))
    fifo = dir .. "/pipe"
    assert(os.execute("mkfifo '" .. fifo .. "'"))
  end)
  teardown(function() os.execute("rm -rf '" .. dir .. "'") end)

  it("core.file_kind tells files, directories, FIFOs and devices apart without opening", function()
    assert.equal("fifo", core.file_kind(fifo))
    assert.equal("directory", core.file_kind(dir))
    assert.equal("character", core.file_kind("/dev/null"))
    assert.equal("file", core.file_kind("Makefile"))
    local kind, err = core.file_kind(dir .. "/none")
    assert.is_nil(kind)
    assert.truthy(err:find("No such file", 1, true))
  end)

  for _, case in ipairs({ { "a FIFO", "pipe", "fifo" }, { "a directory", "", "directory" },
                          { "a device", "/dev/zero", "character device" } }) do
    local function path()
      return case[2]:sub(1, 1) == "/" and case[2] or (dir .. "/" .. case[2])
    end
    it("Mailgun refuses " .. case[1] .. " as an attachment before sending", function()
      local c, t = mg({})
      local _, err = c.messages:send(msg({ attachments = { { path = path() } } }))
      assert.equal("invalid", err.kind)
      assert.truthy(err.message:find(case[3], 1, true), err.message)
      assert.equal(0, #t.sent)
      -- any multipart endpoint, through the engine
      local _, err2 = c:request("POST", "/v3/example.test/templates", { file = { path = path() } },
        { encoding = "multipart" })
      assert.equal("invalid", err2.kind)
      assert.equal(0, #t.sent)
    end)
    it("MailerSend refuses " .. case[1] .. " as an attachment before sending", function()
      local c, t = ms({})
      local _, err = c.email:send(ms_msg({ attachments = { { path = path() } } }))
      assert.equal("invalid", err.kind)
      assert.truthy(err.message:find(case[3], 1, true), err.message)
      assert.equal(0, #t.sent)
    end)
  end
end)

describe("hardening: secrets in decoded error bodies", function()
  local auth = core.basic_auth("api", API_KEY):sub(7)
  local echo = json.encode({ message = "Invalid private key " .. API_KEY,
    request = { headers = { Authorization = "Basic " .. auth, list = { "Bearer " .. TOKEN } } },
    [API_KEY] = "as a key", signing = SIGNING_KEY })

  it("Mailgun: err.body, err.raw_body, message and tostring keep none", function()
    local c = mg({ { status = 401, body = echo } })
    local _, err = c.domains:list()
    assert.equal(401, err.status)
    assert.is_table(err.body)
    assert_clean(err, { API_KEY, auth, SIGNING_KEY })
    assert_clean(tostring(err), { API_KEY, auth })
    assert.equal("Basic [redacted]", err.body.request.headers.Authorization)
  end)

  it("MailerSend: the token is gone from the decoded body", function()
    local body = json.encode({ message = "Unauthenticated", echo = { "Bearer " .. TOKEN } })
    local c = ms({ { status = 401, body = body } })
    local _, err = c.domains:list()
    assert_clean(err, { TOKEN })
    assert.equal("Bearer [redacted]", err.body.echo[1])
  end)

  it("Mailgun batch and MailerSend bulk reports keep none", function()
    local c = mg({ { status = 401, body = echo } }, { retries = 0 })
    local batch = c:batch({ from = "shop@example.test", subject = "Hi", text = "Hello" })
    batch:add("ann@example.com")
    local report = assert(batch:send())
    assert.equal(1, report.failed)
    assert_clean(report, { API_KEY, auth, SIGNING_KEY })
    local body = json.encode({ message = "no", echo = { token = TOKEN } })
    local m = ms({ { status = 401, body = body } }, { retries = 0 })
    local bulk = assert(m.email:send_bulk({ ms_msg() }))
    assert.equal(1, bulk.failed)
    assert_clean(bulk, { TOKEN })
  end)
end)
