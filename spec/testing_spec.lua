-- mailgun.testing: the sandbox helper for users' own suites.
local testing = require("mailgun.testing")
local mailgun = require("mailgun")
local mailersend = require("mailersend")

describe("mailgun.testing", function()
  local sb
  setup(function() sb = testing.start() end)
  teardown(function() sb:stop() end)

  it("gives a URL and ready-made client options for both providers", function()
    assert.matches("^http://127%.0%.0%.1:%d+$", sb.url)
    local client = mailgun.new(sb.mailgun)
    local res, err = client.messages:send({ from = "me@sandbox.test", to = "ann@example.com",
      subject = "Hi", text = "Hello" })
    assert.is_nil(err)
    assert.truthy(res.id)
    local ms = mailersend.new(sb.mailersend)
    local _, err2 = ms.email:send({ from = { email = "me@sandbox.test" }, to = { { email = "bob@example.com" } },
      subject = "Hi", text = "Hello" })
    assert.is_nil(err2)
    assert.equals(1, #sb:deliveries({ to = "ann@example.com" }))
    assert.equals(1, #sb:deliveries({ to = "bob@example.com" }))
  end)

  it("injects faults and forgets everything on reset", function()
    sb:reset()
    sb:fault({ path = "/v3/" .. sb.domain .. "/messages", status = 400, count = 1 })
    local client = mailgun.new(sb.mailgun)
    local res, err = client.messages:send({ from = "me@sandbox.test", to = "ann@example.com",
      subject = "Hi", text = "Hello" })
    assert.is_nil(res)
    assert.equals(400, err.status)
    assert.equals(0, #sb:deliveries())
    assert.truthy(client.messages:send({ from = "me@sandbox.test", to = "ann@example.com",
      subject = "Hi", text = "Hello" }))
    assert.equals(1, #sb:deliveries())
    sb:reset()
    assert.equals(0, #sb:deliveries())
  end)

  it("refuses unknown options by name", function()
    assert.has_error(function() testing.start({ prot = 1 }) end,
      "bad argument #1 to 'testing.start' (unknown option 'prot')")
  end)

  it("works from plain Lua outside busted, and stops when asked", function()
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
      local sb = require("mailgun.testing").start()
      local c = require("mailgun").new(sb.mailgun)
      assert(c.messages:send{from = "a@sandbox.test", to = "z@example.com", subject = "s", text = "t"})
      print(#sb:deliveries{to = "z@example.com"})
      sb:stop()
      print(pcall(sb.deliveries, sb))
    ]])
    f:close()
    local p = assert(io.popen("env LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/lua5.4/?.so;;' lua5.4 "
      .. script .. " 2>&1"))
    local out = p:read("*a")
    p:close()
    os.remove(script)
    assert.matches("^1\nfalse\t.*stopped", out)
  end)
end)
