-- Inside a real nginx (spec/support/openresty.lua, handlers in
-- spec/support/openresty_app.lua): content_by_lua handlers send through the
-- Mailgun and MailerSend clients on the OpenResty transport to the sandbox,
-- while the same single worker keeps serving other requests.
local sandbox = require("support.sandbox")
local openresty = require("support.openresty")
local core = require("mailgun.core")
local async = require("mailgun.engine.async")
local json = require("mailgun.engine.json")

local now = async.now

local SEND_PATH = "^/v3/" .. sandbox.DOMAIN:gsub("%.", "%%.") .. "/messages$"
local MAILERSEND_SECRET = "spec-mailersend-webhook-secret"

describe("openresty: the clients inside nginx", function()
  local server, attachment, attachment_data
  local http = core.session({ timeout = 30000 })

  local function get(path, headers)
    local res = assert(http:request({ method = "GET", url = server.url .. path, headers = headers }))
    res.json = json.decode(res.body)
    return res
  end

  setup(function()
    attachment = os.tmpname()
    local bytes = {}
    for i = 1, 300000 do bytes[i] = string.char((i * 7 + 3) % 256) end
    attachment_data = table.concat(bytes)
    local f = assert(io.open(attachment, "wb"))
    f:write(attachment_data)
    f:close()
    -- the worker runs as another user (nobody): it must be able to read it
    assert(openresty.execute("chmod 644 '" .. attachment .. "'"))
    server = openresty.start({ settings = {
      sandbox = sandbox.url(), mailgun_key = sandbox.MAILGUN_KEY, domain = sandbox.DOMAIN,
      mailersend_token = sandbox.MAILERSEND_TOKEN, signing_key = sandbox.SIGNING_KEY,
      mailersend_secret = MAILERSEND_SECRET, attachment = attachment,
    } })
  end)

  teardown(function()
    if server then server:stop() end
    os.remove(attachment)
    http:close()
  end)

  before_each(function() sandbox.reset() end)

  it("sends through the Mailgun client from a content handler", function()
    local res = get("/app/mailgun/send?to=first@example.com")
    assert.equal(200, res.status)
    assert.is_nil(res.json.error)
    assert.matches("^<.+>$", res.json.id)
    local copies = sandbox.messages({ to = "first@example.com" })
    assert.equal(1, #copies)
  end)

  it("sends through the MailerSend client from a content handler", function()
    local res = get("/app/mailersend/send?to=ms@example.com")
    assert.is_nil(res.json.error)
    assert.is_string(res.json.id)
    assert.equal(1, #sandbox.messages({ to = "ms@example.com", provider = "mailersend" }))
  end)

  it("keeps serving other requests while a handler waits on a slow sandbox answer", function()
    local function measure(path)
      sandbox.fault({ method = "POST", path = SEND_PATH, delay_ms = 1500, count = 1 })
      local multi = core.multi({ max_connections = 4, timeout = 20000 })
      local started = now()
      local send_id = multi:add({ method = "GET", url = server.url .. path })
      local finished = {}
      local function drive(ms)
        for _, c in ipairs(multi:poll(ms)) do finished[c.id] = { at = now(), c = c } end
      end
      -- the handler is now waiting on the sandbox
      while now() - started < 0.3 do drive(20) end
      local ping_started = now()
      local ping_id = multi:add({ method = "GET", url = server.url .. "/ping" })
      while not (finished[ping_id] and finished[send_id]) do drive(50) end
      multi:close()
      local send = finished[send_id].c.res
      assert.equal(200, send.status)
      assert.is_string(json.decode(send.body).id)
      assert.equal("pong\n", finished[ping_id].c.res.body)
      return (finished[ping_id].at - ping_started) * 1000, (finished[send_id].at - started) * 1000
    end

    local ping_ms, send_ms = measure("/app/mailgun/send?to=slow@example.com")
    -- the control: the libcurl transport in the same handler blocks the worker
    local blocked_ping_ms, blocked_send_ms = measure("/app/mailgun/send_blocking?to=slow2@example.com")
    print(("\n[nginx worker] cosocket transport: /ping answered in %.1f ms while the send took"
      .. " %.0f ms; libcurl transport (control): /ping waited %.0f ms, send %.0f ms")
      :format(ping_ms, send_ms, blocked_ping_ms, blocked_send_ms))
    assert.is_true(send_ms >= 1450, "the slow answer was not slow")
    assert.is_true(ping_ms < 200, ("the worker stalled: /ping took %.1f ms"):format(ping_ms))
    assert.is_true(blocked_ping_ms > 1000, "the control did not block: the measure proves nothing")
  end)

  it("streams a multipart body with a file attachment", function()
    local res = get("/app/mailgun/attach?to=files@example.com")
    assert.is_nil(res.json.error)
    assert.is_string(res.json.id)
    local found
    for _, r in ipairs(sandbox.requests({ method = "POST", provider = "mailgun" })) do
      if r.files and r.files[1] then found = r end
    end
    assert.is_table(found)
    local file = found.files[1]
    assert.equal("attachment", file.name)
    assert.equal("report.bin", file.filename)
    assert.equal(#attachment_data, file.size)
    assert.equal(core.sha256(attachment_data), file.sha256)
  end)

  it("retries after an injected 429 (Retry-After, ngx.sleep)", function()
    sandbox.fault({ method = "POST", path = SEND_PATH, status = 429, retry_after = 1, count = 1 })
    local res = get("/app/mailgun/send?to=retry@example.com")
    assert.is_nil(res.json.error)
    assert.is_string(res.json.id)
    assert.is_true(res.json.ms >= 950)
    local attempts = sandbox.requests({ method = "POST", provider = "mailgun" })
    assert.equal(2, #attempts)
    assert.equal(429, attempts[1].status)
    assert.equal(200, attempts[2].status)
  end)

  it("sends a batch with several calls in flight on light threads", function()
    local res = get("/app/mailgun/batch?n=12&size=3&parallel=3")
    assert.same({ sent = 12, failed = 0, calls = 4 }, { sent = res.json.sent, failed = res.json.failed,
      calls = res.json.calls })
  end)

  it("runs send_async on a light thread, and cancels it", function()
    local res = get("/app/mailgun/async?to=async@example.com")
    assert.is_string(res.json.id)
    sandbox.fault({ method = "POST", path = SEND_PATH, delay_ms = 500, count = 1 })
    res = get("/app/mailgun/async?to=cancel@example.com&cancel=1")
    assert.equal("cancelled", res.json.error.kind)
  end)

  it("verifies the signatures of Mailgun webhooks the sandbox posts to a handler", function()
    assert.is_true(get("/app/mailgun/webhook_setup").json.ok)
    assert.is_string(get("/app/mailgun/send?to=hooked@example.com").json.id)
    local seen = sandbox.wait(function()
      return get("/app/webhooks/seen").json["mg:hooked@example.com:delivered"]
    end, 10)
    assert.equal("verified", seen)
    -- a forged one is refused
    local forged = assert(http:request({ method = "POST", url = server.url .. "/app/webhook/mailgun",
      headers = { ["Content-Type"] = "application/json" },
      body = json.encode({ signature = { timestamp = tostring(os.time()), token = "x", signature = "00" },
        ["event-data"] = { event = "delivered", recipient = "forged@example.com" } }) }))
    assert.equal(406, forged.status)
  end)

  it("verifies MailerSend webhook signatures", function()
    local body = json.encode({ type = "activity.delivered", data = { id = "x1" } })
    local ok = assert(http:request({ method = "POST", url = server.url .. "/app/webhook/mailersend",
      headers = { Signature = core.hmac_sha256(MAILERSEND_SECRET, body) }, body = body }))
    assert.equal(200, ok.status)
    local bad = assert(http:request({ method = "POST", url = server.url .. "/app/webhook/mailersend",
      headers = { Signature = core.hmac_sha256("wrong", body) }, body = body }))
    assert.equal(406, bad.status)
  end)

  it("says plainly where cosockets are not available", function()
    local phases = get("/app/phases").json
    for _, phase in ipairs({ "init", "init_worker" }) do
      assert.equal("not_supported", phases[phase].kind)
      assert.equal("cosockets are not available in the " .. phase .. " phase; call from a"
        .. " content/access/rewrite handler or ngx.timer.at", phases[phase].message)
    end
    -- ngx.timer.at from init_worker: the same send works
    assert.is_string(phases.timer.id)
    local res = get("/header_filter")
    assert.equal("not_supported", res.headers["x-mail-kind"])
    assert.matches("not available in the header_filter phase", res.headers["x-mail-error"])
    res = get("/set")
    assert.matches("^cosockets are not available in the set phase", res.body)
    assert.is_nil(server:log():find("[error]", 1, true))
  end)

  describe("the OpenResty transport", function()
    local function try(query)
      local res = get("/app/transport?" .. query)
      assert.equal(200, res.status, res.body)
      return res.json.results, res.json
    end

    it("reads chunked bodies and keeps the connection for the next request", function()
      local out = try("path=/fixture/chunked&times=2")
      local want = {}
      for i = 1, 5 do want[i] = string.rep(tostring(i), 1000) end
      assert.equal(table.concat(want), out[1].body)
      assert.equal("chunked", out[1].headers["transfer-encoding"])
      -- connection_requests counts the requests on the connection: one after
      -- the other on the same (pooled) one
      out = try("path=/fixture/connection&times=3")
      local first = tonumber(out[1].body)
      assert.same({ first + 1, first + 2 }, { tonumber(out[2].body), tonumber(out[3].body) })
    end)

    it("lower-cases header names and lists repeated ones", function()
      local out = try("path=/fixture/headers")
      assert.same({ "a=1", "b=2" }, out[1].headers["set-cookie"])
      assert.equal("Value", out[1].headers["x-mixed-case"])
      assert.equal("ok\n", out[1].body)
    end)

    it("reads no body after HEAD, 204; refuses bodies over max_body", function()
      local out = try("path=/fixture/big&method=HEAD&times=2")
      assert.equal(200, out[2].status)
      assert.equal("", out[2].body)
      assert.equal("100000", out[2].headers["content-length"])
      out = try("path=/fixture/nocontent")
      assert.equal(204, out[1].status)
      assert.equal("", out[1].body)
      out = try("path=/fixture/big&max_body=1000")
      assert.equal("too_large", out[1].word)
      out = try("path=/fixture/big&max_body=200000")
      assert.equal(100000, #out[1].body)
    end)

    it("sends string bodies and streams C core forms with their length", function()
      local out = try("path=/fixture/echo&method=POST&body=hello")
      local echo = json.decode(out[1].body)
      assert.same({ "POST", 5, "hello" }, { echo.method, echo.length, echo.body })
      local all
      out, all = try("path=/fixture/echo&method=POST&form=1&times=2")
      for i = 1, 2 do
        echo = json.decode(out[i].body)
        assert.matches("^multipart/form%-data; boundary=", echo.content_type)
        assert.equal(all.form_sha256, echo.sha256) -- the bytes the form reads, sent whole
        assert.is_true(echo.length > 150000)
      end
    end)

    it("verifies certificates and sends SNI", function()
      local out = try("base=tls&path=/fixture/headers&times=2")
      assert.equal(200, out[1].status)
      assert.equal(200, out[2].status)
      out = try("base=untrusted&path=/fixture/headers")
      assert.equal("tls", out[1].word)
      assert.matches("certificate", out[1].detail)
      out = try("base=untrusted&path=/fixture/headers&verify=no")
      assert.equal(200, out[1].status)
    end)

    it("names failures with the C core's words", function()
      assert.equal("timeout", try("path=/fixture/slow&timeout=0.2")[1].word)
      assert.equal("connect", try("url=" .. sandbox.urlencode("http://127.0.0.1:1/x"))[1].word)
      local out = try("url=" .. sandbox.urlencode("http://no-such-host.invalid/x"))
      assert.equal("resolve", out[1].word)
      assert.matches("resolver", out[1].detail)
      assert.equal("url", try("url=" .. sandbox.urlencode("ftp://example.com/"))[1].word)
    end)
  end)
end)

describe("examples/openresty", function()
  local server
  local http = core.session({ timeout = 30000 })

  setup(function()
    server = openresty.start_example("examples/openresty/nginx.conf", {
      MAILGUN_API_KEY = sandbox.MAILGUN_KEY, MAILGUN_DOMAIN = sandbox.DOMAIN,
      MAILGUN_BASE_URL = sandbox.url(), MAILGUN_WEBHOOK_SIGNING_KEY = sandbox.SIGNING_KEY,
    })
  end)
  teardown(function()
    if server then server:stop() end
    http:close()
  end)
  before_each(function() sandbox.reset() end)

  local function post(path, body)
    local res = assert(http:request({ method = "POST", url = server.url .. path, body = body,
      headers = { ["Content-Type"] = "application/json" } }))
    res.json = json.decode(res.body)
    return res
  end

  it("sends from /send and, after answering, from /send_later", function()
    local res = post("/send", json.encode({ to = "ex1@example.com", subject = "Hi", text = "Hello" }))
    assert.equal(200, res.status, res.body)
    assert.matches("^<.+>$", res.json.id)
    res = post("/send_later", json.encode({ to = "ex2@example.com", subject = "Later", text = "..." }))
    assert.equal(202, res.status)
    assert.is_table(sandbox.wait(function() return sandbox.messages({ to = "ex2@example.com" })[1] end, 5))
    assert.equal(400, post("/send", "not json").status)
  end)

  it("accepts a signed webhook once", function()
    local ts, token = tostring(os.time()), "example-token-" .. tostring(os.time())
    local body = json.encode({ signature = { timestamp = ts, token = token,
      signature = core.hmac_sha256(sandbox.SIGNING_KEY, ts .. token) },
      ["event-data"] = { event = "delivered", recipient = "ex@example.com" } })
    assert.equal(200, post("/webhooks/mailgun", body).status)
    local again = post("/webhooks/mailgun", body)
    assert.equal(406, again.status)
    assert.matches("already seen", again.json.error)
  end)
end)
