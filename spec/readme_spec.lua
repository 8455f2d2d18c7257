-- Every ```lua block of README.md runs as written (one process each, from
-- a scratch directory) against the sandbox, with the environment a user
-- would set: MAILGUN_API_KEY, MAILGUN_DOMAIN, MAILGUN_BASE_URL,
-- MAILERSEND_TOKEN, MAILERSEND_BASE_URL. A block fails the spec when it
-- raises or exits non-zero.
local shell = require("support.shell")
local sandbox = require("support.sandbox")

local root = shell.cwd()
local out = assert(io.popen("lua5.4 tools/readme-snippets README.md build/readme"))
local blocks = {}
for line in out:lines() do
  local file, start = line:match("^(%S+)%s+(%d+)$")
  blocks[#blocks + 1] = { file = file, line = tonumber(start) }
end
out:close()

describe("README.md", function()
  it("has Lua blocks to run", function()
    assert.is_true(#blocks >= 5)
  end)

  for _, block in ipairs(blocks) do
    it("block at line " .. block.line .. " runs as written", function()
      local url = sandbox.url()
      local dir = os.tmpname()
      os.remove(dir)
      assert(shell.execute("mkdir -p '" .. dir .. "'"))
      local env = table.concat({
        "MAILGUN_API_KEY=" .. sandbox.MAILGUN_KEY, "MAILGUN_DOMAIN=" .. sandbox.DOMAIN,
        "MAILGUN_BASE_URL=" .. url, "MAILERSEND_TOKEN=" .. sandbox.MAILERSEND_TOKEN,
        "MAILERSEND_BASE_URL=" .. url .. "/v1",
        "LUA_PATH='" .. root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;;'",
        "LUA_CPATH='" .. root .. "/build/lua5.4/?.so;;'",
      }, " ")
      local text, code = shell.capture("cd '" .. dir .. "' && env " .. env .. " timeout 60 lua5.4 '"
        .. root .. "/" .. block.file .. "'")
      shell.execute("rm -rf '" .. dir .. "'")
      assert.equals(0, code, "README.md:" .. block.line .. ":\n" .. text)
    end)
  end
end)
