-- client.email:send and client.sms:send: the friendly message mapped onto
-- MailerSend's JSON body, the checks made before anything is sent, and
-- the fields of the result (message_id, send_paused, warnings).
local support = require("mailersend_support")
local email = require("mailersend.email")

local function base(extra)
  local msg = { from = "news@sandbox.test", to = "ann@example.test", subject = "Hello", text = "Hi" }
  for k, v in pairs(extra or {}) do msg[k] = v end
  return msg
end

local function tmpfile(content)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
  return path
end

describe("mailersend email mapping", function()
  it("maps a full message onto the JSON body", function()
    local path = tmpfile("%PDF-1.4 fake")
    local body = assert(email.to_body({
      from = 'Newsletter "Team" <news@sandbox.test>',
      to = { "ann@example.test", { email = "bob@example.test", name = "Bob" }, "Cy <cy@example.test>" },
      cc = "Dee <dee@example.test>",
      bcc = { { address = "audit@example.test" } },
      reply_to = { email = "help@sandbox.test", name = "Help" },
      subject = "November update",
      text = "Hello {{ name }}",
      html = "<p>Hello {{ name }}</p><img src=\"cid:logo\">",
      template_id = "tpl1",
      personalization = { ["ann@example.test"] = { name = "Ann" }, ["bob@example.test"] = { name = "Bob" } },
      attachments = { { path = path, filename = "report.pdf" }, { data = "a,b\n1,2\n", filename = "t.csv" } },
      inline = { { data = "PNG", filename = "logo.png", id = "logo" } },
      tags = { "news", "nov" },
      send_at = "2026-11-22T10:00:00Z",
      in_reply_to = "<prev@sandbox.test>",
      references = "<first@sandbox.test>",
      settings = { track_clicks = true, track_opens = false },
      headers = { ["X-Campaign"] = "nov", ["X-Id"] = 7 },
      precedence_bulk = true,
      list_unsubscribe = "<https://sandbox.test/u/1>",
    }))
    os.remove(path)
    assert.same({ email = "news@sandbox.test", name = 'Newsletter "Team"' }, body.from)
    assert.same({ { email = "ann@example.test" }, { email = "bob@example.test", name = "Bob" },
                  { email = "cy@example.test", name = "Cy" } }, body.to)
    assert.same({ { email = "dee@example.test", name = "Dee" } }, body.cc)
    assert.same({ { email = "audit@example.test" } }, body.bcc)
    assert.same({ email = "help@sandbox.test", name = "Help" }, body.reply_to)
    assert.equal("tpl1", body.template_id)
    assert.same({ { email = "ann@example.test", data = { name = "Ann" } },
                  { email = "bob@example.test", data = { name = "Bob" } } }, body.personalization)
    assert.same({ content = "JVBERi0xLjQgZmFrZQ==", filename = "report.pdf", disposition = "attachment" },
      body.attachments[1])
    assert.equal("YSxiCjEsMgo=", body.attachments[2].content)
    assert.same({ content = "UE5H", filename = "logo.png", disposition = "inline", id = "logo" },
      body.attachments[3])
    assert.same({ "news", "nov" }, body.tags)
    assert.equal(1795341600, body.send_at)
    assert.same({ "<first@sandbox.test>" }, body.references)
    assert.same({ { name = "X-Campaign", value = "nov" }, { name = "X-Id", value = "7" } }, body.headers)
    assert.is_true(body.precedence_bulk)
    assert.same({ track_clicks = true, track_opens = false }, body.settings)
    assert.equal("<https://sandbox.test/u/1>", body.list_unsubscribe)
  end)

  it("sends empty lists as [] and full ones as arrays", function()
    local json = require("mailgun.engine.json")
    local body = assert(email.to_body(base({ cc = {}, tags = {}, personalization = {}, headers = {} })))
    local text = assert(json.encode(body))
    for _, field in ipairs({ "cc", "tags", "personalization", "headers" }) do
      assert.truthy(text:find('"' .. field .. '":[]', 1, true), text)
    end
    assert.truthy(text:find('"to":[{', 1, true), text)
  end)

  it("takes personalization as a list, send_at as a number, headers as a list", function()
    local body = assert(email.to_body(base({
      personalization = { { email = "ann@example.test", data = { n = 1 } } },
      send_at = 1795341600.7,
      headers = { { name = "X-A", value = "1" } },
      attachments = { { content = "aGk=", filename = "hi.txt" } },
    })))
    assert.same({ { email = "ann@example.test", data = { n = 1 } } }, body.personalization)
    assert.equal(1795341600, body.send_at)
    assert.same({ { name = "X-A", value = "1" } }, body.headers)
    assert.equal("aGk=", body.attachments[1].content)
  end)

  it("lets a template stand in for from, subject and content", function()
    local body = assert(email.to_body({ to = "ann@example.test", template_id = "tpl1" }))
    assert.equal("tpl1", body.template_id)
    assert.is_nil(body.from)
  end)

  -- a field set to n addresses
  local function many(field, n)
    return function(msg)
      local list = {}
      for i = 1, n do list[i] = "r" .. i .. "@example.test" end
      msg[field] = list
    end
  end
  local function drop(field)
    return function(msg) msg[field] = nil end
  end

  -- name, changes (a table of fields or a function(msg)), err.field, text in err.message
  local INVALID = {
    { "no to", drop("to"), "to", "'to' is required" },
    { "empty to", { to = {} }, "to", "at least one" },
    { "51 to", many("to", 51), "to", "has 51 addresses; at most 50" },
    { "11 cc", many("cc", 11), "cc", "at most 10" },
    { "11 bcc", many("bcc", 11), "bcc", "at most 10" },
    { "6 tags", { tags = { "1", "2", "3", "4", "5", "6" } }, "tags", "at most 5" },
    { "long subject", { subject = ("s"):rep(999) }, "subject", "at most 998" },
    { "CR/LF in subject", { subject = "a\r\nBcc: x@y.z" }, "subject", "CR or LF" },
    { "big text", { text = ("x"):rep(2 * 1024 * 1024 + 1) }, "text", "at most 2 MB" },
    { "big html", { html = ("x"):rep(2 * 1024 * 1024 + 1) }, "html", "at most 2 MB" },
    { "big attachments", { attachments = { { data = ("x"):rep(13 * 1024 * 1024), filename = "a" },
                                           { data = ("x"):rep(13 * 1024 * 1024), filename = "b" } } },
      "attachments", "at most 26214400" },
    { "missing file", { attachments = { { path = "/nonexistent/report.pdf" } } }, "attachments",
      "cannot read attachment '/nonexistent/report.pdf'" },
    { "data without filename", { attachments = { { data = "x" } } }, "attachments", "needs a filename" },
    { "inline without id", { inline = { { data = "x", filename = "a.png" } } }, "inline", "needs an id" },
    { "CR/LF in a name", { to = { { email = "a@x.test", name = "A\nBcc: b@y.test" } } }, "to", "CR or LF" },
    { "comma in a name", { to = { { email = "a@x.test", name = "Doe, Ann" } } }, "to", "';' or ','" },
    { "bad address", { to = "not-an-address" }, "to", "invalid email address" },
    { "no from", drop("from"), "from", "'from' is required" },
    { "no subject", drop("subject"), "subject", "'subject' is required" },
    { "no content", drop("text"), "text", "one of 'text', 'html' or 'template_id'" },
    { "bad send_at", { send_at = "next tuesday" }, "send_at", "unreadable date" },
    { "bad header name", { headers = { ["X Bad"] = "v" } }, "headers", "letters, digits and '-'" },
    { "CR/LF in a header", { headers = { ["X-A"] = "v\r\nX-B: w" } }, "headers", "CR or LF" },
  }

  for _, case in ipairs(INVALID) do
    it("refuses " .. case[1] .. " before sending", function()
      local msg
      if type(case[2]) == "function" then
        msg = base()
        case[2](msg)
      else
        msg = base(case[2])
      end
      local client, t = support.client({})
      local res, err = client.email:send(msg)
      assert.is_nil(res)
      assert.equal("invalid", err.kind)
      assert.equal(case[3], err.field)
      assert.truthy(err.message:find(case[4], 1, true), err.message)
      assert.equal(0, #t.sent)
    end)
  end

  -- the one rule for mistakes (README "Mistakes"): a wrong type or an
  -- unknown field is a bug in the program, so it raises, nothing sent
  local RAISING = {
    { "an unknown field", { recipient_variables = {} },
      "bad argument #1 to 'email:send' (unknown message field 'recipient_variables')" },
    { "a typo", { attachment = {} },
      "bad argument #1 to 'email:send' (unknown message field 'attachment' (did you mean 'attachments'?))" },
    { "a bad precedence_bulk", { precedence_bulk = "yes" },
      "bad argument 'msg.precedence_bulk' to 'email:send' (boolean expected, got string)" },
    { "a subject not a string", { subject = 42 },
      "bad argument 'msg.subject' to 'email:send' (string expected, got number)" },
    { "text = false", { text = false }, "bad argument 'msg.text' to 'email:send' (string expected, got boolean)" },
    { "html = 1", { html = 1 }, "bad argument 'msg.html' to 'email:send' (string expected, got number)" },
  }
  for _, case in ipairs(RAISING) do
    it("raises on " .. case[1] .. ", nothing sent", function()
      local client, t = support.client({})
      assert.has_error(function() client.email:send(base(case[2])) end, case[3])
      assert.equal(0, #t.sent)
    end)
  end

  it("raises on a message that is not a table, as messages:send does", function()
    local client, t = support.client({})
    assert.has_error(function() client.email:send("x") end,
      "bad argument #1 to 'email:send' (a message must be a table, got string)")
    assert.has_error(function() client.email:send_bulk({ base(), "x" }) end,
      "bad argument #1 to 'email:send_bulk' (a message must be a table, got string)")
    assert.equal(0, #t.sent)
  end)

  it("raises on an unknown call option, with a did-you-mean", function()
    local client = support.client({})
    assert.has_error(function() client.email:send(base(), { timout = 5 }) end,
      "bad argument #2 to 'email:send' (unknown option 'timout' (did you mean 'timeout'?))")
    assert.has_error(function() client.domains:list({}, { retries = "3" }) end,
      "bad argument 'opts.retries' to 'domains:list' (number expected, got string)")
  end)

  it("names MailerSend in its validation errors", function()
    local client = support.client({})
    local _, err = client.email:send(base({ to = "not-an-address" }))
    assert.equal("mailersend", err.provider)
    assert.equal("mailersend: invalid: 'to' has an invalid email address 'not-an-address'", tostring(err))
  end)

  it("splits a comma-joined string of recipients, quotes kept together", function()
    local body = assert(email.to_body(base({ to = 'ann@example.test, "Bob" <bob@example.test>' })))
    assert.same({ { email = "ann@example.test" }, { email = "bob@example.test", name = "Bob" } }, body.to)
    -- one address whose quoted name holds a comma: MailerSend refuses the name
    local _, err = email.to_body(base({ to = '"Doe, Bob" <bob@example.test>' }))
    assert.truthy(err.message:find("'Doe, Bob'", 1, true), err.message)
  end)

  it("accepts exactly the limits", function()
    local to, cc = {}, {}
    for i = 1, 50 do to[i] = "r" .. i .. "@example.test" end
    for i = 1, 10 do cc[i] = "c" .. i .. "@example.test" end
    assert(email.to_body(base({ to = to, cc = cc, bcc = cc, tags = { "1", "2", "3", "4", "5" },
                                subject = ("s"):rep(998), text = ("x"):rep(2 * 1024 * 1024) })))
  end)
end)

describe("client.email:send", function()
  it("posts the JSON body and returns message_id and send_paused", function()
    local client, t = support.client({
      { status = 202, headers = { ["x-message-id"] = "5e42957d51f1d94a1070a733", ["content-type"] = "text/plain" },
        body = "" },
    })
    local res = assert(client.email:send(base({ tags = "welcome" })))
    assert.equal("5e42957d51f1d94a1070a733", res.message_id)
    assert.is_false(res.send_paused)
    assert.is_nil(res.warnings)
    assert.equal(202, res.status)
    assert.equal("POST", t.sent[1].method)
    assert.equal(support.BASE .. "/email", t.sent[1].url)
    assert.equal("application/json", t.sent[1].headers["Content-Type"])
    assert.same({ from = { email = "news@sandbox.test" }, to = { { email = "ann@example.test" } },
                  subject = "Hello", text = "Hi", tags = { "welcome" } }, t.sent[1].json)
  end)

  it("reports a paused domain and suppression warnings", function()
    local warnings = {
      { type = "SOME_SUPPRESSED", warning = "Some of the recipients have been suppressed.",
        recipients = { { email = "gone@example.test", reasons = { "hard_bounced" } } } },
    }
    local client = support.client({
      { status = 202, headers = { ["x-message-id"] = "m2", ["x-send-paused"] = "true" },
        body = { message = "There are some warnings for your request.", warnings = warnings } },
    })
    local res = assert(client.email:send(base({ to = { "ann@example.test", "gone@example.test" } })))
    assert.equal("m2", res.message_id)
    assert.is_true(res.send_paused)
    assert.same(warnings, res.warnings)
    assert.equal("SOME_SUPPRESSED", res.warnings[1].type)
  end)

  it("returns the 422 with its field errors", function()
    local client = support.client({ { status = 422, body = {
      message = "The from.email must be verified.",
      errors = { ["from.email"] = { "The from.email must be verified. #MS42207" } } } } })
    local _, err = client.email:send(base())
    assert.equal("MS42207", err.code)
    assert.same({ "The from.email must be verified. #MS42207" }, err.errors["from.email"])
  end)
end)

describe("client.sms:send", function()
  it("posts the SMS and returns the X-SMS-Message-Id", function()
    local client, t = support.client({ { status = 202, headers = { ["x-sms-message-id"] = "sms1" } } })
    local res = assert(client.sms:send({ from = "+18332647501", to = { "+16203221059" }, text = "Hi {{n}}",
                                         personalization = { { phone_number = "+16203221059",
                                                               data = { n = "Ann" } } } }))
    assert.equal("sms1", res.message_id)
    assert.equal("/v1/sms", t.sent[1].path)
    assert.same({ "+16203221059" }, t.sent[1].json.to)
  end)

  it("raises on a non-table argument", function()
    local client = support.client({})
    assert.has_error(function() client.sms:send("hi") end,
      "bad argument #1 to 'sms:send' (table expected, got string)")
  end)
end)
