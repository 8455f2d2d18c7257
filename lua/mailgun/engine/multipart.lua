-- Reads a multipart/form-data body (a string, or a reader function(n)) with
-- the core's streaming parser: fields into memory (each bounded), file
-- parts into memory up to a threshold and into files beyond it, so a large
-- attachment never sits in memory.  Never raises on hostile input.
local core = require("mailgun.core")
local mime = require("mailgun.engine.mime_reader")

local type, pcall, tostring, ipairs = type, pcall, tostring, ipairs
local concat = table.concat

local _M = {}

_M.DEFAULTS = {
  max_size = 128 * 1024 * 1024,
  max_parts = 256,
  max_header_size = 16 * 1024,
  max_part_size = 128 * 1024 * 1024,
  max_field_size = 16 * 1024 * 1024,
  threshold = 1024 * 1024,
  chunk = 64 * 1024,
}

-- the boundary parameter of a multipart Content-Type, or nil
function _M.boundary(content_type)
  local ctype, params = mime.params(content_type)
  if ctype:match("^multipart/") then return params.boundary end
end

local counter = 0
-- a fresh path in dir (default: os.tmpname's directory)
function _M.temp_path(dir)
  if not dir then return os.tmpname() end
  counter = counter + 1
  local noise = core.sha256(tostring(core.now()) .. tostring(counter) .. tostring({}))
  return dir .. "/inbound-" .. noise:sub(1, 16)
end

-- A store(att, data) for mime.read and the providers' inbound helpers:
-- data larger than threshold goes to a file in dir (att.path), smaller
-- stays in memory (att.data).  Returns true | nil, err.
function _M.keeper(dir, threshold)
  threshold = threshold or _M.DEFAULTS.threshold
  return function(att, data)
    att.size = att.size or #data
    if #data <= threshold then
      att.data = data
      return true
    end
    local path = _M.temp_path(dir)
    local f, err = io.open(path, "wb")
    if not f then return nil, "cannot create an attachment file: " .. tostring(err) end
    local ok, werr = f:write(data)
    f:close()
    if not ok then
      os.remove(path)
      return nil, "cannot write an attachment file: " .. tostring(werr)
    end
    att.path = path
    return true
  end
end

-- a body string read in slices: the parser never holds a second copy of it
local function string_reader(body)
  local pos = 1
  return function(n)
    if pos > #body then return nil end
    local piece = body:sub(pos, pos + n - 1)
    pos = pos + #piece
    return piece
  end
end

local function feed_all(p, reader, opt)
  local ok, chunk, err = pcall(reader, opt("chunk"))
  if not ok then return nil, "read", tostring(chunk) end
  if chunk == nil then
    if err then return nil, "read", tostring(err) end
    p:finish()
    return true
  end
  if type(chunk) ~= "string" then return nil, "read", "the reader returned a " .. type(chunk) end
  if chunk == "" then return true end
  local fed, word, detail = p:feed(chunk)
  if not fed then return nil, word, detail end
  return true
end

-- multipart.read{content_type=, body= | reader=function(n), dir=, threshold=,
--   max_size=, max_parts=, max_header_size=, max_part_size=, max_field_size=}
-- -> {fields = {name = value} (repeated names: the last), field_list = {{name, value}},
--     files = {{name=, filename=, content_type=, headers=, size=, data= | path=}}}
-- | nil, word, detail   (word: the parser's, "read", "bad_content_type",
--                        "field_too_large", "file")
-- Files are removed again when the read fails.
function _M.read(args)
  local function opt(name)
    local v = args[name]
    if v == nil then v = _M.DEFAULTS[name] end
    return v
  end
  local boundary = _M.boundary(args.content_type)
  if not boundary then return nil, "bad_content_type", "not multipart, or no boundary" end
  local p, word, detail = core.multipart_parser{ boundary = boundary,
    max_size = opt("max_size"), max_parts = opt("max_parts"),
    max_header_size = opt("max_header_size"), max_part_size = opt("max_part_size") }
  if not p then return nil, word, detail end
  local out = { fields = {}, field_list = {}, files = {} }
  local cur, pieces, size
  local max_field = opt("max_field_size")
  local reader = args.reader or string_reader(args.body)
  local function fail(w, d)
    p:close()
    for _, f in ipairs(out.files) do
      if f.path then os.remove(f.path) end
    end
    return nil, w, d
  end
  while true do
    local ok, ev, a, b = pcall(p.next, p)
    if not ok then return fail("error", tostring(ev)) end
    if ev == "part" then
      local _, dparams = mime.params(a["content-disposition"])
      cur = { name = dparams.name, filename = dparams.filename, headers = a,
        content_type = a["content-type"] and mime.params(a["content-type"]) or nil }
      if cur.filename then
        cur.path = _M.temp_path(args.dir)
        p:sink("spill", opt("threshold"), cur.path)
        out.files[#out.files + 1] = cur
      end
      pieces, size = {}, 0
    elseif ev == "data" then
      size = size + #a
      if size > max_field then return fail("field_too_large", "a field is larger than max_field_size") end
      pieces[#pieces + 1] = a
    elseif ev == "end" then
      if cur.filename then
        cur.size, cur.data = a.size, a.data
        if not a.path then
          os.remove(cur.path) -- the spill file was never created; be sure
          cur.path = nil
        end
      else
        local value = concat(pieces)
        if cur.name then out.fields[cur.name] = value end
        out.field_list[#out.field_list + 1] = { cur.name, value }
      end
      cur = nil
    elseif ev == "done" then
      p:close()
      return out
    elseif a then
      return fail(a, b)
    else
      local fed, w, d = feed_all(p, reader, opt)
      if not fed then return fail(w, d) end
    end
  end
end

return _M
