-- Encoding decisions read from an operation's wire facts: the reference
-- data a provider passes as cfg.reference ("METHOD path" -> facts, see
-- tools/extract-reference), so booleans, lists and array bodies follow what
-- the API declares instead of lists of key names.
local json = require("mailgun.engine.json")

local type, pairs, ipairs, next, setmetatable = type, pairs, ipairs, next, setmetatable

local _M = {}

-- The "METHOD path" key per endpoint, built once rather than per request
-- (weak: endpoints made per call by client:request go away); again when
-- the endpoint changes. The reference itself is read each time: it is data
-- a program may change.
local keys = setmetatable({}, { __mode = "k" })

function _M.facts(reference, ep)
  if not reference then return nil end
  local path, method = ep.path, ep.method
  if not path then return nil end
  local c = keys[ep]
  if not c or c.path ~= path or c.method ~= method then
    c = { path = path, method = method, key = method .. " " .. path }
    keys[ep] = c
  end
  return reference[c.key] or nil
end

-- Facts of one name as sent in `kind` ("query", "form", "json"), or nil.
function _M.field(facts, kind, name)
  if not facts then return nil end
  local p = facts.params and facts.params[name]
  if p and p.at ~= "path" then return p end
  local b = kind ~= "query" and facts.bodies and facts.bodies[kind]
  return b and b.fields[name] or nil
end

-- Whether the operation takes `name` anywhere but in its path.
function _M.declares(facts, name)
  if not facts then return false end
  local p = facts.params and facts.params[name]
  if p and p.at ~= "path" then return true end
  for _, b in pairs(facts.bodies or {}) do
    if b.fields[name] then return true end
  end
  return false
end

-- Whether the operation takes `name` as a body field.
function _M.in_body(facts, name)
  for _, b in pairs(facts and facts.bodies or {}) do
    if b.fields[name] then return true end
  end
  return false
end

-- A boolean as the field's enum spells it (yes/no, true/false), or nil
-- when the facts do not say.
function _M.bool(field, v)
  if not field then return nil end
  if field.enum then
    for _, e in ipairs(field.enum) do
      if e == "yes" then return v and "yes" or "no" end
    end
  end
  if field.type == "boolean" or field.enum then return v and "true" or "false" end
  return nil
end

local function is_list(v)
  return type(v) == "table" and (v[1] ~= nil or json.is_array(v))
end

-- Form params: a Lua list for a field the API takes as one text (a JSON
-- array, e.g. list members) becomes that one text, not a repeated field.
-- Whether a list given for form field `name` goes as one JSON text.
function _M.form_json(facts, name)
  local f = _M.field(facts, "form", name)
  return f and f.type ~= "array" and not f.file and f.type ~= "object" or false
end

function _M.shape_form(facts, params, json_text)
  local out
  if not facts then return params end
  for k, v in pairs(params) do
    if type(v) == "table" and is_list(v) and _M.form_json(facts, k) then
      out = out or {}
      out[k] = json_text(v)
    end
  end
  if not out then return params end
  for k, v in pairs(params) do
    if out[k] == nil then out[k] = v end
  end
  return out
end

-- What fix_object looks for, per declared field set (weak: facts are data
-- that may be built per call): arrays, name -> name of each array field;
-- singular, the singular an array may be given as (tag for tags) -> the
-- array's name, when no field of that name is declared. A send then walks
-- the few keys of its body, not every declared field. A field set is read
-- once: declared facts do not change after a request used them.
local plans = setmetatable({}, { __mode = "k" })

local function plan_of(fields)
  local plan = plans[fields]
  if plan then return plan end
  plan = { arrays = {}, singular = {} }
  for name, f in pairs(fields) do
    if f.type == "array" then
      plan.arrays[name] = name
      local one = name:sub(-1) == "s" and name:sub(1, -2)
      if one and not fields[one] then plan.singular[one] = name end
    end
  end
  plans[fields] = plan
  return plan
end

local function fix_object(fields, obj)
  local copy
  local plan = plan_of(fields)
  local arrays, singular = plan.arrays, plan.singular
  for k, v in pairs(obj) do
    local name = arrays[k]
    if not name then
      -- the singular of a declared list (tag for tags), when only it is given
      name = singular[k]
      if name and obj[name] == nil then
        copy = copy or {}
        copy[k] = json.null -- dropped below
        copy[name] = type(v) == "table" and v or { v }
      else
        name = nil
      end
    end
    local fixed
    if name and v ~= json.null then
      if type(v) ~= "table" then fixed = { v } -- one value where a list is wanted
      elseif next(v) == nil and not json.is_array(v) then fixed = json.array() end
    end
    if fixed then
      copy = copy or {}
      copy[name] = fixed
    end
  end
  if not copy then return obj end
  for k, v in pairs(obj) do
    if copy[k] == nil then copy[k] = v end
  end
  for k, v in pairs(copy) do
    if v == json.null and obj[k] ~= json.null then copy[k] = nil end
  end
  return copy
end

-- A JSON body shaped as declared: one object where an array of them is
-- wanted goes as a list of one; array fields get [] for {} and a list of
-- one for a single value.
function _M.shape_json(facts, body)
  local b = facts and facts.bodies and facts.bodies.json
  if not b or type(body) ~= "table" then return body end
  if b.array then
    if not is_list(body) then
      if next(body) == nil then return json.array() end
      body = { body }
    end
    local out = json.array()
    for i, item in ipairs(body) do
      out[i] = type(item) == "table" and fix_object(b.fields, item) or item
    end
    return out
  end
  if is_list(body) then return body end
  return fix_object(b.fields, body)
end

return _M
