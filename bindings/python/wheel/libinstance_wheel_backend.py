"""PEP 517 backend of `pip install bindings/python`: meson-python, run on the wheel project in
this folder.

meson-python builds the meson project of the current directory, and bindings/python/meson.build
is only a subdir of the repository's project; so each hook changes into this folder (whose
meson.build has its own project()) and hands over to meson-python.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Dict, Iterator, List, Optional

import mesonpy

_HERE = os.path.dirname(os.path.abspath(__file__))


@contextlib.contextmanager
def _in_wheel_project() -> Iterator[None]:
    old = os.getcwd()
    os.chdir(_HERE)
    try:
        yield
    finally:
        os.chdir(old)


def _abs(path: Optional[str]) -> Optional[str]:
    return os.path.abspath(path) if path is not None else None


def _settings(config_settings: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    # A relative build-dir is meant relative to where pip ran, not to this folder.
    if config_settings and isinstance(config_settings.get("build-dir"), str):
        config_settings = dict(config_settings, **{"build-dir": _abs(config_settings["build-dir"])})
    return config_settings


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    with _in_wheel_project():
        return mesonpy.get_requires_for_build_wheel(_settings(config_settings))


def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    with _in_wheel_project():
        return mesonpy.get_requires_for_build_sdist(_settings(config_settings))


def get_requires_for_build_editable(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    with _in_wheel_project():
        return mesonpy.get_requires_for_build_editable(_settings(config_settings))


def build_wheel(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None,
                metadata_directory: Optional[str] = None) -> str:
    wheel_directory = os.path.abspath(wheel_directory)
    with _in_wheel_project():
        return mesonpy.build_wheel(wheel_directory, _settings(config_settings),
                                   _abs(metadata_directory))


def build_editable(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None,
                   metadata_directory: Optional[str] = None) -> str:
    wheel_directory = os.path.abspath(wheel_directory)
    with _in_wheel_project():
        return mesonpy.build_editable(wheel_directory, _settings(config_settings),
                                      _abs(metadata_directory))


def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    sdist_directory = os.path.abspath(sdist_directory)
    with _in_wheel_project():
        return mesonpy.build_sdist(sdist_directory, _settings(config_settings))
