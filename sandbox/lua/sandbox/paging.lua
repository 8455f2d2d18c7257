-- Pagination in both providers' styles.
local util = require("sandbox.util")

local tonumber, pairs, ipairs = tonumber, pairs, ipairs
local ceil = math.ceil
local concat, sort = table.concat, table.sort

local _M = {}

local function qs(args)
  local keys = {}
  for k in pairs(args) do keys[#keys + 1] = k end
  sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    out[#out + 1] = ngx.escape_uri(k) .. "=" .. ngx.escape_uri(tostring(args[k]))
  end
  return concat(out, "&")
end
_M.qs = qs

-- The scheme://host the client used (paging URLs are absolute).
function _M.base(ctx)
  local host = ctx.headers.host or (ngx.var.server_addr .. ":" .. ngx.var.server_port)
  return ngx.var.scheme .. "://" .. host
end

function _M.url(ctx, path, args)
  local q = args and qs(args) or ""
  return _M.base(ctx) .. path .. (q ~= "" and ("?" .. q) or "")
end

-- Mailgun pivot paging (suppressions, templates, lists/pages, tags):
-- items sorted by key; ?page=first|last|next|previous & pivot param & limit.
-- -> page items, paging table
function _M.mailgun_pivot(ctx, path, items, key, pivot_name, default_limit, max_limit)
  local q = ctx.query
  local limit = util.int(q.limit, default_limit or 100)
  if limit < 1 then limit = 1 end
  if max_limit and limit > max_limit then limit = max_limit end
  local page = q.page or "first"
  local pivot = q[pivot_name]
  if type(pivot) == "table" then pivot = pivot[1] end
  if type(page) == "table" then page = page[1] end
  local out = util.array()
  local n = #items
  if page == "last" then
    for i = math.max(1, n - limit + 1), n do out[#out + 1] = items[i] end
  elseif page == "previous" and pivot then
    local first
    for i = n, 1, -1 do
      if items[i][key] < pivot then first = i break end
    end
    if first then
      for i = math.max(1, first - limit + 1), first do out[#out + 1] = items[i] end
    end
  elseif page == "next" and pivot then
    for i = 1, n do
      if items[i][key] > pivot then
        out[#out + 1] = items[i]
        if #out >= limit then break end
      end
    end
  else
    for i = 1, math.min(n, limit) do out[#out + 1] = items[i] end
  end
  local lastkey = out[#out] and out[#out][key] or pivot or ""
  local firstkey = out[1] and out[1][key] or pivot or ""
  local paging = {
    first = _M.url(ctx, path, { page = "first", limit = limit }),
    last = _M.url(ctx, path, { page = "last", limit = limit }),
    next = _M.url(ctx, path, { page = "next", [pivot_name] = lastkey, limit = limit }),
    previous = _M.url(ctx, path, { page = "previous", [pivot_name] = firstkey, limit = limit }),
  }
  return out, paging
end

-- Mailgun skip/limit -> page items, total
function _M.skip_limit(ctx, items, default_limit, max_limit)
  local skip = util.int(ctx.query.skip, 0)
  local limit = util.int(ctx.query.limit, default_limit or 100)
  if max_limit and limit > max_limit then limit = max_limit end
  if skip < 0 then skip = 0 end
  return util.slice(items, skip + 1, limit), #items
end

-- MailerSend page/limit with links and meta; -> body | nil, status, error body
function _M.mailersend(ctx, items, path)
  local q = ctx.query
  local limit = q.limit
  if type(limit) == "table" then limit = limit[1] end
  if limit ~= nil then
    local n = tonumber(limit)
    if not n or n < 10 or n > 100 or n % 1 ~= 0 then
      local msg = "The limit must be between 10 and 100."
      return nil, 422, { message = msg, errors = { limit = util.array({ msg }) } }
    end
    limit = n
  else
    limit = 25
  end
  local page = util.int(q.page, 1)
  if page < 1 then
    local msg = "The page must be at least 1."
    return nil, 422, { message = msg, errors = { page = util.array({ msg }) } }
  end
  local total = #items
  local last = math.max(1, ceil(total / limit))
  local from = (page - 1) * limit + 1
  local data = util.slice(items, from, limit)
  local full = _M.base(ctx) .. (path or ctx.path)
  local function link(p)
    return full .. "?page=" .. p .. "&limit=" .. limit
  end
  return {
    data = data,
    links = {
      first = link(1),
      last = link(last),
      prev = page > 1 and link(page - 1) or util.null,
      next = page < last and link(page + 1) or util.null,
    },
    meta = {
      current_page = page,
      from = #data > 0 and from or util.null,
      to = #data > 0 and (from + #data - 1) or util.null,
      path = full,
      per_page = limit,
      last_page = last,
      total = total,
    },
  }
end

return _M
