# Everything is in pyproject.toml; scrapyd-deploy builds the Scrapyd egg with `setup.py bdist_egg`.
from setuptools import setup

setup()
