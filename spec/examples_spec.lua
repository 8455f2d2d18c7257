-- Every example runs against the sandbox, so none rots.
local sandbox = require("support.sandbox")

local function run(script, env, stdin)
  local base = sandbox.url()
  local vars = {
    MAILGUN_BASE_URL = base, MAILGUN_API_KEY = "key-sandbox", MAILGUN_DOMAIN = "sandbox.test",
    MAILERSEND_BASE_URL = base .. "/v1", MAILERSEND_TOKEN = "mlsn.sandbox",
    LUA_PATH = "lua/?.lua;lua/?/init.lua;;", LUA_CPATH = "build/lua5.4/?.so;;",
  }
  for k, v in pairs(env or {}) do vars[k] = v end
  local parts = {}
  for k, v in pairs(vars) do parts[#parts + 1] = k .. "='" .. v .. "'" end
  local cmd = "env " .. table.concat(parts, " ") .. " lua5.4 " .. script
  if stdin then cmd = cmd .. " < " .. stdin end
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("*a")
  local ok, _, code = p:close()
  return ok and 0 or code, out
end

describe("examples", function()
  before_each(function() sandbox.reset() end)

  -- every example but the stdin receiver (below), the MailerSend examples'
  -- sandbox starter (not an example) and the two unified_spec runs itself
  local special = { ["examples/webhook_receiver.lua"] = true, ["examples/mailersend_sandbox.lua"] = true,
                    ["examples/bring_your_own_provider.lua"] = true,
                    ["examples/user_directory_sync.lua"] = true }
  local scripts = {}
  local ls = assert(io.popen("ls examples/*.lua"))
  for line in ls:lines() do
    if not special[line] then scripts[#scripts + 1] = line end
  end
  ls:close()
  assert.truthy(#scripts >= 9)
  for _, script in ipairs(scripts) do
    it(script .. " runs", function()
      local code, out = run(script)
      assert.equal(0, code, out)
    end)
  end

  it("examples/batch_newsletter.lua splits 2,500 readers into 3 calls", function()
    local code, out = run("examples/batch_newsletter.lua")
    assert.equal(0, code, out)
    assert.truthy(out:find("2500 recipients in 3 calls, 0 failed", 1, true), out)
  end)

  it("examples/webhook_receiver.lua accepts a signed delivery once", function()
    local core = require("mailgun.core")
    local key = "sandbox-signing-key"
    local ts, token = tostring(os.time()), "f3b8c5a1e9d2"
    local body = require("cjson").encode({
      signature = { timestamp = ts, token = token, signature = core.hmac_sha256(key, ts .. token) },
      ["event-data"] = { event = "delivered", recipient = "ann@example.com" },
    })
    local path = os.tmpname()
    local f = assert(io.open(path, "wb")); f:write(body); f:close()
    local code, out = run("examples/webhook_receiver.lua", { MAILGUN_WEBHOOK_SIGNING_KEY = key }, path)
    os.remove(path)
    assert.equal(0, code, out)
    assert.truthy(out:find("200\tdelivered for ann@example.com", 1, true), out)
    assert.truthy(out:find("406\ttoken already seen", 1, true), out)
  end)
end)
