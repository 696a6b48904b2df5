"""The sandboxed worker: imports a learner's submission and runs the calls the grader asks for.

Run as ``python -I -B worker.py SUBMISSION_DIR HANDLES_PY`` (``HANDLES_PY``: the path of
``exercises/tests/_handles.py``, which builds named objects such as the embedding model; the kit's
``_observe.py`` beside it says what a call did besides returning: the arguments it changed, the
ones its result shares memory with, the warnings and floating-point errors it raised, as
``gradelab check`` says it). Requests arrive on stdin and replies leave on stdout, both as :mod:`channel` frames; before any learner code runs, the worker moves the protocol
to private file descriptors and points fds 0/1 at /dev/null and the output pipe (stderr), so a
learner's ``print`` can never be mistaken for a reply.

Requests: ``{"op": "call", "topic", "function", "args", "kwargs", "keep"}`` (``keep`` stores the
result in the worker and replies with a :class:`channel.RemoteRef`), ``{"op": "probe", "probe",
"args"}`` for the worker-side checks in :data:`PROBES`, ``{"op": "ping"}``.
Replies: ``{"ok": true, "value": ..., "mutated", "aliased", "reused", "warnings"}`` or ``{"ok": false, "error": {"type", "message", "where"}}``.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import site
import sys
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
for _packages in os.environ.pop("GRADELAB_SITE_PACKAGES", "").split(":"):
    if _packages:  # under bubblewrap: the virtual environment's packages, at a neutral path
        site.addsitedir(_packages)

import numpy as np  # noqa: E402 - after the site-packages are on sys.path
from channel import (  # noqa: E402
    ChannelError,
    HandleRef,
    RemoteRef,
    crosses,
    decode,
    encode,
    read_frame,
)

PACKAGE = "learner"


def _unsendable(dtype: np.dtype) -> str:
    """Why a result array of ``dtype`` is no answer, and what to return instead (an array of
    text or complex numbers failed as "raised ChannelError: ... cannot cross the channel",
    blaming the learner's function for an error it never raised)."""
    if dtype.kind == "O":
        return "the result is an object array; return numbers"
    if dtype.kind in "US":
        return f"the result is a NumPy array of text (dtype {dtype}); return a list of str"
    return f"the result is an array of dtype {dtype}; return real numbers (float64)"


class Worker:
    def __init__(self, submission: str, handles_py: str, proto_in: Any, proto_out: Any) -> None:
        self.submission = submission
        self.handles_py = handles_py
        self.proto_in = proto_in
        self.proto_out = proto_out
        self.objects: dict[int, Any] = {}
        self.handles: dict[str, Any] = {}
        self._install_package()
        self.observe = self._kit("_observe")  # before any learner code can plant its own
        self.returned = self.observe.Returned()

    def _install_package(self) -> None:
        spec = importlib.util.spec_from_loader(PACKAGE, loader=None, is_package=True)
        assert spec is not None
        spec.submodule_search_locations = [self.submission]
        module = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = module

    # -- values crossing into learner code ----------------------------------------------------

    def _materialise(self, value: Any) -> Any:
        if isinstance(value, HandleRef):
            return self._handle(value.name)
        if isinstance(value, RemoteRef):
            if value.id not in self.objects:
                raise KeyError(f"no object #{value.id} in the worker")
            return self.objects[value.id]
        if isinstance(value, list):
            return [self._materialise(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self._materialise(v) for v in value)
        if isinstance(value, dict):
            return {k: self._materialise(v) for k, v in value.items()}
        return value

    def _handle(self, name: str) -> Any:
        if name.startswith("rng:"):  # a generator has state: every call gets a fresh one
            return self._kit("_handles").build(name)
        if name not in self.handles:
            self.handles[name] = self._kit("_handles").build(name)
        return self.handles[name]

    def _kit(self, stem: str) -> Any:
        """The kit file ``exercises/tests/<stem>.py`` (``_handles``: named objects such as the
        embedding model; ``_observe``: what a call did besides returning), loaded by path from
        beside ``HANDLES_PY``: the only gradelab files the worker runs besides its own."""
        name = f"_gradelab{stem}"
        if name not in sys.modules:
            path = Path(self.handles_py).with_name(f"{stem}.py")
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {path}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            sys.modules[name] = module
        return sys.modules[name]

    # -- values coming back from learner code -------------------------------------------------

    def _normalise(self, value: Any, depth: int = 0) -> Any:
        """Learner results → plain data (base ndarrays, Python scalars, lists/tuples/dicts)."""
        if depth > 16:
            raise TypeError("the result is nested too deeply")
        if value is None or type(value) in (bool, int, float, str):
            return value
        if isinstance(value, np.generic):
            return value.item()
        if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        if isinstance(value, np.ndarray):
            if not crosses(value.dtype):  # said here, not as the channel's own error later
                raise TypeError(_unsendable(value.dtype))
            return np.array(value, copy=True, subok=False)
        if type(value) in (list, tuple):
            return type(value)(self._normalise(v, depth + 1) for v in value)
        if type(value) is dict:
            return {
                self._normalise(k, depth + 1): self._normalise(v, depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, bool | int | float | str):  # subclasses of builtins: take the value
            return type(value).__mro__[-2](value) if not isinstance(value, bool) else bool(value)
        raise TypeError(
            f"the result is a {type(value).__name__}; return arrays, numbers or strings"
        )

    # -- the loop -----------------------------------------------------------------------------

    def handle(self, request: Any) -> dict[str, Any]:
        op = request.get("op") if isinstance(request, dict) else None
        if op == "ping":
            return {"ok": True, "value": {"numpy": np.__version__, "pid": os.getpid()}}
        if op == "call":
            module = importlib.import_module(f"{PACKAGE}.{request['topic']}")
            fn = getattr(module, request["function"])
            args = self._materialise(request.get("args", []))
            kwargs = self._materialise(request.get("kwargs", {}))
            given = self.observe.Arguments.take(args, kwargs)
            with self.observe.recording() as warned:
                result = fn(*args, **kwargs) if callable(fn) else fn
            reply = {"ok": True, "mutated": given.mutated(), "warnings": warned}
            if request.get("keep"):
                ref = len(self.objects) + 1
                self.objects[ref] = result
                return {**reply, "value": RemoteRef(ref)}
            return {
                **reply,
                "aliased": given.aliased(result),
                "reused": callable(fn) and self.returned.reused(request["function"], result),
                "value": self._normalise(result),
            }
        if op == "inspect":
            return {"ok": True, "value": self._inspect(str(request["topic"]))}
        if op == "probe":
            import probes

            args = self._materialise(request.get("args", []))
            return {"ok": True, "value": self._normalise(probes.run(request["probe"], *args))}
        raise ValueError(f"unknown request {op!r}")

    def _inspect(self, topic: str) -> dict[str, Any]:
        """Does ``topic`` import, and which of its functions are still untouched stubs?"""
        path = Path(self.submission) / f"{topic}.py"
        if not path.is_file():
            return {"missing": True, "error": None, "stubs": []}
        try:
            importlib.import_module(f"{PACKAGE}.{topic}")
        except BaseException as exc:  # the learner's import-time failure, any kind
            return {"missing": False, "error": _error(exc, self.submission), "stubs": []}
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            return {"missing": False, "error": None, "stubs": []}
        return {"missing": False, "error": None, "stubs": sorted(_stub_functions(tree))}

    def serve(self) -> None:
        while True:
            payload = read_frame(self.proto_in)
            if payload is None:
                return
            try:
                reply = self.handle(decode(payload))
                frame = encode(reply)
            except ChannelError as exc:
                frame = encode({"ok": False, "error": _error(exc, "channel")})
            except BaseException as exc:
                frame = encode({"ok": False, "error": _error(exc, self.submission)})
            self.proto_out.write(frame)
            self.proto_out.flush()


def _stub_functions(tree: ast.Module) -> set[str]:
    """Top-level functions whose whole body (after the docstring) raises NotImplementedError."""
    stubs = set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        body = node.body[1:] if ast.get_docstring(node) is not None else node.body
        if len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None:
            exc = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                stubs.add(node.name)
    return stubs


def _error(exc: BaseException, submission: str) -> dict[str, str]:
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if f.filename.startswith(submission)]
    where = f"{Path(mine[-1].filename).name}:{mine[-1].lineno}" if mine else ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{Path(exc.filename).name}:{exc.lineno}"
    return {"type": type(exc).__name__, "message": _message(exc), "where": where}


def _message(exc: BaseException) -> str:
    """The exception's message, a plain ``str`` of at most 2,000 characters. Learner code made
    the exception: a ``__str__`` that raises, or returns no str or a str subclass with methods of
    its own, is said in the message, never a worker that dies of it ("crash: the worker exited
    during the call" blamed the wrong thing)."""
    try:
        text = str(exc.msg) if isinstance(exc, SyntaxError) else str(exc)
        if not isinstance(text, str):
            raise TypeError(type(text).__name__)
        return str.__getitem__(text, slice(0, 2000))  # a plain str, whatever the subclass does
    except BaseException:
        return f"(its message cannot be shown: {type(exc).__name__}.__str__ failed)"


def _drop_privileges() -> None:
    """Inside bubblewrap run by root: become the unprivileged uid before any learner code."""
    uid = os.environ.pop("GRADELAB_DROP_UID", "")
    if uid and os.getuid() == 0:
        os.setgroups([])
        os.setgid(int(uid))
        os.setuid(int(uid))
        if (
            os.getuid() == 0
        ):  # pragma: no cover - setuid cannot silently fail, but never run as root
            raise SystemExit("could not drop root privileges")


def _filter_syscalls() -> None:
    """Close the kernel's channels between workers (``syscall_filter``) when the grader asks."""
    if os.environ.pop("GRADELAB_SYSCALL_FILTER", "") == "1":
        import syscall_filter

        syscall_filter.install()


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: worker.py SUBMISSION_DIR HANDLES_PY", file=sys.stderr)
        return 2
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    proto_out = os.fdopen(os.dup(1), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # learner prints go to the capped output pipe, never the protocol
    sys.stdin = open(os.devnull)  # noqa: SIM115
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    # every gradelab file the worker runs is loaded before the uid drop: without bubblewrap the
    # kit may lie where the unprivileged uid cannot read (the Gradescope autograder hides it)
    worker = Worker(str(Path(argv[1]).resolve()), argv[2], proto_in, proto_out)
    worker._kit("_handles")
    import probes  # noqa: F401 - loaded now, used by the "probe" requests
    import syscall_filter  # noqa: F401 - installed below

    _drop_privileges()
    _filter_syscalls()  # after the uid drop, before any learner code
    worker.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
