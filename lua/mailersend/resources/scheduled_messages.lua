-- Scheduled messages (domain_id, status = scheduled|sent|error); delete
-- cancels one.
return require("mailersend.resources._crud")("scheduled_messages", "/message-schedules", "message_id",
  { "list", "get", "delete" })
