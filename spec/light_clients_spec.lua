-- Light clients and the engine's explicit contracts (issue 16 §4, issue 10
-- §4): resources shared per provider, shared default transports, the C core
-- loaded with the first request, transports' capabilities, the scheduler
-- given to the engine, one send_async counted once, batches started from a
-- frame without doing their work there, recipient-variables built in C.
-- Memory is measured, never time.
local sandbox = require("support.sandbox")
local shell = require("support.shell")
local mailgun = require("mailgun")
local mailersend = require("mailersend")
local request = require("mailgun.engine.request")
local scheduler = require("mailgun.engine.scheduler")
local async = require("mailgun.engine.async")
local json = require("mailgun.engine.json")
local core = require("mailgun.core")
local cjson = require("cjson")

local ENV = "env LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/lua5.4/?.so;;' "

local function mg(opts)
  local o = { api_key = sandbox.MAILGUN_KEY, domain = sandbox.DOMAIN, base_url = sandbox.url() }
  for k, v in pairs(opts or {}) do o[k] = v end
  return mailgun.new(o)
end

local function message(i)
  return { from = "a@" .. sandbox.DOMAIN, to = "u" .. i .. "@example.com", subject = "s" .. i, text = "t" }
end

-- a transport answering at once, declaring no capabilities
local function canned_transport()
  local t = { calls = 0 }
  function t.request(_, req)
    t.calls = t.calls + 1
    if req.form then req.form:close() end
    return { status = 200, headers = { ["content-type"] = "application/json" }, body = '{"id":"<x@y>"}' }
  end
  function t.sleep() end
  function t.now() return os.time() end
  return t
end

describe("light clients", function()
  it("share resource classes: a client's resource is a two-field view made on first use", function()
    local a, b = mg({ api_key = "key-a" }), mg({ api_key = "key-b" })
    assert.is_nil(rawget(a, "bounces"))
    local ra, rb = a.bounces, b.bounces
    assert.equal(ra, a.bounces)
    assert.are_not.equal(ra, rb)
    assert.equal(getmetatable(ra), getmetatable(rb))
    assert.equal(ra.list, rb.list)
    assert.equal(ra.list_async, rb.list_async)
    local fields = {}
    for k in pairs(ra) do fields[#fields + 1] = k end
    table.sort(fields)
    assert.same({ "_client", "_engine" }, fields)
    assert.equal(a.engine, ra._engine)
    assert.has_error(function() ra.list({}) end, "calling 'bounces:list' needs ':' (bounces:list(...))")
    a:close(); b:close()
  end)

  it("cost at most 4 KB of Lua heap each after the first", function()
    local keep = { mg(), mailersend.new({ token = "mlsn.0", base_url = sandbox.url() .. "/v1" }) }
    for _, make in ipairs({
      function(i) return mg({ api_key = "key-" .. i, domain = "d" .. i .. ".example.com" }) end,
      function(i) return mailersend.new({ token = "mlsn." .. i, base_url = sandbox.url() .. "/v1" }) end,
    }) do
      collectgarbage("collect")
      collectgarbage("stop")
      local before = collectgarbage("count")
      for i = 1, 200 do keep[#keep + 1] = make(i) end
      local per_client = (collectgarbage("count") - before) * 1024 / 200
      collectgarbage("restart")
      assert.is_true(per_client <= 4096, ("%.0f bytes per client"):format(per_client))
    end
    for _, c in ipairs(keep) do c:close() end
  end)

  it("made with the same options share one transport, closed with the last of them", function()
    local a, b, c = mg(), mg({ region = "us" }), mg({ timeout = 7 })
    assert.equal(a.transport, b.transport)
    assert.are_not.equal(a.transport, c.transport)
    a:close()
    assert.truthy(b.messages:send(message(1)))
    assert.equal(b.transport, mg().transport)
    b:close(); c:close()
  end)

  it("require('mailgun') and mailgun.new do not load the C core (libcurl): the first request does", function()
    local out, code = shell.capture(ENV .. "lua5.4 -e \"local m = require('mailgun');"
      .. " local c = m.new({api_key = 'k', domain = 'example.com'}); local _ = c.messages;"
      .. " io.write(tostring(package.loaded['mailgun.core'] ~= nil))\"")
    assert.equal(0, code, out)
    assert.equal("false", out)
  end)
end)

describe("the engine's contracts", function()
  before_each(function() sandbox.reset() end)

  it("the loop is the transport's, declared by capabilities, and owned by the engine", function()
    local client = mg()
    assert.is_true(client.transport.capabilities.loop)
    assert.equal(client.transport:loop(), client.engine:loop())
    assert.equal(client:loop(), client.engine:loop())
    client:close()
    assert.is_nil(client.engine:loop())
    local plain = mailgun.new({ api_key = "k", domain = "example.com", transport = canned_transport() })
    assert.is_nil(plain.engine:loop())
    assert.is_false(plain.engine:yields())
  end)

  it("async calls on a transport without a loop run as tasks that block when they run", function()
    local t = canned_transport()
    local client = mailgun.new({ api_key = "k", domain = "example.com", transport = t })
    local got
    client.messages:send_async(message(1), function(res) got = res end)
    assert.equal("<x@y>", got.id)
    assert.equal(1, t.calls)
  end)

  it("uses the scheduler it is given", function()
    local asked = 0
    local fake = setmetatable({ current = function() asked = asked + 1 end }, { __index = scheduler })
    local engine = request.new({ transport = canned_transport(), scheduler = fake, base_url = "http://x" })
    assert.truthy(engine:call({ name = "get", method = "GET", path = "/v3/x" }))
    assert.equal(1, asked)
  end)

  it("mailgun.pending() counts one send_async once", function()
    local client = mg()
    local done = false
    client.messages:send_async(message(1), function(res, err) done = assert(res, err) end)
    assert.equal(1, mailgun.pending())
    assert.equal(1, async.pending_all())
    assert.is_true(mailgun.run(10))
    assert.truthy(done)
    assert.equal(0, mailgun.pending())
    client:close()
  end)

  it("closing one client cancels its requests in the shared loop, not another's", function()
    local a, b = mg(), mg({ region = "us" })
    assert.equal(a:loop(), b:loop())
    local ra, ea, rb
    a.messages:send_async(message(1), function(res, err) ra, ea = res, err end)
    b.messages:send_async(message(2), function(res, err) rb = assert(res, err) end)
    a:close()
    assert.is_nil(ra)
    assert.equal("cancelled", ea.kind)
    assert.is_true(mailgun.run(10))
    assert.truthy(rb.id)
    b:close()
  end)

  it("a batch started from a frame does nothing in that frame; its calls go out from later polls", function()
    local client = mg()
    local b = client:batch({ from = "a@" .. sandbox.DOMAIN, subject = "Hi %recipient.first%", text = "t" })
    for i = 1, 2500 do b:add("u" .. i .. "@example.com", { first = "U" .. i, id = i }) end
    local report
    b:send_async({ size = 1000, parallel = 2 }, function(r, err) report = assert(r, err) end)
    assert.equal(0, async.pending_all())
    assert.equal(1, scheduler.pending())
    assert.is_true(mailgun.run(20))
    assert.equal(2500, report.sent)
    local rv, calls = {}, 0
    for _, r in ipairs(sandbox.requests()) do
      local f = r.fields and r.fields["recipient-variables"]
      if f then
        calls = calls + 1
        for k, v in pairs(cjson.decode(type(f) == "table" and f[1] or f)) do rv[k] = v end
      end
    end
    assert.equal(3, calls)
    assert.same({ first = "U1", id = 1 }, rv["u1@example.com"])
    assert.same({ first = "U2500", id = 2500 }, rv["u2500@example.com"])
    client:close()
  end)
end)

describe("json.by_address (core.json_by_address)", function()
  local entries = {
    { address = "a@x.org", vars = { first = 'A "quoted"/\n\1', id = 1, ratio = 0.5, vip = true } },
    { address = "b@x.org", vars = {} },
    { address = "c@x.org" },
  }

  it("builds the same object as encoding the table would", function()
    local s = core.json_by_address(entries, 1, 3)
    assert.same({ ["a@x.org"] = entries[1].vars, ["b@x.org"] = {}, ["c@x.org"] = {} }, cjson.decode(s))
    assert.equal('{"b@x.org":{}}', core.json_by_address(entries, 2, 2))
    assert.equal("{}", core.json_by_address(entries, 3, 2))
  end)

  it("leaves nested variables to the general encoder", function()
    local nested = { { address = "n@x.org", vars = { tags = { "a", "b" } } } }
    assert.is_nil(core.json_by_address(nested, 1, 1))
    assert.same({ ["n@x.org"] = { tags = { "a", "b" } } }, cjson.decode(json.by_address(nested, 1, 1)))
    assert.is_nil(core.json_by_address({ { address = "n@x.org", vars = { 0 / 0 } } }, 1, 1))
  end)

  it("refuses entries without an address", function()
    assert.has_error(function() core.json_by_address({ { vars = {} } }, 1, 1) end,
      "json_by_address: entry 1 has no address")
  end)
end)
