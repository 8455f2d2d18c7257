local sandbox = require("support.sandbox")

local D = "/v3/sandbox.test"

local function send(form, opts)
  opts = opts or {}
  opts.form = form
  return sandbox.mailgun("POST", D .. "/messages", opts)
end

local function base_form(extra)
  local f = { from = "Sender <news@sandbox.test>", to = "ann@example.com", subject = "Hi",
    text = "Hello" }
  for k, v in pairs(extra or {}) do f[k] = v end
  return f
end

describe("sandbox: Mailgun sending", function()
  before_each(function() sandbox.reset() end)

  it("accepts a multipart send with the real answer", function()
    local res = send(base_form())
    assert.equal(200, res.status)
    assert.equal("Queued. Thank you.", res.json.message)
    assert.truthy(res.json.id:match("^<.+@sandbox%.test>$"))
    local m = sandbox.messages()
    assert.equal(1, #m)
    assert.equal("ann@example.com", m[1].to)
    assert.equal("Hello", m[1].text)
    assert.equal(res.json.id, m[1].id)
  end)

  it("accepts an urlencoded send", function()
    local res = sandbox.mailgun("POST", D .. "/messages", { urlencoded = {
      from = "news@sandbox.test", to = { "a@example.com", "b@example.com" }, subject = "S",
      html = "<p>x &amp; y</p>" } })
    assert.equal(200, res.status)
    local m = sandbox.messages()
    assert.equal(2, #m)
    assert.equal("<p>x &amp; y</p>", m[1].html)
  end)

  it("answers 401 Forbidden for a wrong key and for no key", function()
    local res = send(base_form(), { key = "key-wrong" })
    assert.equal(401, res.status)
    assert.equal("Forbidden", res.body)
    res = sandbox.request({ method = "GET", path = "/v4/domains", auth = false })
    assert.equal(401, res.status)
  end)

  it("answers 404 for an unknown domain", function()
    local res = sandbox.mailgun("POST", "/v3/nope.test/messages", { form = base_form() })
    assert.equal(404, res.status)
  end)

  it("checks from, to and the body", function()
    local f = base_form()
    f.from = nil
    assert.equal("from parameter is missing", send(f).json.message)
    f = base_form()
    f.to = nil
    assert.equal("to parameter is missing", send(f).json.message)
    f = base_form()
    f.text = nil
    local res = send(f)
    assert.equal(400, res.status)
    assert.matches("Need at least one of 'text', 'html' or 'template'", res.json.message)
    f = base_form({ to = "not-an-address" })
    assert.equal(400, send(f).status)
  end)

  it("limits recipients to 1000, tags to 10 and options to 16 KB", function()
    local to = {}
    for i = 1, 1001 do to[i] = "r" .. i .. "@example.com" end
    local res = send(base_form({ to = to }))
    assert.equal(400, res.status)
    assert.matches("Too many recipients", res.json.message)
    to[1001] = nil
    assert.equal(200, send(base_form({ to = to })).status)
    local tags = {}
    for i = 1, 11 do tags[i] = "t" .. i end
    assert.equal(400, send(base_form({ ["o:tag"] = tags })).status)
    assert.equal(400, send(base_form({ ["v:big"] = string.rep("x", 17000) })).status)
  end)

  it("personalizes each copy with recipient-variables", function()
    local res = send(base_form({
      to = { "Ann <ann@example.com>", "bob@example.com" },
      subject = "Hi %recipient.name%",
      text = "Code %recipient.code% for %recipient.name%",
      ["recipient-variables"] = '{"ann@example.com":{"name":"Ann","code":1},'
        .. '"bob@example.com":{"name":"Bob","code":2}}',
    }))
    assert.equal(200, res.status)
    local by = {}
    for _, m in ipairs(sandbox.messages()) do by[m.to] = m end
    assert.equal("Hi Ann", by["ann@example.com"].subject)
    assert.equal("Code 2 for Bob", by["bob@example.com"].text)
    assert.equal("Ann <ann@example.com>", by["ann@example.com"].to_header)
    assert.equal("bob@example.com", by["bob@example.com"].to_header)
  end)

  it("shows every to address to everyone without recipient-variables", function()
    send(base_form({ to = { "a@example.com", "b@example.com" } }))
    local m = sandbox.messages()
    assert.equal("a@example.com, b@example.com", m[1].to_header)
  end)

  it("marks o:testmode copies", function()
    send(base_form({ ["o:testmode"] = "yes" }))
    assert.is_true(sandbox.messages()[1].testmode)
  end)

  it("holds o:deliverytime messages and DELETE envelopes cancels them", function()
    local when = os.date("!%a, %d %b %Y %H:%M:%S +0000", os.time() + 3600)
    assert.equal(200, send(base_form({ ["o:deliverytime"] = when })).status)
    assert.equal(0, #sandbox.messages())
    local res = sandbox.mailgun("DELETE", D .. "/envelopes")
    assert.equal(200, res.status)
    local all = sandbox.messages({ all = 1 })
    assert.equal("cancelled", all[1].status)
  end)

  it("delivers o:deliverytime messages when the time comes", function()
    local when = os.date("!%a, %d %b %Y %H:%M:%S +0000", os.time() + 1)
    send(base_form({ ["o:deliverytime"] = when }))
    local m = sandbox.wait(function()
      local l = sandbox.messages()
      return #l > 0 and l
    end, 4)
    assert.truthy(m)
    assert.equal("ann@example.com", m[1].to)
  end)

  it("rejects an unreadable o:deliverytime", function()
    assert.equal(400, send(base_form({ ["o:deliverytime"] = "tomorrow" })).status)
  end)

  it("sends messages.mime with message as a file part only", function()
    local mime = "From: news@sandbox.test\r\nSubject: Raw\r\nTo: ann@example.com\r\n\r\nbody"
    local res = sandbox.mailgun("POST", D .. "/messages.mime", { form = {
      { "to", "ann@example.com" }, { "message", { data = mime, filename = "m.eml",
        content_type = "message/rfc822" } } } })
    assert.equal(200, res.status)
    assert.equal("Raw", sandbox.messages()[1].subject)
    res = sandbox.mailgun("POST", D .. "/messages.mime", { form = {
      to = "ann@example.com", message = mime } })
    assert.equal(400, res.status)
    assert.equal("'message' parameter is not a file", res.json.message)
  end)

  it("stores messages for retrieval and resend", function()
    send(base_form())
    local ev = sandbox.mailgun("GET", D .. "/events", { query = { event = "delivered" } })
    local storage = ev.json.items[1].storage
    assert.truthy(storage.url:find(sandbox.url(), 1, true))
    local path = storage.url:sub(#sandbox.url() + 1)
    local got = sandbox.mailgun("GET", path)
    assert.equal(200, got.status)
    assert.equal("Hello", got.json["body-plain"])
    local raw = sandbox.mailgun("GET", path, { headers = { Accept = "message/rfc2822" } })
    assert.matches("Subject: Hi", raw.json["body-mime"])
    local again = sandbox.mailgun("POST", path, { form = { to = "zed@example.com" } })
    assert.equal(200, again.status)
    assert.equal("zed@example.com", sandbox.messages({ to = "zed@example.com" })[1].to)
  end)

  it("renders a stored template with t:variables", function()
    local res = sandbox.mailgun("POST", D .. "/templates", { form = { name = "welcome",
      template = "<p>Hi {{name}}, {{ plan.level }}</p>" } })
    assert.equal(200, res.status)
    local f = base_form({ template = "welcome", ["t:variables"] = '{"name":"Ann","plan":{"level":"gold"}}' })
    f.text = nil
    assert.equal(200, send(f).status)
    assert.equal("<p>Hi Ann, gold</p>", sandbox.messages()[1].html)
    local g = base_form({ template = "missing" })
    assert.equal(404, send(g).status)
  end)

  it("fails suppressed recipients and honours the allowlist", function()
    sandbox.mailgun("POST", D .. "/bounces", { form = { address = "b@example.com" } })
    sandbox.mailgun("POST", D .. "/unsubscribes", { form = { address = "u@example.com", tag = "news" } })
    sandbox.mailgun("POST", D .. "/complaints", { json = { { address = "c@example.com" } } })
    send(base_form({ to = { "b@example.com", "u@example.com", "c@example.com", "ok@example.com" },
      ["o:tag"] = "news" }))
    local delivered = sandbox.messages()
    assert.equal(1, #delivered)
    assert.equal("ok@example.com", delivered[1].to)
    local failed = sandbox.mailgun("GET", D .. "/events", { query = { event = "failed" } })
    assert.equal(3, #failed.json.items)
    local reasons = {}
    for _, e in ipairs(failed.json.items) do reasons[e.reason] = true end
    assert.same({ ["suppress-bounce"] = true, ["suppress-unsubscribe"] = true,
      ["suppress-complaint"] = true }, reasons)
    sandbox.mailgun("POST", D .. "/whitelists", { form = { address = "b@example.com" } })
    send(base_form({ to = "b@example.com" }))
    assert.equal(2, #sandbox.messages())
  end)

  it("sends to a mailing list's subscribed members with their vars", function()
    sandbox.mailgun("POST", "/v3/lists", { form = { address = "club@sandbox.test" } })
    sandbox.mailgun("POST", "/v3/lists/club@sandbox.test/members.json", { form = {
      members = '[{"address":"a@example.com","vars":{"nick":"A"}},'
        .. '{"address":"b@example.com","subscribed":false},"c@example.com"]' } })
    send(base_form({ to = "club@sandbox.test", text = "Hi %recipient.nick%" }))
    local m = sandbox.messages()
    assert.equal(2, #m)
    assert.equal("Hi A", m[1].text)
  end)

  it("lets a domain sending key send for its domain only", function()
    sandbox.mailgun("POST", "/v4/domains", { form = { name = "other.test" } })
    local key = sandbox.mailgun("POST", "/v1/keys", { form = { kind = "domain", role = "sending",
      domain_name = "sandbox.test" } }).json.key.secret
    assert.equal(200, send(base_form(), { key = key }).status)
    local other = sandbox.mailgun("POST", "/v3/other.test/messages", { form = base_form(), key = key })
    assert.equal(401, other.status)
    assert.equal(401, sandbox.mailgun("GET", "/v4/domains", { key = key }).status)
  end)
end)
