"""The example notebook runs on the seeds' output without errors and draws its plots."""
import pathlib
import subprocess
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_example_notebook_executes(output, tmp_path):
    executed = tmp_path / "seeds.ipynb"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_notebook.py"), "execute", str(output), str(executed)],
        check=True,
    )
    nb = nbformat.read(executed, as_version=4)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the plot cell drew nothing"
