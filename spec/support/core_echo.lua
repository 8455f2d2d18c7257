-- The nginx (ngx_lua, LuaJIT) side of spec/support/core_server.lua: an echo
-- server that answers with the request it parsed, as JSON, and counts TCP
-- connections through ngx.var.connection.
-- luacheck: std ngx_lua
local cjson = require "cjson"

local ngx = ngx
local tonumber = tonumber

local _M = {}

local stats = ngx.shared.core_stats

local function count_request()
  local connection = ngx.var.connection
  if stats:add("conn:" .. connection, true) then
    stats:incr("connections", 1, 0)
  end
  stats:incr("requests", 1, 0)
end

local function read_body()
  ngx.req.read_body()
  local data = ngx.req.get_body_data()
  if not data then
    local path = ngx.req.get_body_file()
    if path then
      local file = assert(io.open(path, "rb"))
      data = file:read("*a")
      file:close()
    end
  end
  return data
end

-- An independent multipart/form-data parser (RFC 7578): every part with
-- its head fields, the size and md5 of its bytes, and the bytes themselves
-- when they are small.
local function parse_multipart(body, content_type)
  local boundary = content_type:match('boundary="([^"]+)"')
    or content_type:match("boundary=([^;%s]+)")
  if not boundary then return nil, "no boundary" end
  local delimiter = "--" .. boundary
  if body:sub(1, #delimiter + 2) ~= delimiter .. "\r\n" then
    return nil, "body does not start with the delimiter"
  end
  local parts, pos = {}, #delimiter + 3
  while true do
    local head_end = body:find("\r\n\r\n", pos, true)
    if not head_end then return nil, "part head does not end" end
    local head = body:sub(pos, head_end - 1)
    local next_delimiter = body:find("\r\n" .. delimiter, head_end + 4, true)
    if not next_delimiter then return nil, "part does not end" end
    local data = body:sub(head_end + 4, next_delimiter - 1)
    local part = { size = #data, md5 = ngx.md5(data), head = {} }
    for line in (head .. "\r\n"):gmatch("(.-)\r\n") do
      local name, value = line:match("^([%w%-]+):%s*(.*)$")
      if not name then return nil, "bad head line: " .. line end
      part.head[name:lower()] = value
    end
    local disposition = part.head["content-disposition"] or ""
    part.disposition = disposition:match("^([^;]+)")
    part.name = disposition:match(';%s*name="([^"]*)"')
    part.filename = disposition:match(';%s*filename="([^"]*)"')
    part.content_type = part.head["content-type"]
    if #data <= 65536 then part.data = data end
    parts[#parts + 1] = part
    pos = next_delimiter + 2 + #delimiter
    local after = body:sub(pos, pos + 1)
    if after == "--" then
      if body:sub(pos + 2) ~= "\r\n" then return nil, "bytes after the end" end
      return parts
    elseif after ~= "\r\n" then
      return nil, "bad delimiter line"
    end
    pos = pos + 2
  end
end

function _M.echo()
  count_request()
  local args = ngx.req.get_uri_args()
  local body = read_body()
  local reply = {
    method = ngx.req.get_method(),
    uri = ngx.var.uri,
    args = ngx.var.args,
    headers = ngx.req.get_headers(200),
    connection = tonumber(ngx.var.connection),
    protocol = ngx.var.server_protocol,
    body_size = body and #body or 0,
    body_md5 = body and ngx.md5(body) or cjson.null,
  }
  local content_type = ngx.var.content_type or ""
  if body and content_type:find("multipart/form-data", 1, true) then
    reply.parts, reply.multipart_error = parse_multipart(body, content_type)
  elseif body and #body <= 1048576 then
    reply.body = body
  end
  if args.reply_headers then
    ngx.header["X-Reply"] = "yes"
    ngx.header["X-Multi"] = { "one", "two" }
    ngx.header["X-Empty"] = ""
  end
  ngx.status = tonumber(args.status) or 200
  ngx.header["Content-Type"] = "application/json"
  ngx.print(cjson.encode(reply))
end

function _M.sleep()
  count_request()
  local ms = tonumber(ngx.var.arg_ms) or 1000
  ngx.sleep(ms / 1000)
  ngx.print("slept " .. ms)
end

function _M.big()
  count_request()
  local n = tonumber(ngx.var.arg_n) or 1024
  local chunk = string.rep("x", 8192)
  if not ngx.var.arg_chunked then
    ngx.header["Content-Length"] = n
  end
  while n > 0 do
    local take = n < #chunk and n or #chunk
    ngx.print(chunk:sub(1, take))
    if ngx.var.arg_chunked then ngx.flush(true) end
    n = n - take
  end
end

function _M.stats()
  ngx.header["Content-Type"] = "application/json"
  ngx.print(cjson.encode({
    connections = stats:get("connections") or 0,
    requests = stats:get("requests") or 0,
  }))
end

function _M.reset()
  stats:flush_all()
  ngx.print("reset")
end

return _M
