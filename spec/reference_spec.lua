-- The reference (make docs) covers every public function, and is fresh.
local shell = require("support.shell")

local ENV = "env LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/lua5.4/?.so;;' "

-- owner:name or owner.name entries of docs/reference.md
local function entries()
  local set = {}
  for line in io.lines("docs/reference.md") do
    local owner, sep, name = line:match("^### `([%w_%.]+)([%.:])([%w_]+)%(")
    if owner then set[owner .. sep .. name] = true end
  end
  return set
end

local function functions_of(t, seen)
  local out = {}
  seen = seen or {}
  while type(t) == "table" and not seen[t] do
    seen[t] = true
    for k, v in pairs(t) do
      if type(k) == "string" and type(v) == "function" and k:sub(1, 1) ~= "_" then out[k] = true end
    end
    local mt = getmetatable(t)
    t = mt and type(mt.__index) == "table" and mt.__index or nil
  end
  return out
end

local function expect(missing, documented, owner, sep, t)
  for name in pairs(functions_of(t)) do
    local key = owner .. sep .. name
    if not name:find("_async$") and not documented[key] then missing[#missing + 1] = key end
  end
end

-- resources are views made on first use: visit each declared one
local function resources(missing, documented, client, prefix)
  for _, name in ipairs(require(prefix .. ".resources")) do
    local r = client[name]
    assert(type(r) == "table" and r._engine ~= nil, prefix .. " has no resource " .. name)
    expect(missing, documented, prefix .. ".resources." .. name, ":", r)
  end
end

describe("the reference", function()
  it("is fresh: make docs would not change it", function()
    local out, code = shell.capture(ENV .. "lua5.4 tools/gen-reference --check")
    assert.equals(0, code, out)
  end)

  it("has an entry for every public function", function()
    local documented = entries()
    local missing = {}
    local mailgun, mailersend = require("mailgun"), require("mailersend")
    local unified = require("mailgun.unified")
    expect(missing, documented, "mailgun", ".", mailgun)
    expect(missing, documented, "mailgun.webhooks", ".", mailgun.webhooks)
    local client = mailgun.new({ api_key = "key-x", domain = "example.com" })
    -- a client's methods are its class's (its __index resolves resources)
    expect(missing, documented, "mailgun.Client", ":", getmetatable(client))
    resources(missing, documented, client, "mailgun")
    expect(missing, documented, "mailgun.Batch", ":", client:batch({ from = "a@example.com", subject = "s",
      text = "t" }))
    expect(missing, documented, "mailersend", ".", mailersend)
    expect(missing, documented, "mailersend.webhooks", ".", require("mailersend.webhooks"))
    local ms = mailersend.new({ token = "mlsn.x" })
    expect(missing, documented, "mailersend.Client", ":", getmetatable(ms))
    resources(missing, documented, ms, "mailersend")
    expect(missing, documented, "mailgun.unified", ".", unified)
    expect(missing, documented, "mailgun.unified.webhooks", ".", unified.webhooks)
    local account = unified.connect({ provider = "mailgun", api_key = "key-x", domain = "example.com" })
    expect(missing, documented, "mailgun.unified.Account", ":", account)
    expect(missing, documented, "mailgun.unified.Users", ":", account.users)
    expect(missing, documented, "mailgun.testing", ".", require("mailgun.testing"))
    expect(missing, documented, "mailgun.core", ".", require("mailgun.core"))
    table.sort(missing)
    assert.same({}, missing)
  end)
end)
