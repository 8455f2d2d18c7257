-- Recipients who marked a message as spam (create: domain_id, recipients).
return require("mailersend.resources._suppression")("spam_complaints", "spam-complaints", true)
