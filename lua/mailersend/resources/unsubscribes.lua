-- Unsubscribed recipients (create: domain_id, recipients).
return require("mailersend.resources._suppression")("unsubscribes", "unsubscribes", true)
