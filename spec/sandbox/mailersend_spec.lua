local sandbox = require("support.sandbox")

local openssl_hmac = sandbox.openssl_hmac

local function ms(method, path, json, opts)
  opts = opts or {}
  opts.json = json
  return sandbox.mailersend(method, path, opts)
end

local function email(extra)
  local e = { from = { email = "news@sandbox.test", name = "News" },
    to = { { email = "ann@example.com", name = "Ann" } }, subject = "Hi {{name}}",
    text = "Hello {{ name }}", html = "<p>Hello {{name}}</p>" }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

local function domain_id()
  return ms("GET", "/domains").json.data[1].id
end

describe("sandbox: MailerSend", function()
  before_each(function() sandbox.reset() end)

  it("needs a Bearer token", function()
    local res = ms("POST", "/email", email(), { token = "wrong" })
    assert.equal(401, res.status)
    assert.equal("Unauthenticated.", res.json.message)
    res = sandbox.request({ method = "GET", path = "/v1/domains", auth = false })
    assert.equal(401, res.status)
  end)

  it("answers 202 with X-Message-Id and an empty body, personalized", function()
    local res = ms("POST", "/email", email({ personalization = {
      { email = "ann@example.com", data = { name = "Ann" } } } }))
    assert.equal(202, res.status)
    assert.equal("", res.body)
    local id = res.headers["x-message-id"]
    assert.truthy(id)
    local m = sandbox.messages({ provider = "mailersend" })
    assert.equal(1, #m)
    assert.equal(id, m[1].id)
    assert.equal("Hi Ann", m[1].subject)
    assert.equal("<p>Hello Ann</p>", m[1].html)
  end)

  it("validates like the real API (422 with field errors and #MS codes)", function()
    local res = ms("POST", "/email", { to = { { email = "bad" } } })
    assert.equal(422, res.status)
    assert.truthy(res.json.message)
    assert.matches("#MS42209", res.json.errors["from.email"][1])
    assert.truthy(res.json.errors["to.0.email"])
    assert.matches("#MS42211", res.json.errors.text[1])
    res = ms("POST", "/email", email({ from = { email = "x@unverified.test" } }))
    assert.matches("#MS42207", res.json.errors["from.email"][1])
    local many = {}
    for i = 1, 51 do many[i] = { email = "r" .. i .. "@example.com" } end
    assert.equal(422, ms("POST", "/email", email({ to = many })).status)
    assert.equal(422, ms("POST", "/email", email({ tags = { 1, 2, 3, 4, 5, 6 } })).status)
    assert.equal(422, ms("POST", "/email", email({ send_at = os.time() + 4 * 86400 })).status)
    res = ms("POST", "/email", email({ attachments = { { filename = "a.txt", content = "***" } } }))
    assert.matches("#MS42215", res.json.errors["attachments.0.content"][1])
    res = ms("POST", "/email", email({ attachments = { { filename = "a.txt",
      content = "aGVsbG8=" } } }))
    assert.equal(202, res.status)
    assert.equal(5, sandbox.messages()[1].attachments[1].size)
  end)

  it("warns about suppressed recipients", function()
    local dom = domain_id()
    assert.equal(201, ms("POST", "/suppressions/blocklist", { domain_id = dom,
      recipients = { "blocked@example.com" }, patterns = { "*@spam.test" } }).status)
    local res = ms("POST", "/email", email({ to = { { email = "blocked@example.com" },
      { email = "ok@example.com" } } }))
    assert.equal(202, res.status)
    assert.truthy(res.headers["x-message-id"])
    assert.equal("SOME_SUPPRESSED", res.json.warnings[1].type)
    assert.same({ "blocklisted" }, res.json.warnings[1].recipients[1].reasons)
    res = ms("POST", "/email", email({ to = { { email = "x@spam.test" } } }))
    assert.equal("ALL_SUPPRESSED", res.json.warnings[1].type)
    assert.equal(1, #sandbox.messages({ provider = "mailersend" }))
  end)

  it("schedules with send_at and cancels through message-schedules", function()
    local res = ms("POST", "/email", email({ send_at = os.time() + 3600 }))
    local id = res.headers["x-message-id"]
    assert.equal(0, #sandbox.messages())
    local list = ms("GET", "/message-schedules")
    assert.equal(id, list.json.data[1].message_id)
    assert.equal("scheduled", ms("GET", "/message-schedules/" .. id).json.data.status)
    assert.equal(204, ms("DELETE", "/message-schedules/" .. id).status)
    assert.equal("cancelled", sandbox.messages({ all = 1 })[1].status)
  end)

  it("sends bulk email and reports its status", function()
    local res = ms("POST", "/bulk-email", { email(), email({ to = { { email = "b@example.com" } } }),
      { to = {} } })
    assert.equal(202, res.status)
    local id = res.json.bulk_email_id
    local st = ms("GET", "/bulk-email/" .. id).json.data
    assert.equal("completed", st.state)
    assert.equal(2, #st.messages_id)
    assert.equal(1, st.validation_errors_count)
    assert.truthy(st.validation_errors["message.2"])
  end)

  it("lists activity and messages", function()
    ms("POST", "/email", email())
    local dom = domain_id()
    assert.equal(422, ms("GET", "/activity/" .. dom).status)
    local act = ms("GET", "/activity/" .. dom, nil, { query = { date_from = os.time() - 60,
      date_to = os.time() + 60 } })
    assert.equal(200, act.status)
    assert.equal(2, #act.json.data)
    local delivered = ms("GET", "/activity/" .. dom, nil, { query = { date_from = os.time() - 60,
      date_to = os.time() + 60, ["event[]"] = "delivered" } })
    assert.equal(1, #delivered.json.data)
    assert.equal("ann@example.com", delivered.json.data[1].email.recipient.email)
    local msgs = ms("GET", "/messages")
    assert.equal(1, #msgs.json.data)
    local one = ms("GET", "/messages/" .. msgs.json.data[1].id)
    assert.equal("ann@example.com", one.json.data.emails[1].recipient.email)
  end)

  it("fires webhooks with a Signature header (checked by openssl)", function()
    local dom = domain_id()
    local wh = ms("POST", "/webhooks", { url = sandbox.hook_url("ms"), name = "hook",
      events = { "activity.delivered", "activity.opened" }, domain_id = dom })
    assert.equal(201, wh.status)
    local secret = wh.json.data.secret
    assert.truthy(secret)
    local id = ms("POST", "/email", email()).headers["x-message-id"]
    sandbox.event({ provider = "mailersend", event = "opened", message_id = id })
    local hooks = sandbox.wait(function()
      local h = sandbox.hooks({ name = "ms" })
      return #h >= 2 and h
    end)
    assert.truthy(hooks)
    for _, h in ipairs(hooks) do
      assert.equal(openssl_hmac(secret, h.body), h.headers.signature)
    end
    assert.equal("activity.delivered", hooks[1].json.type)
    assert.equal("activity.opened", hooks[2].json.type)
    assert.equal(422, ms("GET", "/webhooks").status)
    assert.equal(1, #ms("GET", "/webhooks", nil, { query = { domain_id = dom } }).json.data)
    assert.equal(200, ms("PUT", "/webhooks/" .. wh.json.data.id, { enabled = false }).status)
    assert.equal(204, ms("DELETE", "/webhooks/" .. wh.json.data.id).status)
  end)

  it("keeps the five suppression lists", function()
    local dom = domain_id()
    for _, kind in ipairs({ "blocklist", "hard-bounces", "spam-complaints", "unsubscribes" }) do
      local res = ms("POST", "/suppressions/" .. kind, { domain_id = dom,
        recipients = { "s@example.com" } })
      assert.equal(201, res.status, kind)
      local list = ms("GET", "/suppressions/" .. kind)
      assert.equal(1, #list.json.data, kind)
      assert.equal(200, ms("DELETE", "/suppressions/" .. kind, { ids = { list.json.data[1].id } })
        .status)
      assert.equal(0, #ms("GET", "/suppressions/" .. kind).json.data)
    end
    assert.equal(200, ms("GET", "/suppressions/on-hold-list").status)
    local id = ms("POST", "/email", email()).headers["x-message-id"]
    sandbox.event({ provider = "mailersend", event = "hard_bounced", message_id = id })
    assert.equal(1, #ms("GET", "/suppressions/hard-bounces").json.data)
    local res = ms("POST", "/email", email())
    assert.same({ "hard_bounced" }, res.json.warnings[1].recipients[1].reasons)
  end)

  it("stores templates and sends with template_id", function()
    local t = ms("POST", "/templates", { name = "T", html = "<b>{{name}}</b>", subject = "S {{name}}" })
    assert.equal(201, t.status)
    local id = t.json.data.id
    assert.equal(1, #ms("GET", "/templates").json.data)
    local res = ms("POST", "/email", { from = { email = "news@sandbox.test" },
      to = { { email = "a@example.com" } }, template_id = id,
      personalization = { { email = "a@example.com", data = { name = "Zed" } } } })
    assert.equal(202, res.status)
    assert.equal("<b>Zed</b>", sandbox.messages()[1].html)
    assert.equal("S Zed", sandbox.messages()[1].subject)
    assert.equal(204, ms("DELETE", "/templates/" .. id).status)
    assert.equal(404, ms("GET", "/templates/" .. id).status)
  end)

  it("manages domains", function()
    local d = ms("POST", "/domains", { name = "ms.test" })
    assert.equal(201, d.status)
    local id = d.json.data.id
    assert.equal(2, #ms("GET", "/domains").json.data)
    assert.truthy(ms("GET", "/domains/" .. id .. "/dns-records").json.data.spf)
    assert.equal(422, ms("POST", "/email", email({ from = { email = "a@ms.test" } })).status)
    ms("GET", "/domains/" .. id .. "/verify")
    assert.equal(202, ms("POST", "/email", email({ from = { email = "a@ms.test" } })).status)
    local s = ms("PUT", "/domains/" .. id .. "/settings", { track_opens = false })
    assert.is_false(s.json.data.domain_settings.track_opens)
    assert.equal(204, ms("DELETE", "/domains/" .. id).status)
  end)

  it("pages 12 seeded users by 10 and rejects limits outside 10..100", function()
    local p1 = ms("GET", "/users", nil, { query = { limit = 10 } })
    assert.equal(10, #p1.json.data)
    assert.equal(12, p1.json.meta.total)
    assert.truthy(p1.json.links.next)
    local p2 = ms("GET", "/users", nil, { query = { limit = 10, page = 2 } })
    assert.equal(2, #p2.json.data)
    assert.equal(require("cjson").null, p2.json.links.next)
    local u = p1.json.data[1]
    for _, f in ipairs({ "id", "email", "name", "last_name", "2fa", "created_at", "updated_at",
      "role", "permissions", "domains", "templates" }) do
      assert.is_not_nil(u[f], f)
    end
    local roles = {}
    for _, x in ipairs(p1.json.data) do roles[x.role] = true end
    assert.same({ Admin = true, Manager = true, Designer = true, Accountant = true,
      ["Custom User"] = true }, roles)
    local bad = ms("GET", "/users", nil, { query = { limit = 5 } })
    assert.equal(422, bad.status)
    assert.truthy(bad.json.errors.limit)
    assert.equal(422, ms("GET", "/users", nil, { query = { limit = 101 } }).status)
    assert.equal(u.email, ms("GET", "/users/" .. u.id).json.data.email)
  end)

  it("invites users through POST /users", function()
    local inv = ms("POST", "/users", { email = "new@example.com", role = "Manager" })
    assert.equal(201, inv.status)
    assert.equal("Manager", inv.json.data.data.role)
    assert.equal(422, ms("POST", "/users", { email = "c@example.com", role = "Custom User" }).status)
    assert.equal(422, ms("POST", "/users", { email = "c@example.com", role = "Boss" }).status)
    local list = ms("GET", "/invites")
    assert.equal(1, #list.json.data)
    local id = list.json.data[1].id
    assert.equal(200, ms("POST", "/invites/" .. id .. "/resend").status)
    assert.equal(204, ms("DELETE", "/invites/" .. id).status)
  end)

  it("creates tokens that authenticate", function()
    local t = ms("POST", "/token", { name = "ci", domain_id = domain_id(), scopes = { "email_full" } })
    assert.equal(201, t.status)
    local secret = t.json.data.accessToken
    assert.equal(200, ms("GET", "/domains", nil, { token = secret }).status)
    ms("PUT", "/token/" .. t.json.data.id .. "/settings", { status = "pause" })
    assert.equal(401, ms("GET", "/domains", nil, { token = secret }).status)
  end)

  it("sends rate-limit headers and 429 with Retry-After past the limit", function()
    sandbox.config({ rate_limit = 3 })
    local last
    for i = 1, 4 do
      last = ms("GET", "/domains")
      if i < 4 then
        assert.equal(200, last.status)
        assert.equal("3", last.headers["x-ratelimit-limit"])
        assert.equal(tostring(3 - i), last.headers["x-ratelimit-remaining"])
      end
    end
    assert.equal(429, last.status)
    assert.truthy(tonumber(last.headers["retry-after"]))
    sandbox.reset()
    assert.equal(200, ms("GET", "/domains").status)
  end)
end)
