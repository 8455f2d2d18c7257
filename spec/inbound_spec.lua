-- mailgun.inbound / mailersend.inbound / unified.inbound: the parse
-- functions on bodies built here (multipart by core.form, an independent
-- encoder from the parser), signatures, limits and the raw-MIME reader.
local core = require("mailgun.core")
local cjson = require("cjson")
local mailgun = require("mailgun")
local mailersend = require("mailersend")
local unified = require("mailgun.unified")
local mime = require("mailgun.engine.mime_reader")

local KEY = "inbound-signing-key"
local SECRET = "inbound-route-secret"

local function signed(fields, key)
  local ts, token = tostring(os.time()), ("t"):rep(50)
  fields.timestamp, fields.token = ts, token
  fields.signature = core.hmac_sha256(key or KEY, ts .. token)
  return fields
end

local function multipart(fields, files)
  local form = core.form()
  for _, kv in ipairs(fields) do form:field(kv[1], kv[2]) end
  for i, f in ipairs(files or {}) do
    form:data("attachment-" .. i, f.data, { filename = f.filename, content_type = f.content_type })
  end
  local body = form:read(1e8)
  local ctype = form:content_type()
  form:close()
  return body, ctype
end

local function route_fields(extra)
  local f = signed({
    recipient = "support@example.com", sender = "bounce@example.net",
    from = "Zoë Ünïcode <zoe@example.net>", subject = "Ünïcode ✓",
    ["body-plain"] = "hello\n> quoted", ["stripped-text"] = "hello",
    ["body-html"] = "<p>hello</p>",
    ["message-headers"] = cjson.encode({ { "Message-Id", "<m1@example.net>" },
      { "To", "Support <support@example.com>, \"Doe, J\" <j@example.com>" },
      { "Cc", "c@example.com" }, { "In-Reply-To", "<parent@example.com>" },
      { "References", "<root@example.com> <parent@example.com>" } }),
    ["content-id-map"] = cjson.encode({ ["<logo@x>"] = "attachment-2" }),
    ["attachment-count"] = "2",
  })
  for k, v in pairs(extra or {}) do f[k] = v end
  local list = {}
  for k, v in pairs(f) do list[#list + 1] = { k, v } end
  table.sort(list, function(a, b) return a[1] < b[1] end)
  return list
end

describe("mailgun.inbound.parse", function()
  it("reads a multipart route POST, streaming big attachments to files", function()
    local big = ("\0\1\2\255"):rep(300000)
    local body, ctype = multipart(route_fields(), {
      { filename = "résumé €.pdf", content_type = "application/pdf", data = big },
      { filename = "logo.png", content_type = "image/png", data = "PNG" },
    })
    local chunks, pos = 0, 1
    local msg = assert(mailgun.inbound.parse{ content_type = ctype, signing_key = KEY,
      reader = function(n)
        if pos > #body then return nil end
        local piece = body:sub(pos, pos + math.min(n, 9999) - 1)
        pos, chunks = pos + #piece, chunks + 1
        return piece
      end })
    assert.is_true(chunks > 100)
    assert.are.equal("mailgun", msg.provider)
    assert.are.equal("support@example.com", msg.recipient)
    assert.are.equal("bounce@example.net", msg.sender)
    assert.are.same({ email = "zoe@example.net", name = "Zoë Ünïcode" }, msg.from)
    assert.are.same({ { email = "support@example.com", name = "Support" },
      { email = "j@example.com", name = "Doe, J" } }, msg.to)
    assert.are.same({ { email = "c@example.com" } }, msg.cc)
    assert.are.equal("Ünïcode ✓", msg.subject)
    assert.are.equal("hello\n> quoted", msg.text)
    assert.are.equal("hello", msg.stripped_text)
    assert.are.equal("<p>hello</p>", msg.html)
    assert.are.equal("m1@example.net", msg.message_id)
    assert.are.equal("parent@example.com", msg.in_reply_to)
    assert.are.same({ "root@example.com", "parent@example.com" }, msg.references)
    assert.are.equal("<m1@example.net>", msg.headers["message-id"])
    local a, b = msg.attachments[1], msg.attachments[2]
    assert.are.equal("résumé €.pdf", a.filename)
    assert.are.equal(#big, a.size)
    assert.is_nil(a.data)
    local f = assert(io.open(a.path, "rb"))
    assert.is_true(f:read("*a") == big)
    f:close()
    os.remove(a.path)
    assert.are.same({ filename = "logo.png", content_type = "image/png", size = 3, data = "PNG",
      content_id = "logo@x" }, b)
  end)

  it("reads an urlencoded POST and the stored-message JSON", function()
    local parts = {}
    for _, kv in ipairs(route_fields()) do
      parts[#parts + 1] = kv[1] .. "=" .. kv[2]:gsub("[^%w]", function(c) return ("%%%02X"):format(c:byte()) end)
    end
    local msg = assert(mailgun.inbound.parse{ content_type = "application/x-www-form-urlencoded",
      body = table.concat(parts, "&"), signing_key = KEY })
    assert.are.equal("Ünïcode ✓", msg.subject)
    assert.are.equal(0, #msg.attachments)
    local stored = cjson.encode({ recipients = "support@example.com", sender = "s@example.net",
      from = "S <s@example.net>", subject = "stored", ["body-plain"] = "text",
      ["message-headers"] = { { "Message-Id", "<st@x>" } },
      attachments = { { url = "https://storage/att/0", ["content-type"] = "text/plain",
        name = "a.txt", size = 4 } } })
    msg = assert(mailgun.inbound.parse{ content_type = "application/json", body = stored,
      signing_key = KEY })
    assert.are.equal("support@example.com", msg.recipient)
    assert.are.equal("st@x", msg.message_id)
    assert.are.same({ filename = "a.txt", content_type = "text/plain", size = 4,
      url = "https://storage/att/0" }, msg.attachments[1])
  end)

  it("reads the raw-MIME variant: encoded words, QP, base64, RFC 2231 names", function()
    local raw = table.concat({
      "From: =?UTF-8?B?Wm/Dqw==?= <zoe@example.net>",
      "To: a@example.com",
      "Subject: =?ISO-8859-1?Q?caf=E9?= =?UTF-8?Q?_=E2=9C=93?=",
      "Message-ID: <raw@example.net>",
      "Content-Type: multipart/mixed; boundary=\"outer\"",
      "",
      "preamble",
      "--outer",
      "Content-Type: multipart/alternative; boundary=inner",
      "",
      "--inner",
      "Content-Type: text/plain; charset=iso-8859-1",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "caf=E9 soft=",
      "break",
      "--inner",
      "Content-Type: text/html; charset=utf-8",
      "",
      "<b>hi</b>",
      "--inner--",
      "--outer",
      "Content-Type: application/octet-stream",
      "Content-Disposition: attachment;",
      " filename*0*=UTF-8''%C3%A9t%C3%A9;",
      " filename*1=\".txt\"",
      "Content-Transfer-Encoding: base64",
      "",
      "aGVs",
      "bG8=",
      "--outer--",
      "" }, "\r\n")
    local body, ctype = multipart(route_fields({ ["body-mime"] = raw }))
    local msg = assert(mailgun.inbound.parse{ content_type = ctype, body = body, signing_key = KEY })
    assert.are.equal(raw, msg.raw)
    assert.are.same({ email = "zoe@example.net", name = "Zoë Ünïcode" }, msg.from)
    assert.are.equal("café softbreak", (msg.text:gsub("\r?\n$", "")))
    assert.are.equal("<b>hi</b>", msg.html)
    assert.are.equal("raw@example.net", msg.message_id)
    assert.are.same({ { filename = "été.txt", content_type = "application/octet-stream", size = 5,
      data = "hello", disposition = "attachment" } }, msg.attachments)
    assert.are.equal("café ✓", mime.decode_words("=?ISO-8859-1?Q?caf=E9?= =?UTF-8?Q?_=E2=9C=93?="))
  end)

  it("refuses a bad, stale or replayed signature and removes attachment files", function()
    local fields = route_fields()
    for _, kv in ipairs(fields) do
      if kv[1] == "signature" then kv[2] = core.hmac_sha256("wrong", "x") end
    end
    local tmp = os.tmpname()
    os.remove(tmp)
    assert(os.execute("mkdir -p " .. tmp))
    local body, ctype = multipart(fields, { { filename = "x.bin", data = ("x"):rep(3e6) } })
    local msg, err = mailgun.inbound.parse{ content_type = ctype, body = body, signing_key = KEY, dir = tmp }
    assert.is_nil(msg)
    assert.are.equal("auth", err.kind)
    assert.are.equal("signature", err.code)
    assert.matches("^mailgun: auth: inbound signature refused", tostring(err))
    assert.is_nil(tostring(err):find(KEY, 1, true))
    assert.are.equal("", io.popen("ls -A " .. tmp):read("*a"))
    os.execute("rmdir " .. tmp)
    -- replayed token
    local seen = mailgun.webhooks.replay_guard(600)
    body, ctype = multipart(route_fields())
    assert(mailgun.inbound.parse{ content_type = ctype, body = body, signing_key = KEY, seen = seen })
    msg, err = mailgun.inbound.parse{ content_type = ctype, body = body, signing_key = KEY, seen = seen }
    assert.is_nil(msg)
    assert.matches("replay", err.message)
    -- verify = false skips the check
    assert(mailgun.inbound.parse{ content_type = ctype, body = body, verify = false })
  end)

  it("ends with a clear error on truncated, oversized or overlong bodies", function()
    local body, ctype = multipart(route_fields(), { { filename = "a", data = ("a"):rep(5000) } })
    local _, err = mailgun.inbound.parse{ content_type = ctype, body = body:sub(1, -200), signing_key = KEY }
    assert.are.equal("invalid", err.kind)
    assert.are.equal("truncated", err.code)
    _, err = mailgun.inbound.parse{ content_type = ctype, body = body, signing_key = KEY, max_parts = 5 }
    assert.are.equal("too_many_parts", err.code)
    _, err = mailgun.inbound.parse{ content_type = ctype, body = body, signing_key = KEY, max_size = 1000 }
    assert.are.equal("too_large", err.code)
    _, err = mailgun.inbound.parse{ content_type = ctype, body = body, signing_key = KEY, max_field_size = 3 }
    assert.are.equal("field_too_large", err.code)
    _, err = mailgun.inbound.parse{ content_type = "text/plain", body = "x", signing_key = KEY }
    assert.are.equal("bad_content_type", err.code)
    _, err = mailgun.inbound.parse{ content_type = ctype, signing_key = KEY,
      reader = function() error("socket went away") end }
    assert.are.equal("read", err.code)
    assert.matches("socket went away", err.message)
  end)

  it("raises on wrong types and unknown options", function()
    assert.has_error(function() mailgun.inbound.parse("x") end)
    assert.has_error(function() mailgun.inbound.parse{ body = "", content_type = "x" } end,
      "bad argument 'opts.signing_key' to 'inbound.parse' (the webhook signing key is required unless verify = false)")
    assert.has_error(function() mailgun.inbound.parse{ body = "", signing_key = "k", colour = 1 } end,
      "bad argument #1 to 'inbound.parse' (unknown option 'colour')")
    assert.has_error(function() mailgun.inbound.parse{ signing_key = "k" } end)
  end)
end)

describe("mailersend.inbound.parse", function()
  local function payload()
    return cjson.encode({ type = "inbound.message", inbound_id = "r1", data = {
      object = "message", id = "m1", subject = "Ünïcode", text = "hi", html = "<p>hi</p>",
      from = { email = "zoe@example.net", name = "Zoë" }, sender = { email = "bounce@example.net" },
      recipients = { rcptTo = { { email = "in@example.com" } },
        to = { raw = "In <in@example.com>", data = { { email = "in@example.com", name = "In" } } } },
      headers = { ["Message-ID"] = "<ms1@example.net>", ["In-Reply-To"] = "<p@x>" },
      raw = "Subject: x\r\n\r\nhi",
      attachments = {
        { file_name = "été.txt", content_type = "text/plain", content_id = "c1", size = 5,
          content = core.base64_encode("hello") },
        { file_name = "big.bin", content_type = "application/octet-stream", size = 2000000,
          content = core.base64_encode(("b"):rep(2000000)) },
      } } })
  end

  it("verifies the signature and reads the payload into the one shape", function()
    local body = payload()
    local msg = assert(mailersend.inbound.parse{ body = body, secret = SECRET,
      signature = core.hmac_sha256(SECRET, body) })
    assert.are.equal("mailersend", msg.provider)
    assert.are.equal("in@example.com", msg.recipient)
    assert.are.equal("bounce@example.net", msg.sender)
    assert.are.same({ email = "zoe@example.net", name = "Zoë" }, msg.from)
    assert.are.same({ { email = "in@example.com", name = "In" } }, msg.to)
    assert.are.equal("Ünïcode", msg.subject)
    assert.are.equal("ms1@example.net", msg.message_id)
    assert.are.equal("p@x", msg.in_reply_to)
    assert.are.equal("Subject: x\r\n\r\nhi", msg.raw)
    assert.are.same({ filename = "été.txt", content_type = "text/plain", content_id = "c1",
      size = 5, data = "hello" }, msg.attachments[1])
    assert.is_string(msg.attachments[2].path)
    assert.are.equal(2000000, msg.attachments[2].size)
    os.remove(msg.attachments[2].path)
    -- the same through unified
    local again = assert(unified.inbound.parse{ provider = "mailersend", body = body, secret = SECRET,
      signature = core.hmac_sha256(SECRET, body), threshold = 1e7 })
    assert.are.equal(2000000, #again.attachments[2].data)
  end)

  it("refuses a bad signature and a body that is not JSON", function()
    local body = payload()
    local msg, err = mailersend.inbound.parse{ body = body, secret = SECRET,
      signature = core.hmac_sha256("other", body) }
    assert.is_nil(msg)
    assert.are.equal("auth", err.kind)
    assert.matches("^mailersend: auth", tostring(err))
    msg, err = mailersend.inbound.parse{ body = body, secret = SECRET }
    assert.is_nil(msg)
    assert.are.equal("signature", err.code)
    msg, err = mailersend.inbound.parse{ body = "nope", verify = false }
    assert.is_nil(msg)
    assert.are.equal("malformed", err.code)
    assert.has_error(function() unified.inbound.parse{ provider = "other" } end)
  end)
end)
