"""A built wheel carries everything a production install needs: pages, the stylesheet
and the migrations. Built and installed into a fresh virtualenv, it serves pages."""

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SMOKE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import nscal
    assert Path(nscal.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()), nscal.__file__
    app = nscal.create_app()
    client = app.test_client()
    for path, expected in [("/", b"Upcoming"), ("/events/", b"<form"),
                           ("/auth/login", b"password"), ("/static/style.css", b"{"),
                           ("/healthz", b"ok")]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert expected in response.data, (path, response.data[:300])
    print("served", nscal.__file__)
    """
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy, so the build leaves no egg-info or build/ in the checkout.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "nscal", source / "nscal", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)],
        check=True,
        timeout=300,
    )
    (built,) = out.glob("nscal-*.whl")
    return built


def test_wheel_installed_in_a_fresh_venv_migrates_and_serves_pages(wheel, tmp_path):
    # Nothing of the source checkout may be visible to the fresh venv.
    clean_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NSCAL_")},
        "PYTHONPATH": "",
    }
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=120,
        cwd=tmp_path,
        env=clean_env,
    )
    # The dependencies come from the development environment (no network needed), placed
    # after the venv's own site-packages so the wheel's nscal is the one imported.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env,
    ).stdout.strip()
    Path(site, "zz_dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "work"
    work.mkdir()
    env = {
        **clean_env,
        "NSCAL_DATABASE_URL": f"sqlite:///{work / 'nscal.sqlite'}",
        "NSCAL_INSTANCE_PATH": str(work / "instance"),
    }
    flask = [str(python), "-m", "flask", "--app", "nscal"]
    upgrade = subprocess.run(
        [*flask, "db", "upgrade"], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert upgrade.returncode == 0, upgrade.stderr
    served = subprocess.run(
        [str(python), "-c", SMOKE], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert served.returncode == 0, served.stderr
    assert str(venv) in served.stdout


def test_wheel_carries_the_compiled_catalogs(wheel):
    """Every language's catalog, compiled: an installed wheel serves them all."""
    import zipfile

    from nscal.i18n import LANGUAGES

    names = set(zipfile.ZipFile(wheel).namelist())
    for language in LANGUAGES[1:]:
        assert f"nscal/translations/{language}/LC_MESSAGES/messages.mo" in names, language
