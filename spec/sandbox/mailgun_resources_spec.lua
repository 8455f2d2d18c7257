local sandbox = require("support.sandbox")

local D = "/v3/sandbox.test"

local openssl_hmac = sandbox.openssl_hmac

local function send(to, extra)
  local form = { from = "news@sandbox.test", to = to or "ann@example.com", subject = "S",
    text = "T" }
  for k, v in pairs(extra or {}) do form[k] = v end
  return sandbox.mailgun("POST", D .. "/messages", { form = form })
end

local function path_of(url) return url:sub(#sandbox.url() + 1) end

describe("sandbox: Mailgun resources", function()
  before_each(function() sandbox.reset() end)

  describe("events", function()
    it("has accepted and delivered per recipient, newest first, with paging URLs", function()
      send({ "a@example.com", "b@example.com", "c@example.com" })
      local res = sandbox.mailgun("GET", D .. "/events", { query = { limit = 4 } })
      assert.equal(200, res.status)
      assert.equal(4, #res.json.items)
      assert.equal("delivered", res.json.items[1].event)
      local next_url = res.json.paging.next
      assert.truthy(next_url:find(sandbox.url() .. "/v3/sandbox.test/events/", 1, true))
      local page2 = sandbox.mailgun("GET", path_of(next_url))
      assert.equal(2, #page2.json.items)
      local page3 = sandbox.mailgun("GET", path_of(page2.json.paging.next))
      assert.equal(0, #page3.json.items)
    end)

    it("filters by event, recipient and OR expressions", function()
      send({ "a@example.com", "b@example.com" })
      local r = sandbox.mailgun("GET", D .. "/events", { query = { recipient = "b@example.com",
        event = "delivered" } })
      assert.equal(1, #r.json.items)
      r = sandbox.mailgun("GET", D .. "/events", { query = { event = "accepted OR delivered",
        ascending = "yes" } })
      assert.equal(4, #r.json.items)
      assert.equal("accepted", r.json.items[1].event)
      assert.equal(400, sandbox.mailgun("GET", D .. "/events", { query = { limit = 301 } }).status)
    end)

    it("paginates the logs API in the body", function()
      send({ "a@example.com", "b@example.com", "c@example.com" })
      local res = sandbox.mailgun("POST", "/v1/analytics/logs", { json = {
        events = { "delivered" }, pagination = { limit = 2 } } })
      assert.equal(200, res.status)
      assert.equal(2, #res.json.items)
      assert.equal(3, res.json.pagination.total)
      assert.truthy(res.json.items[1]["@timestamp"])
      local nxt = sandbox.mailgun("POST", "/v1/analytics/logs", { json = {
        events = { "delivered" }, pagination = { limit = 2, token = res.json.pagination.next } } })
      assert.equal(1, #nxt.json.items)
      assert.is_nil(nxt.json.pagination.next)
    end)

    it("adds opened/clicked/complained/unsubscribed on demand", function()
      local id = send("a@example.com").json.id
      sandbox.event({ event = "opened", message_id = id })
      sandbox.event({ event = "clicked", message_id = id, url = "https://x.test/" })
      sandbox.event({ event = "complained", message_id = id })
      local r = sandbox.mailgun("GET", D .. "/events", { query = { event = "clicked" } })
      assert.equal("https://x.test/", r.json.items[1].url)
      assert.equal(200, sandbox.mailgun("GET", D .. "/complaints/a@example.com").status)
      sandbox.event({ event = "unsubscribed", recipient = "a@example.com" })
      assert.equal(200, sandbox.mailgun("GET", D .. "/unsubscribes/a@example.com").status)
    end)
  end)

  describe("webhooks", function()
    it("posts domain webhooks signed with the signing key (checked by openssl)", function()
      local res = sandbox.mailgun("POST", "/v3/domains/sandbox.test/webhooks", { form = {
        id = "delivered", url = sandbox.hook_url("mg-delivered") } })
      assert.equal(200, res.status)
      send("a@example.com")
      local hooks = sandbox.wait(function()
        local h = sandbox.hooks({ name = "mg-delivered" })
        return #h > 0 and h
      end)
      assert.truthy(hooks)
      local payload = hooks[1].json
      local sig = payload.signature
      assert.equal("delivered", payload["event-data"].event)
      assert.equal(openssl_hmac(sandbox.SIGNING_KEY, sig.timestamp .. sig.token), sig.signature)
      assert.equal(50, #sig.token)
    end)

    it("manages v3, v4 and account webhooks", function()
      local u1, u2 = sandbox.hook_url("a"), sandbox.hook_url("b")
      sandbox.mailgun("POST", "/v3/domains/sandbox.test/webhooks", { form = { id = "opened", url = u1 } })
      assert.equal(400, sandbox.mailgun("POST", "/v3/domains/sandbox.test/webhooks", {
        form = { id = "opened", url = u1 } }).status)
      local got = sandbox.mailgun("GET", "/v3/domains/sandbox.test/webhooks/opened")
      assert.same({ u1 }, got.json.webhook.urls)
      sandbox.mailgun("PUT", "/v3/domains/sandbox.test/webhooks/opened", { form = { url = u2 } })
      assert.same({ u2 }, sandbox.mailgun("GET", "/v3/domains/sandbox.test/webhooks").json
        .webhooks.opened.urls)
      local v4 = sandbox.mailgun("POST", "/v4/domains/sandbox.test/webhooks", { urlencoded = {
        url = u1, event_types = { "clicked", "delivered" } } })
      assert.equal(200, v4.status)
      assert.same({ u1 }, v4.json.webhooks.clicked.urls)
      sandbox.mailgun("DELETE", "/v4/domains/sandbox.test/webhooks", { query = { url = u1 } })
      assert.equal(404, sandbox.mailgun("GET", "/v3/domains/sandbox.test/webhooks/clicked").status)
      assert.equal(200, sandbox.mailgun("DELETE", "/v3/domains/sandbox.test/webhooks/opened").status)
      local acc = sandbox.mailgun("POST", "/v1/webhooks", { form = { url = sandbox.hook_url("acc"),
        event_types = "accepted" } })
      local wid = acc.json.webhook_id
      assert.truthy(wid)
      send("z@example.com")
      assert.truthy(sandbox.wait(function() return #sandbox.hooks({ name = "acc" }) > 0 end))
      assert.equal(1, #sandbox.mailgun("GET", "/v1/webhooks").json.webhooks)
      assert.equal(204, sandbox.mailgun("DELETE", "/v1/webhooks/" .. wid).status)
      assert.truthy(sandbox.mailgun("GET", "/v5/accounts/http_signing_key").json.http_signing_key)
    end)
  end)

  describe("domains", function()
    it("creates, lists, gets, updates, verifies and deletes", function()
      local res = sandbox.mailgun("POST", "/v4/domains", { form = { name = "new.test",
        spam_action = "tag" } })
      assert.equal(200, res.status)
      assert.equal("unverified", res.json.domain.state)
      assert.equal(400, sandbox.mailgun("POST", "/v4/domains", { form = { name = "new.test" } }).status)
      local list = sandbox.mailgun("GET", "/v4/domains", { query = { limit = 1, skip = 1 } })
      assert.equal(2, list.json.total_count)
      assert.equal(1, #list.json.items)
      assert.truthy(sandbox.mailgun("GET", "/v4/domains/new.test").json.sending_dns_records[1])
      sandbox.mailgun("PUT", "/v4/domains/new.test", { form = { spam_action = "block" } })
      assert.equal("active", sandbox.mailgun("PUT", "/v4/domains/new.test/verify").json.domain.state)
      assert.equal(200, sandbox.mailgun("DELETE", "/v3/domains/new.test").status)
      assert.equal(404, sandbox.mailgun("GET", "/v4/domains/new.test").status)
    end)
  end)

  describe("suppressions", function()
    it("lists with pivot paging, gets, deletes, and imports CSV", function()
      for _, a in ipairs({ "a@x.test", "b@x.test", "c@x.test" }) do
        sandbox.mailgun("POST", D .. "/bounces", { form = { address = a, code = "550" } })
      end
      local p1 = sandbox.mailgun("GET", D .. "/bounces", { query = { limit = 2 } })
      assert.equal(2, #p1.json.items)
      local p2 = sandbox.mailgun("GET", path_of(p1.json.paging.next))
      assert.equal("c@x.test", p2.json.items[1].address)
      assert.equal("550", sandbox.mailgun("GET", D .. "/bounces/b@x.test").json.code)
      sandbox.mailgun("DELETE", D .. "/bounces/b@x.test")
      assert.equal(404, sandbox.mailgun("GET", D .. "/bounces/b@x.test").status)
      local csv = "address,tags\nu1@x.test,news\nu2@x.test,*\n"
      assert.equal(202, sandbox.mailgun("POST", D .. "/unsubscribes/import", { form = {
        { "file", { data = csv, filename = "u.csv", content_type = "text/csv" } } } }).status)
      assert.equal(2, #sandbox.mailgun("GET", D .. "/unsubscribes").json.items)
      sandbox.mailgun("DELETE", D .. "/unsubscribes")
      assert.equal(0, #sandbox.mailgun("GET", D .. "/unsubscribes").json.items)
    end)
  end)

  describe("routes", function()
    it("creates, lists, matches, updates and deletes", function()
      local r = sandbox.mailgun("POST", "/v3/routes", { urlencoded = { priority = 1,
        expression = 'match_recipient(".*@sandbox.test")', action = { 'forward("x@y.test")',
          "stop()" } } })
      assert.equal(200, r.status)
      local id = r.json.route.id
      assert.same({ 'forward("x@y.test")', "stop()" }, r.json.route.actions)
      assert.equal(1, sandbox.mailgun("GET", "/v3/routes").json.total_count)
      assert.equal(id, sandbox.mailgun("GET", "/v3/routes/match", { query = {
        address = "a@sandbox.test" } }).json.route.id)
      sandbox.mailgun("PUT", "/v3/routes/" .. id, { urlencoded = { description = "d" } })
      assert.equal("d", sandbox.mailgun("GET", "/v3/routes/" .. id).json.route.description)
      assert.equal(200, sandbox.mailgun("DELETE", "/v3/routes/" .. id).status)
    end)
  end)

  describe("mailing lists", function()
    it("manages lists and members, with bulk adds and upsert", function()
      assert.equal(200, sandbox.mailgun("POST", "/v3/lists", { form = {
        address = "dev@sandbox.test", name = "Dev" } }).status)
      local L = "/v3/lists/dev@sandbox.test"
      assert.equal(200, sandbox.mailgun("POST", L .. "/members", { form = {
        address = "a@x.test", vars = '{"k":1}' } }).status)
      assert.equal(400, sandbox.mailgun("POST", L .. "/members", { form = {
        address = "a@x.test" } }).status)
      assert.equal(200, sandbox.mailgun("POST", L .. "/members", { form = {
        address = "a@x.test", name = "A", upsert = "yes" } }).status)
      local members = {}
      for i = 1, 150 do members[i] = ("m%03d@x.test"):format(i) end
      local bulk = sandbox.mailgun("POST", L .. "/members.json", { form = {
        members = require("cjson").encode(members), upsert = "yes" } })
      assert.equal(200, bulk.status)
      assert.equal(151, bulk.json.list.members_count)
      local page = sandbox.mailgun("GET", L .. "/members/pages", { query = { limit = 100 } })
      assert.equal(100, #page.json.items)
      local rest = sandbox.mailgun("GET", path_of(page.json.paging.next))
      assert.equal(51, #rest.json.items)
      assert.equal("A", sandbox.mailgun("GET", L .. "/members/a@x.test").json.member.name)
      sandbox.mailgun("PUT", L .. "/members/a@x.test", { form = { subscribed = "no" } })
      assert.is_false(sandbox.mailgun("GET", L .. "/members/a@x.test").json.member.subscribed)
      assert.equal(200, sandbox.mailgun("DELETE", L).status)
      assert.equal(404, sandbox.mailgun("GET", L).status)
    end)
  end)

  describe("templates", function()
    it("keeps versions, the active one renders", function()
      local T = D .. "/templates"
      sandbox.mailgun("POST", T, { form = { name = "t1", template = "v1 {{x}}", tag = "v1" } })
      sandbox.mailgun("POST", T .. "/t1/versions", { form = { tag = "v2", template = "v2 {{x}}",
        active = "yes" } })
      local got = sandbox.mailgun("GET", T .. "/t1", { query = { active = "yes" } })
      assert.equal("v2", got.json.template.version.tag)
      local versions = sandbox.mailgun("GET", T .. "/t1/versions")
      assert.equal(2, #versions.json.template.versions)
      sandbox.mailgun("PUT", T .. "/t1/versions/v1/copy/v3")
      assert.equal("v1 {{x}}", sandbox.mailgun("GET", T .. "/t1/versions/v3").json.template
        .version.template)
      send("a@example.com", { template = "t1", ["t:version"] = "v1", ["t:variables"] = '{"x":"X"}',
        text = false })
      assert.equal("v1 X", sandbox.messages()[1].html)
      assert.equal(1, #sandbox.mailgun("GET", T).json.items)
      sandbox.mailgun("POST", "/v4/templates", { form = { name = "acct", template = "acct {{x}}" } })
      send("b@example.com", { template = "acct", ["v:x"] = "V" })
      assert.equal("acct V", sandbox.messages({ to = "b@example.com" })[1].html)
      assert.equal(200, sandbox.mailgun("DELETE", T .. "/t1").status)
    end)
  end)

  describe("tags", function()
    it("records tags from sends (v3 and analytics)", function()
      send("a@example.com", { ["o:tag"] = { "alpha", "beta" } })
      local tags = sandbox.mailgun("GET", D .. "/tags")
      assert.equal(2, #tags.json.items)
      assert.equal("alpha", sandbox.mailgun("GET", D .. "/tag", { query = { tag = "alpha" } }).json.tag)
      local a = sandbox.mailgun("POST", "/v1/analytics/tags", { json = { tag = "be" } })
      assert.equal(1, #a.json.items)
      assert.equal(200, sandbox.mailgun("DELETE", "/v1/analytics/tags", { json = { tag = "beta" } }).status)
      assert.equal(1, #sandbox.mailgun("GET", D .. "/tags").json.items)
    end)
  end)

  describe("users and keys", function()
    it("seeds users with every role, skip/limit and role filter", function()
      local all = sandbox.mailgun("GET", "/v5/users")
      assert.equal(5, all.json.total)
      local roles = {}
      for _, u in ipairs(all.json.users) do
        roles[u.role] = true
        assert.truthy(u.id and u.email and u.name and u.activated ~= nil and u.is_master ~= nil)
        assert.truthy(u.tfa_enabled ~= nil and u.is_disabled ~= nil)
      end
      assert.same({ basic = true, billing = true, support = true, developer = true, admin = true },
        roles)
      local page = sandbox.mailgun("GET", "/v5/users", { query = { skip = 3, limit = 10 } })
      assert.equal(2, #page.json.users)
      local billing = sandbox.mailgun("GET", "/v5/users", { query = { role = "billing" } })
      assert.equal(1, #billing.json.users)
      local id = billing.json.users[1].id
      assert.equal("billing", sandbox.mailgun("GET", "/v5/users/" .. id).json.role)
      assert.truthy(sandbox.mailgun("GET", "/v5/users/me").json.email)
      assert.equal(404, sandbox.mailgun("GET", "/v5/users/nope").status)
    end)

    it("creates, lists and deletes keys", function()
      local k = sandbox.mailgun("POST", "/v1/keys", { form = { role = "admin", kind = "user" } })
      assert.truthy(k.json.key.secret)
      assert.equal(200, sandbox.mailgun("GET", "/v4/domains", { key = k.json.key.secret }).status)
      assert.equal(2, sandbox.mailgun("GET", "/v1/keys").json.total_count)
      assert.is_nil(sandbox.mailgun("GET", "/v1/keys").json.items[2].secret)
      assert.equal(200, sandbox.mailgun("DELETE", "/v1/keys/" .. k.json.key.id).status)
      assert.equal(401, sandbox.mailgun("GET", "/v4/domains", { key = k.json.key.secret }).status)
    end)
  end)
end)
