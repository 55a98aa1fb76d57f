"""Building blocks that know nothing of cases: bulk writes, caches, lookups, paging,
throttles, sealed fields, client addresses, CSV and health checks."""
