-- Bounce classification: the v2 metrics query, and the deprecated v1 views.
return {
  name = "bounce_classification",
  endpoints = {
    { name = "metrics", method = "POST", path = "/v2/bounce-classification/metrics",
      encoding = "json", paging = "body_skip", items = "items" },
    { name = "stats", method = "GET", path = "/v1/bounce-classification/stats",
      deprecated = true },
    { name = "list_domains", method = "GET", path = "/v1/bounce-classification/domains",
      paging = "skip", items = "items", deprecated = true },
    { name = "entities", method = "GET",
      path = "/v1/bounce-classification/domains/{domain}/entities", deprecated = true },
    { name = "rules", method = "GET",
      path = "/v1/bounce-classification/domains/{domain}/entities/{entity-id}/rules",
      deprecated = true },
    { name = "events", method = "GET", path = "/v1/bounce-classification/domains/{domain}/events",
      deprecated = true },
    { name = "config_entities", method = "GET", path = "/v1/bounce-classification/config/entities",
      deprecated = true },
    { name = "config_rules", method = "GET", path = "/v1/bounce-classification/config/rules",
      deprecated = true },
  },
}
