-- core.multipart_parser: the streaming inverse of core.form(), fed in
-- chunks of every size; limits, framing errors and the file sinks.
local core = require "mailgun.core"

local function parse(body, boundary, opts, chunk, on_part)
  opts = opts or {}
  opts.boundary = boundary
  local p = assert(core.multipart_parser(opts))
  local parts, cur = {}, nil
  local pos = 1
  chunk = chunk or #body
  while true do
    local ev, a, b = p:next()
    if ev == "part" then
      cur = { headers = a, chunks = {} }
      parts[#parts + 1] = cur
      if on_part then on_part(p, cur) end
    elseif ev == "data" then
      cur.chunks[#cur.chunks + 1] = a
    elseif ev == "end" then
      cur.info = a
      cur.body = a.data or table.concat(cur.chunks)
    elseif ev == "done" then
      p:close()
      return parts
    elseif a then
      p:close()
      return nil, a, b, parts
    elseif pos > #body then
      p:finish()
    else
      local ok, word, detail = p:feed(body:sub(pos, pos + chunk - 1))
      pos = pos + chunk
      if not ok then p:close() return nil, word, detail, parts end
    end
  end
end

local function all_bytes()
  local t = {}
  for i = 0, 255 do t[#t + 1] = string.char(i) end
  return table.concat(t)
end

describe("core.multipart_parser", function()
  it("reads back what core.form() wrote, in chunks of any size", function()
    local f = core.form()
    local blob = all_bytes():rep(50) .. "\r\n--" .. "\r\n-"
    f:field("name", "Zoë \"quoted\"")
    f:data("file", blob, { filename = "résumé.bin", content_type = "application/x-y" })
    f:field("empty", "")
    local body = f:read(1e7)
    local boundary = f:content_type():match("boundary=(.+)$")
    f:close()
    for _, chunk in ipairs({ 1, 2, 3, 7, 64, 1000, #body }) do
      local parts, err = parse(body, boundary, nil, chunk)
      assert(parts, err)
      assert.are.equal(3, #parts)
      assert.are.equal('form-data; name="name"', parts[1].headers["content-disposition"])
      assert.are.equal('Zoë \"quoted\"', parts[1].body)
      assert.are.equal(blob, parts[2].body)
      assert.are.equal(#blob, parts[2].info.size)
      assert.are.equal("application/x-y", parts[2].headers["content-type"])
      assert.are.equal("", parts[3].body)
    end
  end)

  it("skips preamble and epilogue, unfolds headers, allows padding", function()
    local body = "preamble\r\n--XyZ \t\r\nContent-Disposition: form-data;\r\n name=\"a\"  \r\n"
      .. "X-Dup: 1\r\nx-dup: 2\r\n\r\nvalue\r\n--XyZ\r\n\r\nno headers\r\n--XyZ--  \r\nepilogue"
    local parts = assert(parse(body, "XyZ"))
    assert.are.equal(2, #parts)
    assert.are.equal('form-data; name="a"', parts[1].headers["content-disposition"])
    assert.are.equal("1", parts[1].headers["x-dup"])
    assert.are.equal("value", parts[1].body)
    assert.are.same({}, parts[2].headers)
    assert.are.equal("no headers", parts[2].body)
  end)

  it("ends with a clear word on every framing error", function()
    local cases = {
      { "--XyZ\r\nA: b\r\n\r\nbody", "truncated" },
      { "--XyZ\r\nA: b\r\n\r\nbody\r\n--XyZ", "truncated" },
      { "", "malformed" },
      { "no boundary at all", "malformed" },
      { "--XyZjunk\r\n\r\n\r\n--XyZ--", "malformed" },
      { "--XyZ\r\nA: b\n\r\n\r\n--XyZ--", "malformed" },
      { "--XyZ\r\n no-name\r\n\r\n\r\n--XyZ--", "malformed" },
      { "--XyZ\r\nna me: v\r\n\r\n\r\n--XyZ--", "malformed" },
      { "--XyZ\r\nA: b\rc\r\n\r\n\r\n--XyZ--", "malformed" },
      { "--XyZ\r\n: v\r\n\r\n\r\n--XyZ--", "malformed" },
    }
    for _, case in ipairs(cases) do
      for _, chunk in ipairs({ 1, 5, 100 }) do
        local parts, word = parse(case[1], "XyZ", nil, chunk)
        assert.is_nil(parts)
        assert.are.equal(case[2], word, case[1])
      end
    end
  end)

  it("enforces each limit with its own word", function()
    local many = {}
    for i = 1, 5 do many[#many + 1] = "--b\r\nA: " .. i .. "\r\n\r\nxxxxxxxxxx\r\n" end
    local body = table.concat(many) .. "--b--\r\n"
    assert.is_truthy(parse(body, "b", { max_parts = 5 }))
    local _, word = parse(body, "b", { max_parts = 4 })
    assert.are.equal("too_many_parts", word)
    _, word = parse(body, "b", { max_size = #body - 1 }, 7)
    assert.are.equal("too_large", word)
    _, word = parse(body, "b", { max_part_size = 9 }, 3)
    assert.are.equal("part_too_large", word)
    assert.is_truthy(parse(body, "b", { max_part_size = 10 }, 3))
    _, word = parse("--b\r\nA: " .. ("v"):rep(100) .. "\r\n\r\n\r\n--b--", "b", { max_header_size = 50 }, 4)
    assert.are.equal("header_too_large", word)
    _, word = parse("--b\r\nA: " .. ("v"):rep(100), "b", { max_header_size = 50 })
    assert.are.equal("header_too_large", word)
  end)

  it("refuses bad boundaries and bad options", function()
    for _, b in ipairs({ "", ("x"):rep(71), "trailing ", "semi;colon", "nul\0" }) do
      local p, word = core.multipart_parser{ boundary = b }
      assert.is_nil(p)
      assert.are.equal("bad_boundary", word)
    end
    assert.has_error(function() core.multipart_parser{ boundary = "b", max_part = 1 } end,
      "bad option 'max_part' to 'multipart_parser' (unknown option)")
    assert.has_error(function() core.multipart_parser{ boundary = "b", max_size = -1 } end)
    assert.has_error(function() core.multipart_parser{} end)
  end)

  it("streams bodies to memory, a file, or spills past a threshold", function()
    local big = ("0123456789"):rep(1000)
    local body = "--b\r\nName: m\r\n\r\nsmall\r\n--b\r\nName: f\r\n\r\n" .. big
      .. "\r\n--b\r\nName: s\r\n\r\n" .. big .. "\r\n--b\r\nName: d\r\n\r\nxx\r\n--b--"
    local file, spill = os.tmpname(), os.tmpname()
    os.remove(spill)
    local parts = assert(parse(body, "b", nil, 333, function(p, part)
      local name = part.headers.name
      if name == "m" then assert(p:sink("memory"))
      elseif name == "f" then assert(p:sink("file", file))
      elseif name == "s" then assert(p:sink("spill", 5000, spill))
      else assert(p:sink("discard")) end
      assert.has_error(function() p:sink("memory") end)
    end))
    assert.are.equal("small", parts[1].info.data)
    assert.are.equal(file, parts[2].info.path)
    assert.are.equal(spill, parts[3].info.path)
    assert.are.equal(#big, parts[3].info.size)
    assert.is_nil(parts[4].info.data)
    assert.are.equal(2, parts[4].info.size)
    for _, path in ipairs({ file, spill }) do
      local fh = io.open(path, "rb")
      assert.are.equal(big, fh:read("*a"))
      fh:close()
      os.remove(path)
    end
    -- under the threshold a spill part stays in memory
    parts = assert(parse(body, "b", nil, 50, function(p) assert(p:sink("spill", 1e6, spill)) end))
    assert.are.equal(big, parts[3].info.data)
    assert.is_nil(io.open(spill))
  end)

  it("removes the file of a part left incomplete, on error and on close", function()
    local path = os.tmpname()
    local _, word = parse("--b\r\n\r\n" .. ("x"):rep(100), "b", nil, 10, function(p)
      assert(p:sink("file", path))
    end)
    assert.are.equal("truncated", word)
    assert.is_nil(io.open(path))
    local p = core.multipart_parser{ boundary = "b" }
    p:feed("--b\r\n\r\nabc")
    assert.are.equal("part", p:next())
    assert(p:sink("file", path))
    p:next()
    p:close()
    assert.is_nil(io.open(path))
    p:close()
    assert.matches("closed", tostring(p))
    assert.has_error(function() p:next() end)
    local q = core.multipart_parser{ boundary = "b" }
    q:feed("--b\r\n\r\n")
    q:next()
    local _, w, detail = q:sink("file", "/nonexistent/dir/file")
    assert.are.equal("file", w)
    assert.matches("cannot create", detail)
    q:close()
  end)

  it("keeps memory flat for a large body streamed to a file", function()
    local path = os.tmpname()
    local p = core.multipart_parser{ boundary = "b" }
    local chunk = ("z"):rep(65536)
    collectgarbage()
    local before = collectgarbage("count")
    p:feed("--b\r\n\r\n")
    assert.are.equal("part", p:next())
    p:sink("file", path)
    for _ = 1, 160 do -- 10 MiB
      p:feed(chunk)
      assert.is_nil(p:next())
    end
    p:feed("\r\n--b--")
    local ev, info = p:next()
    assert.are.equal("end", ev)
    assert.are.equal(160 * 65536, info.size)
    assert.are.equal("done", p:next())
    assert(collectgarbage("count") - before < 4096)
    p:close()
    os.remove(path)
  end)
end)
