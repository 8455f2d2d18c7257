-- Dates for the APIs: Mailgun wants RFC 2822 with a numeric offset
-- ("Fri, 14 Oct 2011 12:00:00 +0000"), MailerSend wants epoch seconds.
-- Accepted input: epoch seconds (number or digits), RFC 2822, ISO 8601.
local type, tonumber, tostring, floor, format =
  type, tonumber, tostring, math.floor, string.format

local _M = {}

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
                 Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12 }
local MONTH_NAMES = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" }
local DAY_NAMES = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" } -- 1970-01-01 was a Thursday

-- Days since 1970-01-01 of a civil date (proleptic Gregorian).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = floor(z / 146097)
  local doe = z - era * 146097
  local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
  local mp = floor((5 * doy + 2) / 153)
  local d = doy - floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y, m, d
end

local function epoch(y, m, d, h, mi, s, offset_minutes)
  return days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s - (offset_minutes or 0) * 60
end

-- Epoch seconds from a number or a date string; nil, message if unreadable.
function _M.to_epoch(v)
  if type(v) == "number" then return v end
  if type(v) ~= "string" then return nil, "a date must be a number or a string" end
  if v:match("^%d+%.?%d*$") then return tonumber(v) end
  -- ISO 8601: 2026-11-22T10:00:00Z, with fractions or an offset
  local y, m, d, rest = v:match("^(%d%d%d%d)-(%d%d)-(%d%d)(.*)$")
  if y then
    local h, mi, s, tail = rest:match("^[T ](%d%d):(%d%d):?(%d*)%.?%d*(.*)$")
    if not h then
      if rest ~= "" then return nil, "unreadable date '" .. v .. "'" end
      h, mi, s, tail = 0, 0, 0, "Z"
    end
    local off = 0
    if tail ~= "Z" and tail ~= "" and tail ~= "z" then
      local sign, oh, om = tail:match("^([+-])(%d%d):?(%d%d)$")
      if not sign then return nil, "unreadable date '" .. v .. "'" end
      off = (tonumber(oh) * 60 + tonumber(om)) * (sign == "-" and -1 or 1)
    end
    return epoch(tonumber(y), tonumber(m), tonumber(d), tonumber(h), tonumber(mi),
      tonumber(s) or 0, off)
  end
  -- RFC 2822: [Fri, ]14 Oct 2011 12:00:00 +0000 (or GMT/UTC)
  local dd, mon, yy, hh, mm, ss, zone =
    v:match("^%s*%a*,?%s*(%d+)%s+(%a+)%s+(%d+)%s+(%d+):(%d+):?(%d*)%s*(.*)$")
  if dd and MONTHS[mon] then
    local off = 0
    local sign, oh, om = zone:match("^([+-])(%d%d)(%d%d)")
    if sign then
      off = (tonumber(oh) * 60 + tonumber(om)) * (sign == "-" and -1 or 1)
    elseif zone ~= "" and not zone:match("^GMT") and not zone:match("^UTC") and zone ~= "Z" then
      return nil, "unreadable time zone in '" .. v .. "'"
    end
    return epoch(tonumber(yy), MONTHS[mon], tonumber(dd), tonumber(hh), tonumber(mm),
      tonumber(ss) or 0, off)
  end
  return nil, "unreadable date '" .. tostring(v) .. "'"
end

-- "Fri, 14 Oct 2011 12:00:00 +0000" (always UTC, independent of locale).
function _M.rfc2822(v)
  local t, err = _M.to_epoch(v)
  if not t then return nil, err end
  t = floor(t)
  local days = floor(t / 86400)
  local secs = t - days * 86400
  local y, m, d = civil_from_days(days)
  return format("%s, %02d %s %04d %02d:%02d:%02d +0000", DAY_NAMES[days % 7 + 1], d,
    MONTH_NAMES[m], y, floor(secs / 3600), floor(secs % 3600 / 60), secs % 60)
end

-- "2026-11-22T10:00:00Z"
function _M.iso8601(v)
  local t, err = _M.to_epoch(v)
  if not t then return nil, err end
  t = floor(t)
  local days = floor(t / 86400)
  local secs = t - days * 86400
  local y, m, d = civil_from_days(days)
  return format("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
    floor(secs / 3600), floor(secs % 3600 / 60), secs % 60)
end

return _M
