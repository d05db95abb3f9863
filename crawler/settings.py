"""Scrapy settings for pkus-archive: polite on the live web, quick on the local copies.

Per-outlet delays come from the source files; a spider whose base URL (PKUS_SITES)
is a loopback copy turns AutoThrottle and the delay off (NewsSpider.update_settings).
"""

import os

BOT_NAME = "pkus-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves and obey robots.txt.
USER_AGENT = "pkus-archive/0.1 (+https://github.com/pkus-archive/pkus-archive; news archive of Pakistan-US economic coverage)"
ROBOTSTXT_OBEY = True

# Throttle per domain: at most two requests in flight, a delay between them, AutoThrottle on top.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # each delay is 0.5x to 1.5x the outlet's delay
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# News pages are small; a page that takes longer than this is not coming.
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
# Every give-up is a `failures` row and counted in the run's summary line; not an error to shout.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"

# --- the hostile web (crawler/netsafety.py, crawler/pagecheck.py) -------------------------
# Only the outlet's hosts, never a private address (except a local copy), no off-site
# redirect or meta refresh, redirect loops caught; Retry-After honoured before a retry.
DOWNLOADER_MIDDLEWARES = {
    "crawler.netsafety.SiteGuardMiddleware": 40,
    "crawler.netsafety.RetryAfterMiddleware": 560,
}
DUPEFILTER_CLASS = "crawler.netsafety.RedirectHopDupeFilter"
# A news page is well under a MiB; a bigger body (on the wire, or once gzip-inflated) is not
# one. Per outlet: `max_size` (MiB) in the source file. Sitemaps may be up to 50 MiB (the
# sitemap protocol's own limit).
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
PKUS_SITEMAP_MAXSIZE = 50 * 1024 * 1024
# The longest Retry-After honoured (seconds); per outlet: `retry_after_max`.
PKUS_RETRY_AFTER_MAX = 120
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# A scheduled crawl must end: stop after an hour whatever happens.
CLOSESPIDER_TIMEOUT = 3600

# With PKUS_NODE set (a crawl on a Scrapyd node) the archive pipeline becomes an export (crawler.node).
ADDONS = {"crawler.node.NodeMode": 0}

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 100,
    "crawler.pipelines.ClassifyPipeline": 200,
    "crawler.pipelines.ArchivePipeline": 300,
}

LOG_LEVEL = "INFO"
LOG_INSTALL_ROOT_HANDLER = True
FEED_EXPORT_ENCODING = "utf-8"

# --- pkus-archive's own settings ---------------------------------------------------------
# The archive every crawl writes to (on a Scrapyd node: the read-only snapshot it reads).
PKUS_DB = "archive.db"
# A node crawl: export what is found through FEEDS instead of writing PKUS_DB (crawler.node).
PKUS_NODE = False
# {spider: base URL} to crawl a copy of an outlet instead of its live site (tests, demo).
PKUS_SITES = {}
# A URL whose fetch or extraction failed is retried on later runs, waiting longer each time,
# until it has failed this many times: the n-th retry waits PKUS_RETRY_BASE_MINUTES * 2**(n-1).
# Both can be set in the environment, so cron lines and the scheduler can change them.
PKUS_MAX_TRIES = int(os.environ.get("PKUS_MAX_TRIES", 5))
PKUS_RETRY_BASE_MINUTES = float(os.environ.get("PKUS_RETRY_BASE_MINUTES", 30))
# With --since, how far back listing pages may be paged.
PKUS_BACKFILL_MAX_PAGES = 200
# Extraction and classification run in this many worker processes, off Scrapy's reactor thread,
# so fetching and CPU work overlap (crawler.pipelines.PoolStage). Unset: one per CPU; 0: in the
# crawl process itself.
PKUS_CRAWL_WORKERS = os.environ.get("PKUS_CRAWL_WORKERS")
# The archive pipeline commits every this many items or seconds, whichever comes first: a killed
# crawl loses at most that much (fetched again by the next run). Both can be set in the environment.
PKUS_WRITE_BATCH = int(os.environ.get("PKUS_WRITE_BATCH", 200))
PKUS_WRITE_BATCH_SECONDS = float(os.environ.get("PKUS_WRITE_BATCH_SECONDS", 2.0))
