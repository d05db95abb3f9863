"""Spiders: one generic NewsSpider (news.py) and one named subclass per source file (outlets.py)."""
