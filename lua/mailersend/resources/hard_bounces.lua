-- Hard-bounced recipients (create: domain_id, recipients).
return require("mailersend.resources._suppression")("hard_bounces", "hard-bounces", true)
