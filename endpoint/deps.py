"""FastAPI dependencies: the store and the settings, both set on ``app.state`` by ``create_app``.

They are ``async`` because they do not block: FastAPI runs a plain ``def`` dependency in its
thread pool, a hop (two thread switches) per dependency per request for a field read.
"""

from __future__ import annotations

from typing import Annotated

import pyoxigraph
from fastapi import Depends, Request

from endpoint.settings import Settings


async def get_store(request: Request) -> pyoxigraph.Store:
    store: pyoxigraph.Store = request.app.state.store
    return store


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[pyoxigraph.Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
