"""Reading a request's JSON body with pydantic's parser, answering exactly as ``json.loads`` does.

A batch of a hundred messages is a few hundred kilobytes of JSON, and reading it was the largest
cost of the platform's HTTP layer when a hall drains its backlog. pydantic's parser reads it in
about two thirds of ``json.loads``' time, and takes only text UTF-8 can carry: a route whose body
is one model has what it read validated at once, saying so (:data:`~sync.contract.FROM_JSON`), so
the message bodies are not encoded again to look for lone surrogates (a third of validating a
batch). Whatever the parser refuses — text with a lone surrogate (``"\\ud800"``, which the contract
then refuses with its own message), a body in UTF-16 or with a byte-order mark — goes to
``json.loads`` as before, and whatever does not validate is validated again by FastAPI: the same
values, the same errors, the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from sync.contract import FROM_JSON


def parse(body: bytes) -> Any:
    """``json.loads(body)``, faster for the bodies pydantic's parser reads."""
    try:
        return from_json(body)
    except ValueError:
        return json.loads(body)


def read(body: bytes, model: type[BaseModel] | None) -> Any:
    """The body as ``model`` when pydantic's parser reads it and it is one; else the value as
    :func:`parse` reads it, for FastAPI to validate (and answer)."""
    try:
        value = from_json(body)
    except ValueError:
        return json.loads(body)
    if model is not None:
        try:
            return model.model_validate(value, context=FROM_JSON)
        except ValidationError:
            pass
    return value


class JsonRequest(Request):
    def __init__(self, request: Request, model: type[BaseModel] | None) -> None:
        super().__init__(request.scope, request.receive)
        self._model = model

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = read(await self.body(), self._model)
        return self._json


class JsonRoute(APIRoute):
    """A route whose endpoint reads its JSON body with :func:`read`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        model = self._body_model()

        async def handle(request: Request) -> Response:
            return await handler(JsonRequest(request, model))

        return handle

    def _body_model(self) -> type[BaseModel] | None:
        """The model the whole body is, for an endpoint with one body parameter, not embedded
        (FastAPI then takes an instance of it as the validated body)."""
        if self.body_field is None or len(self.dependant.body_params) != 1:
            return None
        info = self.body_field.field_info
        model = info.annotation
        embedded = getattr(info, "embed", False)
        if embedded or not isinstance(model, type) or not issubclass(model, BaseModel):
            return None
        return model
