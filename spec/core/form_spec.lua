-- core.form: the multipart encoder, checked by an independent parser on a
-- real nginx (spec/support/core_echo.lua) and through form:read().
local core = require "mailgun.core"
local cjson = require "cjson"
local servers = require "support.core_server"

local function tmpfile(data)
  local path = os.tmpname()
  local file = assert(io.open(path, "wb"))
  file:write(data)
  file:close()
  return path
end

local function md5_file(path)
  local pipe = assert(io.popen("md5sum '" .. path .. "'"))
  local sum = pipe:read("*l"):match("^(%x+)")
  pipe:close()
  return sum
end

local function md5(data)
  local path = tmpfile(data)
  local sum = md5_file(path)
  os.remove(path)
  return sum
end

local function all_bytes()
  local bytes = {}
  for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
  return table.concat(bytes)
end

local function read_all(form, n)
  local chunks = {}
  while true do
    local chunk, err = form:read(n)
    assert(err == nil, err)
    if not chunk then break end
    assert(#chunk <= n)
    chunks[#chunks + 1] = chunk
  end
  return table.concat(chunks)
end

-- peak resident memory of this process, KiB
local function peak_kib()
  local file = io.open("/proc/self/status")
  local text = file:read("*a")
  file:close()
  return tonumber(text:match("VmHWM:%s*(%d+)"))
end

describe("core.form", function()
  local server, session

  setup(function()
    server = servers.start()
    session = core.session{ timeout = 60000 }
  end)

  teardown(function()
    session:close()
    server:stop()
  end)

  local function send(form, extra)
    local req = { method = "POST", url = server.url .. "/echo", form = form }
    for k, v in pairs(extra or {}) do req[k] = v end
    local res, err, code, detail = session:request(req)
    assert(res, tostring(err) .. " " .. tostring(code) .. " " .. tostring(detail))
    assert.are.equal(200, res.status)
    local got = cjson.decode(res.body)
    assert.is_nil(got.multipart_error)
    return got
  end

  it("sends fields the server parses back field for field", function()
    local form = core.form()
    form:field("from", "Excited User <me@example.com>")
    form:field("to", "a@example.com")
    form:field("to", "b@example.com")
    form:field("to", "c@example.com")
    form:field("subject", "Hello")
    form:field("text", "")
    form:field("o:tag", 42)
    local got = send(form)
    local names, values = {}, {}
    for i, part in ipairs(got.parts) do
      names[i], values[i] = part.name, part.data
      assert.are.equal("form-data", part.disposition)
      assert.is_nil(part.filename)
      assert.is_nil(part.content_type)
    end
    assert.are.same({ "from", "to", "to", "to", "subject", "text", "o:tag" }, names)
    assert.are.same({ "Excited User <me@example.com>", "a@example.com", "b@example.com",
                      "c@example.com", "Hello", "", "42" }, values)
    assert.are.equal(tostring(form:length()), got.headers["content-length"])
    assert.are.equal(form:content_type(), got.headers["content-type"])
  end)

  it("sends binary data byte for byte with its filename and type", function()
    local blob = all_bytes():rep(300)
    local form = core.form()
    form:data("attachment", blob, { filename = "blob.bin" })
    form:data("attachment", "\r\n--\r\n\0", { filename = "tricky.txt", content_type = "text/plain" })
    form:data("inline", "PNGDATA", { filename = "logo.png", content_type = "image/png",
                                     inline = true })
    form:data("raw", "\0\1\2\255")
    local got = send(form)
    local p = got.parts
    assert.are.equal(4, #p)
    assert.are.equal(#blob, p[1].size)
    assert.are.equal(md5(blob), p[1].md5)
    assert.are.equal("blob.bin", p[1].filename)
    assert.are.equal("application/octet-stream", p[1].content_type)
    assert.are.equal("\r\n--\r\n\0", p[2].data)
    assert.are.equal("text/plain", p[2].content_type)
    assert.are.equal("form-data", p[3].disposition) -- RFC 7578 4.2: every part
    assert.are.equal("logo.png", p[3].filename)
    assert.are.equal("image/png", p[3].content_type)
    assert.are.equal("\0\1\2\255", p[4].data)
    assert.is_nil(p[4].filename)
  end)

  it("keeps non-ASCII names, filenames and values", function()
    local form = core.form()
    form:field("名前", "値 — ünïcödé ✓")
    form:data("pièce", "données", { filename = "résumé ü 履歴書.pdf", content_type = "application/pdf" })
    local got = send(form)
    assert.are.equal("名前", got.parts[1].name)
    assert.are.equal("値 — ünïcödé ✓", got.parts[1].data)
    assert.are.equal("pièce", got.parts[2].name)
    assert.are.equal("résumé ü 履歴書.pdf", got.parts[2].filename)
    assert.are.equal("données", got.parts[2].data)
  end)

  it("never lets CR, LF or quotes in names and filenames break the framing", function()
    local form = core.form()
    form:field('evil"\r\nContent-Type: text/html\r\n\r\nx', "value")
    form:data("file", "data", { filename = 'a"\r\n--b.txt' })
    form:field("after", "still here")
    local got = send(form)
    assert.are.equal(3, #got.parts)
    assert.are.equal("evil%22%0D%0AContent-Type: text/html%0D%0A%0D%0Ax", got.parts[1].name)
    assert.is_nil(got.parts[1].content_type)
    assert.are.equal("value", got.parts[1].data)
    assert.are.equal("a%22%0D%0A--b.txt", got.parts[2].filename)
    assert.are.equal("still here", got.parts[3].data)
  end)

  it("refuses CR or LF in a content type", function()
    local form = core.form()
    assert.has_error(function()
      form:data("x", "y", { content_type = "text/plain\r\nX-Evil: 1" })
    end)
  end)

  it("streams a file part from disk", function()
    local data = all_bytes():rep(1000) .. "tail"
    local path = tmpfile(data)
    local form = core.form()
    form:field("before", "1")
    assert.is_true(form:file("attachment", path))
    form:field("after", "2")
    local got = send(form)
    os.remove(path)
    assert.are.equal(3, #got.parts)
    assert.are.equal(#data, got.parts[2].size)
    assert.are.equal(md5(data), got.parts[2].md5)
    assert.are.equal(path:match("[^/]+$"), got.parts[2].filename)
    assert.are.equal("application/octet-stream", got.parts[2].content_type)
    assert.are.equal("2", got.parts[3].data)
  end)

  it("sends a 50 MB file byte for byte with flat memory", function()
    local path = os.tmpname()
    local file = assert(io.open(path, "wb"))
    local block = all_bytes():rep(4096)           -- 1 MiB of every byte value
    for i = 1, 50 do file:write(block:sub(i) .. block:sub(1, i - 1)) end
    file:close()
    block = nil -- luacheck: ignore
    collectgarbage("collect")
    local form = core.form()
    assert.is_true(form:file("attachment", path, { filename = "big file.bin",
                                                    content_type = "application/zip" }))
    form:field("subject", "big")
    assert.is_true(form:length() > 50 * 1048576)
    local before = peak_kib()
    local got = send(form)
    local grew = peak_kib() - before
    assert.are.equal(50 * 1048576, got.parts[1].size)
    assert.are.equal(md5_file(path), got.parts[1].md5)
    assert.are.equal("big file.bin", got.parts[1].filename)
    assert.are.equal("application/zip", got.parts[1].content_type)
    assert.are.equal("big", got.parts[2].data)
    assert.is_true(grew < 8 * 1024 * servers.slack, "peak memory grew by " .. grew .. " KiB")
    os.remove(path)
  end)

  it("gives nil and a message for a file it cannot open", function()
    local form = core.form()
    local ok, err = form:file("a", "/nonexistent/file.txt")
    assert.is_nil(ok)
    assert.truthy(err:find("/nonexistent/file.txt", 1, true))
    ok, err = form:file("a", "/tmp")
    assert.is_nil(ok)
    assert.is_string(err)
    assert.are.equal(form:length(), #read_all(form, 100))
  end)

  it("reports a file that shrank before sending as 'file'", function()
    local path = tmpfile(("x"):rep(10000))
    local form = core.form()
    form:file("a", path)
    local file = io.open(path, "wb")
    file:write("short")
    file:close()
    local res, err, _, detail = session:request{ method = "POST", url = server.url .. "/echo",
                                                 form = form }
    assert.is_nil(res)
    assert.are.equal("file", err)
    assert.truthy(detail:find(path, 1, true))
    local chunk, read_err
    repeat chunk, read_err = form:read(4096) until not chunk
    assert.truthy(read_err:find(path, 1, true))
    os.remove(path)
    -- the session is fine afterwards, and its next failure is its own
    assert.are.equal(200, session:request{ url = server.url .. "/echo" }.status)
    local _, word = session:request{ url = "http://127.0.0.1:1/" }
    assert.are.equal("connect", word)
  end)

  describe(":length, :content_type and :read", function()
    it("computes the exact length before sending", function()
      local form = core.form()
      assert.are.equal(#read_all(form, 10), form:length())
      form:rewind()
      form:field("a", "b")
      form:data("c", all_bytes(), { filename = "x" })
      local path = tmpfile(("z"):rep(12345))
      form:file("f", path)
      local bytes = read_all(form, 4096)
      assert.are.equal(form:length(), #bytes)
      os.remove(path)
    end)

    it("has a boundary in its content type that frames the body", function()
      local form = core.form()
      form:field("a", "b")
      local boundary = form:content_type():match("^multipart/form%-data; boundary=(.+)$")
      assert.truthy(boundary)
      assert.is_true(#boundary <= 70)
      local body = read_all(form, 1000)
      assert.are.equal("--" .. boundary .. "\r\n", body:sub(1, #boundary + 4))
      assert.are.equal("\r\n--" .. boundary .. "--\r\n", body:sub(-(#boundary + 8)))
      assert.are_not.equal(boundary, core.form():content_type():match("boundary=(.+)$"))
    end)

    it("reads the very bytes curl sends, in any chunk size", function()
      local path = tmpfile(all_bytes():rep(777))
      local form = core.form()
      form:field("to", "a@b.c")
      form:file("attachment", path)
      form:data("data", all_bytes(), { filename = "d.bin" })
      local whole = read_all(form, 1)
      for _, n in ipairs{ 7, 100, 8191, 65536, 1000000 } do
        form:rewind()
        assert.are.equal(whole, read_all(form, n))
      end
      local got = send(form)
      assert.are.equal(md5(whole), got.body_md5)
      os.remove(path)
    end)

    it("sends a form without files whole (up to 64 KiB) or streamed, the same bytes", function()
      -- a data part sized so the form is 64 KiB - 1, 64 KiB and 64 KiB + 1
      -- bytes: the core sends the first two whole (POSTFIELDS), the last
      -- through the read callback
      local function form_of(total)
        local probe = core.form()
        probe:field("to", "a@b.c")
        probe:data("blob", "", { filename = "b.bin" })
        local overhead = probe:length()
        probe:close()
        local form = core.form()
        form:field("to", "a@b.c")
        form:data("blob", all_bytes():rep(300):sub(1, total - overhead), { filename = "b.bin" })
        assert.are.equal(total, form:length())
        return form
      end
      for _, total in ipairs{ 65535, 65536, 65537 } do
        local form = form_of(total)
        local got = send(form)
        form:rewind()
        assert.are.equal(md5(read_all(form, 65536)), got.body_md5, "length " .. total)
        form:close()
      end
    end)

    it("starts over after rewind, also half-way through a file", function()
      local path = tmpfile(("y"):rep(100000))
      local form = core.form()
      form:file("f", path)
      local first = form:read(50000)
      assert.are.equal(50000, #first)
      form:rewind()
      local whole = read_all(form, 65536)
      assert.are.equal(first, whole:sub(1, 50000))
      assert.are.equal(form:length(), #whole)
      os.remove(path)
    end)

    it("can be sent again (retries) and read while it is not being sent", function()
      local form = core.form()
      form:field("n", "1")
      local a = send(form)
      local b = send(form)
      assert.are.equal(a.body_md5, b.body_md5)
      form:read(10)
      local c = send(form)
      assert.are.equal(a.body_md5, c.body_md5)
    end)

    it("raises on a non-positive read size", function()
      assert.has_error(function() core.form():read(0) end)
    end)
  end)

  describe("lifetime", function()
    it("closes idempotently and raises when used closed", function()
      local form = core.form()
      form:field("a", "b")
      form:close()
      form:close()
      getmetatable(form).__gc(form)
      assert.truthy(tostring(form):find("closed", 1, true))
      assert.has_error(function() form:field("c", "d") end)
      assert.has_error(function() form:length() end)
      assert.has_error(function() form:read(1) end)
      assert.has_error(function()
        session:request{ method = "POST", url = server.url .. "/echo", form = form }
      end)
    end)

    it("is collected with open files without leaking", function()
      local path = tmpfile(("q"):rep(100000))
      for _ = 1, 300 do
        local form = core.form()
        form:file("f", path)
        form:read(10)  -- leaves the file open
      end
      collectgarbage("collect")
      collectgarbage("collect")
      os.remove(path)
    end)

    it("raises on wrong argument types, naming them", function()
      local form = core.form()
      local ok, err = pcall(form.field, form, "a", {})
      assert.is_false(ok)
      assert.truthy(err:find("#2", 1, true) or err:find("#3", 1, true))
      assert.has_error(function() form:data("a", "b", "opts") end)
      assert.has_error(function() form:data("a", "b", { filename = 1 }) end)
      assert.has_error(function() form:file("a", nil) end)
    end)
  end)
end)
