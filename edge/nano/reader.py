"""The gate's reader of a user's words: the nano model, loaded on first use and then kept."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from .errors import NanoError, ReaderUnavailable
from .reply import Reply

if TYPE_CHECKING:
    from .runtime import NanoModel


class ModelReader:
    """Callable `words -> Reply` over a nano model; raises `ReaderUnavailable` where it cannot load."""

    def __init__(
        self,
        directory: Optional[Path] = None,
        backend: str = "onnx",
        on_progress: Optional[Callable[[str, int, int], None]] = None,
    ) -> None:
        self.directory, self.backend, self.on_progress = directory, backend, on_progress
        self._model: Optional["NanoModel"] = None
        self._failure: Optional[str] = None

    def __call__(self, words: str) -> Reply:
        if self._model is None:
            if self._failure is not None:
                raise ReaderUnavailable(self._failure)
            from .runtime import NanoModel

            try:
                self._model = NanoModel.load(self.directory, backend=self.backend, on_progress=self.on_progress)
            except NanoError as exc:
                self._failure = exc.message
                raise ReaderUnavailable(exc.message) from exc
        generation = self._model.generate([{"role": "user", "content": words}])
        if generation.error is not None:
            raise generation.error
        if generation.reply is None:
            raise ReaderUnavailable("the model gave no reply")
        return generation.reply
