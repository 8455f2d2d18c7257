-- core.mime (the streamed MIME builder) and core.smtp's argument checks,
-- on Lua 5.4 and LuaJIT; delivery itself is in spec/smtp_spec.lua.
local core = require("mailgun.core")

local function read_all(m, n)
  local out = {}
  while true do
    local s, err = m:read(n)
    if not s then
      assert(err == nil, err)
      break
    end
    out[#out + 1] = s
  end
  return table.concat(out)
end

local function build(spec)
  spec.headers = spec.headers or { { "From", { "a@example.com" } }, { "Subject", "s" } }
  return core.mime(spec)
end

describe("core.mime", function()
  it("writes headers, Date, Message-ID and a quoted-printable body", function()
    local m = assert(build{ domain = "example.com", text = "héllo\nwörld =\n" })
    local raw = read_all(m, 7)
    assert.matches("^From: a@example%.com\r\nSubject: s\r\nDate: [^\r\n]+ %+0000\r\n", raw)
    assert.matches("Message%-ID: <%x+@example%.com>\r\nMIME%-Version: 1%.0\r\n", raw)
    assert.equal(m:message_id(), raw:match("Message%-ID: (<[^>]+>)"))
    assert.truthy(raw:find("\r\n\r\nh=C3=A9llo\r\nw=C3=B6rld =3D\r\n", 1, true))
    m:rewind()
    assert.equal(raw:gsub("Date: [^\r]+", ""), read_all(m, 65536):gsub("Date: [^\r]+", ""))
    m:close()
    m:close()
    assert.has_error(function() m:read() end)
  end)

  it("encodes non-ASCII names and subjects as RFC 2047 words of at most 75 characters", function()
    local name = string.rep("Ünïcödé ", 12)
    local m = assert(core.mime{ headers = {
      { "From", { { name = name, email = "a@example.com" } } },
      { "Subject", string.rep("é", 100) } }, text = "x" })
    local raw = read_all(m)
    local head = raw:match("^(.-)\r\n\r\n")
    assert.is_nil(head:find("[\128-\255]"))
    for line in (head .. "\r\n"):gmatch("(.-)\r\n") do
      assert.is_true(#line <= 78, line)
    end
    for word in head:gmatch("=%?[^?]+%?B%?[^?]*%?=") do
      assert.is_true(#word <= 75)
    end
  end)

  it("streams a file attachment as base64 lines of 76", function()
    local path = os.tmpname()
    local f = io.open(path, "wb")
    f:write(string.rep("\0\1\2\255", 10000))
    f:close()
    local m = assert(build{ text = "t", attachments = { { path = path } } })
    local raw = read_all(m, 1000)
    os.remove(path)
    local body = raw:match('filename="[^"]+"\r\n\r\n(.-)\r\n%-%-')
    for line in body:gmatch("[^\r\n]+") do
      assert.is_true(#line <= 76)
    end
    assert.equal(string.rep("\0\1\2\255", 10000), core.base64_decode((body:gsub("\r\n", ""))))
  end)

  it("reports an attachment that disappears while reading", function()
    local path = os.tmpname()
    local m = assert(build{ text = "t", attachments = { { path = path } } })
    os.remove(path)
    local s, err
    repeat s, err = m:read(100) until not s
    assert.matches("cannot open attachment", err)
  end)

  it("answers nil, message for bad input and raises for wrong types", function()
    local cases = {
      { headers = { { "Subject", "a\r\nBcc: x@y.z" } } },
      { headers = { { "Bad Name", "x" } } },
      { headers = { { "To", { "not-an-address" } } } },
      { headers = { { "To", { "bé@example.com" } } } },
      { headers = { { "Content-Type", "text/plain" } } },
      { headers = {}, attachments = { { path = "/nonexistent" } } },
      { headers = {}, attachments = { { data = "x", filename = "a\nb" } } },
    }
    for _, spec in ipairs(cases) do
      local m, msg = core.mime(spec)
      assert.is_nil(m)
      assert.is_string(msg)
    end
    assert.has_error(function() core.mime("x") end)
    assert.has_error(function() core.mime{ headers = { { "To", 1 } } } end)
    assert.has_error(function() core.mime{ text = 1 } end)
  end)
end)

describe("core.smtp", function()
  it("checks its options", function()
    assert.has_error(function() core.smtp{ url = "http://x" } end)
    assert.has_error(function() core.smtp{ url = "smtp://x", bogus = 1 } end)
    assert.has_error(function() core.smtp{ url = "smtp://x", allow_insecure = "yes" } end)
    local s = core.smtp{ url = "smtp://127.0.0.1:1", connect_timeout = 2000 }
    assert.matches("mailgun.core.smtp", tostring(s))
    local m = assert(build{ text = "x" })
    assert.has_error(function() s:send{ from = "a@b.c", to = {}, message = m } end)
    assert.has_error(function() s:send{ from = "a@b.c", to = { "x\r\n" }, message = m } end)
    local ok, word, code = s:send{ from = "a@b.c", to = { "d@e.f" }, message = m }
    assert.is_nil(ok)
    assert.equal("connect", word)
    assert.is_number(code)
    s:close()
    s:close()
    assert.matches("closed", tostring(s))
  end)
end)
