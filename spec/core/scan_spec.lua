-- The C core's scans (csrc/scan.c) and list helpers the Lua layer uses on
-- every message and batch recipient, checked against independent oracles:
-- Lua patterns for the scans, the same form built field by field, cjson
-- for recipient-variables.
local core = require "mailgun.core"
local cjson = require "cjson"

-- the rules as Lua patterns (what engine/address.lua used before the scans)
local function plain_by_pattern(s)
  return s:find('^[^%s%c@"<>,()\\]+@[^%s%c@"<>,()\\]+$') ~= nil
end

local ALPHABET = { "a", "b", "@", " ", "\t", "\r", "\n", "\0", "\127", '"', "<", ">", ",", "(", ")",
                   "\\", ".", "-", "\195\169", "+", "%" }

local function random_string(n)
  local t = {}
  for i = 1, n do t[i] = ALPHABET[math.random(#ALPHABET)] end
  return table.concat(t)
end

describe("core scans", function()
  it("plain_address and has_control agree with the Lua patterns on 20,000 random strings", function()
    math.randomseed(42)
    for _ = 1, 20000 do
      local s = random_string(math.random(0, 8))
      assert.equal(plain_by_pattern(s), core.plain_address(s), ("%q"):format(s))
      assert.equal(s:find("%c") ~= nil, core.has_control(s), ("%q"):format(s))
    end
  end)

  it("plain_address takes UTF-8 and refuses non-strings", function()
    assert.is_true(core.plain_address("jos\195\169@example.com"))
    assert.is_false(core.plain_address(42))
    assert.is_false(core.plain_address(nil))
  end)

  it("plain_entry: a plain address with nil or flat variables", function()
    assert.is_true(core.plain_entry("a@x.org"))
    assert.is_true(core.plain_entry("a@x.org", { first = "Ann", id = 7, vip = true, score = 1.5 }))
    assert.is_false(core.plain_entry("Ann <a@x.org>", {}))
    assert.is_false(core.plain_entry("a@x.org", { nested = {} }))
    assert.is_false(core.plain_entry("a@x.org", { 1, 2 }))
    assert.is_false(core.plain_entry("a@x.org", { x = 0 / 0 }))
    assert.is_false(core.plain_entry("a@x.org", { x = math.huge }))
    assert.is_false(core.plain_entry("a@x.org", { f = print }))
    assert.is_false(core.plain_entry("a@x.org", "vars"))
  end)
end)

describe("form:fields", function()
  local function body(form)
    local parts = {}
    repeat
      local chunk = form:read(65536)
      parts[#parts + 1] = chunk
    until not chunk
    return table.concat(parts)
  end

  it("adds a list's strings as one field each, as field() does, and stops at the first non-string", function()
    local list = { "a@x.org", "b@x.org", 42, "c@x.org" }
    local one, many = core.form(), core.form()
    for _, v in ipairs(list) do one:field("to", tostring(v)) end
    local at = many:fields("to", list)
    assert.equal(3, at)
    many:field("to", "42")
    assert.is_nil(many:fields("to", list, at + 1))
    local boundary = one:content_type():match("boundary=(.+)$")
    local b1 = body(one)
    local b2 = body(many):gsub(many:content_type():match("boundary=(.+)$"):gsub("%p", "%%%0"), boundary)
    assert.equal(b1, b2)
    assert.equal(one:length(), many:length())
    one:close(); many:close()
  end)

  it("adds nothing from an empty list or past its end", function()
    local form = core.form()
    assert.is_nil(form:fields("to", {}))
    assert.is_nil(form:fields("to", { "a@x.org" }, 2))
    assert.has_error(function() form:fields("to", "a@x.org") end)
    form:close()
  end)
end)

describe("json_by_address over two lists", function()
  it("takes keys[k] and vars[k] (false: none) as entries {address=, vars=} would be", function()
    local keys = { "a@x.org", "b@x.org", "c@x.org", "d@x.org" }
    local vars = { { n = 1 }, false, { s = "x" }, { nested = {} } }
    local entries = {}
    for k = 1, 3 do entries[k] = { address = keys[k], vars = vars[k] or nil } end
    assert.equal(core.json_by_address(entries, 1, 3), core.json_by_address(keys, 1, 3, vars))
    assert.equal('{"b@x.org":{},"c@x.org":{"s":"x"}}', core.json_by_address(keys, 2, 3, vars))
    assert.is_nil(core.json_by_address(keys, 3, 4, vars)) -- not flat: the caller encodes
  end)
end)

describe("json_by_address strings", function()
  it("escapes every byte as cjson does", function()
    math.randomseed(7)
    for _ = 1, 2000 do
      local t = {}
      for i = 1, math.random(0, 12) do t[i] = string.char(math.random(0, 255)) end
      local s = table.concat(t)
      local vars = { v = s }
      local ours = core.json_by_address({ { address = "a@x.org", vars = vars } }, 1, 1)
      assert.equal('{"a@x.org":' .. cjson.encode(vars) .. "}", ours)
    end
  end)
end)

describe("json_by_address integers", function()
  it("writes integers as cjson does, and the extremes exactly", function()
    local vars = { zero = 0, neg = -1, n = 12345, big = 1234567890123, f = 1.5 }
    local s = core.json_by_address({ { address = "a@x.org", vars = vars } }, 1, 1)
    assert.same(cjson.decode(cjson.encode({ ["a@x.org"] = vars })), cjson.decode(s))
    -- (cjson writes these with 14 digits; the exact text is what Mailgun should get)
    if math.mininteger then -- Lua 5.4 (LuaJIT has no integer subtype)
      s = core.json_by_address({ { address = "a@x.org", vars = { min = math.mininteger, max = math.maxinteger } } },
        1, 1)
      assert.truthy(s:find('"min":-9223372036854775808', 1, true))
      assert.truthy(s:find('"max":9223372036854775807', 1, true))
    end
  end)
end)
