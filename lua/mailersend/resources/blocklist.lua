-- Blocklisted recipients and patterns (create: domain_id, recipients, patterns).
return require("mailersend.resources._suppression")("blocklist", "blocklist", true)
