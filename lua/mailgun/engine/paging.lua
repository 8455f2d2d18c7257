-- Pagination for every style the two APIs use, behind two iterators:
--   for page in resource:pages(params, {cursor=}) do ... page.items, page.cursor
--   for item in resource:each(params) do ... end
-- On failure the iterator yields false, err once and stops. page.cursor is a
-- string that resumes after this page (nil on the last page); pass it back as
-- opts.cursor (or params.cursor) to continue later, in another process.
local json = require("mailgun.engine.json")
local options = require("mailgun.engine.options")

local type, pairs, ipairs, tostring, tonumber, next = type, pairs, ipairs, tostring, tonumber, next
local max, min = math.max, math.min

local _M = {}

local ITEM_KEYS = { "items", "data", "users", "subaccounts", "routes", "result" }

local function items_of(result, ep)
  if ep.items then
    local v = result
    for key in ep.items:gmatch("[^.]+") do -- "template.versions"
      v = type(v) == "table" and v[key] or nil
    end
    return type(v) == "table" and v or {}
  end
  for _, k in ipairs(ITEM_KEYS) do
    if type(result[k]) == "table" then return result[k] end
  end
  -- the only array in the answer
  for _, v in pairs(result) do
    if type(v) == "table" and v[1] ~= nil then return v end
  end
  return {}
end
_M.items_of = items_of

local function copy(t)
  local c = {}
  if type(t) == "table" then for k, v in pairs(t) do c[k] = v end end
  return c
end

local function total_of(result)
  return tonumber(result.total_count or result.total
    or (type(result.pagination) == "table" and result.pagination.total) or "")
end

-- A style: fetch(engine, ep, params, cursor, opts) -> result, err and
-- after(result, items, params, cursor) -> next cursor or nil at the end.
local STYLES = {}

STYLES.url = {
  fetch = function(engine, ep, params, cursor, opts)
    if cursor then
      local o = copy(opts); o.url = cursor
      return engine:call(ep, nil, o)
    end
    return engine:call(ep, params, opts)
  end,
  after = function(result, items)
    local p = result.paging
    local nxt = type(p) == "table" and p.next
    -- a short page is not the end: a log (events) ends only on an empty page
    if type(nxt) ~= "string" or nxt == "" or #items == 0 then return nil end
    return nxt
  end,
}

STYLES.skip = {
  fetch = function(engine, ep, params, cursor, opts)
    local p = copy(params)
    if cursor then p.skip = tonumber(cursor) end
    return engine:call(ep, p, opts)
  end,
  after = function(result, items, params, cursor)
    local skip = (tonumber(cursor or "") or tonumber(params.skip or "") or 0) + #items
    local total = total_of(result)
    if total and skip >= total then return nil end
    local limit = tonumber(params.limit or "")
    if limit and #items < limit then return nil end
    return tostring(skip)
  end,
}

STYLES.body_token = {
  fetch = function(engine, ep, params, cursor, opts)
    local p = copy(params)
    if cursor then
      p.pagination = copy(p.pagination)
      p.pagination.token = cursor
    end
    return engine:call(ep, p, opts)
  end,
  after = function(result, _, _, cursor)
    local pg = result.pagination
    local nxt = type(pg) == "table" and pg.next
    if type(nxt) ~= "string" or nxt == "" or nxt == cursor then return nil end
    return nxt
  end,
}

STYLES.body_skip = {
  fetch = function(engine, ep, params, cursor, opts)
    local p = copy(params)
    if cursor then
      p.pagination = copy(p.pagination)
      p.pagination.skip = tonumber(cursor)
    end
    return engine:call(ep, p, opts)
  end,
  after = function(result, items, params, cursor)
    local pg = type(params.pagination) == "table" and params.pagination or {}
    local skip = (tonumber(cursor or "") or tonumber(pg.skip or "") or 0) + #items
    local total = total_of(result)
    if total and skip >= total then return nil end
    local limit = tonumber(pg.limit or "")
    if limit and #items < limit then return nil end
    return tostring(skip)
  end,
}

-- MailerSend: page/limit with links.next; limit clamped to the API's range.
STYLES.page = {
  fetch = function(engine, ep, params, cursor, opts)
    local p = copy(params)
    if cursor then p.page = tonumber(cursor) end
    if p.limit and engine.page_limits then
      p.limit = max(engine.page_limits.min, min(engine.page_limits.max, tonumber(p.limit)))
    end
    return engine:call(ep, p, opts)
  end,
  after = function(result, items, params, cursor)
    local links = result.links
    local page = tonumber(cursor or "") or tonumber(params.page or "") or 1
    if type(links) == "table" then
      if type(links.next) ~= "string" then return nil end
    elseif #items == 0 then
      return nil
    end
    local meta = result.meta
    if type(meta) == "table" and tonumber(meta.last_page or "") and page >= tonumber(meta.last_page) then
      return nil
    end
    return tostring(page + 1)
  end,
}

_M.STYLES = STYLES

-- A cheap fingerprint of a page, to stop on a page served twice.
local function fingerprint(items)
  if #items == 0 then return "" end
  return (json.encode(items[1]) or "") .. "|" .. (json.encode(items[#items]) or "") .. "|" .. #items
end

-- Iterator over pages: yields {items=, result=, cursor=} or false, err.
function _M.pages(engine, ep, params, opts)
  local style = STYLES[ep.paging]
  if not style then error("endpoint '" .. tostring(ep.name) .. "' is not paginated", 3) end
  params = copy(params)
  opts = copy(opts)
  local cursor = opts.cursor or params.cursor
  params.cursor, opts.cursor = nil, nil
  local done, seen, last_print = false, {}, nil
  if cursor then seen[cursor] = true end
  return function()
    if done then return nil end
    local result, err = style.fetch(engine, ep, params, cursor, opts)
    if not result then
      done = true
      return false, err
    end
    local items = items_of(result, ep)
    if #items == 0 then
      done = true
      return nil
    end
    local print_ = fingerprint(items)
    if print_ == last_print then
      done = true -- the server served the last page again
      return nil
    end
    last_print = print_
    local nxt = style.after(result, items, params, cursor)
    if nxt == nil or seen[nxt] then
      done, nxt = true, nil
    else
      seen[nxt] = true
    end
    cursor = nxt
    return { items = items, result = result, cursor = nxt }
  end
end

-- Iterator over items across pages: yields item, or false, err.
function _M.each(engine, ep, params, opts)
  local next_page = _M.pages(engine, ep, params, opts)
  local page, i = nil, 0
  return function()
    while true do
      if page and i < #page.items then
        i = i + 1
        return page.items[i]
      end
      local p, err = next_page()
      if p == nil then return nil end
      if p == false then return false, err end
      page, i = p, 0
    end
  end
end

-- Adds pages/each (for the "list" endpoint, else the first paginated one)
-- and pages_<name>/each_<name> for every other paginated endpoint to a
-- resource class (its objects carry the engine as _engine).
function _M.attach(obj)
  local main
  for name, ep in pairs(obj._endpoints) do
    if ep.paging then
      if name == "list" then main = ep end
      local label = (obj._name or "resource") .. ":"
      obj["pages_" .. name] = function(self, params, opts)
        options.check_call(self._engine, ep, params, opts, label .. "pages_" .. name, options.PAGING)
        return _M.pages(self._engine, ep, params, opts)
      end
      obj["each_" .. name] = function(self, params, opts)
        options.check_call(self._engine, ep, params, opts, label .. "each_" .. name, options.PAGING)
        return _M.each(self._engine, ep, params, opts)
      end
    end
  end
  if not main then
    local best
    for name, ep in pairs(obj._endpoints) do
      if ep.paging and (not best or name < best) then best = name end
    end
    main = best and obj._endpoints[best]
  end
  if main and next(obj._endpoints) then
    local label = (obj._name or "resource") .. ":"
    obj.pages = function(self, params, opts)
      options.check_call(self._engine, main, params, opts, label .. "pages", options.PAGING)
      return _M.pages(self._engine, main, params, opts)
    end
    obj.each = function(self, params, opts)
      options.check_call(self._engine, main, params, opts, label .. "each", options.PAGING)
      return _M.each(self._engine, main, params, opts)
    end
  end
end

return _M
