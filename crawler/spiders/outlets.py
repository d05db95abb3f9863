"""One spider per file in crawler/sources/: `scrapy list` shows them, `scrapy crawl <name>` runs one.

The classes are made from data at import time, so adding an outlet needs no Python.
"""

from ..outlets import load_sources
from .news import NewsSpider


def _spider_class(source):
    return type(f"{source.spider.title()}Spider", (NewsSpider,), {
        "name": source.spider,
        "source": source,
        "__module__": __name__,  # Scrapy lists only classes defined in the module it imports
        "__doc__": f"{source.name} ({source.site})",
    })


globals().update({cls.__name__: cls for cls in map(_spider_class, load_sources().values())})
