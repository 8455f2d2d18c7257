-- Attachments read from a path must be regular files: opening a FIFO
-- blocks until a writer comes (in nginx, the whole worker), a directory
-- reads as empty, a device never ends. Checked with stat (the C core's
-- file_kind), which opens nothing.
local _M = {}

-- true | nil, message
function _M.check_regular(path)
  local kind, err = require("mailgun.core").file_kind(path)
  if not kind then return nil, err end
  if kind ~= "file" then
    return nil, path .. " is a " .. (kind == "character" and "character device"
      or kind == "block" and "block device" or kind) .. ", not a regular file"
  end
  return true
end

return _M
