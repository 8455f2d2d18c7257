-- SMS inbound routes (sms_number_id, enabled): {sms_number_id, name,
-- forward_url, filter, enabled}.
return require("mailersend.resources._crud")("sms_inbounds", "/sms-inbounds", "sms_inbound_id",
  { "list", "create", "get", "update", "delete" })
