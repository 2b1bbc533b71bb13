"""``broadsheet deploy``: S3 (against a local moto server), gh-pages, a folder, rsync.

Nothing here talks to AWS: the S3 tests run a moto server on 127.0.0.1 with
fake credentials, and point both ``--endpoint-url`` and ``AWS_ENDPOINT_URL``
at it.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from broadsheet.cli_deploy import deploy_command
from broadsheet.deploy import (
    LONG_CACHE,
    SHORT_CACHE,
    DeployError,
    DeployResult,
    deploy,
    deploy_rsync,
    object_headers,
    parse_target,
    rsync_command,
)
from conftest import write

boto3 = pytest.importorskip("boto3", reason="pip install 'broadsheet[deploy]'")
moto_server = pytest.importorskip("moto.server", reason="pip install 'moto[server]'")

ACCESS_KEY = "AKIABROADSHEETTEST01"
SECRET = "broadsheet-SECRET-q7Zp2Lx9vW4kT8"
PAGES = {
    "index.html": "<title>Front page</title><p>Harbour wall repairs</p>",
    "404.html": "<title>Not found</title>",
    "about/index.html": "<title>About</title>",
    "2024/06/21/harbour-wall/index.html": "<title>Harbour wall</title>",
    "places/zürich/index.html": "<title>Zürich</title>",
    "static/broadsheet.css": "body { margin: 0 }",
    "static/broadsheet.0123abcd.css": "body { color: #111 }",
    "feed.xml": "<?xml version='1.0'?><feed/>",
}
BR_BYTES = b"\x1b\x2f\x00\xf8\x25\x00\x02not really brotli"


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` by POSIX relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """A small built site: pages, a fingerprinted stylesheet, .gz and .br siblings."""
    root = tmp_path / "site"
    for name, text in PAGES.items():
        write(root / name, text)
    (root / "index.html.gz").write_bytes(gzip.compress(PAGES["index.html"].encode(), mtime=0))
    (root / "index.html.br").write_bytes(BR_BYTES)
    return root


ALL = sorted([*PAGES, "index.html.gz", "index.html.br"])


# --- S3 against moto ---------------------------------------------------------


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 (a free port), stopped after the module."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Fake credentials only (never a real profile); a client for the moto server."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)  # a safety net: never AWS
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return boto3.client("s3", endpoint_url=moto_endpoint)


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"broadsheet-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def keys(s3: Any, bucket: str) -> set[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def run_s3(output: Path, bucket: str, endpoint: str, **options: Any) -> DeployResult:
    return deploy(output, f"s3://{bucket}/news", endpoint_url=endpoint, **options)


def test_first_deploy_uploads_everything_with_headers(
    output: Path, s3: Any, bucket: str, moto_endpoint: str
) -> None:
    lines: list[str] = []
    result = run_s3(output, bucket, moto_endpoint, report=lines.append)
    assert sorted(result.uploaded) == ALL
    assert result.deleted == result.unchanged == result.failed == []
    assert keys(s3, bucket) == {f"news/{name}" for name in ALL}
    assert sorted(lines) == sorted(f"uploaded {name}" for name in ALL)
    # Pages go up after the files they link to.
    assert all(not line.endswith(".css") for line in lines[-6:])
    assert result.summary() == (
        f"Deployed to s3://{bucket}/news: {len(ALL)} uploaded, 0 deleted, 0 unchanged."
    )

    def head(name: str) -> Any:
        return s3.head_object(Bucket=bucket, Key=f"news/{name}")

    page = head("index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == SHORT_CACHE
    assert "ContentEncoding" not in page
    sha = hashlib.sha256(PAGES["index.html"].encode()).hexdigest()
    assert page["Metadata"] == {"sha256": sha}
    css = head("static/broadsheet.0123abcd.css")
    assert (css["ContentType"], css["CacheControl"]) == ("text/css; charset=utf-8", LONG_CACHE)
    assert head("static/broadsheet.css")["CacheControl"] == SHORT_CACHE
    gz, br = head("index.html.gz"), head("index.html.br")
    assert (gz["ContentEncoding"], br["ContentEncoding"]) == ("gzip", "br")
    assert gz["ContentType"] == br["ContentType"] == "text/html; charset=utf-8"
    assert gz["CacheControl"] == SHORT_CACHE
    assert head("feed.xml")["ContentType"] == "application/xml; charset=utf-8"
    body = s3.get_object(Bucket=bucket, Key="news/places/zürich/index.html")["Body"].read()
    assert body == PAGES["places/zürich/index.html"].encode()


def test_second_deploy_uploads_nothing_and_an_edit_uploads_one_file(
    output: Path, s3: Any, bucket: str, moto_endpoint: str
) -> None:
    run_s3(output, bucket, moto_endpoint)
    again = run_s3(output, bucket, moto_endpoint)
    assert (again.uploaded, again.deleted, sorted(again.unchanged)) == ([], [], ALL)
    assert again.summary().endswith(f": 0 uploaded, 0 deleted, {len(ALL)} unchanged.")

    write(output / "about/index.html", "<title>About us</title>")
    edited = run_s3(output, bucket, moto_endpoint)
    assert edited.uploaded == ["about/index.html"]
    assert len(edited.unchanged) == len(ALL) - 1
    body = s3.get_object(Bucket=bucket, Key="news/about/index.html")["Body"].read()
    assert body == b"<title>About us</title>"


def test_multipart_objects_are_compared_by_stored_sha256(
    output: Path, s3: Any, bucket: str, moto_endpoint: str
) -> None:
    """An ETag that is not the MD5 (multipart, KMS) falls back to the sha256 metadata."""
    run_s3(output, bucket, moto_endpoint)
    for name, metadata in (("index.html", True), ("404.html", False)):
        data = PAGES[name].encode()
        meta = {"sha256": hashlib.sha256(data).hexdigest()} if metadata else {}
        upload = s3.create_multipart_upload(Bucket=bucket, Key=f"news/{name}", Metadata=meta)
        part = s3.upload_part(Bucket=bucket, Key=f"news/{name}", PartNumber=1,
                              UploadId=upload["UploadId"], Body=data)  # fmt: skip
        s3.complete_multipart_upload(
            Bucket=bucket, Key=f"news/{name}", UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
        )  # fmt: skip
        assert "-" in s3.head_object(Bucket=bucket, Key=f"news/{name}")["ETag"]
    result = run_s3(output, bucket, moto_endpoint)
    assert result.uploaded == ["404.html"]  # no metadata: sent again
    assert "index.html" in result.unchanged


def test_delete_removes_stale_objects_under_the_prefix_only(
    output: Path, s3: Any, bucket: str, moto_endpoint: str
) -> None:
    for key in ("news/old/gone.html", "elsewhere/keep.html", "newsletter/keep.html", "top.html"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    kept = run_s3(output, bucket, moto_endpoint)
    assert kept.deleted == []
    assert "news/old/gone.html" in keys(s3, bucket)

    lines: list[str] = []
    result = run_s3(output, bucket, moto_endpoint, delete=True, report=lines.append)
    assert result.deleted == ["old/gone.html"]
    assert lines == ["deleted old/gone.html"]
    assert keys(s3, bucket) == {f"news/{name}" for name in ALL} | {
        "elsewhere/keep.html", "newsletter/keep.html", "top.html"
    }  # fmt: skip


def test_dry_run_changes_nothing_and_reports_the_plan(
    output: Path, s3: Any, bucket: str, moto_endpoint: str
) -> None:
    lines: list[str] = []
    first = run_s3(output, bucket, moto_endpoint, dry_run=True, report=lines.append)
    assert sorted(first.uploaded) == ALL and first.unchanged == []
    assert keys(s3, bucket) == set()
    assert sorted(lines) == sorted(f"would upload {name}" for name in ALL)
    assert first.summary() == (f"Dry run for s3://{bucket}/news: {len(ALL)} to upload, "
                               "0 to delete, 0 unchanged; nothing was changed.")  # fmt: skip

    run_s3(output, bucket, moto_endpoint)
    s3.put_object(Bucket=bucket, Key="news/stale.html", Body=b"old")
    write(output / "index.html", "<title>New front page</title>")
    before = {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys(s3, bucket)}
    lines.clear()
    plan = run_s3(output, bucket, moto_endpoint, dry_run=True, delete=True, report=lines.append)
    assert (plan.uploaded, plan.deleted) == (["index.html"], ["stale.html"])
    assert len(plan.unchanged) == len(ALL) - 1
    assert lines == ["would upload index.html", "would delete stale.html"]
    after = {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys(s3, bucket)}
    assert after == before


def test_a_missing_bucket_is_a_clear_error(
    output: Path, s3: Any, moto_endpoint: str
) -> None:
    with pytest.raises(DeployError, match="cannot list s3://no-such-bucket-here/news: "
                       "NoSuchBucket"):  # fmt: skip
        run_s3(output, "no-such-bucket-here", moto_endpoint)


def test_missing_credentials_are_a_clear_error(
    output: Path, s3: Any, bucket: str, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(DeployError, match="Unable to locate credentials; set AWS_ACCESS_KEY_ID"):
        run_s3(output, bucket, moto_endpoint)


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(deploy_command, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cli_s3_lines_summary_exit_codes_and_no_credentials(
    output: Path, s3: Any, bucket: str, moto_endpoint: str
) -> None:
    target = f"s3://{bucket}/news/"
    common = ["-o", str(output), "--to", target, "--endpoint-url", moto_endpoint]
    runs = [cli(*common)]
    code, out, err = runs[0]
    assert (code, err) == (0, "")
    assert "uploaded places/zürich/index.html" in out.splitlines()
    assert out.splitlines()[-1] == (
        f"Deployed to {target}: {len(ALL)} uploaded, 0 deleted, 0 unchanged."
    )
    runs.append(cli(*common))
    assert runs[-1][:2] == (0, f"Deployed to {target}: 0 uploaded, 0 deleted, "
                               f"{len(ALL)} unchanged.\n")  # fmt: skip
    runs.append(cli(*common, "--quiet", "--delete", "--dry-run"))
    assert runs[-1] == (0, "", "")
    runs.append(cli("-o", str(output), "--to", "s3://no-such-bucket-here",
                    "--endpoint-url", moto_endpoint))  # fmt: skip
    code, out, err = runs[-1]
    assert code == 2 and out == ""
    assert err.startswith("error: cannot list s3://no-such-bucket-here: NoSuchBucket")
    runs.append(cli("-o", str(output), "--to", target, "--endpoint-url", "http://127.0.0.1:9"))
    assert runs[-1][0] == 2 and "cannot list" in runs[-1][2]
    runs.append(cli("-o", str(output), "--to", target, "--endpoint-url", "not a url"))
    assert runs[-1][0] == 2 and "--endpoint-url must be an http(s) URL" in runs[-1][2]
    for _, out, err in runs:
        assert SECRET not in out + err
        assert ACCESS_KEY not in out + err


def test_cli_refuses_a_missing_or_empty_output_folder(tmp_path: Path) -> None:
    code, out, err = cli(str(tmp_path), "--to", str(tmp_path / "mirror"))
    assert code == 2 and out == ""
    assert f"{tmp_path / 'site'} does not exist" in err
    assert "broadsheet build && broadsheet deploy" in err
    (tmp_path / "site/empty-folder").mkdir(parents=True)
    code, _, err = cli(str(tmp_path), "--to", str(tmp_path / "mirror"))
    assert code == 2 and "is empty" in err
    assert not (tmp_path / "mirror").exists()


def test_cli_uses_the_configured_output_folder(tmp_path: Path) -> None:
    write(tmp_path / "broadsheet.yaml", "paths:\n  output: public\n")
    write(tmp_path / "public/index.html", "home")
    code, out, _ = cli(str(tmp_path), "--to", str(tmp_path / "mirror"))
    assert code == 0
    assert out == f"uploaded index.html\nDeployed to {tmp_path / 'mirror'}: 1 uploaded, " \
                  "0 deleted, 0 unchanged.\n"
    write(tmp_path / "broadsheet.yaml", "paths: 3\n")
    code, _, err = cli(str(tmp_path), "--to", str(tmp_path / "mirror"))
    assert code == 2 and "paths: must be a mapping" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "s3://b/p", "--branch", "main"], "--branch applies to --to gh-pages only"),
        (["--to", "/tmp/x", "--push"], "--push applies to --to gh-pages only"),
        (["--to", "/tmp/x", "--endpoint-url", "http://127.0.0.1:1"], "--endpoint-url applies"),
        (["--to", "gh-pages", "--delete"], "--delete does not apply to gh-pages"),
        (["--to", "ftp://host/x"], "unsupported target"),
        (["--to", "s3://"], "not a valid bucket name"),
    ],
)
def test_cli_bad_options_exit_2(output: Path, args: list[str], message: str) -> None:
    code, _, err = cli("-o", str(output), *args)
    assert code == 2
    assert message in err


def test_cli_help_says_it_does_not_build() -> None:
    code, out, _ = cli("--help")
    assert code == 0
    assert "This does not build" in out
    assert "broadsheet build && broadsheet deploy" in out


# --- targets and headers -------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "kind", "location", "prefix"),
    [
        ("s3://bucket", "s3", "bucket", ""),
        ("s3://bucket/news", "s3", "bucket", "news/"),
        ("s3://bucket//news/2024/", "s3", "bucket", "news/2024/"),
        ("gh-pages", "gh-pages", "gh-pages", ""),
        ("./gh-pages", "local", "gh-pages", ""),
        ("/srv/www", "local", "/srv/www", ""),
        ("file:///srv/my%20site", "local", "/srv/my site", ""),
        ("rsync://host/module/path", "rsync", "rsync://host/module/path", ""),
        ("deploy@example.org:/var/www", "rsync", "deploy@example.org:/var/www", ""),
        ("host:www", "rsync", "host:www", ""),
    ],
)
def test_parse_target(target: str, kind: str, location: str, prefix: str) -> None:
    parsed = parse_target(target)
    assert (parsed.kind, parsed.location, parsed.prefix) == (kind, location, prefix)


def test_targets_hide_passwords() -> None:
    assert parse_target("rsync://me:hunter2@host/mod").shown == "rsync://me:***@host/mod"


@pytest.mark.parametrize(
    ("name", "encoding", "kind", "cache"),
    [
        ("index.html", None, "text/html; charset=utf-8", SHORT_CACHE),
        ("a/b.0123abcd.js", None, "text/javascript; charset=utf-8", LONG_CACHE),
        ("fonts/serif.89abcdef01.woff2", None, "font/woff2", LONG_CACHE),
        ("static/app.0123abc.css", None, "text/css; charset=utf-8", SHORT_CACHE),
        ("0123abcd.css", None, "text/css; charset=utf-8", SHORT_CACHE),
        ("page.0123abcd.html", None, "text/html; charset=utf-8", SHORT_CACHE),
        ("a/b.0123abcd.js.br", "br", "text/javascript; charset=utf-8", LONG_CACHE),
        ("data.tar.gz", None, "application/gzip", SHORT_CACHE),
        ("feed.json", None, "application/json", SHORT_CACHE),
        ("photo.JPG", None, "image/jpeg", SHORT_CACHE),
        ("LICENSE", None, "application/octet-stream", SHORT_CACHE),
    ],
)
def test_object_headers(name: str, encoding: str | None, kind: str, cache: str) -> None:
    names = {name, "a/b.0123abcd.js"}
    headers = object_headers(name, names)
    assert headers.get("ContentEncoding") == encoding
    assert (headers["ContentType"], headers["CacheControl"]) == (kind, cache)


# --- gh-pages --------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, output: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository (branch main, one commit) whose site/ holds ``output``."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    site = tmp_path / "repo"
    site.mkdir()
    git(site, "init", "-q", "-b", "main")
    git(site, "config", "user.name", "Broadsheet Test")
    git(site, "config", "user.email", "test@example.org")
    write(site / ".gitignore", "/site/\n")
    git(site, "add", ".gitignore")
    git(site, "commit", "-q", "-m", "Start")
    shutil.move(output, site / "site")
    return site


def branch_files(repo: Path, branch: str = "gh-pages") -> set[str]:
    return set(git(repo, "ls-tree", "-r", "-z", "--name-only", branch).split("\0")) - {""}


def test_gh_pages_commits_the_output_with_nojekyll(repo: Path) -> None:
    site = repo / "site"
    lines: list[str] = []
    result = deploy(site, "gh-pages", repo=repo, report=lines.append)
    assert sorted(result.uploaded) == sorted([*ALL, ".nojekyll"])
    assert git(repo, "show", "gh-pages:index.html") == PAGES["index.html"]
    assert branch_files(repo) == {*ALL, ".nojekyll"}
    assert git(repo, "show", "gh-pages:.nojekyll") == ""
    assert git(repo, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert git(repo, "status", "--porcelain") == ""
    assert "uploaded index.html" in lines

    again = deploy(site, "gh-pages", repo=repo)
    assert (again.uploaded, again.deleted) == ([], [])
    (site / "404.html").unlink()
    write(site / "about/index.html", "<title>About us</title>")
    changed = deploy(site, "gh-pages", repo=repo, message="Update the archive")
    assert (changed.uploaded, changed.deleted) == (["about/index.html"], ["404.html"])
    assert git(repo, "log", "-1", "--format=%s", "gh-pages").strip() == "Update the archive"
    assert "404.html" not in branch_files(repo)


def test_gh_pages_dry_run_and_refusals(repo: Path, tmp_path: Path) -> None:
    site = repo / "site"
    plan = deploy(site, "gh-pages", repo=repo, dry_run=True)
    assert len(plan.uploaded) == len(ALL) + 1
    assert git(repo, "branch", "--list", "gh-pages") == ""
    with pytest.raises(DeployError, match="main is the branch checked out"):
        deploy(site, "gh-pages", repo=repo, branch="main")
    with pytest.raises(DeployError, match="not a valid branch name"):
        deploy(site, "gh-pages", repo=repo, branch="bad..name")
    with pytest.raises(DeployError, match="no such remote"):
        deploy(site, "gh-pages", repo=repo, push=True)
    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()
    with pytest.raises(DeployError, match="not in a git repository"):
        deploy(site, "gh-pages", repo=elsewhere)


def test_gh_pages_push_through_the_cli(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))
    code, out, err = cli(str(repo), "--to", "gh-pages", "--push", "--message", "Publish")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith("Deployed to gh-pages (branch gh-pages in ")
    assert git(remote, "show", "gh-pages:index.html") == PAGES["index.html"]
    assert git(remote, "log", "-1", "--format=%s", "gh-pages").strip() == "Publish"


# --- a local folder ------------------------------------------------------------------


def test_local_mirror_copies_changes_and_deletes_extras(output: Path, tmp_path: Path) -> None:
    dest = tmp_path / "www"
    first = deploy(output, str(dest))
    assert sorted(first.uploaded) == ALL
    assert tree(dest) == tree(output)

    write(dest / "stale/old.html", "old")
    write(output / "index.html", "<title>New</title>")
    second = deploy(output, dest.as_uri())
    assert (second.uploaded, second.deleted) == (["index.html"], [])
    assert (dest / "stale/old.html").exists()

    plan = deploy(output, str(dest), delete=True, dry_run=True)
    assert (plan.uploaded, plan.deleted) == ([], ["stale/old.html"])
    assert (dest / "stale/old.html").exists()
    third = deploy(output, str(dest), delete=True)
    assert (third.uploaded, third.deleted) == ([], ["stale/old.html"])
    assert tree(dest) == tree(output)
    assert not (dest / "stale").exists()


def test_local_delete_never_leaves_the_target(output: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "precious.txt", "keep me")
    dest = tmp_path / "www"
    dest.mkdir()
    (dest / "link").symlink_to(outside, target_is_directory=True)
    (dest / "file-link").symlink_to(outside / "precious.txt")
    result = deploy(output, str(dest), delete=True)
    assert sorted(result.deleted) == ["file-link", "link"]
    assert (outside / "precious.txt").read_text() == "keep me"
    assert tree(dest) == tree(output)


def test_cli_lists_failed_files_and_exits_1(output: Path, tmp_path: Path) -> None:
    dest = tmp_path / "www"
    write(dest / "about/index.html/in-the-way.txt", "a folder where a file must go")
    code, out, err = cli("-o", str(output), "--to", str(dest))
    assert code == 1
    assert err == "error: about/index.html: Is a directory\n"
    assert out.splitlines()[-1] == (
        f"Deployed to {dest}: {len(ALL) - 1} uploaded, 0 deleted, 0 unchanged, 1 failed."
    )
    code, out, err = cli("-o", str(output), "--to", str(dest), "--delete", "--quiet")
    assert (code, out, err) == (1, "", "error: about/index.html: Is a directory\n")
    assert cli("-o", str(output), "--to", str(dest), "--delete")[0] == 0
    assert tree(dest) == tree(output)


@pytest.mark.parametrize("where", ["site", "site/mirror", "."])
def test_local_refuses_targets_inside_or_around_the_output(
    output: Path, tmp_path: Path, where: str
) -> None:
    with pytest.raises(DeployError, match=r"inside the output folder|contains the output folder"):
        deploy(output, str(tmp_path / where))
    assert not (output / "mirror").exists()


# --- rsync ---------------------------------------------------------------------------------

needs_rsync = pytest.mark.skipif(
    shutil.which("rsync") is None, reason="rsync is not installed (apt-get install rsync)"
)


def test_rsync_command_is_an_argument_list(output: Path) -> None:
    if shutil.which("rsync") is None:
        with pytest.raises(DeployError, match="rsync is not installed"):
            rsync_command(output, "host:www", delete=True, dry_run=True)
        return
    args = rsync_command(output, "me@host:www", delete=True, dry_run=True)
    assert args[1:] == ["-a", "--checksum", "--itemize-changes", "-8",
                        "--exclude=/.broadsheet-manifest", "--delete", "--dry-run",
                        "--", f"{output.resolve()}/", "me@host:www"]  # fmt: skip


@needs_rsync
def test_rsync_to_a_local_path(output: Path, tmp_path: Path) -> None:
    dest = tmp_path / "rsynced"
    lines: list[str] = []
    first = deploy_rsync(output, str(dest), delete=False, dry_run=False, report=lines.append)
    assert sorted(first.uploaded) == ALL and first.failed == []
    assert "uploaded places/zürich/index.html" in lines
    assert tree(dest) == tree(output)

    write(dest / "stale.html", "old")
    write(output / "about/index.html", "<title>About us</title>")
    plan = deploy_rsync(output, str(dest), delete=True, dry_run=True, report=lines.append)
    assert (plan.uploaded, plan.deleted) == (["about/index.html"], ["stale.html"])
    assert (dest / "stale.html").exists()
    done = deploy_rsync(output, str(dest), delete=True, dry_run=False, report=lines.append)
    assert (done.uploaded, done.deleted) == (["about/index.html"], ["stale.html"])
    assert len(done.unchanged) == len(ALL) - 1
    assert tree(dest) == tree(output)


@needs_rsync
def test_rsync_errors_hide_passwords(output: Path) -> None:
    code, out, err = cli("-o", str(output), "--to", "rsync://me:hunter2pass@127.0.0.1:9/mod/x")
    assert code == 2
    assert "rsync://me:***@127.0.0.1:9/mod/x" in err
    assert "hunter2pass" not in out + err


def test_the_build_record_is_never_deployed(tmp_path: Path) -> None:
    from broadsheet.deploy import BUILD_RECORD, output_files

    site = tmp_path / "out"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text("home", encoding="utf-8")
    (site / BUILD_RECORD).write_text("{}", encoding="utf-8")
    (site / "a" / BUILD_RECORD).write_text("not the record", encoding="utf-8")
    assert sorted(output_files(site)) == [f"a/{BUILD_RECORD}", "index.html"]
