-- The unified layer (mailgun.unified) on the sandbox: ONE table of cases,
-- run against both providers. What differs between them is data in
-- PROVIDERS (seeded users, roles, the features each lacks, how to set up a
-- template or a webhook); the cases themselves are the same.
local sandbox = require("support.sandbox")
local unified = require("mailgun.unified")
local cursor = require("mailgun.unified.cursor")
local core = require("mailgun.core")
local json = require("mailgun.engine.json")

local FIXTURES = "spec/fixtures/webhooks/"
local FIXTURE_KEY = "fixture-signing-key"
local MG_SIGNING_KEY = sandbox.SIGNING_KEY

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function sorted(list)
  local c = {}
  for i, v in ipairs(list) do c[i] = v end
  table.sort(c)
  return c
end

local function ids_of(users)
  local out = {}
  for i, u in ipairs(users) do out[i] = u.id end
  return out
end

-- Delivered copies per recipient, in one shape for both providers.
local function delivered()
  local out = {}
  for _, m in ipairs(sandbox.messages()) do
    local headers = {}
    if m.headers and m.headers[1] then
      for _, h in ipairs(m.headers) do headers[h.name] = h.value end
    else
      for k, v in pairs(m.headers or {}) do headers[k] = v end
    end
    local files = {}
    for _, a in ipairs(m.attachments or {}) do files[#files + 1] = a.filename end
    out[m.recipient] = { subject = m.subject, text = m.text, html = m.html, tags = m.tags or {},
                         headers = headers, files = sorted(files), status = m.status, id = m.id }
  end
  return out
end

-- Every page of a list call: all items, number of pages, each page size.
local function all_pages(list_fn, args)
  local items, pages, sizes, c = {}, 0, {}, nil
  repeat
    local a = {}
    for k, v in pairs(args) do a[k] = v end
    a.cursor = c
    local page, err = list_fn(a)
    assert(page, tostring(err))
    pages = pages + 1
    sizes[#sizes + 1] = #page.result
    for _, u in ipairs(page.result) do items[#items + 1] = u end
    c = page.next_cursor
    assert(pages < 50, "paging does not end")
  until not c
  return items, pages, sizes
end

-- Features one provider lacks, as message patches; each must work on the
-- provider that has it and fail with not_supported on the other.
-- partial: the field works there, only this use of it does not.
local FEATURES = {
  test_mode = { patch = { test_mode = true } },
  amp_html = { patch = { amp_html = "<!doctype html><html amp4email><body>Hi</body></html>" } },
  ["tracking.content"] = { patch = { tracking = { opens = true, content = true } } },
  recipient_variables = { partial = true, patch = { cc = "carol@example.com",
                          recipient_variables = { ["carol@example.com"] = { name = "Carol" } } } },
  send_at = { partial = true, patch = { send_at = os.time() + 5 * 86400 } },
}

local PROVIDERS = {
  mailgun = {
    connect = function()
      return unified.connect({ provider = "mailgun", api_key = "key-sandbox", domain = "sandbox.test",
                               base_url = sandbox.url(), retries = 0 })
    end,
    users = 5,
    roles = { "basic", "billing", "support", "developer", "admin" },
    role_alias = { "analyst", "basic" },
    me = true,
    writes = false,
    lacks = { ["tracking.content"] = true, recipient_variables = true },
    batch_max = 1000,
    list_path = "/v5/users",
    page_min = 1,
    template = function(account)
      local res = assert(account:request("POST", "/v3/sandbox.test/templates",
        { name = "plan-welcome", template = "<p>Your plan: {{plan}}</p>", description = "spec" },
        { encoding = "multipart" }))
      assert(res)
      return "plan-welcome"
    end,
    webhook = function(account, url)
      for _, id in ipairs({ "delivered", "clicked" }) do
        assert(account:request("POST", "/v3/domains/sandbox.test/webhooks", { id = id, url = url },
          { encoding = "multipart" }))
      end
      return MG_SIGNING_KEY
    end,
  },
  mailersend = {
    connect = function()
      return unified.connect({ provider = "mailersend", token = "mlsn.sandbox",
                               base_url = sandbox.url() .. "/v1", retries = 0 })
    end,
    users = 12,
    roles = { "admin", "manager", "designer", "accountant", "custom_user" },
    role_alias = { "Custom User", "custom_user" },
    me = false,
    writes = true,
    lacks = { test_mode = true, amp_html = true, send_at = true },
    batch_max = 500,
    list_path = "/users",
    page_min = 10,
    template = function(account)
      local res = assert(account:request("POST", "/templates",
        { name = "plan-welcome", subject = "Welcome", html = "<p>Your plan: {{ plan }}</p>",
          text = "Your plan: {{ plan }}" }))
      return res.data.id
    end,
    webhook = function(account, url)
      local domains = assert(account:request("GET", "/domains"))
      local res = assert(account:request("POST", "/webhooks", { name = "spec", url = url,
        domain_id = domains.data[1].id, enabled = true,
        events = { "activity.delivered", "activity.clicked" } }))
      return res.data.secret
    end,
  },
}

local OTHER = { mailgun = "mailersend", mailersend = "mailgun" }

-- What each fixture must become.
local FIXTURE_EVENTS = {
  mailgun_accepted = { "accepted" }, mailgun_delivered = { "delivered" },
  mailgun_failed_permanent = { "bounced", "permanent" }, mailgun_failed_temporary = { "bounced", "temporary" },
  mailgun_opened = { "opened" }, mailgun_clicked = { "clicked" },
  mailgun_unsubscribed = { "unsubscribed" }, mailgun_complained = { "complained" },
  mailersend_sent = { "sent" }, mailersend_delivered = { "delivered" },
  mailersend_soft_bounced = { "bounced", "temporary" }, mailersend_hard_bounced = { "bounced", "permanent" },
  mailersend_deferred = { "deferred" }, mailersend_opened = { "opened" },
  mailersend_opened_unique = { "opened" }, mailersend_clicked = { "clicked" },
  mailersend_unsubscribed = { "unsubscribed" }, mailersend_spam_complaint = { "complained" },
  mailersend_webhook_test = { "test" },
}

-- A fixture body and the parse arguments that verify it.
local function fixture_args(name)
  local body = read(FIXTURES .. name .. ".json")
  if name:find("^mailgun_") then
    return { provider = "mailgun", body = body, signing_key = FIXTURE_KEY, tolerance = false }
  end
  local key = name == "mailersend_webhook_test" and require("mailersend.webhooks").TEST_SECRET
    or FIXTURE_KEY
  return { provider = "mailersend", body = body, secret = FIXTURE_KEY,
           headers = { Signature = core.hmac_sha256(key, body) } }
end

local function assert_event_shape(e, provider)
  assert.equal(provider, e.provider)
  assert.is_string(e.type)
  assert.is_string(e.provider_type)
  assert.is_table(e.tags)
  assert.is_table(e.raw)
  if e.type ~= "test" then
    assert.is_string(e.recipient)
    assert.is_string(e.message_id)
    assert.is_number(e.timestamp)
    assert.is_string(e.id)
  end
  if e.type == "bounced" then assert.is_string(e.severity); assert.is_string(e.reason) end
  if e.type == "clicked" then assert.is_string(e.url) end
end

local function assert_user_shape(u, provider)
  assert.is_string(u.id)
  assert.is_string(u.name)
  assert.is_string(u.first_name)
  assert.equal(1, #u.emails)
  assert.truthy(u.emails[1].email:find("@", 1, true))
  assert.is_true(u.emails[1].is_primary)
  assert.truthy(({ active = true, inactive = true, invited = true })[u.status], u.status)
  assert.equal(1, #u.roles)
  assert.truthy(PROVIDERS[provider].roles[1] and u.roles[1].id and u.roles[1].name)
  assert.is_boolean(u.is_2fa_enabled)
  assert.is_table(u.remote_data)
end

local tmpfile = os.tmpname()

-- The cases: function(account, p, provider) ---------------------------------------

local CASES = {}
local function case(name, fn) CASES[#CASES + 1] = { name = name, fn = fn } end

case("send maps the whole message model and answers in one result shape", function(account, _, provider)
  local f = assert(io.open(tmpfile, "wb")); f:write("line 1\nline 2\n"); f:close()
  local res, err = account:send({
    from = { email = "news@sandbox.test", name = "News" },
    to = { { email = "ann@example.com", name = "Ann" }, "Bob <bob@example.com>" },
    cc = "carol@example.com", bcc = { "dave@example.com" },
    reply_to = "support@sandbox.test",
    subject = "Hello {{ name }}",
    text = "Hi {{ name }}, your code is {{ code }}.",
    html = '<p>Hi {{ name }}</p><img src="cid:logo">',
    tags = { "welcome", "spec" },
    headers = { ["X-Campaign"] = "c42" },
    attachments = { { path = tmpfile, filename = "report.txt" },
                    { data = "a,b\n1,2\n", filename = "totals.csv" } },
    inline = { { data = "\137PNG\r\n\26\n", filename = "logo.png", cid = "logo" } },
    recipient_variables = { ["ann@example.com"] = { name = "Ann", code = "A-1" },
                            ["bob@example.com"] = { name = "Bob", code = "B-2" } },
    tracking = { opens = true, clicks = false },
  })
  assert.is_nil(err)
  assert.equal(provider, res.provider)
  assert.is_string(res.id)
  assert.is_nil(res.id:find("[<>]"))
  assert.same({ "ann@example.com", "bob@example.com", "carol@example.com", "dave@example.com" }, res.accepted)
  assert.same({}, res.warnings)
  local got = delivered()
  assert.equal("Hello Ann", got["ann@example.com"].subject)
  assert.equal("Hi Bob, your code is B-2.", got["bob@example.com"].text)
  assert.same({ "spec", "welcome" }, sorted(got["ann@example.com"].tags))
  assert.equal("c42", got["ann@example.com"].headers["X-Campaign"])
  local files = table.concat(got["ann@example.com"].files, ",")
  assert.truthy(files:find("report.txt", 1, true) and files:find("totals.csv", 1, true), files)
  assert.equal(3, #got["ann@example.com"].files)
end)

case("a template id with shared variables reaches the provider's template", function(account, p)
  local id = p.template(account)
  local res, err = account:send({ from = "news@sandbox.test", to = "ann@example.com", subject = "Welcome",
                                  template = { id = id, variables = { plan = "Pro" } } })
  assert.is_nil(err)
  assert.is_string(res.id)
  assert.truthy((delivered()["ann@example.com"].html or ""):find("Your plan: Pro", 1, true))
end)

case("send_at an hour ahead schedules the message", function(account)
  local res, err = account:send({ from = "news@sandbox.test", to = "ann@example.com", subject = "Later",
                                  text = "x", send_at = os.time() + 3600 })
  assert.is_nil(err)
  assert.is_string(res.id)
end)

case("each feature works where the provider has it and is not_supported where it lacks it, unsent",
  function(account, p, provider)
    for feature, f in pairs(FEATURES) do
      local msg = { from = "news@sandbox.test", to = "ann@example.com", subject = "F", text = "x" }
      for k, v in pairs(f.patch) do msg[k] = v end
      local before = #sandbox.requests()
      local res, err = account:send(msg)
      if p.lacks[feature] then
        assert.is_nil(res, feature)
        assert.equal("not_supported", err.kind, feature)
        assert.equal(feature, err.feature)
        assert.truthy(err.message:find(feature, 1, true), err.message)
        assert.truthy(err.message:find(provider, 1, true), err.message)
        assert.equal(before, #sandbox.requests(), feature .. " reached the provider")
        assert.equal(f.partial or false, account:supports(feature))
      else
        assert.is_nil(err, feature .. ": " .. tostring(err))
        assert.is_string(res.id)
        assert.is_true(account:supports(feature))
      end
    end
  end)

-- the one rule for mistakes (README "Mistakes"): an unknown field or a wrong
-- type is a bug in the program, so it raises, nothing sent
case("an unknown message field is refused, nothing sent", function(account)
  assert.has_error(function()
    account:send({ from = "news@sandbox.test", to = "ann@example.com", subject = "x", text = "x",
                   priority = "high" })
  end, "bad argument #1 to 'send' (unknown message field 'priority')")
  assert.has_error(function()
    account:send({ from = "news@sandbox.test", to = "ann@example.com", subjet = "x", text = "x" })
  end, "bad argument #1 to 'send' (unknown message field 'subjet' (did you mean 'subject'?))")
  assert.has_error(function()
    account:send({ from = "news@sandbox.test", to = "ann@example.com", subject = "x", text = false })
  end, "bad argument 'msg.text' to 'send' (string expected, got boolean)")
  assert.has_error(function() account:send("x") end,
    "bad argument #1 to 'send' (a message must be a table, got string)")
  assert.has_error(function()
    account:send_batch({ from = "news@sandbox.test", subject = "x", text = "x" }, { "a@example.com" },
      { paralel = 2 })
  end, "bad argument #3 to 'send_batch' (unknown option 'paralel' (did you mean 'parallel'?))")
  assert.equal(0, #sandbox.requests())
end)

case("users, list and request raise on unknown options, with a did-you-mean", function(account)
  assert.has_error(function() account.users:list({ limt = 5 }) end,
    "bad argument #1 to 'users:list' (unknown option 'limt' (did you mean 'limit'?))")
  assert.has_error(function() account.users:each({ rol = "admin" }) end,
    "bad argument #1 to 'users:each' (unknown option 'rol' (did you mean 'role'?))")
  assert.has_error(function() account:list("/x", {}, { pagin = "url" }) end,
    "bad argument #3 to 'list' (unknown option 'pagin' (did you mean 'paging'?))")
  assert.has_error(function() account:request("GET", "/x", {}, { timout = 5 }) end,
    "bad argument #4 to 'request' (unknown option 'timout' (did you mean 'timeout'?))")
  if account.provider == "mailersend" then
    assert.has_error(function() account.users:invite({ email = "n@example.com", rol = "admin" }) end,
      "bad argument #1 to 'users:invite' (unknown option 'rol' (did you mean 'role'?))")
    assert.has_error(function() account.users:update("u1", { permissions = "all" }) end,
      "bad argument 'opts.permissions' to 'users:update' (table expected, got string)")
  end
  assert.equal(0, #sandbox.requests())
end)

case("a bad address is nil, err naming the provider, nothing sent", function(account, _, provider)
  local res, err = account:send({ from = "news@sandbox.test", to = "Ann <ann@example.com>\r\nBcc: x@y.z",
                                  subject = "x", text = "x" })
  assert.is_nil(res)
  assert.equal("invalid", err.kind)
  assert.equal(provider, err.provider)
  assert.truthy(tostring(err):find("^" .. provider .. ": invalid: 'to' contains CR or LF"), tostring(err))
  assert.equal(0, #sandbox.requests())
end)

case("send_batch personalizes each copy and reports calls in one shape", function(account, _, provider)
  local readers = {}
  for i = 1, 5 do
    readers[i] = { email = ("r%d@example.com"):format(i), name = "R" .. i, variables = { n = tostring(i) } }
  end
  readers[6] = "plain@example.com"
  local report, err = account:send_batch({ from = "news@sandbox.test", subject = "Issue {{ n }}",
                                           text = "Reader {{ n }}", tags = { "batch" } }, readers, { size = 2 })
  assert.is_nil(err)
  assert.equal(provider, report.provider)
  assert.is_true(report.ok)
  assert.equal(6, report.total)
  assert.equal(6, report.sent)
  assert.equal(0, report.failed)
  assert.equal(3, #report.calls)
  assert.same({ 1, 1, 2 }, { report.calls[1].index, report.calls[1].first, report.calls[1].count })
  for _, c in ipairs(report.calls) do assert.is_string(c.id) end
  local got = delivered()
  for i = 1, 5 do assert.equal("Issue " .. i, got[("r%d@example.com"):format(i)].subject) end
  assert.equal("Issue ", got["plain@example.com"].subject)
end)

case("send_batch refuses a call size over the provider's limit and recipients in the message",
  function(account, p)
    local msg = { from = "news@sandbox.test", subject = "x", text = "x" }
    local _, err = account:send_batch(msg, { "a@example.com" }, { size = p.batch_max + 1 })
    assert.equal("invalid", err.kind)
    _, err = account:send_batch({ from = "news@sandbox.test", to = "x@example.com", subject = "x", text = "x" },
      { "a@example.com" })
    assert.equal("invalid", err.kind)
    _, err = account:send_batch(msg, {})
    assert.equal("invalid", err.kind)
    assert.equal(0, #sandbox.requests())
  end)

case("users:list gives every seeded user in the unified shape", function(account, p, provider)
  local users, pages = all_pages(function(a) return account.users:list(a) end, {})
  assert.equal(p.users, #users)
  assert.equal(1, pages)
  for _, u in ipairs(users) do assert_user_shape(u, provider) end
end)

case("a limit below the provider's minimum pages through without losing a row", function(account, p)
  local full = all_pages(function(a) return account.users:list(a) end, {})
  for _, limit in ipairs({ 1, 3, 7 }) do
    local users, pages, sizes = all_pages(function(a) return account.users:list(a) end, { limit = limit })
    assert.same(ids_of(full), ids_of(users))
    assert.equal(math.ceil(p.users / limit), pages)
    for _, n in ipairs(sizes) do assert.truthy(n <= limit) end
  end
end)

case("the role filter keeps every matching user across pages", function(account, p)
  local full = all_pages(function(a) return account.users:list(a) end, {})
  local total = 0
  for _, role in ipairs(p.roles) do
    local want = {}
    for _, u in ipairs(full) do if u.roles[1].id == role then want[#want + 1] = u.id end end
    local users = all_pages(function(a) return account.users:list(a) end, { role = role, limit = 1 })
    assert.same(want, ids_of(users))
    total = total + #users
  end
  assert.equal(p.users, total)
  local _, err = account.users:list({ role = "astronaut" })
  assert.equal("invalid", err.kind)
end)

case("a cursor replayed with other filters, another provider or tampered is rejected", function(account, _, provider)
  local page = assert(account.users:list({ limit = 1 }))
  assert.is_string(page.next_cursor)
  assert.is_nil(page.next_cursor:find("[^%w_-]"))
  local before = #sandbox.requests()
  local _, err = account.users:list({ limit = 1, cursor = page.next_cursor, role = "admin" })
  assert.equal("invalid", err.kind)
  assert.truthy(err.message:find("filters", 1, true))
  local foreign = cursor.encode(OTHER[provider], "users", { skip = 1, page = 1 }, {})
  _, err = account.users:list({ cursor = foreign })
  assert.equal("invalid", err.kind)
  _, err = account.users:list({ cursor = "not-a-cursor" })
  assert.equal("invalid", err.kind)
  local old = cursor.b64url_encode(json.encode({ v = 0, p = provider, r = "users", pos = { skip = 1 }, f = {} }))
  _, err = account.users:list({ cursor = old })
  assert.equal("invalid", err.kind)
  assert.equal(before, #sandbox.requests())
  -- the same filters are fine, with another limit too
  assert.is_table(assert(account.users:list({ limit = 2, cursor = page.next_cursor })).result)
end)

case("users:get returns the listed user; an unknown id is not_found", function(account, _, provider)
  local first = assert(account.users:list({ limit = 1 })).result[1]
  local u = assert(account.users:get(first.id))
  assert_user_shape(u, provider)
  assert.equal(first.id, u.id)
  assert.same(first.emails, u.emails)
  assert.same(first.roles, u.roles)
  local _, err = account.users:get("no-such-user")
  assert.equal("not_found", err.kind)
end)

case("users:me where the provider has it, not_supported elsewhere", function(account, p, provider)
  local me, err = account.users:me()
  if p.me then
    assert_user_shape(me, provider)
  else
    assert.is_nil(me)
    assert.equal("not_supported", err.kind)
  end
end)

case("users:each walks every user", function(account, p)
  local n = 0
  for u in account.users:each({ limit = 2 }) do
    assert.is_string(u.id)
    n = n + 1
  end
  assert.equal(p.users, n)
end)

case("invite, update and delete where the provider allows writes, not_supported elsewhere",
  function(account, p)
    local before = #sandbox.requests()
    local invited, err = account.users:invite({ email = "newbie@example.com", role = "manager" })
    if not p.writes then
      assert.equal("not_supported", err.kind)
      local _, uerr = account.users:update("x", { role = "admin" })
      assert.equal("not_supported", uerr.kind)
      local _, derr = account.users:delete("x")
      assert.equal("not_supported", derr.kind)
      assert.equal(before, #sandbox.requests())
      return
    end
    assert.is_nil(err)
    assert.equal("invited", invited.status)
    assert.equal("newbie@example.com", invited.emails[1].email)
    assert.equal("manager", invited.roles[1].id)
    local _, cerr = account.users:invite({ email = "c@example.com", role = "custom_user" })
    assert.equal("invalid", cerr.kind) -- Custom User needs permissions
    local target = assert(account.users:list({ role = "manager", limit = 1 })).result[1]
    local updated = assert(account.users:update(target.id, { role = "designer" }))
    assert.equal("designer", updated.roles[1].id)
    assert.is_true(assert(account.users:delete(target.id)))
    local _, gerr = account.users:get(target.id)
    assert.equal("not_found", gerr.kind)
  end)

case("roles:list and roles:get give the provider's fixed roles", function(account, p)
  local list = account.roles:list()
  assert.is_nil(list.next_cursor)
  local ids = {}
  for i, r in ipairs(list.result) do
    ids[i] = r.id
    assert.is_string(r.name)
    assert.is_string(r.description)
  end
  assert.same(p.roles, ids)
  assert.equal(p.role_alias[2], assert(account.roles:get(p.role_alias[1])).id)
  local _, err = account.roles:get("astronaut")
  assert.equal("not_found", err.kind)
end)

case("pass-through: any endpoint, authenticated; list endpoints page as {result, next_cursor}",
  function(account, p)
    local raw = assert(account:request("GET", p.list_path))
    assert.is_table(raw.users or raw.data)
    local items, pages = all_pages(function(a) return account:list(p.list_path, a) end, { limit = 2 })
    assert.equal(p.users, #items)
    assert.truthy(pages >= 2)
    local page = assert(account:request("GET", p.list_path, { limit = 2 }, { paginate = true }))
    assert.equal(math.max(2, p.page_min), #page.result) -- provider-shaped pages: its minimum applies
    assert.is_table(page.remote_data)
    local _, err = account:list(p.list_path, { limit = 2, role = "admin", cursor = page.next_cursor })
    assert.equal("invalid", err.kind)
    _, err = account:list("/somewhere/else", { limit = 2, cursor = page.next_cursor })
    assert.equal("invalid", err.kind)
    _, err = account:request("GET", "/no/such/endpoint")
    assert.equal("not_found", err.kind)
  end)

case("webhook fixtures of the provider parse into the unified event shape", function(_, _, provider)
  local n = 0
  for name, want in pairs(FIXTURE_EVENTS) do
    if name:find("^" .. provider .. "_") then
      local events, err = unified.webhooks.parse(fixture_args(name))
      assert.is_nil(err, name .. ": " .. tostring(err))
      assert.equal(1, #events)
      local e = events[1]
      assert_event_shape(e, provider)
      assert.equal(want[1], e.type, name)
      assert.equal(want[2], e.severity, name)
      n = n + 1
    end
  end
  assert.truthy(n >= 8)
  local clicked = unified.webhooks.parse(fixture_args(provider .. "_clicked"))[1]
  assert.equal("https://example.com/pricing?utm_source=newsletter", clicked.url)
  assert.equal("ann@example.com", clicked.recipient)
  assert.same({ "newsletter", "2023-11" }, clicked.tags)
end)

case("webhooks with a bad signature, a tampered body or the wrong key are refused", function(_, _, provider)
  local args = fixture_args(provider .. "_delivered")
  local tampered = {}
  for k, v in pairs(args) do tampered[k] = v end
  if provider == "mailgun" then
    -- Mailgun signs timestamp .. token, not the event data
    tampered.body = args.body:gsub('"token": "b4', '"token": "c4')
  else
    tampered.body = args.body:gsub("ann@example.com", "eve@example.com")
  end
  local events, err = unified.webhooks.parse(tampered)
  assert.is_nil(events)
  assert.equal("auth", err.kind)
  local wrong = {}
  for k, v in pairs(args) do wrong[k] = v end
  wrong.secret, wrong.signing_key = "not-the-key", "not-the-key"
  _, err = unified.webhooks.parse(wrong)
  assert.equal("auth", err.kind)
  local other = {}
  for k, v in pairs(args) do other[k] = v end
  other.body = "{}"
  other.headers = { Signature = core.hmac_sha256(FIXTURE_KEY, "{}") }
  _, err = unified.webhooks.parse(other)
  assert.truthy(err.kind == "invalid" or err.kind == "auth")
  if provider == "mailgun" then
    local stale = {}
    for k, v in pairs(args) do stale[k] = v end
    stale.tolerance = 300
    _, err = unified.webhooks.parse(stale)
    assert.equal("auth", err.kind)
    assert.truthy(err.message:find("stale", 1, true))
    local guard = require("mailgun.webhooks").replay_guard()
    local once = {}
    for k, v in pairs(args) do once[k] = v end
    once.seen = guard
    assert.is_table(unified.webhooks.parse(once))
    _, err = unified.webhooks.parse(once)
    assert.equal("auth", err.kind)
  else
    local test = fixture_args("mailersend_webhook_test")
    test.body = args.body
    test.headers = { Signature = core.hmac_sha256(require("mailersend.webhooks").TEST_SECRET, args.body) }
    _, err = unified.webhooks.parse(test)
    assert.equal("auth", err.kind) -- the public test secret signs webhook.test only
  end
  assert.equal(provider, unified.webhooks.detect({ body = args.body, headers = args.headers }))
end)

case("webhooks the provider (sandbox) really sends parse into events of the sent message",
  function(account, p, provider)
    local key = p.webhook(account, sandbox.hook_url(provider))
    local sent = assert(account:send({ from = "news@sandbox.test", to = "ann@example.com",
                                       subject = "Hooks", html = '<a href="https://example.com/x">x</a>',
                                       tags = { "hooks" } }))
    sandbox.event({ provider = provider, event = "clicked", recipient = "ann@example.com",
                    url = "https://example.com/x" })
    local log = sandbox.wait(function()
      local items = sandbox.webhooks()
      for _, d in ipairs(items) do
        if d.status == nil or d.status == json.null then return nil end
      end
      return #items >= 2 and items or nil
    end)
    assert.is_table(log, "the sandbox delivered no webhooks")
    local types = {}
    for _, d in ipairs(log) do
      local events, err = unified.webhooks.parse({ provider = provider, body = d.body, headers = d.headers,
                                                   secret = key })
      assert.is_nil(err, tostring(err))
      local e = events[1]
      assert_event_shape(e, provider)
      assert.equal("ann@example.com", e.recipient)
      assert.equal(sent.id, e.message_id)
      types[e.type] = e
    end
    assert.truthy(types.delivered, "no delivered event")
    assert.truthy(types.clicked, "no clicked event")
    assert.equal("https://example.com/x", types.clicked.url)
  end)

case("bring_your_own_provider.lua runs unchanged on the provider chosen by configuration",
  function(_, _, provider)
    local base = sandbox.url()
    local cmd = ("env LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/lua5.4/?.so;;'"
      .. " EMAIL_PROVIDER=%s MAILGUN_BASE_URL='%s' MAILERSEND_BASE_URL='%s/v1'"
      .. " lua5.4 examples/bring_your_own_provider.lua 2>&1"):format(provider, base, base)
    local pipe = assert(io.popen(cmd))
    local out = pipe:read("*a")
    local ok = pipe:close()
    assert.is_true(ok == true or ok == 0, out)
    assert.truthy(out:find(provider .. ": welcome accepted for ann@example.com", 1, true), out)
    assert.truthy(out:find(provider .. ": newsletter 3/3 recipients", 1, true), out)
  end)

-- Both providers, the same cases ---------------------------------------------------

for _, provider in ipairs({ "mailgun", "mailersend" }) do
  describe("unified on " .. provider, function()
    local account
    before_each(function()
      sandbox.reset()
      account = PROVIDERS[provider].connect()
    end)
    after_each(function() account:close() end)
    for _, c in ipairs(CASES) do
      it(c.name, function() c.fn(account, PROVIDERS[provider], provider) end)
    end
  end)
end

-- An nginx serving examples/openresty/unified_webhook.lua (LuaJIT, the
-- LuaJIT build of the C core), with both providers' keys set.
local WEBHOOK_CONF = [[
load_module ${modules}/ndk_http_module.so;
load_module ${modules}/ngx_http_lua_module.so;
worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path tmp;
  lua_package_path "${root}/lua/?.lua;${root}/lua/?/init.lua;;";
  lua_package_cpath "${root}/build/luajit/?.so;;";
  server {
    listen 127.0.0.1:${port};
    location = /webhooks/email {
      set $mailgun_webhook_signing_key "${key}";
      set $mailersend_webhook_secret "${key}";
      content_by_lua_file ${root}/examples/openresty/unified_webhook.lua;
    }
  }
}
]]

local function start_webhook_nginx()
  local sh = require("support.openresty").execute
  local root = io.popen("pwd"):read("*l")
  local prefix = os.tmpname()
  os.remove(prefix)
  assert(sh("mkdir -p '" .. prefix .. "/conf' '" .. prefix .. "/logs' '" .. prefix .. "/tmp'"))
  for _ = 1, 20 do
    local port = math.random(20000, 60000)
    local conf = require("support.nginx_user")
      .. WEBHOOK_CONF:gsub("%${([%w_]+)}", { modules = os.getenv("NGINX_MODULES")
      or "/usr/lib/nginx/modules", root = root, port = tostring(port), key = FIXTURE_KEY })
    local f = assert(io.open(prefix .. "/conf/nginx.conf", "wb")); f:write(conf); f:close()
    if sh("env -u LD_PRELOAD nginx -p '" .. prefix .. "' -c conf/nginx.conf 2>/dev/null") then
      local pid
      for _ = 1, 100 do
        local pf = io.open(prefix .. "/logs/nginx.pid")
        pid = pf and tonumber(pf:read("*l"))
        if pf then pf:close() end
        if pid then break end
        core.sleep(0.02)
      end
      return { url = "http://127.0.0.1:" .. port .. "/webhooks/email", pid = assert(pid), stop = function()
        sh("kill -QUIT " .. pid .. " 2>/dev/null; sleep 0.2; rm -rf '" .. prefix .. "'")
      end }
    end
  end
  error("could not start nginx")
end

local function post(url, body, headers)
  local s = core.session({})
  local res = assert(s:request({ method = "POST", url = url, body = body, headers = headers }))
  s:close()
  return res.status, json.decode(res.body)
end

describe("unified (both providers at once)", function()
  before_each(function() sandbox.reset() end)

  it("connect refuses an unknown provider", function()
    assert.has_error(function() unified.connect({ provider = "postmark" }) end)
  end)

  it("connect raises on an unknown option of the provider, with a did-you-mean", function()
    assert.has_error(function() unified.connect({ provider = "mailgun", api_key = "k", timout = 5 }) end,
      "bad argument #1 to 'unified.connect' (unknown option 'timout' (did you mean 'timeout'?))")
    assert.has_error(function() unified.connect({ provider = "mailgun", token = "k" }) end,
      "bad argument #1 to 'unified.connect' (unknown option 'token' (the API key goes in 'api_key'))")
    assert.has_error(function() unified.connect({ provider = "mailersend", token = "t", domain = "x" }) end,
      "bad argument #1 to 'unified.connect' (unknown option 'domain')")
  end)

  it("a cursor encodes provider, position and filters as base64url JSON", function()
    local c = cursor.encode("mailersend", "users", { page = 2, off = 3, size = 10 }, { role = "admin" })
    local state = json.decode(cursor.b64url_decode(c))
    assert.same({ v = 1, p = "mailersend", r = "users", pos = { page = 2, off = 3, size = 10 },
                  f = { role = "admin" } }, state)
    assert.same({ page = 2, off = 3, size = 10 }, cursor.decode(c, "mailersend", "users", { role = "admin" }))
  end)

  it("one webhook endpoint tells the providers apart (detect)", function()
    for _, name in ipairs({ "mailgun_delivered", "mailersend_delivered" }) do
      local args = fixture_args(name)
      args.provider = nil
      args.secret, args.signing_key = { mailgun = FIXTURE_KEY, mailersend = FIXTURE_KEY }, nil
      local events = assert(unified.webhooks.parse(args))
      assert.equal(name:match("^(%a+)_"), events[1].provider)
    end
  end)

  it("the OpenResty endpoint accepts both providers' events and refuses bad signatures", function()
    local server = start_webhook_nginx()
    finally(server.stop)
    for _, name in ipairs({ "mailgun_clicked", "mailersend_clicked" }) do
      local args = fixture_args(name)
      local mailgun = name:find("^mailgun") ~= nil
      -- Mailgun's fixtures are signed at a fixed time: sign this one now
      local body = args.body
      if mailgun then
        local p = json.decode(body)
        p.signature.timestamp = tostring(os.time())
        p.signature.signature = core.hmac_sha256(FIXTURE_KEY, p.signature.timestamp .. p.signature.token)
        body = json.encode(p)
      end
      local headers = { ["Content-Type"] = "application/json" }
      for k, v in pairs(args.headers or {}) do headers[k] = v end
      local status, answer = post(server.url, body, headers)
      assert.equal(200, status, json.encode(answer))
      assert.equal(1, answer.received)
      local e = answer.events[1]
      assert.equal(name:match("^(%a+)_"), e.provider)
      assert.equal("clicked", e.type)
      assert.equal("https://example.com/pricing?utm_source=newsletter", e.url)
      -- the same delivery again: a replay (Mailgun token) or a duplicate (MailerSend id)
      status, answer = post(server.url, body, headers)
      if mailgun then assert.equal(401, status) else assert.is_true(answer.duplicate) end
      -- a wrong signature
      if mailgun then
        body = body:gsub('"signature":"%x+"', '"signature":"' .. ("0"):rep(64) .. '"')
      else
        headers.Signature = ("0"):rep(64)
      end
      status = post(server.url, body, headers)
      assert.equal(401, status)
    end
  end)

  it("user_directory_sync.lua prints both providers' users in the unified shape", function()
    local base = sandbox.url()
    local cmd = ("env LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/lua5.4/?.so;;'"
      .. " MAILGUN_BASE_URL='%s' MAILERSEND_BASE_URL='%s/v1' PAGE_SIZE=3"
      .. " lua5.4 examples/user_directory_sync.lua 2>&1"):format(base, base)
    local pipe = assert(io.popen(cmd))
    local out = pipe:read("*a")
    local ok = pipe:close()
    assert.is_true(ok == true or ok == 0, out)
    assert.truthy(out:find("mailgun: 5 users in 2 pages of at most 3", 1, true), out)
    assert.truthy(out:find("mailersend: 12 users in 4 pages of at most 3", 1, true), out)
  end)
end)

os.remove(tmpfile)
