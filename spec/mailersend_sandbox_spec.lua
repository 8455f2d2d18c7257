-- The MailerSend client over real HTTP against the local sandbox
-- (bin/mailgun-sandbox): every endpoint reaches a route, sends and their
-- headers, 422 maps, faults (empty 422, 429 per minute and per day, 5xx on
-- a send), pagination, bulk in parallel, signed webhook deliveries.
local sandbox = require("support.sandbox")
local mailersend = require("mailersend")
local request = require("mailgun.engine.request")
local url = require("mailgun.engine.url")

local FROM = "news@" .. sandbox.DOMAIN

local function new_client(opts)
  opts = opts or {}
  opts.token = opts.token or sandbox.MAILERSEND_TOKEN
  opts.base_url = sandbox.url() .. "/v1"
  opts.timeout = opts.timeout or 10
  opts.backoff = opts.backoff or { base = 0.01, max = 0.05 }
  return mailersend.new(opts)
end

local function message(extra)
  local msg = { from = FROM, to = "ann@example.com", subject = "Hello", text = "Hi" }
  for k, v in pairs(extra or {}) do msg[k] = v end
  return msg
end

local function requests_to(path)
  return sandbox.requests({ path = path })
end

describe("mailersend against the sandbox", function()
  local client

  before_each(function()
    sandbox.reset()
    client = new_client()
  end)

  after_each(function()
    client:close()
  end)

  it("reaches a sandbox route with every declared endpoint", function()
    local reference = require("mailersend.resources._reference")
    local sends = { ["email:send"] = true, ["bulk:send"] = true, ["sms:send"] = true }
    local n = 0
    for _, ep in ipairs(mailersend.endpoints()) do
      if not sends[ep.resource .. ":" .. ep.name] then
        -- the reference's required fields, so the oracle lets it through
        local params = require("support.walk").params(ep, reference[ep.method .. " " .. ep.path])
        for _, p in ipairs(url.placeholders(ep.path)) do params[p] = "x1" end
        local r = client[ep.resource]
        local res, err = r[ep.name](r, params, { retries = 0 })
        local meta = res and request.meta(res) or err
        assert.is_table(meta.headers, ep.method .. " " .. ep.path .. ": " .. tostring(err))
        local route = meta.headers["x-sandbox-route"]
        assert.truthy(route == "stateful" or route == "generic",
          ep.method .. " " .. ep.path .. " reached no route (" .. tostring(route) .. ")")
        assert.is_not.equal(405, meta.status)
        n = n + 1
      end
    end
    assert.equal(125, n)
  end)

  it("sends an email with Bearer auth and a JSON body, returning the X-Message-Id", function()
    local res = assert(client.email:send(message({
      to = { "ann@example.com", { email = "bob@example.com", name = "Bob" } },
      attachments = { { data = "a,b\n1,2\n", filename = "totals.csv" } },
      tags = { "welcome" },
    })))
    assert.is_string(res.message_id)
    assert.is_true(#res.message_id > 0)
    assert.is_false(res.send_paused)
    local sent = requests_to("/v1/email")
    assert.equal(1, #sent)
    assert.equal("bearer", sent[1].auth) -- the sandbox accepted the token as Bearer
    assert.equal("mailersend", sent[1].provider)
    local limits = mailersend.limits(res)
    assert.is_number(limits.limit)
    assert.is_number(limits.remaining)
  end)

  it("keeps the 422 errors map and its #MS code", function()
    local _, err = client.email:send(message({ from = "someone@unverified.example" }))
    assert.equal("validation", err.kind)
    assert.equal(422, err.status)
    assert.equal("MS42207", err.code)
    assert.is_table(err.errors["from.email"])
    assert.truthy(tostring(err):find("from.email:", 1, true))
  end)

  it("refuses the new client with a wrong token", function()
    local other = new_client({ token = "mlsn.wrong" })
    local _, err = other.domains:list()
    other:close()
    assert.equal("auth", err.kind)
    assert.equal(401, err.status)
    assert.falsy(tostring(err):find("mlsn.wrong", 1, true))
  end)

  it("gives an empty 422 body a useful message", function()
    sandbox.fault({ method = "POST", path = "/v1/email", status = 422, body = "" })
    local _, err = client.email:send(message())
    assert.equal(422, err.status)
    assert.truthy(err.message:find("HTTP 422", 1, true))
    assert.truthy(err.message:find("no details", 1, true))
  end)

  it("waits out a per-minute 429 and then succeeds", function()
    sandbox.fault({ method = "GET", path = "/v1/domains", status = 429, retry_after = 1 })
    local res = assert(client.domains:list())
    assert.is_table(res.data)
    assert.equal(2, #requests_to("/v1/domains"))
  end)

  it("does not retry the daily quota", function()
    sandbox.fault({ method = "POST", path = "/v1/email", status = 429, retry_after = 1,
      body = '{"message":"You have reached your API daily quota limit. #MS42901"}' })
    local _, err = client.email:send(message())
    assert.equal("rate_limited", err.kind)
    assert.equal("daily", err.quota)
    assert.is_false(err.retryable)
    assert.equal(1, #requests_to("/v1/email"))
  end)

  it("never sends twice on a 5xx, but retries a read", function()
    sandbox.fault({ method = "POST", path = "/v1/email", status = 500 })
    local _, err = client.email:send(message())
    assert.equal(500, err.status)
    assert.equal(1, #requests_to("/v1/email"))
    sandbox.fault({ method = "GET", path = "/v1/api-quota", status = 503 })
    assert(client.api_quota:get())
    assert.equal(2, #requests_to("/v1/api-quota"))
  end)

  it("pages templates over links.next with the limit clamped to 10", function()
    for i = 1, 23 do
      assert(client.templates:create({ name = ("tpl %02d"):format(i), html = "<p>x</p>" }))
    end
    local names = {}
    for tpl, err in client.templates:each({ limit = 3 }) do
      assert.is_nil(err)
      names[#names + 1] = tpl.name
    end
    assert.equal(23, #names)
    local seen = {}
    for _, name in ipairs(names) do
      assert.is_nil(seen[name])
      seen[name] = true
    end
    local gets = {}
    for _, r in ipairs(requests_to("/v1/templates")) do
      if r.method == "GET" then gets[#gets + 1] = r end
    end
    assert.equal(3, #gets)
    assert.equal("10", gets[1].query.limit)
    assert.equal("3", gets[3].query.page)
  end)

  it("sends 1,100 messages in bulk, two calls at a time, and waits for each", function()
    local list = {}
    for i = 1, 1100 do
      list[i] = message({ to = ("reader%04d@example.com"):format(i), subject = "News " .. i })
    end
    local calls = 0
    local report = assert(client.email:send_bulk(list, { parallel = 2,
      progress = function() calls = calls + 1 end }))
    assert.is_true(report.ok, report.calls[1].error and tostring(report.calls[1].error))
    assert.equal(3, calls)
    assert.equal(3, #report.bulk_email_ids)
    assert.equal(1100, report.sent)
    assert.equal(3, #requests_to("/v1/bulk-email"))
    for _, id in ipairs(report.bulk_email_ids) do
      local status = assert(client.bulk:wait(id, { interval = 0.2, timeout = 20 }))
      assert.equal("completed", status.data.state)
    end
  end)

  it("sends an SMS and returns its X-SMS-Message-Id", function()
    local res, err = client.sms:send({ from = "+18332647501", to = { "+16203221059" }, text = "Hi" })
    assert(res, tostring(err))
    assert.is_string(res.message_id)
  end)

  it("verifies the signed deliveries of a webhook it created", function()
    local domains = assert(client.domains:list())
    local domain = domains.data[1]
    local created = assert(client.webhooks:create({
      domain_id = domain.id, name = "spec", url = sandbox.hook_url("ms-spec"), enabled = true,
      events = { "activity.sent", "activity.delivered" },
    }))
    local secret = created.data.secret or created.data.signing_secret
    assert.is_string(secret)
    assert(client.email:send(message()))
    local hooks = sandbox.wait(function()
      local got = sandbox.hooks({ name = "ms-spec" })
      return #got > 0 and got or nil
    end, 10)
    assert.is_table(hooks, "no webhook delivery arrived")
    local fresh = mailersend.webhooks.dedupe()
    for _, hook in ipairs(hooks) do
      local headers = hook.headers or {}
      local signature = headers.signature or headers.Signature
      assert.is_true(mailersend.webhooks.verify({ secret = secret, signature = signature, body = hook.body }))
      assert.is_false(mailersend.webhooks.verify({ secret = "wrong", signature = signature, body = hook.body }))
      assert.is_true(fresh(hook.body))
      assert.is_false(fresh(hook.body))
    end
  end)
end)
