-- The one-call path of the common message (csrc/simple.c, reached through
-- mailgun.message.simple_form and mailersend.email.simple_json) against
-- the Lua path it stands in for, on random messages: whenever the C path
-- answers, the Lua path accepts the same message and puts the same bytes
-- on the wire (Mailgun's form, boundary aside) or the same JSON value
-- (MailerSend, read back with cjson); whenever the Lua path refuses a
-- message, the C path has declined it. The sends go through the clients
-- to a transport that keeps what it is given.
local cjson = require "cjson"
local mailgun = require "mailgun"
local mailersend = require "mailersend"
local message = require "mailgun.message"
local email = require "mailersend.email"

-- pieces of addresses and texts, the tricky bytes included
local PIECES = { "a", "Ann", " ", "  ", "@", "x.org", "<", ">", ",", ";", '"', "\\", "/", "\r", "\n",
                 "\t", "\0", "\127", "(", ")", "\195\169", "\240\159\152\128", "%", "." }
local ADDRESSES = { "a@x.org", "Ann <a@x.org>", "Ann  <a@x.org>", " Ann <a@x.org>", "Ann <a@x.org> ",
                    '"Doe, Ann" <a@x.org>', "Doe, Ann <a@x.org>", "a@x.org, b@y.org", "<a@x.org>",
                    "Ann<a@x.org>", "Ann;B <a@x.org>", "Ann\r\n <a@x.org>", "\195\129nn <a@x.org>",
                    "a@@x.org", "", "Ann <a@x.org>>", "Ann <<a@x.org>", "Ann > B <a@x.org>",
                    "A\"nn <a@x.org>", "Ann <a b@x.org>", "a@x.org\n", "Ann (x) <a@x.org>" }

local function random_text(n)
  local t = {}
  for i = 1, n do t[i] = PIECES[math.random(#PIECES)] end
  return table.concat(t)
end

local WORDS = { "Hello", "Ann", "jos\195\169", "x", "Hi there", "a/b", "" }

local function random_address()
  local r = math.random()
  if r < 0.4 then return ADDRESSES[math.random(1, 3)] end
  if r < 0.8 then return ADDRESSES[math.random(#ADDRESSES)] end
  return random_text(math.random(0, 6)) .. "@" .. random_text(math.random(0, 4))
end

local function random_value(kind)
  if kind == "address" then return random_address() end
  if math.random() < 0.5 then return WORDS[math.random(#WORDS)] end
  return random_text(math.random(0, 12))
end

local CHANCE = { to = 0.95, from = 0.85, subject = 0.85, text = 0.75 }

local FIELDS = {
  mailgun = { from = "address", to = "address", cc = "address", bcc = "address", subject = "text",
              text = "text", html = "text", amp_html = "text" },
  mailersend = { from = "address", to = "address", cc = "address", bcc = "address",
                 reply_to = "address", subject = "text", text = "text", html = "text" },
}

-- a message of the provider's simple fields, now and then with something
-- the C path must leave to Lua (another field, a list, a table, a number)
local function random_message(provider)
  local msg = {}
  for name, kind in pairs(FIELDS[provider]) do
    if math.random() < (CHANCE[name] or 0.3) then msg[name] = random_value(kind) end
  end
  local r = math.random()
  if r < 0.03 then msg.to = { "a@x.org", "Bob <b@y.org>" }
  elseif r < 0.05 then msg.from = { email = "a@x.org", name = "Ann" }
  elseif r < 0.07 then msg.tags = "t"
  elseif r < 0.08 then msg.subject = 42
  end
  return msg
end

-- a transport that keeps each request and answers as the provider does
local function keeper(answer)
  local t = { seen = {} }
  function t:request(req)
    local body = req.body
    if req.form then body = req.form:read(1e9); req.form:rewind() end
    self.seen[#self.seen + 1] = { url = req.url, headers = req.headers, body = body,
                                  form = req.form and req.form:content_type() }
    return answer()
  end
  function t:now() return 0 end
  return t
end

local function mg_answer()
  return { status = 200, headers = { ["content-type"] = "application/json" },
           body = '{"id":"<1@x.org>","message":"Queued. Thank you."}' }
end
local function ms_answer()
  return { status = 202, headers = { ["x-message-id"] = "5e42957d51f1d94a1070a733" }, body = "" }
end

-- the form's bytes with its boundary named B
local function unbound(seen)
  local boundary = seen.form:match("boundary=(.*)$")
  return (seen.body:gsub(boundary:gsub("%p", "%%%0"), "B"))
end

-- What differs between the providers in the comparison below.
local PROVIDERS = {
  mailgun = {
    seed = 7, answer = mg_answer, resource = "messages", label = "messages:send",
    client = function(t) return mailgun.new{ api_key = "key-1", domain = "x.org", transport = t, retries = 0 } end,
    fast = function(msg)
      local form = message.simple_form(msg)
      if form then form:close() end
      return form
    end,
    lua = message.to_params,
    params = function(p) return p end,
    same = function(a, b) assert.equal(unbound(b), unbound(a)) end,
  },
  mailersend = {
    seed = 11, answer = ms_answer, resource = "email", label = "email:send",
    client = function(t) return mailersend.new{ token = "mlsn.1", transport = t, retries = 0 } end,
    fast = email.simple_json,
    lua = email.to_body,
    params = function(body) return { body = body } end,
    same = function(a, b, json)
      assert.equal(b.headers["Content-Type"], a.headers["Content-Type"])
      assert.same(cjson.decode(b.body), cjson.decode(a.body))
      assert.equal(json, a.body)
    end,
  },
}

-- 6,000 random messages through the client (the C path when it answers)
-- and through the engine with the Lua path's params
local function compare(name)
  local p = PROVIDERS[name]
  math.randomseed(p.seed)
  local fast_t, slow_t = keeper(p.answer), keeper(p.answer)
  local fast, slow = p.client(fast_t)[p.resource], p.client(slow_t)[p.resource]
  local send_ep = fast._endpoints.send
  local taken = 0
  for _ = 1, 6000 do
    local msg = random_message(name)
    local encoded = p.fast(msg)
    local ok, lua, err = pcall(p.lua, msg)
    if encoded then
      taken = taken + 1
      assert.is_true(ok and lua ~= nil, "the Lua path refuses what C took: " .. cjson.encode(msg))
      local res, serr = fast:send(msg)
      assert.is_truthy(res, tostring(serr))
      assert(slow._engine:call(send_ep, p.params(lua), { label = p.label }))
      local a, b = fast_t.seen[#fast_t.seen], slow_t.seen[#slow_t.seen]
      assert.equal(b.url, a.url)
      p.same(a, b, encoded)
    elseif ok and lua == nil then
      -- refused by Lua: the client gives the same error
      local _, ferr = fast:send(msg)
      assert.equal(err.message, ferr.message)
    end
  end
  assert.is_true(taken > 300, "the C path took " .. taken)
end

describe("the one-call path of the common message", function()
  it("Mailgun: the same form as the Lua path, or declined, on 6,000 random messages", function()
    compare("mailgun")
  end)

  it("MailerSend: the same JSON value as the Lua path, or declined, on 6,000 random messages", function()
    compare("mailersend")
  end)

  it("declines what only Lua may answer, and encodes as cjson escapes", function()
    assert.is_nil(message.simple_form({ to = "a@x.org", text = "t", domain = "y.org" }))
    assert.is_nil(message.simple_form(setmetatable({ to = "a@x.org", text = "t" }, {})))
    assert.is_nil(message.simple_form({ from = "a@x.org", text = "t" })) -- no recipient
    assert.is_nil(message.simple_form({ to = "a@x.org" }))                -- no body
    assert.is_nil(message.simple_form({ to = "a@x.org, b@x.org", text = "t" }))
    assert.is_nil(email.simple_json({ from = "a@x.org", to = "Ann;B <b@x.org>", subject = "s", text = "t" }))
    assert.is_nil(email.simple_json({ from = "a@x.org", to = "b@x.org", subject = ("s"):rep(999), text = "t" }))
    local text = "a/\"\\\0\1\127\r\n\t\195\169"
    local json = email.simple_json({ from = "Ann <a@x.org>", to = "b@x.org", subject = "s", text = text })
    assert.equal(cjson.encode(text), json:match('"text":("[^}]*)}$'))
    assert.same({ email = "a@x.org", name = "Ann" }, cjson.decode(json).from)
  end)

  it("the engine takes an encoded body or params, not both", function()
    local mg = mailgun.new{ api_key = "key-1", domain = "x.org", transport = keeper(mg_answer) }
    local ep = mg.messages._endpoints.send
    local form = message.simple_form({ to = "a@x.org", text = "t" })
    assert.has_error(function() mg.messages._engine:call(ep, { text = "t" }, nil, form) end,
      "endpoint 'send' takes either params or an encoded body, not both")
    assert.has_error(function() mg.messages._engine:call(ep, {}, nil, "{}") end,
      "endpoint 'send' (multipart) cannot take a string as its encoded body")
    form:close()
  end)
end)
