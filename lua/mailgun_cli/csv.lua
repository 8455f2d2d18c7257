-- CSV (RFC 4180: quoted fields, "" inside quotes, CRLF or LF) for the CLI.
local _M = {}

-- All records of a text: a list of lists of fields.
function _M.parse(text)
  local records, fields, field = {}, {}, {}
  local i, n, quoted = 1, #text, false
  local function end_field()
    fields[#fields + 1] = table.concat(field)
    field = {}
  end
  local function end_record()
    end_field()
    if not (#fields == 1 and fields[1] == "") then records[#records + 1] = fields end
    fields = {}
  end
  while i <= n do
    local ch = text:sub(i, i)
    if quoted then
      if ch == '"' then
        if text:sub(i + 1, i + 1) == '"' then
          field[#field + 1] = '"'
          i = i + 1
        else
          quoted = false
        end
      else
        field[#field + 1] = ch
      end
    elseif ch == '"' then
      quoted = true
    elseif ch == "," then
      end_field()
    elseif ch == "\n" or ch == "\r" then
      if ch == "\r" and text:sub(i + 1, i + 1) == "\n" then i = i + 1 end
      end_record()
    else
      field[#field + 1] = ch
    end
    i = i + 1
  end
  if quoted then return nil, "unterminated quoted field" end
  if #field > 0 or #fields > 0 then end_record() end
  return records
end

-- Recipients of a campaign file: the `email` column is the address, the
-- others become its variables. -> {{email=, vars={}}, ...} (first row of an
-- address kept) | nil, message
function _M.read_recipients(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, "cannot read " .. path .. ": " .. tostring(err) end
  local records, perr = _M.parse(f:read("*a"))
  f:close()
  if not records then return nil, path .. ": " .. perr end
  local header = records[1] or {}
  local column
  for i, name in ipairs(header) do
    if name:lower() == "email" then column = i end
  end
  if not column then return nil, path .. ": the first line must name an `email` column" end
  local rows, seen = {}, {}
  for r = 2, #records do
    local rec = records[r]
    local email = rec[column] and rec[column]:match("^%s*(.-)%s*$")
    if not email or not email:find("^[^@%s]+@[^@%s]+$") then
      return nil, path .. ": line " .. r .. ": not an email address: " .. tostring(email)
    end
    if not seen[email] then
      seen[email] = true
      local vars = {}
      for i, name in ipairs(header) do
        if i ~= column then vars[name] = rec[i] or "" end
      end
      rows[#rows + 1] = { email = email, vars = vars }
    end
  end
  return rows
end

local function quote(v)
  v = v == nil and "" or tostring(v)
  if v:find('[",\r\n]') then return '"' .. v:gsub('"', '""') .. '"' end
  return v
end

-- One CSV line of n values (nil values are empty fields).
function _M.line(values, n)
  local out = {}
  for i = 1, n or #values do out[i] = quote(values[i]) end
  return table.concat(out, ",")
end

return _M
