-- SMS recipients (status = active|opt_out, sms_number_id); update {status}.
return require("mailersend.resources._crud")("sms_recipients", "/sms-recipients", "sms_recipient_id",
  { "list", "get", "update" })
