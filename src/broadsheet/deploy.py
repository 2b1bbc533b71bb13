"""Deploy an already-built site: S3-compatible storage, a gh-pages branch, a folder, rsync.

:func:`deploy` never builds; it sends the output folder as it is.  Every target
gets the same treatment: work out what differs, send only that, optionally
delete what is no longer in the output, and say what happened in a
:class:`DeployResult`.

* ``s3://bucket/prefix``: boto3, credentials from its usual chain only.  An
  object is unchanged when its ETag equals the MD5 of the local file (true of
  every single-part upload without KMS encryption, which is how this module
  uploads), or else when the ``sha256`` metadata this module stores on every
  upload equals the file's SHA-256 (one ``head_object`` per such file).
* ``gh-pages``: a commit on a branch of the site's git repository, made by the
  ghp-import package (with ``.nojekyll``), optionally pushed.
* a folder (``/path`` or ``file:///path``): a mirror, written file by file.
* ``rsync://host/module/path`` or ``[user@]host:path``: ``rsync -a --checksum``.

A target that cannot be used at all raises :class:`DeployError` (exit 2); a
file that fails is listed in :attr:`DeployResult.failed` (exit 1).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import mimetypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import unquote, urlsplit

from .errors import BroadsheetError

EXIT_OK, EXIT_FAILED, EXIT_BAD_TARGET = 0, 1, 2

Report = Callable[[str], None]
TargetKind = Literal["s3", "gh-pages", "local", "rsync"]

LONG_CACHE = "public, max-age=31536000, immutable"
"""Cache-Control of fingerprinted assets: their name changes when their content does."""
SHORT_CACHE = "public, max-age=300"
"""Cache-Control of HTML and everything else: five minutes."""

ENCODINGS = {".gz": "gzip", ".br": "br"}
"""Suffixes of precompressed siblings and their Content-Encoding."""

_FINGERPRINTED = re.compile(r"^.+\.[0-9a-f]{8,}\.[A-Za-z0-9]+$")
_HTML = (".html", ".htm")
_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".wasm": "application/wasm",
    ".gz": "application/gzip",
}
"""Types for web files, fixed here so they do not depend on the machine's mime.types."""

_WORKERS = 8
"""Concurrent S3 requests."""

GHP_DEFAULT_MESSAGE = "Deploy the site with broadsheet"


class DeployError(BroadsheetError):
    """The target or options cannot be used; nothing (more) was deployed (exit status 2)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One file that could not be sent or deleted."""

    path: str
    """The file, relative to the output folder (or the target's prefix)."""
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class DeployResult:
    """What one deploy did (or, with ``dry_run``, would do).  Paths are relative, POSIX."""

    target: str
    """The target as shown to people (any password in it masked)."""
    dry_run: bool = False
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when everything was sent, 1 when some files failed."""
        return EXIT_FAILED if self.failed else EXIT_OK

    def summary(self) -> str:
        """The closing line: ``Deployed to TARGET: N uploaded, M deleted, K unchanged.``"""
        failed = f", {len(self.failed)} failed" if self.failed else ""
        if self.dry_run:
            return (
                f"Dry run for {self.target}: {len(self.uploaded)} to upload, "
                f"{len(self.deleted)} to delete, {len(self.unchanged)} unchanged{failed}; "
                "nothing was changed."
            )
        return (
            f"Deployed to {self.target}: {len(self.uploaded)} uploaded, "
            f"{len(self.deleted)} deleted, {len(self.unchanged)} unchanged{failed}."
        )


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed ``--to`` value."""

    kind: TargetKind
    location: str
    """The bucket (s3), the folder (local), rsync's destination, or ``gh-pages``."""
    prefix: str = ""
    """s3 only: the key prefix, empty or ending in ``/``."""
    shown: str = ""
    """The target as shown in messages."""


# --- targets ---------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_REMOTE_SHELL = re.compile(r"^(?:[A-Za-z0-9_][^@/:\s]*@)?[A-Za-z0-9][^@/:\s]*:")
_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_USERINFO = re.compile(r"(://[^/@:\s]*):[^/@\s]*@")


#: The build's record of what it wrote (kept in the output folder), never deployed.
BUILD_RECORD = ".broadsheet-manifest"

def mask_secrets(text: str) -> str:
    """Hide the password part of any ``scheme://user:password@host`` in ``text``."""
    return _USERINFO.sub(r"\1:***@", text)


def parse_target(target: str) -> Target:
    """Tell what kind of target ``target`` is; raise :class:`DeployError` when it is none."""
    shown = mask_secrets(target)
    if not target.strip():
        raise DeployError("--to needs a target: s3://bucket/prefix, gh-pages, a folder, "
                          "or an rsync destination")  # fmt: skip
    if target == "gh-pages":
        return Target("gh-pages", target, shown=shown)
    if target.startswith("s3://"):
        return _parse_s3(target, shown)
    if target.startswith("rsync://"):
        if not urlsplit(target).hostname:
            raise DeployError(f"{shown}: an rsync URL needs a host: rsync://host/module/path")
        return Target("rsync", target, shown=shown)
    if target.startswith("file://"):
        return Target("local", _file_url_path(target, shown), shown=shown)
    if _SCHEME.match(target):
        raise DeployError(
            f"{shown}: unsupported target; use s3://bucket/prefix, gh-pages, a folder "
            "(/path or file:///path), rsync://host/module/path or user@host:path"
        )
    if _REMOTE_SHELL.match(target) and not (os.name == "nt" and target[1:2] == ":"):
        return Target("rsync", target, shown=shown)
    return Target("local", str(Path(target).expanduser()), shown=shown)


def _parse_s3(target: str, shown: str) -> Target:
    bucket, _, prefix = target[len("s3://"):].partition("/")
    if not _BUCKET.match(bucket):
        raise DeployError(f"{shown}: not a valid bucket name; use s3://bucket/prefix")
    prefix = prefix.strip("/")
    return Target("s3", bucket, prefix + "/" if prefix else "", shown)


def _file_url_path(target: str, shown: str) -> str:
    parts = urlsplit(target)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise DeployError(f"{shown}: a file URL needs an absolute local path: file:///path")
    return unquote(parts.path)


# --- the output folder -----------------------------------------------------


def output_files(output: Path) -> dict[str, Path]:
    """Every file below ``output``, by POSIX path relative to it, sorted.

    Symbolic links to files count as files; links to folders are not followed
    (as in ghp-import).  The build's own record (``.broadsheet-manifest``) is
    not part of the site and is never sent.
    """
    files: dict[str, Path] = {}
    for folder, dirnames, filenames in os.walk(output):
        dirnames.sort()
        for name in filenames:
            if name == BUILD_RECORD and Path(folder) == output:
                continue
            path = Path(folder, name)
            if path.is_file():
                files[path.relative_to(output).as_posix()] = path
    return dict(sorted(files.items()))


def check_output(output: Path) -> dict[str, Path]:
    """The files of ``output``; :class:`DeployError` when it is missing or empty."""
    hint = "deploy sends an already-built site: run `broadsheet build && broadsheet deploy`"
    if not output.exists():
        raise DeployError(f"{output} does not exist; {hint}")
    if not output.is_dir():
        raise DeployError(f"{output} is not a folder; {hint}")
    files = output_files(output)
    if not files:
        raise DeployError(f"{output} is empty; {hint}")
    return files


def upload_order(names: Iterable[str]) -> list[str]:
    """Assets before pages, so that no page goes live before what it links to."""
    return sorted(names, key=lambda name: (_base_name(name).endswith(_HTML), name))


# --- headers ---------------------------------------------------------------


def _base_name(name: str) -> str:
    """``index.html`` for ``index.html.gz`` and ``index.html.br``, else ``name``."""
    for suffix in ENCODINGS:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def content_type(name: str) -> str:
    """The Content-Type for a file name, with ``charset=utf-8`` for text types."""
    suffix = Path(name).suffix.lower()
    guessed, encoding = mimetypes.guess_type(name, strict=False)
    kind = _TYPES.get(suffix) or (None if encoding else guessed) or "application/octet-stream"
    textual = kind.startswith("text/") or kind in ("application/xml", "application/javascript")
    return f"{kind}; charset=utf-8" if textual or kind.endswith("+xml") else kind


def cache_control(name: str) -> str:
    """Long and immutable for fingerprinted non-HTML files (``x.0123abcd.css``), else short."""
    base = _base_name(name)
    leaf = base.rsplit("/", 1)[-1]
    if not base.endswith(_HTML) and _FINGERPRINTED.match(leaf):
        return LONG_CACHE
    return SHORT_CACHE


def object_headers(name: str, names: Iterable[str]) -> dict[str, str]:
    """boto3 header arguments for the file ``name`` among the output's ``names``.

    ``x.html.gz`` whose sibling ``x.html`` is in the output is a precompressed
    copy: it gets ``Content-Encoding: gzip`` (``br`` for ``.br``) and the type
    and caching of ``x.html``.  A ``.gz`` without such a sibling is a download.
    """
    names = names if isinstance(names, set) else set(names)
    base = _base_name(name)
    headers: dict[str, str] = {}
    if base != name and base in names:
        headers["ContentEncoding"] = ENCODINGS[name[len(base):]]
        name = base
    headers["ContentType"] = content_type(name)
    headers["CacheControl"] = cache_control(name)
    return headers


# --- the entry point -------------------------------------------------------


def deploy(
    output: Path,
    target: str,
    *,
    endpoint_url: str | None = None,
    delete: bool = False,
    dry_run: bool = False,
    report: Report | None = None,
    branch: str = "gh-pages",
    push: bool = False,
    remote: str = "origin",
    message: str | None = None,
    repo: Path | None = None,
) -> DeployResult:
    """Send the built site in ``output`` to ``target``; see the module docstring.

    ``report`` gets one line per file sent or deleted.  ``repo`` is the git
    repository for ``gh-pages`` (default: the one holding ``output``'s parent,
    that is the site folder).  Raises :class:`DeployError` for an unusable
    target, options or output folder.
    """
    where = parse_target(target)
    if endpoint_url is not None and where.kind != "s3":
        raise DeployError("--endpoint-url applies to s3:// targets only")
    files = check_output(output)
    say = report or (lambda line: None)
    if where.kind == "s3":
        return deploy_s3(files, where, endpoint_url, delete=delete, dry_run=dry_run, report=say)
    if where.kind == "gh-pages":
        ghp = GhPages(branch, push, remote, message or GHP_DEFAULT_MESSAGE)
        return deploy_gh_pages(output, files, repo or output.absolute().parent, ghp,
                               dry_run=dry_run, report=say)  # fmt: skip
    if where.kind == "rsync":
        return deploy_rsync(output, where.location, delete=delete, dry_run=dry_run, report=say,
                            shown=where.shown, files=files)  # fmt: skip
    return deploy_local(output, Path(where.location), files, delete=delete, dry_run=dry_run,
                        report=say, shown=where.shown)  # fmt: skip


def _announce(result: DeployResult, report: Report) -> None:
    """Report a dry run's plan, one line per file."""
    for name in result.uploaded:
        report(f"would upload {name}")
    for name in result.deleted:
        report(f"would delete {name}")


# --- S3 --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Digest:
    md5: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class _Remote:
    etag: str
    size: int


def _digest(path: Path) -> _Digest:
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return _Digest(md5.hexdigest(), sha256.hexdigest(), size)


def _import_boto3() -> Any:
    try:
        import boto3  # type: ignore[import-untyped]
    except ImportError:
        raise DeployError(
            "s3:// targets need boto3: pip install 'broadsheet[deploy]'"
        ) from None
    return boto3


class _Redactor:
    """Removes the credentials boto3 found from any text before it is shown."""

    def __init__(self, session: Any) -> None:
        self.secrets: list[str] = []
        try:
            credentials = session.get_credentials()
        except Exception:  # a broken profile: the client call reports it
            credentials = None
        if credentials is not None:
            values = (credentials.access_key, credentials.secret_key, credentials.token)
            self.secrets = [v for v in values if isinstance(v, str) and len(v) >= 4]

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return mask_secrets(text)


def _describe(exc: BaseException) -> str:
    """A short message for a boto3 error: ``Code: message`` for service errors."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error") or {}
        code = error.get("Code") or response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        text = error.get("Message") or _status_text(code)
        return f"{code}: {text}" if text else str(code)
    name = type(exc).__name__
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return (f"{exc}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE "
                "in the environment, or configure ~/.aws/credentials")  # fmt: skip
    return str(exc) or name


def _status_text(code: object) -> str:
    return {"404": "not found", "403": "access denied"}.get(str(code), "")


def _client(session: Any, endpoint_url: str | None) -> Any:
    """An S3 client; with an endpoint, checksums only where required (for S3 look-alikes)."""
    from botocore.config import Config  # type: ignore[import-untyped]

    if endpoint_url is None:
        return session.client("s3")
    if not re.match(r"^https?://[^/\s]+", endpoint_url):
        raise DeployError(f"--endpoint-url must be an http(s) URL, not {endpoint_url!r}")
    config = Config(request_checksum_calculation="when_required",
                    response_checksum_validation="when_required")  # fmt: skip
    return session.client("s3", endpoint_url=endpoint_url, config=config)


def _list_remote(client: Any, bucket: str, prefix: str) -> dict[str, _Remote]:
    """Objects under ``prefix``, by key relative to it (folder markers left out)."""
    remote: dict[str, _Remote] = {}
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for item in page.get("Contents", []):
            key = str(item["Key"])
            if key.startswith(prefix) and not key.endswith("/"):
                remote[key[len(prefix):]] = _Remote(str(item.get("ETag", "")).strip('"'),
                                                    int(item.get("Size", -1)))  # fmt: skip
    return remote


def deploy_s3(
    files: dict[str, Path],
    target: Target,
    endpoint_url: str | None,
    *,
    delete: bool,
    dry_run: bool,
    report: Report,
) -> DeployResult:
    """Upload changed files to an S3 bucket (and delete stale ones with ``delete``)."""
    boto3 = _import_boto3()
    try:
        session = boto3.session.Session()
    except Exception as exc:  # a broken AWS configuration
        message = mask_secrets(_describe(exc))
        raise DeployError(f"cannot read the AWS configuration: {message}") from None
    redact = _Redactor(session)
    try:
        client = _client(session, endpoint_url)
        remote = _list_remote(client, target.location, target.prefix)
    except DeployError:
        raise
    except Exception as exc:  # botocore errors, bad endpoints, no network...
        raise DeployError(f"cannot list {target.shown}: {redact(_describe(exc))}") from None
    result = DeployResult(target.shown, dry_run)
    digests = {name: _digest(path) for name, path in files.items()}
    changed = _s3_changed(client, target, digests, remote)
    result.unchanged = [name for name in files if name not in changed]
    result.uploaded = upload_order(changed)
    result.deleted = sorted(set(remote) - set(files)) if delete else []
    if dry_run:
        _announce(result, report)
        return result
    result.uploaded = _s3_upload(client, target, files, digests, result, report, redact)
    result.deleted = _s3_delete(client, target, result, report, redact)
    return result


def _s3_changed(
    client: Any, target: Target, digests: dict[str, _Digest], remote: dict[str, _Remote]
) -> set[str]:
    """Names whose content differs from the bucket's (or that the bucket lacks)."""
    changed: set[str] = set()
    to_head: list[str] = []
    for name, digest in digests.items():
        there = remote.get(name)
        if there is None or there.size != digest.size:
            changed.add(name)
        elif there.etag != digest.md5:
            to_head.append(name)  # multipart or encrypted: compare the stored SHA-256

    def same(name: str) -> bool:
        try:
            head = client.head_object(Bucket=target.location, Key=target.prefix + name)
        except Exception:
            return False
        return bool(head.get("Metadata", {}).get("sha256") == digests[name].sha256)

    with ThreadPoolExecutor(_WORKERS) as pool:
        for name, unchanged in zip(to_head, pool.map(same, to_head), strict=True):
            if not unchanged:
                changed.add(name)
    return changed


def _s3_upload(
    client: Any,
    target: Target,
    files: dict[str, Path],
    digests: dict[str, _Digest],
    result: DeployResult,
    report: Report,
    redact: Callable[[str], str],
) -> list[str]:
    """Upload ``result.uploaded``; return the names that went up, record the rest as failed."""
    names = set(files)

    def put(name: str) -> str | None:
        digest = digests[name]
        try:
            with files[name].open("rb") as body:
                client.put_object(
                    Bucket=target.location,
                    Key=target.prefix + name,
                    Body=body,
                    ContentMD5=base64.b64encode(bytes.fromhex(digest.md5)).decode("ascii"),
                    Metadata={"sha256": digest.sha256},
                    **object_headers(name, names),
                )
        except Exception as exc:
            return redact(_describe(exc))
        return None

    done: list[str] = []
    with ThreadPoolExecutor(_WORKERS) as pool:
        for name, error in zip(result.uploaded, pool.map(put, result.uploaded), strict=True):
            if error is None:
                done.append(name)
                report(f"uploaded {name}")
            else:
                result.failed.append(Failure(name, error))
    return done


def _s3_delete(
    client: Any, target: Target, result: DeployResult, report: Report,
    redact: Callable[[str], str],
) -> list[str]:  # fmt: skip
    """Delete ``result.deleted`` in batches of 1000; return the names deleted."""
    done: list[str] = []
    for start in range(0, len(result.deleted), 1000):
        batch = result.deleted[start : start + 1000]
        objects = [{"Key": target.prefix + name} for name in batch]
        try:
            answer = client.delete_objects(Bucket=target.location,
                                           Delete={"Objects": objects, "Quiet": True})  # fmt: skip
        except Exception as exc:
            result.failed.extend(Failure(name, redact(_describe(exc))) for name in batch)
            continue
        errors = {str(e.get("Key", ""))[len(target.prefix):]: e for e in answer.get("Errors", [])}
        for name in batch:
            if name in errors:
                error = errors[name]
                result.failed.append(Failure(name, redact(f"{error.get('Code')}: "
                                                          f"{error.get('Message')}")))  # fmt: skip
            else:
                done.append(name)
                report(f"deleted {name}")
    return done


# --- a local folder --------------------------------------------------------


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _same_file(source: Path, copy: Path) -> bool:
    """Whether ``copy`` is a regular file with exactly the bytes of ``source``."""
    if copy.is_symlink() or not copy.is_file():
        return False
    if copy.stat().st_size != source.stat().st_size:
        return False
    with source.open("rb") as one, copy.open("rb") as two:
        while True:
            a, b = one.read(1 << 20), two.read(1 << 20)
            if a != b:
                return False
            if not a:
                return True


def _check_local_target(output: Path, dest: Path, shown: str) -> Path:
    """The resolved target folder; refuse one that is, holds or sits inside the output."""
    out, root = output.resolve(), dest.resolve()
    if _inside(root, out):
        raise DeployError(f"{shown} is inside the output folder {output}; choose a folder "
                          "outside it")  # fmt: skip
    if _inside(out, root):
        raise DeployError(f"{shown} contains the output folder {output}; choose a folder "
                          "that does not")  # fmt: skip
    if root.exists() and not root.is_dir():
        raise DeployError(f"{shown} exists and is not a folder")
    return root


def _stale(root: Path, files: dict[str, Path]) -> list[str]:
    """Files and links in ``root`` that are not in the output (links never followed)."""
    stale: list[str] = []
    if not root.is_dir():
        return stale
    for folder, dirnames, filenames in os.walk(root):
        links = [d for d in dirnames if Path(folder, d).is_symlink()]
        dirnames[:] = sorted(d for d in dirnames if d not in links)
        for name in [*filenames, *links]:
            rel = Path(folder, name).relative_to(root).as_posix()
            if rel not in files:
                stale.append(rel)
    return sorted(stale)


def deploy_local(
    output: Path,
    dest: Path,
    files: dict[str, Path],
    *,
    delete: bool,
    dry_run: bool,
    report: Report,
    shown: str | None = None,
) -> DeployResult:
    """Mirror ``output`` into the folder ``dest``: copy changed files, delete extra ones."""
    shown = shown or str(dest)
    root = _check_local_target(output, dest, shown)
    result = DeployResult(shown, dry_run)
    changed = [name for name, path in files.items() if not _same_file(path, root / name)]
    result.unchanged = [name for name in files if name not in set(changed)]
    result.uploaded = upload_order(changed)
    result.deleted = _stale(root, files) if delete else []
    if dry_run:
        _announce(result, report)
        return result
    result.uploaded = [n for n in result.uploaded if _copy(files[n], root, n, result, report)]
    result.deleted = [n for n in result.deleted if _remove(root, n, result, report)]
    if delete:
        _prune_folders(root, files)
    return result


def _copy(source: Path, root: Path, name: str, result: DeployResult, report: Report) -> bool:
    """Copy one file into place atomically; never through a link that leaves ``root``."""
    dest = root / name
    try:
        if not _inside(dest.parent.resolve(), root):
            raise OSError(f"{dest.parent} leads outside the target folder")
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        os.close(fd)
        try:
            shutil.copy2(source, temp)
            os.replace(temp, dest)
        finally:
            if os.path.lexists(temp):
                os.unlink(temp)
    except OSError as exc:
        result.failed.append(Failure(name, exc.strerror or str(exc)))
        return False
    report(f"uploaded {name}")
    return True


def _remove(root: Path, name: str, result: DeployResult, report: Report) -> bool:
    """Delete one file or link inside ``root`` (a link itself, never what it points to)."""
    path = root / name
    try:
        if not _inside(path.parent.resolve(), root):
            raise OSError(f"{path.parent} leads outside the target folder")
        path.unlink()
    except OSError as exc:
        result.failed.append(Failure(name, exc.strerror or str(exc)))
        return False
    report(f"deleted {name}")
    return True


def _prune_folders(root: Path, files: dict[str, Path]) -> None:
    """Remove folders of ``root`` left empty that the output does not have."""
    keep = {parent for name in files for parent in Path(name).parents}
    for folder, _, _ in sorted(os.walk(root), key=lambda entry: -len(entry[0])):
        path = Path(folder)
        if path != root and path.relative_to(root) not in keep:
            with contextlib.suppress(OSError):  # not empty: something in it stayed
                path.rmdir()


# --- rsync -----------------------------------------------------------------


def rsync_command(output: Path, destination: str, *, delete: bool, dry_run: bool) -> list[str]:
    """The rsync argument list (no shell is involved)."""
    rsync = shutil.which("rsync")
    if rsync is None:
        raise DeployError("rsync is not installed (on Debian or Ubuntu: apt-get install rsync)")
    if destination.startswith("-"):
        raise DeployError(f"not an rsync destination: {mask_secrets(destination)}")
    args = [rsync, "-a", "--checksum", "--itemize-changes", "-8", f"--exclude=/{BUILD_RECORD}"]
    args += ["--delete"] if delete else []
    args += ["--dry-run"] if dry_run else []
    return [*args, "--", str(output.resolve()) + os.sep, destination]


def deploy_rsync(
    output: Path,
    destination: str,
    *,
    delete: bool,
    dry_run: bool,
    report: Report,
    shown: str | None = None,
    files: dict[str, Path] | None = None,
) -> DeployResult:
    """Run ``rsync -a --checksum`` from ``output`` to ``destination`` (any rsync destination).

    Files are counted from rsync's ``--itemize-changes`` lines.  rsync's exit
    status 23 or 24 (some files not transferred) lists its messages as
    failures; any other failure raises :class:`DeployError`.
    """
    files = files if files is not None else check_output(output)
    result = DeployResult(shown or mask_secrets(destination), dry_run)
    args = rsync_command(output, destination, delete=delete, dry_run=dry_run)
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=errors)  # fmt: skip
        assert process.stdout is not None
        for line in _lines(process.stdout):
            _rsync_line(line, result, report)
        status = process.wait()
        errors.seek(0)
        messages = [mask_secrets(m) for m in _lines(errors) if m.strip()]
    sent = set(result.uploaded)
    result.unchanged = [name for name in files if name not in sent]
    if status in (23, 24):
        result.failed = [Failure("rsync", message) for message in messages] or [
            Failure("rsync", f"exit status {status}: some files were not transferred")
        ]
    elif status != 0:
        detail = "; ".join(messages[-3:]) or "no message"
        raise DeployError(f"rsync to {result.target} failed with exit status {status}: {detail}")
    return result


def _lines(stream: IO[bytes]) -> Iterator[str]:
    for raw in stream:
        yield os.fsdecode(raw.rstrip(b"\r\n"))


def _rsync_line(line: str, result: DeployResult, report: Report) -> None:
    """Record one ``--itemize-changes`` line: ``>f+++++++++ name`` or ``*deleting   name``."""
    code, name = line[:11], line[12:]
    if not name:
        return
    verb = "would " if result.dry_run else ""
    if code.startswith("*deleting"):
        if name.endswith("/"):
            return  # a folder: only files are counted
        result.deleted.append(name)
        report(f"{verb}{'delete' if verb else 'deleted'} {name}")
    elif code[:1] in "<>c" and code[1:2] in "fL":
        result.uploaded.append(name)
        report(f"{verb}{'upload' if verb else 'uploaded'} {name}")


# --- gh-pages --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GhPages:
    """Where and how to commit for a ``gh-pages`` deploy."""

    branch: str = "gh-pages"
    push: bool = False
    remote: str = "origin"
    message: str = GHP_DEFAULT_MESSAGE


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    process = subprocess.run(["git", *args], cwd=repo, capture_output=True,
                             stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    if check and process.returncode != 0:
        detail = mask_secrets(os.fsdecode(process.stderr).strip()) or f"git {args[0]} failed"
        raise DeployError(detail.removeprefix("fatal: "))
    return process


def _git_out(repo: Path, *args: str) -> str:
    return os.fsdecode(_git(repo, *args).stdout).strip()


def _ref(repo: Path, name: str) -> str | None:
    found = _git(repo, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}", check=False)
    return os.fsdecode(found.stdout).strip() if found.returncode == 0 else None


def _blob_sha(path: Path) -> str:
    """Git's id for a file's content (``git hash-object``)."""
    sha = hashlib.sha1(usedforsecurity=False)
    sha.update(b"blob %d\0" % path.stat().st_size)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _tree(repo: Path, commit: str | None) -> dict[str, str]:
    """Blob ids by path in ``commit`` (empty for none)."""
    if commit is None:
        return {}
    listing = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit).stdout
    tree: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        if entry:
            meta, _, path = entry.partition(b"\t")
            tree[os.fsdecode(path)] = os.fsdecode(meta.split()[2])
    return tree


def _check_repo(repo: Path, ghp: GhPages) -> Path:
    """The repository's top folder; :class:`DeployError` for anything unusable."""
    if shutil.which("git") is None:
        raise DeployError("gh-pages needs git, which is not installed")
    if find_spec("ghp_import") is None:
        raise DeployError("gh-pages needs ghp-import: pip install 'broadsheet[deploy]'")
    if not repo.is_dir():
        raise DeployError(f"{repo} is not a folder, so not a git repository")
    if _git(repo, "rev-parse", "--show-toplevel", check=False).returncode != 0:
        raise DeployError(f"{repo} is not in a git repository; gh-pages commits to the "
                          "site folder's repository (git init, or deploy elsewhere)")  # fmt: skip
    top = Path(_git_out(repo, "rev-parse", "--show-toplevel"))
    if _git(top, "check-ref-format", "--branch", ghp.branch, check=False).returncode != 0:
        raise DeployError(f"--branch {ghp.branch!r} is not a valid branch name")
    head = _git(top, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if os.fsdecode(head.stdout).strip() == ghp.branch:
        raise DeployError(f"{ghp.branch} is the branch checked out in {top}; deploy to "
                          "another branch (--branch)")  # fmt: skip
    if ghp.push and _git(top, "remote", "get-url", ghp.remote, check=False).returncode != 0:
        raise DeployError(f"--remote {ghp.remote!r}: no such remote in {top}")
    return top


def deploy_gh_pages(
    output: Path,
    files: dict[str, Path],
    repo: Path,
    ghp: GhPages,
    *,
    dry_run: bool,
    report: Report,
) -> DeployResult:
    """Commit ``output`` as the whole content of a branch (plus ``.nojekyll``) with ghp-import.

    The branch always mirrors the output: files not in it are removed from the
    branch whether or not ``--delete`` is given.
    """
    top = _check_repo(repo, ghp)
    if ghp.push:
        _git(top, "fetch", "--quiet", ghp.remote, ghp.branch, check=False)
    base = _ref(top, f"{ghp.remote}/{ghp.branch}") or _ref(top, f"refs/heads/{ghp.branch}")
    before = _tree(top, base)
    wanted = {name: _blob_sha(path) for name, path in files.items()}
    wanted[".nojekyll"] = hashlib.sha1(b"blob 0\0", usedforsecurity=False).hexdigest()
    result = DeployResult(f"gh-pages (branch {ghp.branch} in {top})", dry_run)
    result.uploaded = sorted(n for n, sha in wanted.items() if before.get(n) != sha)
    result.unchanged = sorted(n for n, sha in wanted.items() if before.get(n) == sha)
    result.deleted = sorted(set(before) - set(wanted))
    if dry_run:
        _announce(result, report)
        return result
    _run_ghp_import(top, output, ghp)
    for name in result.uploaded:
        report(f"uploaded {name}")
    for name in result.deleted:
        report(f"deleted {name}")
    return result


def _run_ghp_import(top: Path, output: Path, ghp: GhPages) -> None:
    """Run ghp-import's command line in the repository; check that the branch moved."""
    old = _ref(top, f"refs/heads/{ghp.branch}")
    args = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--message", ghp.message,
            "--branch", ghp.branch, "--remote", ghp.remote]  # fmt: skip
    args += ["--push"] if ghp.push else []
    process = subprocess.run([*args, "--", str(output.resolve())], cwd=top, capture_output=True,
                             stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    new = _ref(top, f"refs/heads/{ghp.branch}")
    detail = mask_secrets(os.fsdecode(process.stderr + process.stdout).strip())
    if new is None or new == old:
        raise DeployError(f"ghp-import could not commit to {ghp.branch}: {detail or 'no message'}")
    if process.returncode != 0:
        raise DeployError(f"committed to {ghp.branch}, but pushing it to {ghp.remote} failed: "
                          f"{detail or 'no message'}")  # fmt: skip
