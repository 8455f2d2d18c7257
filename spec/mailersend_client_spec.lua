-- The MailerSend client on a scripted transport: construction, every
-- declared endpoint as a request, errors and limits, retries, pagination.
local support = require("mailersend_support")
local mailersend = require("mailersend")
local request = require("mailgun.engine.request")
local json = require("mailgun.engine.json")
local url = require("mailgun.engine.url")

describe("mailersend.new", function()
  it("builds a client with Bearer auth on the default base URL", function()
    local t = support.transport({ { body = { quota = 100, remaining = 99 } } })
    local client = mailersend.new({ token = "mlsn.abc", transport = t })
    local res = assert(client.api_quota:get())
    assert.equal(99, res.remaining)
    assert.equal("https://api.mailersend.com/v1/api-quota", t.sent[1].url)
    assert.equal("Bearer mlsn.abc", t.sent[1].headers.Authorization)
    assert.equal("application/json", t.sent[1].headers.Accept)
    assert.truthy(t.sent[1].headers["User-Agent"]:find("^mailersend%-lua/"))
  end)

  it("takes base_url (trailing slash or not) and user_agent", function()
    local client, t = support.client({ {} }, { base_url = "http://127.0.0.1:9/v1/", user_agent = "app/2" })
    assert(client.domains:get("d1"))
    assert.equal("http://127.0.0.1:9/v1/domains/d1", t.sent[1].url)
    assert.equal("app/2", t.sent[1].headers["User-Agent"])
  end)

  it("refuses a missing token, wrong types and unknown options", function()
    assert.has_error(function() mailersend.new() end,
      "bad argument #1 to 'mailersend.new' (table expected, got nil)")
    assert.has_error(function() mailersend.new({}) end,
      "bad argument 'opts.token' to 'mailersend.new' (the API token is required)")
    assert.has_error(function() mailersend.new({ token = "" }) end,
      "bad argument 'opts.token' to 'mailersend.new' (the API token is required)")
    assert.has_error(function() mailersend.new({ token = 42 }) end,
      "bad argument 'opts.token' to 'mailersend.new' (string expected, got number)")
    assert.has_error(function() mailersend.new({ token = "a\r\nX: y" }) end)
    assert.has_error(function() mailersend.new({ api_key = "x" }) end,
      "bad argument #1 to 'mailersend.new' (unknown option 'api_key' (the API token goes in 'token'))")
    assert.has_error(function() mailersend.new({ token = "x", timeout = "5" }) end,
      "bad argument 'opts.timeout' to 'mailersend.new' (number expected, got string)")
    assert.has_error(function() mailersend.new({ token = "x", base_url = "api.mailersend.com" }) end,
      "bad argument 'opts.base_url' to 'mailersend.new' (an http(s):// URL expected)")
  end)

  it("needs ':' on resource methods and names missing placeholders", function()
    local client = support.client({})
    assert.has_error(function() client.domains.get("x") end)
    assert.has_error(function() client.smtp_users:get({ domain_id = "d" }) end,
      "bad argument #1 to 'smtp_users:get' (field 'smtp_user_id' is required)")
  end)

  it("lists its endpoints like mailgun.endpoints()", function()
    local eps = mailersend.endpoints()
    assert.equal(128, #eps)
    local seen = {}
    for _, ep in ipairs(eps) do
      assert.is_string(ep.resource)
      assert.is_string(ep.name)
      seen[ep.method .. " " .. ep.path] = ep.resource .. ":" .. ep.name
    end
    assert.equal("email:send", seen["POST /email"])
    assert.equal("bulk:status", seen["GET /bulk-email/{bulk_email_id}"])
    assert.equal("dmarc:add_favorite", seen["PUT /dmarc-monitoring/{monitor_id}/favorite/{ip}"])
  end)
end)

describe("mailersend resources", function()
  -- hand-written send methods take friendly input: exercised in their own specs
  local FRIENDLY = { ["email:send"] = true, ["bulk:send"] = true, ["sms:send"] = true }

  it("turns every declared endpoint into its request", function()
    local client, t = support.client(function() return { body = { data = {} } } end)
    local count = 0
    for _, ep in ipairs(mailersend.endpoints()) do
      if not FRIENDLY[ep.resource .. ":" .. ep.name] then
        local params, values = {}, {}
        for _, n in ipairs(url.placeholders(ep.path)) do
          params[n] = n .. "-1"
          values[n] = n .. "-1"
        end
        if ep.method ~= "GET" and ep.method ~= "DELETE" then params.name = "x" end
        local resource = client[ep.resource]
        local res, err = resource[ep.name](resource, params)
        assert(res, tostring(err))
        local sent = t.sent[#t.sent]
        assert.equal(ep.method, sent.method)
        assert.equal("/v1" .. url.expand(ep.path, values), sent.path)
        if ep.method == "POST" or ep.method == "PUT" then
          assert.equal("application/json", sent.headers["Content-Type"])
          assert.same({ name = "x" }, sent.json)
        end
        count = count + 1
      end
    end
    assert.equal(125, count)
  end)

  it("accepts a plain string for the one placeholder", function()
    local client, t = support.client({ {}, {}, {} })
    assert(client.templates:get("tpl 1"))
    assert(client.identities:get_by_email("a+b@x.test"))
    assert(client.bulk:status("b-1"))
    assert.equal("/v1/templates/tpl%201", t.sent[1].path)
    assert.equal("/v1/identities/email/a+b@x.test", t.sent[2].path)
    assert.equal("/v1/bulk-email/b-1", t.sent[3].path)
  end)

  it("sends suppression deletes with a JSON body", function()
    local client, t = support.client({ {}, {}, {} })
    assert(client.blocklist:delete({ ids = { "id1", "id2" } }))
    assert(client.hard_bounces:delete({ all = true, domain_id = "d1" }))
    assert(client.on_hold:delete({ ids = { "h1" } }))
    assert.equal("DELETE", t.sent[1].method)
    assert.equal("/v1/suppressions/blocklist", t.sent[1].path)
    assert.same({ ids = { "id1", "id2" } }, t.sent[1].json)
    assert.same({ all = true, domain_id = "d1" }, t.sent[2].json)
    assert.equal("/v1/suppressions/on-hold-list", t.sent[3].path)
    assert.equal("application/json", t.sent[3].headers["Content-Type"])
  end)

  it("adds recipients and patterns to the blocklist as JSON", function()
    local client, t = support.client({ { status = 201, body = { data = { { id = "b1" } } } } })
    local res = assert(client.blocklist:create({ domain_id = "d1", recipients = { "a@x.test" },
                                                 patterns = { ".*@spam.test" } }))
    assert.equal(201, request.meta(res).status)
    assert.same({ domain_id = "d1", recipients = { "a@x.test" }, patterns = { ".*@spam.test" } },
      t.sent[1].json)
  end)

  it("puts GET parameters in the query, lists as name[]", function()
    local client, t = support.client({ {}, {} })
    assert(client.analytics:by_date({ date_from = 1, date_to = 2, event = { "sent", "opened" },
                                      tags = { "a" }, group_by = "days" }))
    local q = t.sent[1].query
    assert.same({ "sent", "opened" }, q["event[]"])
    assert.equal("a", q["tags[]"])
    assert.equal("days", q.group_by)
    assert.is_nil(t.sent[1].body)
    assert(client.activity:list({ domain_id = "d1", ["event[]"] = { "sent" } }))
    assert.equal("/v1/activity/d1", t.sent[2].path)
    assert.equal("sent", t.sent[2].query["event[]"])
  end)

  it("sends the DMARC favourite PUT with an empty JSON object", function()
    local client, t = support.client({ {} })
    assert(client.dmarc:add_favorite({ monitor_id = "m1", ip = "192.0.2.1" }))
    assert.equal("PUT", t.sent[1].method)
    assert.equal("/v1/dmarc-monitoring/m1/favorite/192.0.2.1", t.sent[1].path)
    assert.equal("{}", t.sent[1].body)
  end)

  it("passes through any path with client:request", function()
    local client, t = support.client({ { body = { data = { id = "x" } } } })
    local res = assert(client:request("GET", "/whatsapp/numbers", { page = 2 }))
    assert.equal("x", res.data.id)
    assert.equal(support.BASE .. "/whatsapp/numbers?page=2", t.sent[1].url)
  end)
end)

describe("mailersend errors and limits", function()
  local MS422 = {
    message = "The given data was invalid.",
    errors = {
      ["from.email"] = { "The from.email domain must be verified in your account to send emails. #MS42207" },
      ["to.0.email"] = { "The to.0.email must be a valid email address." },
    },
  }

  it("keeps the whole 422 errors map and the #MS code", function()
    local client, t = support.client({ { status = 422, body = MS422 } })
    local res, err = client.templates:create({ name = "x" })
    assert.is_nil(res)
    assert.equal("validation", err.kind)
    assert.equal(422, err.status)
    assert.equal("MS42207", err.code)
    assert.same(MS422.errors, err.errors)
    assert.equal("mailersend", err.provider)
    assert.equal("POST", err.method)
    assert.equal("/v1/templates", err.path)
    local text = tostring(err)
    assert.truthy(text:find("from.email: The from.email domain must be verified", 1, true))
    assert.truthy(text:find("to.0.email: ", 1, true))
    assert.equal(1, #t.sent)
  end)

  it("gives an empty 422 a useful message", function()
    local client = support.client({ { status = 422, body = "" } })
    local _, err = client.email:send({ from = "a@x.test", to = "b@y.test", subject = "s", text = "t" })
    assert.equal("validation", err.kind)
    assert.truthy(err.message:find("HTTP 422 unprocessable entity", 1, true))
    assert.truthy(err.message:find("unverified sending domain", 1, true))
  end)

  it("classifies auth, not found and server errors", function()
    local client = support.client({ { status = 401, body = { message = "Unauthenticated." } },
                                    { status = 404, body = { message = "Resource not found." } } })
    local _, e1 = client.domains:list()
    assert.equal("auth", e1.kind)
    local _, e2 = client.domains:get("nope")
    assert.equal("not_found", e2.kind)
    assert.equal("Resource not found.", e2.message)
  end)

  it("never shows the token", function()
    local client = support.client({ { status = 401,
      body = { message = "bad token mlsn.secret-token-1234" } } }, { retries = 0 })
    local _, err = client.domains:list()
    assert.falsy(tostring(err):find("secret-token", 1, true))
    assert.falsy(err.message:find("secret-token", 1, true))
  end)

  it("retries the per-minute 429 after Retry-After", function()
    local client, t = support.client({
      { status = 429, headers = { ["retry-after"] = "7", ["x-ratelimit-limit"] = "60",
                                  ["x-ratelimit-remaining"] = "0" },
        body = { message = "Your account reached its rate limit of 60 requests/min. #MS42903" } },
      { body = { data = {} }, headers = { ["x-ratelimit-limit"] = "60", ["x-ratelimit-remaining"] = "59",
                                          ["x-apiquota-remaining"] = "900",
                                          ["x-apiquota-reset"] = "2023-11-15T00:00:00Z" } },
    })
    local res = assert(client.domains:list())
    assert.same({ 7 }, t.slept)
    local l = mailersend.limits(res)
    assert.equal(60, l.limit)
    assert.equal(59, l.remaining)
    assert.equal(900, l.quota_remaining)
    assert.equal("2023-11-15T00:00:00Z", l.quota_reset)
    assert.same(l, client:limits(res))
  end)

  it("tells the per-minute limit when retries run out", function()
    local client = support.client({
      { status = 429, headers = { ["retry-after"] = "1" }, body = { message = "rate limit #MS42903" } },
    }, { retries = 0 })
    local _, err = client.domains:list()
    assert.equal("rate_limited", err.kind)
    assert.equal("minute", err.quota)
    assert.equal("MS42903", err.code)
    assert.equal(1, err.retry_after)
    assert.is_nil(err.retryable)
  end)

  it("does not retry the daily quota (#MS42901) and says when it resets", function()
    local reset = "2023-11-15T00:00:00Z" -- 6400 s after support.NOW (2023-11-14T22:13:20Z)
    local client, t = support.client({
      { status = 429, headers = { ["x-apiquota-remaining"] = "0", ["x-apiquota-reset"] = reset },
        body = { message = "You have reached your API daily quota limit. #MS42901" } },
    })
    local _, err = client.email:send({ from = "a@x.test", to = "b@y.test", subject = "s", text = "t" })
    assert.equal(1, #t.sent)
    assert.same({}, t.slept)
    assert.equal("rate_limited", err.kind)
    assert.equal("daily", err.quota)
    assert.is_false(err.retryable)
    assert.equal("MS42901", err.code)
    assert.equal(6400, err.retry_after)
    assert.truthy(err.message:find("daily API quota", 1, true))
    local l = mailersend.limits(err)
    assert.equal(0, l.quota_remaining)
    assert.equal(reset, l.quota_reset)
  end)

  it("takes X-ApiQuota-Remaining: 0 as the daily quota without a code", function()
    local client, t = support.client({
      { status = 429, headers = { ["x-apiquota-remaining"] = "0", ["retry-after"] = "1" }, body = "" },
    })
    local _, err = client.domains:list()
    assert.equal("daily", err.quota)
    assert.equal(1, #t.sent)
  end)

  it("never retries sends on 5xx, but retries reads", function()
    local client, t = support.client({ { status = 500 }, { status = 502 }, { status = 503 },
                                       { status = 503 }, { body = { data = {} } } })
    local _, e1 = client.email:send({ from = "a@x.test", to = "b@y.test", subject = "s", text = "t" })
    assert.equal(500, e1.status)
    local _, e2 = client.bulk:send({ { from = "a@x.test", to = "b@y.test", subject = "s", text = "t" } })
    assert.equal(502, e2.status)
    local _, e3 = client.sms:send({ from = "+10000000000", to = { "+10000000001" }, text = "hi" })
    assert.equal(503, e3.status)
    assert.equal(3, #t.sent)
    assert(client.domains:list())
    assert.equal(5, #t.sent)
  end)

  it("never retries a send after a failure that may have reached the server", function()
    local client, t = support.client({ { word = "recv", detail = "connection reset" } })
    local _, err = client.email:send({ from = "a@x.test", to = "b@y.test", subject = "s", text = "t" })
    assert.equal("network", err.kind)
    assert.equal(1, #t.sent)
  end)

  it("reads limits from a result without such headers as nils", function()
    local client = support.client({ {} })
    local l = mailersend.limits(assert(client.api_quota:get()))
    assert.same({}, l)
    assert.has_error(function() mailersend.limits(nil) end)
  end)
end)

describe("mailersend pagination", function()
  it("follows links.next with each, clamping limit to 10..100", function()
    local client, t = support.client({
      { body = support.page({ { id = "a" }, { id = "b" } }, 1, 3) },
      { body = support.page({ { id = "c" } }, 2, 3) },
      { body = support.page({ { id = "d" } }, 3, 3) },
    })
    local ids = {}
    for item, err in client.templates:each({ domain_id = "d1", limit = 500 }) do
      assert.is_nil(err)
      ids[#ids + 1] = item.id
    end
    assert.same({ "a", "b", "c", "d" }, ids)
    assert.equal(3, #t.sent)
    assert.equal("100", t.sent[1].query.limit)
    assert.equal("d1", t.sent[1].query.domain_id)
    assert.equal("2", t.sent[2].query.page)
    assert.equal("3", t.sent[3].query.page)
  end)

  it("raises a limit below 10 to 10 and stops when links.next is null", function()
    local client, t = support.client({
      { body = { data = { { id = 1 } }, links = { next = json.null }, meta = { current_page = 1 } } },
    })
    local n = 0
    for _ in client.recipients:each({ limit = 3 }) do n = n + 1 end
    assert.equal(1, n)
    assert.equal("10", t.sent[1].query.limit)
  end)

  it("gives pages with a cursor to resume from", function()
    local client, t = support.client({
      { body = support.page({ { id = 1 } }, 1, 2) },
      { body = support.page({ { id = 2 } }, 2, 2) },
    })
    local it = client.domains:pages({ limit = 10 })
    local p1 = it()
    assert.equal(1, p1.items[1].id)
    assert.equal("2", p1.cursor)
    local p2 = client.domains:pages({ limit = 10 }, { cursor = p1.cursor })()
    assert.equal(2, p2.items[1].id)
    assert.is_nil(p2.cursor)
    assert.equal("2", t.sent[2].query.page)
  end)

  it("pages the other paginated endpoints of a resource", function()
    local client, t = support.client({ { body = support.page({ { id = "r" } }, 1, 1) } })
    local items = {}
    for item in client.domains:each_recipients({ domain_id = "d1" }) do items[#items + 1] = item end
    assert.equal(1, #items)
    assert.equal("/v1/domains/d1/recipients", t.sent[1].path)
  end)

  it("yields false, err once on a failure", function()
    local client = support.client({ { status = 403, body = { message = "This action is unauthorized." } } })
    local it = client.webhooks:each({ domain_id = "d1" })
    local item, err = it()
    assert.is_false(item)
    assert.equal("auth", err.kind)
    assert.is_nil(it())
  end)
end)
