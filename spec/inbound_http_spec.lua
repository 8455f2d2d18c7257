-- Inbound over real HTTP: the sandbox posts route messages the way
-- Mailgun and MailerSend do to the OpenResty example endpoint
-- (examples/openresty/inbound.conf), which parses them while they arrive.
local sandbox = require("support.sandbox")
local openresty = require("support.openresty")

local SECRET = "spec-inbound-secret"

-- the bytes the sandbox generates for an attachment of n bytes
local function generated_md5(n, path)
  local f = assert(io.open(path, "wb"))
  local block = {}
  for i = 0, 255 do block[#block + 1] = string.char(i) end
  block = table.concat(block):rep(256)
  while n > 0 do
    f:write(n >= #block and block or block:sub(1, n))
    n = n - #block
  end
  f:close()
end

local function md5(path)
  local p = assert(io.popen("md5sum '" .. path .. "'"))
  local sum = p:read("*l"):match("^(%x+)")
  p:close()
  return sum
end

describe("inbound over HTTP (sandbox -> OpenResty example)", function()
  local server, dir

  setup(function()
    dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p '" .. dir .. "' && chmod 777 '" .. dir .. "'"))
    server = openresty.start_example("examples/openresty/inbound.conf", {
      MAILGUN_WEBHOOK_SIGNING_KEY = sandbox.SIGNING_KEY, MAILERSEND_INBOUND_SECRET = SECRET,
      INBOUND_DIR = dir })
    sandbox.url()
  end)

  teardown(function()
    if server then server:stop() end
    os.execute("rm -rf '" .. dir .. "'")
  end)

  local function post(spec)
    local res = sandbox.request{ method = "POST", path = "/sandbox/inbound", json = spec }
    assert.are.equal(200, res.status, res.body)
    local answer = res.json
    answer.json = require("cjson.safe").decode(answer.body)
    return answer
  end

  local function message(extra)
    local m = { provider = "mailgun", url = server.url .. "/inbound/mailgun",
      recipient = "support@example.com", from = "Zoë Ünïcode <zoe@example.net>",
      to = "Support <support@example.com>", subject = "Grüße ✓", text = "hello ✓",
      html = "<p>hello</p>", message_id = "m1@example.net", in_reply_to = "p@example.com",
      attachments = { { filename = "naïve résumé.txt", content_type = "text/plain",
        content = "small ✓" } } }
    for k, v in pairs(extra or {}) do m[k] = v end
    return m
  end

  it("streams a 50 MB Mailgun attachment to disk at flat memory", function()
    local size = 50 * 1024 * 1024
    local res = post(message({ attachments = { { filename = "big ✓.bin", size = size } } }))
    assert.are.equal(200, res.status, res.body)
    local a = res.json.attachments[1]
    assert.are.equal("big ✓.bin", a.filename)
    assert.are.equal(size, a.size)
    assert.is_false(a.in_memory)
    local expected = os.tmpname()
    generated_md5(size, expected)
    assert.are.equal(md5(expected), md5(a.path))
    os.remove(expected)
    -- the worker never held the attachment: its peak RSS stays far below it
    assert.is_true(res.json.peak_kib < 40 * 1024, "peak " .. res.json.peak_kib .. " KiB")
  end)

  it("reads Mailgun's multipart, urlencoded and raw-MIME posts into one shape", function()
    for _, variant in ipairs({ {}, { encoding = "urlencoded", attachments = {} },
      { mime = true, url = server.url .. "/inbound/mailgun/mime" } }) do
      local res = post(message(variant))
      assert.are.equal(200, res.status, res.body)
      local m = res.json
      assert.are.equal("mailgun", m.provider)
      assert.are.equal("support@example.com", m.recipient)
      assert.are.same({ email = "zoe@example.net", name = "Zoë Ünïcode" }, m.from)
      assert.are.same({ { email = "support@example.com", name = "Support" } }, m.to)
      assert.are.equal("Grüße ✓", m.subject)
      assert.are.equal("hello ✓", m.text)
      assert.are.equal("m1@example.net", m.message_id)
      assert.are.equal("p@example.com", m.in_reply_to)
      if variant.encoding ~= "urlencoded" then
        assert.are.equal("naïve résumé.txt", m.attachments[1].filename)
        assert.are.equal(#"small ✓", m.attachments[1].size)
        assert.is_true(m.attachments[1].in_memory)
      end
    end
  end)

  it("reads MailerSend's inbound JSON into the same shape", function()
    local res = post(message({ provider = "mailersend", url = server.url .. "/inbound/mailersend",
      secret = SECRET }))
    assert.are.equal(200, res.status, res.body)
    local m = res.json
    assert.are.equal("mailersend", m.provider)
    assert.are.same({ email = "zoe@example.net", name = "Zoë Ünïcode" }, m.from)
    assert.are.equal("Grüße ✓", m.subject)
    assert.are.equal("naïve résumé.txt", m.attachments[1].filename)
    assert.are.equal("m1@example.net", m.message_id)
  end)

  it("answers 406 to a bad signature, a truncated body and too many parts", function()
    local res = post(message({ bad_signature = true }))
    assert.are.equal(406, res.status)
    assert.are.equal("signature", res.json.error)
    res = post(message({ truncate = 300 }))
    assert.are.equal(406, res.status)
    assert.are.equal("truncated", res.json.error)
    res = post(message({ extra_fields = 300 }))
    assert.are.equal(406, res.status)
    assert.are.equal("too_many_parts", res.json.error)
    res = post(message({ provider = "mailersend", url = server.url .. "/inbound/mailersend",
      secret = SECRET, bad_signature = true }))
    assert.are.equal(401, res.status)
    -- nothing was left behind but the big file of the first test
    local p = io.popen("ls -A '" .. dir .. "' | wc -l")
    assert.is_true(tonumber(p:read("*l")) <= 1)
    p:close()
  end)
end)
