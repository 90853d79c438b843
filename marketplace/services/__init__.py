"""Business rules: no request or session; each writing function is one unit of work
(marketplace.database.transactional), helpers only flush."""
