"""The production static files storage: hashed names, strict for our own files only."""

import re

import pytest

from config.storage import StaticFilesStorage

REFERENCE = re.compile(r'(?P<matched>url\("(?P<url>[^"]+)"\))')


def _convert(tmp_path, stylesheet: str) -> str:
    storage = StaticFilesStorage(location=str(tmp_path), base_url="/static/")
    return storage.url_converter(stylesheet, {})(REFERENCE.match('url("fonts/missing.woff2")'))


def test_a_viewflow_stylesheet_naming_a_file_viewflow_does_not_ship_is_kept_as_written(tmp_path):
    assert _convert(tmp_path, "viewflow/fonts/roboto.css") == 'url("fonts/missing.woff2")'


def test_our_own_stylesheet_naming_a_missing_file_still_fails(tmp_path):
    with pytest.raises(ValueError, match="could not be found"):
        _convert(tmp_path, "css/chengxin.css")
