-- Pass-through to any endpoint of the provider, authenticated by the client
-- (region, key or token applied):
--   account:request(method, path, params, opts) -> the decoded body | nil, err
--   account:list(path, params, opts)  (or request with opts.paginate = true)
--     -> {result = {provider-shaped items}, next_cursor = string | nil,
--         remote_data = the page's whole body}
-- Paging style: opts.paging ("page", "skip", "url"; see mailgun/paging.lua),
-- else MailerSend "page" and, for Mailgun, guessed from the first answer
-- (paging.next -> "url", total/total_count -> "skip"). opts.items names the
-- key holding the items. The cursor is opaque (unified/cursor.lua), tied to
-- the method, path and params; a "url" cursor keeps only path and query and
-- always goes back to the client's own host.
local base = require("mailgun.engine.client")
local paging = require("mailgun.engine.paging")
local cursor = require("mailgun.unified.cursor")
local url = require("mailgun.engine.url")
local errors = require("mailgun.engine.errors")
local options = require("mailgun.engine.options")

local type, pairs, tostring, error = type, pairs, tostring, error

local _M = {}

local function guess_style(provider, result)
  if provider == "mailersend" then return "page" end
  if type(result.paging) == "table" and type(result.paging.next) == "string" then return "url" end
  if result.total ~= nil or result.total_count ~= nil then return "skip" end
  return nil
end

-- account:list opts (mailgun/engine/options.lua: others raise)
local LIST_OPTIONS = { method = "string", paging = "string", items = "string", headers = "table",
                       timeout = "number" }
local PAGINATE_OPTIONS = { paginate = "boolean" }
for k, v in pairs(LIST_OPTIONS) do PAGINATE_OPTIONS[k] = v end
PAGINATE_OPTIONS.method = nil -- the request's own

function _M.request(account, method, path, params, opts)
  if opts ~= nil then
    options.check(opts, opts.paginate and PAGINATE_OPTIONS or base.REQUEST_OPTIONS, "request",
      { argn = 4, level = 3 })
  end
  if opts and opts.paginate then
    local o = {}
    for k, v in pairs(opts) do o[k] = v end
    o.paginate = nil
    o.method = method
    return _M.list(account, path, params, o)
  end
  return account.client:request(method, path, params, opts)
end

function _M.list(account, path, params, opts)
  if type(path) ~= "string" or path:sub(1, 1) ~= "/" then
    error("bad argument #1 to 'list' (a path starting with '/' expected)", 3)
  end
  if opts ~= nil then options.check(opts, LIST_OPTIONS, "list", { argn = 3, level = 3 }) end
  opts = opts or {}
  params = params or {}
  if type(params) ~= "table" then error("bad argument #2 to 'list' (table expected)", 3) end
  local provider, client = account.provider, account.client
  local method = (opts.method or "GET"):upper()
  local resource = method .. " " .. path
  local filters = {}
  for k, v in pairs(params) do
    if k ~= "cursor" then filters[k] = v end
  end
  local style, at = opts.paging, nil
  if not style and provider == "mailersend" then style = "page" end
  if params.cursor ~= nil then
    local pos, err = cursor.decode(params.cursor, provider, resource, filters)
    if not pos then return nil, err end
    style, at = pos.s, pos.c
    if not paging.STYLES[style] or type(at) ~= "string" then
      return nil, errors.invalid("invalid cursor: bad position", { field = "cursor", provider = provider })
    end
    if style == "url" then
      if at:sub(1, 1) ~= "/" then
        return nil, errors.invalid("invalid cursor: bad position", { field = "cursor", provider = provider })
      end
      at = (url.split(client.engine.base_url) or "") .. at
    end
  end
  local call_opts = { label = "list", headers = opts.headers, timeout = opts.timeout }
  local ep = base.endpoint_for(method, path, { paging = style, items = opts.items })
  local result, err
  if style then
    result, err = paging.STYLES[style].fetch(client.engine, ep, filters, at, call_opts)
  else
    result, err = client:request(method, path, filters, call_opts)
  end
  if not result then return nil, err end
  style = style or guess_style(provider, result)
  local items = paging.items_of(result, ep)
  local nxt
  if style and #items > 0 then
    nxt = paging.STYLES[style].after(result, items, filters, at)
    if style == "url" and nxt then
      local _, rest = url.split(nxt)
      nxt = rest or (nxt:sub(1, 1) == "/" and nxt) or nil
    end
  end
  return { result = items, remote_data = result,
           next_cursor = nxt and cursor.encode(provider, resource, { s = style, c = tostring(nxt) }, filters) }
end

return _M
