-- SMS activity: sms_number_id, status (list), date_from, date_to.
return require("mailersend.resources._crud")("sms_activity", "/sms-activity", "sms_message_id",
  { "list", "get" })
