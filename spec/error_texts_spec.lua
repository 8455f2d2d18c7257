-- Error texts that used to cost users time (issue 13): each names the
-- mistake and points at the caller's line.
local mailgun = require("mailgun")
local mailersend = require("mailersend")
local unified = require("mailgun.unified")
local sandbox = require("support.sandbox")

describe("error texts", function()
  it("a missing domain names 'domain' and the line that called", function()
    local client = mailgun.new({ api_key = "key-x" })
    local ok, err = pcall(function() local res = client.bounces:list(); return res end)
    assert.is_false(ok)
    assert.matches("^spec/error_texts_spec.lua:%d+: bad argument #1 to 'bounces:list' %(field 'domain_name' "
      .. "%(or 'domain'%) is required: the client has no default domain", err)
  end)

  it("a dot instead of a colon is named", function()
    local client = mailgun.new({ api_key = "key-x", domain = "example.com" })
    assert.has_error(function()
      client.messages.send({ from = "a@example.com", to = "b@example.com", subject = "s", text = "t" })
    end, "calling 'messages:send' needs ':' (messages:send(...))")
  end)

  it("a 401 talks about the API key first", function()
    local client = mailgun.new({ api_key = "key-wrong", domain = sandbox.DOMAIN, base_url = sandbox.url() })
    local res, err = client.domains:list()
    assert.is_nil(res)
    assert.equals(401, err.status)
    assert.matches("check the API key", err.message)
    assert.not_matches("key%-wrong", tostring(err))
  end)

  it("a MailerSend base_url without its version raises", function()
    assert.has_error(function() mailersend.new({ token = "t", base_url = sandbox.url() }) end,
      "bad argument 'opts.base_url' to 'mailersend.new' (the API's base URL ends in its version,"
      .. " e.g. https://api.mailersend.com/v1)")
  end)

  it("unified send_batch calls progress for every call", function()
    local account = unified.connect({ provider = "mailgun", api_key = sandbox.MAILGUN_KEY,
      domain = sandbox.DOMAIN, base_url = sandbox.url() })
    local calls = 0
    local report = assert(account:send_batch({ from = "me@" .. sandbox.DOMAIN, subject = "s", text = "t" },
      { "a@example.com", "b@example.com", "c@example.com" }, { size = 2, progress = function() calls = calls + 1 end }))
    assert.is_true(report.ok)
    assert.equals(2, calls)
  end)
end)
