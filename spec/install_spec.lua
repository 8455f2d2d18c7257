-- Installs that work everywhere: the rockspec for Lua 5.4 and for LuaJIT
-- (luarocks --lua-version 5.1, the OpenResty route), make install plus
-- install-sandbox, each used from outside the checkout.
local shell = require("support.shell")
local sandbox = require("support.sandbox")

local sh = shell.capture

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  assert(shell.execute("mkdir -p '" .. d .. "'"))
  return d
end

-- a copy of the sources, so the checkout's build/ is left alone
local function source_copy()
  local d = tmpdir()
  local out, code = sh("git ls-files -z | xargs -0 cp --parents -t '" .. d .. "'")
  assert(code == 0, out)
  return d
end

local SEND = [[
local mailgun = require("mailgun")
local c = mailgun.new{api_key = "key-sandbox", domain = "sandbox.test", base_url = os.getenv("SB")}
local res, err = c.messages:send{from = "me@sandbox.test", to = os.getenv("TO"), subject = "s", text = "t"}
print(res and res.id or tostring(err))
]]

local function run_outside(interp, lmod, cmod, script, env)
  local file = os.tmpname()
  shell.write_file(file, script)
  local out, code = sh(("cd / && env %s LUA_PATH='%s/?.lua;%s/?/init.lua;;' LUA_CPATH='%s/?.so;;' %s %s")
    :format(env or "", lmod, lmod, cmod, interp, file))
  os.remove(file)
  return out, code
end

describe("installs", function()
  local src
  setup(function() src = source_copy() end)
  teardown(function() shell.execute("rm -rf '" .. src .. "'") end)

  for _, case in ipairs({ { lua = "5.4", interp = "lua5.4" }, { lua = "5.1", interp = "luajit" } }) do
    it("luarocks --lua-version " .. case.lua .. " make installs a build that sends from "
      .. case.interp .. " outside the checkout", function()
      local tree = tmpdir()
      local out, code = sh(("cd '%s' && luarocks --lua-version %s make --deps-mode=none --tree '%s' "
        .. "mailgun-mailersend-*.rockspec"):format(src, case.lua, tree))
      assert.equals(0, code, out)
      local to = "install-" .. case.interp .. "@example.com"
      out, code = run_outside(case.interp, tree .. "/share/lua/" .. case.lua, tree .. "/lib/lua/" .. case.lua,
        SEND, "SB=" .. sandbox.url() .. " TO=" .. to)
      shell.execute("rm -rf '" .. tree .. "'")
      assert.equals(0, code, out)
      assert.matches("^<[^>]+>", out)
      assert.equals(1, #sandbox.messages({ to = to }))
    end)
  end

  it("make install + install-sandbox: mailgun.testing starts the installed launcher", function()
    local prefix = tmpdir()
    local out, code = sh(("cd '%s' && make -s install install-sandbox PREFIX='%s'"):format(src, prefix))
    assert.equals(0, code, out)
    -- the installed launcher needs the LuaJIT core beside the 5.4 one
    out, code = sh(("cd '%s' && make -s install LUA=luajit PREFIX='%s'"):format(src, prefix))
    assert.equals(0, code, out)
    out, code = run_outside("lua5.4", prefix .. "/share/lua/5.4", prefix .. "/lib/lua/5.4", [[
      local sb = require("mailgun.testing").start()
      local c = require("mailgun").new(sb.mailgun)
      assert(c.messages:send{from = "me@sandbox.test", to = "inst@example.com", subject = "s", text = "t"})
      print(#sb:deliveries{to = "inst@example.com"}, require("mailgun.testing").launcher())
      sb:stop()
    ]], "PATH=/usr/bin:/bin")
    shell.execute("rm -rf '" .. prefix .. "'")
    assert.equals(0, code, out)
    assert.matches("^1\t" .. prefix:gsub("%p", "%%%0") .. "/share/lua/5.4/../../../bin/mailgun%-sandbox", out)
  end)
end)
