-- The reference as the oracle: every request is checked against the wire
-- facts of the operation it matches (mailgun.resources._reference, written
-- by tools/extract-reference from Mailgun's OpenAPI file, and
-- mailersend.resources._reference, compiled from MailerSend's reference):
-- parameter names and where they go, types, enums, required names, array
-- vs object bodies, limits, and multipart framing (RFC 7578). Nothing here
-- names an endpoint: every check is read from the data.
local router = require("sandbox.router")
local util = require("sandbox.util")

local type, pairs, ipairs, tostring, tonumber, next, pcall, require =
  type, pairs, ipairs, tostring, tonumber, next, pcall, require
local sort, concat = table.sort, table.concat
local find, sub, lower = string.find, string.sub, string.lower

local _M = {}

local tables = {} -- provider -> {routes = {...}, data = reference}

local function placeholders(path)
  local n = 0
  for _ in path:gmatch("{[^}]+}") do n = n + 1 end
  return n
end

local function load(provider)
  if tables[provider] ~= nil then return tables[provider] end
  local ok, data = pcall(require, provider .. ".resources._reference")
  if not ok or type(data) ~= "table" then
    tables[provider] = false
    return false
  end
  local routes = {}
  for key, facts in pairs(data) do
    if type(facts) == "table" and key:find(" ", 1, true) then
      local method, path = key:match("^(%S+) (.+)$")
      local pat, names = router.compile(path)
      routes[#routes + 1] = { method = method, path = path, pat = pat, names = names,
        facts = facts, holes = placeholders(path) }
    end
  end
  -- literal segments win over placeholders ("/domains/all" before "/domains/{name}")
  sort(routes, function(a, b)
    if a.holes ~= b.holes then return a.holes < b.holes end
    return a.path > b.path
  end)
  tables[provider] = { routes = routes, data = data }
  return tables[provider]
end

-- The operation a request matches: route, path values | nil.
function _M.match(provider, method, path)
  local t = load(provider)
  if not t then return nil end
  local prefix = t.data._prefix or ""
  if prefix ~= "" then
    if sub(path, 1, #prefix) ~= prefix then return nil end
    path = sub(path, #prefix + 1)
  end
  for _, r in ipairs(t.routes) do
    if r.method == method then
      local caps = { path:match(r.pat) }
      if caps[1] ~= nil or (#r.names == 0 and path:match(r.pat)) then
        local values = {}
        for i, name in ipairs(r.names) do values[name] = ngx.unescape_uri(caps[i]) end
        return r, values
      end
    end
  end
  return nil
end

-- Checks of one value (text from a query or form, or decoded JSON) -------

local TEXT_OK = {
  integer = function(s) return s:match("^%-?%d+$") ~= nil end,
  number = function(s) return tonumber(s) ~= nil and s:match("^[%-%d%.eE+]+$") ~= nil end,
  boolean = function(s) return s == "true" or s == "false" end,
}

local function in_enum(enum, v)
  for _, e in ipairs(enum) do
    if e == v then return true end
  end
  return false
end

local function text_problem(f, s)
  local t = f.type == "array" and (f.items or "string") or f.type
  if f.enum and not in_enum(f.enum, s) then
    return "'" .. s .. "' is not one of " .. concat(f.enum, "|")
  end
  local ok = TEXT_OK[t]
  if ok and not ok(s) then return "'" .. s .. "' is not " .. (t == "integer" and "an " or "a ") .. t end
  if f.format and _M.formats[f.format] and not _M.formats[f.format](s) then
    return "'" .. s .. "' is not a " .. f.format
  end
  return nil
end

local function json_type(v)
  if v == util.null then return "null" end
  local t = type(v)
  if t == "table" then
    if next(v) == nil then return "empty" end
    return v[1] ~= nil and "array" or "object"
  end
  if t == "number" then return v == math.floor(v) and "integer" or "number" end
  return t
end

local current_raw = "" -- the JSON text being checked: [] and {} decode alike

local function json_problem(f, v, name)
  local jt = json_type(v)
  if jt == "null" then return nil end
  local want = f.type or "string"
  if jt == "empty" then
    if want == "array" and name and find(current_raw, '"' .. name .. '"%s*:%s*{%s*}') then
      return "is {}, the API takes an array ([])"
    end
    if want == "array" or want == "object" then return nil end
    return "is an empty [] or {}, the API takes " .. want
  elseif jt ~= want and not (want == "number" and jt == "integer") then
    return "is " .. jt .. ", the API takes " .. want
  end
  if want == "array" then
    local n = 0
    for _, x in ipairs(v) do
      n = n + 1
      if f.items and f.items ~= "object" and json_type(x) ~= f.items
        and not (f.items == "number" and json_type(x) == "integer") then
        return "item " .. n .. " is " .. json_type(x) .. ", the API takes " .. f.items
      end
      if f.enum and not in_enum(f.enum, x) then
        return "item '" .. tostring(x) .. "' is not one of " .. concat(f.enum, "|")
      end
    end
    if f.max_items and n > f.max_items then
      return "has " .. n .. " items, at most " .. f.max_items
    end
    if f.min_items and n < f.min_items then
      return "has " .. n .. " items, at least " .. f.min_items
    end
  elseif want == "string" then
    if f.enum and not in_enum(f.enum, v) then
      return "'" .. v .. "' is not one of " .. concat(f.enum, "|")
    end
    if f.extensions and not f.extensions[lower(v:match("%.([^.]+)$") or "")] then
      return "'" .. v .. "': a file type the API does not accept"
    end
    if f.max_length and #v > f.max_length then
      return "is " .. #v .. " bytes long, at most " .. f.max_length
    end
    if f.format and _M.formats[f.format] and not _M.formats[f.format](v) then
      return "'" .. v .. "' is not a " .. f.format
    end
  elseif want == "integer" or want == "number" then
    if f.min and v < f.min then return tostring(v) .. " is below " .. f.min end
    if f.max and v > f.max then return tostring(v) .. " is above " .. f.max end
  end
  if f.fields and want == "object" then return _M.object_problem(f, v) end
  if f.item_fields and want == "array" then
    for i, x in ipairs(v) do
      if type(x) == "table" then
        local p = _M.object_problem({ fields = f.item_fields, open = f.item_open }, x)
        if p then return "item " .. i .. ": " .. p end
      end
    end
  end
  return nil
end

-- Formats the MailerSend data names (dates).
_M.formats = {
  ["date"] = function(s) return type(s) == "string" and s:match("^%d%d%d%d%-%d%d%-%d%d$") ~= nil end,
  ["unix"] = function(s) return tonumber(s) ~= nil and tostring(s):match("^%d+$") ~= nil end,
}

-- Problems of one decoded JSON object against {fields, open}: first one.
function _M.object_problem(body, obj)
  local names = {}
  for k in pairs(obj) do names[#names + 1] = tostring(k) end
  sort(names)
  for _, k in ipairs(names) do
    local f = body.fields[k]
    if f then
      local p = json_problem(f, obj[k], k)
      if p then return "'" .. k .. "' " .. p end
    elseif not body.open then
      return "unknown field '" .. k .. "'"
    end
  end
  local req = {}
  for name, f in pairs(body.fields) do
    if f.required and (obj[name] == nil or obj[name] == util.null) then req[#req + 1] = name end
  end
  sort(req)
  if req[1] then return "missing required field '" .. req[1] .. "'" end
  return nil
end

-- RFC 7578 framing -------------------------------------------------------------

local function header_param(h, name)
  return h:match(';%s*' .. name .. '="([^"]*)"') or h:match(";%s*" .. name .. "=([^;%s]+)")
end

-- The first framing problem of a multipart/form-data body, or nil.
function _M.framing_problem(raw, content_type)
  local boundary = header_param(content_type or "", "boundary")
  if not boundary then return "multipart body without a boundary parameter" end
  local delim = "--" .. boundary
  if sub(raw, 1, #delim) ~= delim then return "the body does not start with the boundary" end
  if not find(raw, "\r\n" .. delim .. "--", 1, true) then return "no closing boundary" end
  local pos, n = #delim + 1, 0
  while sub(raw, pos, pos + 1) ~= "--" do
    if sub(raw, pos, pos + 1) ~= "\r\n" then return "a boundary line not ended by CRLF" end
    local hend = find(raw, "\r\n\r\n", pos + 2, true)
    if not hend then return "truncated part headers" end
    local headers = sub(raw, pos + 2, hend - 1)
    n = n + 1
    local disp
    for line in (headers .. "\r\n"):gmatch("(.-)\r\n") do
      local k, v = line:match("^([^:]+):%s*(.*)$")
      if not k then return "part " .. n .. ": malformed header line" end
      if lower(k) == "content-disposition" then disp = v end
    end
    if not disp then return "part " .. n .. ": no Content-Disposition" end
    if lower(disp:match("^[^;%s]*")) ~= "form-data" then
      return "part " .. n .. ": Content-Disposition is '" .. disp:match("^[^;]*")
        .. "', RFC 7578 wants form-data"
    end
    if not header_param(disp, "name") then return "part " .. n .. ": no name parameter" end
    local nxt = find(raw, "\r\n" .. delim, hend + 4, true)
    if not nxt then return "part " .. n .. ": not closed by a boundary" end
    pos = nxt + 2 + #delim
  end
  if n == 0 then return "a multipart body without parts" end
  return nil
end

-- The whole check ----------------------------------------------------------------

local function values_of(v)
  if type(v) == "table" then return v end
  if v == true then return { "" } end
  return { v }
end

local function check_form(problems, facts, body, ctx)
  local form = facts.bodies.form
  local files = {}
  for _, f in ipairs(ctx.body.files or {}) do
    files[f.field] = (files[f.field] or 0) + 1
  end
  local seen = {}
  for name, v in pairs(ctx.body.fields or {}) do
    seen[name] = true
    local f = form.fields[name]
    local vals = values_of(v)
    if f then
      if f.file then
        problems[#problems + 1] = "form field '" .. name .. "' must be a file part"
      elseif #vals > 1 and f.type ~= "array" then
        problems[#problems + 1] = "form field '" .. name .. "' sent " .. #vals
          .. " times; the API takes one value"
      else
        for _, s in ipairs(vals) do
          local p = text_problem(f, s)
          if p then problems[#problems + 1] = "form field '" .. name .. "': " .. p; break end
        end
      end
    elseif facts.params[name] and facts.params[name].at == "query" then
      problems[#problems + 1] = "'" .. name .. "' belongs in the query, not the form"
    elseif not form.open then
      problems[#problems + 1] = "unknown form field '" .. name .. "'"
    end
  end
  for name in pairs(files) do
    seen[name] = true
    local f = form.fields[name]
    if f and not f.file and f.type ~= "string" then
      problems[#problems + 1] = "form field '" .. name .. "' is a file part; the API takes "
        .. tostring(f.type)
    elseif not f and not form.open then
      problems[#problems + 1] = "unknown file part '" .. name .. "'"
    end
  end
  local req = {}
  for name, f in pairs(form.fields) do
    if f.required and not seen[name] then req[#req + 1] = name end
  end
  sort(req)
  if req[1] then problems[#problems + 1] = "missing required form field '" .. req[1] .. "'" end
  if form.multipart and body == "urlencoded" and next(files) then
    problems[#problems + 1] = "files in a urlencoded body"
  end
end

local function check_json(problems, facts, ctx)
  local spec = facts.bodies.json
  local v = ctx.body.json
  if v == nil then
    problems[#problems + 1] = "the JSON body does not parse"
    return
  end
  local jt = json_type(v)
  if spec.array then
    if jt ~= "array" and jt ~= "empty" then
      problems[#problems + 1] = "the body is a JSON " .. jt .. "; the API takes an array of objects"
      return
    end
    if spec.max_items and #v > spec.max_items then
      problems[#problems + 1] = "the body has " .. #v .. " items, at most " .. spec.max_items
    end
    for i, item in ipairs(v) do
      local p = "not an object"
      if type(item) == "table" then p = _M.object_problem(spec, item) end
      if p then problems[#problems + 1] = "item " .. i .. ": " .. p; return end
    end
    return
  end
  if jt ~= "object" and jt ~= "empty" then
    problems[#problems + 1] = "the body is a JSON " .. jt .. "; the API takes an object"
    return
  end
  local p = _M.object_problem(spec, v)
  if p then problems[#problems + 1] = p end
  for _, rule in ipairs(spec.rules or {}) do
    local ok, msg = _M.rule(rule, v)
    if not ok then problems[#problems + 1] = msg end
  end
end

-- Data-declared rules across fields: {"one_of", a, b, ...} (at least one).
function _M.rule(rule, obj)
  if rule[1] == "one_of" then
    for i = 2, #rule do
      if obj[rule[i]] ~= nil and obj[rule[i]] ~= util.null then return true end
    end
    local names = {}
    for i = 2, #rule do names[#names + 1] = rule[i] end
    return false, "one of " .. concat(names, ", ") .. " is required"
  end
  return true
end

local function body_kind(ctx)
  local ct = lower(ctx.headers["content-type"] or "")
  if ctx.body.raw == "" then return nil end
  if find(ct, "multipart/form-data", 1, true) then return "multipart" end
  if find(ct, "x-www-form-urlencoded", 1, true) then return "urlencoded" end
  if find(ct, "json", 1, true) then return "json" end
  return "other"
end

-- -> list of problems (empty: the request follows the reference), the route
-- (nil when no operation of the reference matches).
function _M.check(ctx)
  local r, path_values = _M.match(ctx.provider, ctx.method, ctx.path)
  if not r then return {}, nil end
  local facts = r.facts
  current_raw = ctx.body.raw or ""
  local params = facts.params or {}
  local problems = {}
  for name, v in pairs(path_values) do
    local f = params[name]
    local p = f and text_problem(f, v)
    if p then problems[#problems + 1] = "path '" .. name .. "': " .. p end
  end
  local bodies = facts.bodies or {}
  for name, v in pairs(ctx.query or {}) do
    local f = params[name]
    if f and f.at == "query" then
      local vals = values_of(v)
      if #vals > 1 and f.type ~= "array" then
        problems[#problems + 1] = "query '" .. name .. "' sent " .. #vals .. " times"
      end
      for _, s in ipairs(vals) do
        local p = text_problem(f, s)
        if p then problems[#problems + 1] = "query '" .. name .. "': " .. p; break end
      end
    elseif (bodies.form and bodies.form.fields[name]) or (bodies.json and bodies.json.fields[name]) then
      problems[#problems + 1] = "'" .. name .. "' belongs in the body, not the query"
    elseif not facts.open_query then
      problems[#problems + 1] = "unknown query parameter '" .. name .. "'"
    end
  end
  local missing = {}
  for name, f in pairs(params) do
    if f.at == "query" and f.required and ctx.query[name] == nil then missing[#missing + 1] = name end
  end
  sort(missing)
  if missing[1] then problems[#problems + 1] = "missing required query parameter '" .. missing[1] .. "'" end

  local kind = body_kind(ctx)
  if kind == "multipart" then
    local p = _M.framing_problem(ctx.body.raw, ctx.headers["content-type"])
    if p then problems[#problems + 1] = "multipart framing: " .. p end
  end
  if kind == nil then
    if (bodies.form and bodies.form.required) or (bodies.json and bodies.json.required) then
      problems[#problems + 1] = "the API needs a request body"
    end
    local one = bodies.form or (bodies.json and not bodies.json.array and bodies.json)
    if one and not bodies.json then
      for name, f in pairs(one.fields) do
        if f.required then
          problems[#problems + 1] = "missing required form field '" .. name .. "'"
          break
        end
      end
    end
  elseif kind == "json" then
    if bodies.json then check_json(problems, facts, ctx)
    elseif bodies.form then problems[#problems + 1] = "a JSON body; the API takes a form"
    elseif ctx.body.raw:match("%S") and ctx.body.raw ~= "{}" then
      problems[#problems + 1] = "a JSON body; the API takes none"
    end
  elseif kind == "multipart" or kind == "urlencoded" then
    if bodies.form then check_form(problems, facts, kind, ctx)
    elseif bodies.json then problems[#problems + 1] = "a form body; the API takes JSON"
    else problems[#problems + 1] = "a form body; the API takes none" end
  end
  return problems, r
end

return _M
