-- examples/c_host: a C host at 60 Hz embedding Lua 5.4 sends through the
-- library without blocking a frame (docs/embedding.md).
local shell = require("support.shell")
local sandbox = require("support.sandbox")

describe("examples/c_host", function()
  it("builds with make c-host and delivers every mail from its frame loop", function()
    local out, code = shell.capture("make -s c-host")
    assert.equals(0, code, out)
    sandbox.reset()
    out, code = shell.capture("env MAILGUN_BASE_URL=" .. sandbox.url()
      .. " MAILGUN_LUA_PATH='lua/?.lua;lua/?/init.lua' MAILGUN_LUA_CPATH='build/lua5.4/?.so'"
      .. " build/c_host/host examples/c_host/game.lua")
    assert.equals(0, code, out)
    assert.matches("game: 10 sent, 0 failed", out)
    assert.matches("host: %d+ frames", out)
    assert.equals(10, #sandbox.messages())
  end)
end)
