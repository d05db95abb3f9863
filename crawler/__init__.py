"""pkus-archive: an archive of news coverage of Pakistan–US economic relations."""

__version__ = "0.1.0"
