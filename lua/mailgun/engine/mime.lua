-- Media types from file names, for attachment and inline parts: the
-- system's table (/etc/mime.types, Debian's media-types package) read once,
-- then a small built-in table, then application/octet-stream.
local io_open, type = io.open, type
local lower = string.lower

local _M = { path = "/etc/mime.types" }

local FALLBACK = {
  txt = "text/plain", text = "text/plain", log = "text/plain", csv = "text/csv",
  html = "text/html", htm = "text/html", css = "text/css", ics = "text/calendar",
  xml = "application/xml", json = "application/json", pdf = "application/pdf",
  zip = "application/zip", gz = "application/gzip", eml = "message/rfc822",
  png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", jpe = "image/jpeg",
  gif = "image/gif", webp = "image/webp", svg = "image/svg+xml", bmp = "image/bmp",
  ico = "image/vnd.microsoft.icon", tif = "image/tiff", tiff = "image/tiff",
  mp3 = "audio/mpeg", mp4 = "video/mp4", wav = "audio/x-wav",
  doc = "application/msword", xls = "application/vnd.ms-excel",
  ppt = "application/vnd.ms-powerpoint",
  docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt = "application/vnd.oasis.opendocument.text", rtf = "application/rtf",
}
_M.FALLBACK = FALLBACK

local system -- extension -> type, read on first use; false when unreadable

local function load(path)
  local f = io_open(path, "r")
  if not f then return false end
  local map = {}
  for line in f:lines() do
    if not line:find("^%s*#") then
      local mtype, exts = line:match("^%s*(%S+)%s+(.+)$")
      if mtype then
        for ext in exts:gmatch("%S+") do
          ext = lower(ext)
          if map[ext] == nil then map[ext] = mtype end
        end
      end
    end
  end
  f:close()
  return map
end

-- Media type of a file name (or path), or nil when the extension is unknown.
function _M.of(name)
  if type(name) ~= "string" then return nil end
  local ext = name:match("%.([^%./\\]+)$")
  if not ext then return nil end
  ext = lower(ext)
  if system == nil then system = load(_M.path) end
  return (system and system[ext]) or FALLBACK[ext]
end

-- Forget the system table (a spec pointing _M.path elsewhere).
function _M.reload() system = nil end

return _M
