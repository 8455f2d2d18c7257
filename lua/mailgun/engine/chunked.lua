-- Chunked sending: one endpoint called once per chunk of a list, at most
-- `parallel` calls in flight, each outcome recorded as it arrives.
local ipairs, require = ipairs, require
local min = math.min

local _M = {}

-- Splits a list into lists of at most size items.
function _M.chunks(list, size)
  local chunks = {}
  for i = 1, #list, size do
    local chunk = {}
    for j = i, min(i + size - 1, #list) do chunk[#chunk + 1] = list[j] end
    chunks[#chunks + 1] = chunk
  end
  return chunks
end

-- Makes one call of endpoint ep per chunk with params_of(chunk), at most
-- `parallel` at a time, and calls record(chunk, res, err) as each
-- finishes. Used by Mailgun batches and MailerSend bulk. The
-- parallel calls are tasks of mailgun.engine.scheduler on the client's non-blocking loop (light threads in
-- nginx): from a task (or an async call) the caller's task waits without
-- blocking; elsewhere this drives the loop until all are done.
function _M.run(engine, ep, chunks, params_of, record, parallel, label)
  parallel = parallel or 1
  local function one(chunk)
    local res, err = engine:call(ep, params_of(chunk), { label = label })
    record(chunk, res, err)
  end
  if parallel > 1 and #chunks > 1 then
    return require("mailgun.engine.scheduler").each(chunks, parallel, one)
  end
  for _, chunk in ipairs(chunks) do one(chunk) end
end

return _M
