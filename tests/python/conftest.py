"""Runs newsetl once on the seeds for the whole Python test session."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def newsetl_binary():
    if os.environ.get("NEWSETL_BIN"):
        return os.environ["NEWSETL_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    return str(pathlib.Path(target) / "debug" / "newsetl")


@pytest.fixture(scope="session")
def output(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    subprocess.run(
        [newsetl_binary(), "run", "--output", str(out), "-q"], cwd=ROOT, check=True
    )
    return out
