import ast
import json
from pathlib import Path

import pytest

import triage_research

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_for_data_training_and_evaluation():
    assert [p.name for p in NOTEBOOKS] == ["01-data.ipynb", "02-train.ipynb", "03-evaluate-export.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_nbformat4_and_calls_existing_package_functions(path):
    nb = json.loads(path.read_text())
    assert nb["nbformat"] == 4 and isinstance(nb["cells"], list)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a notebook without code"
    for cell in nb["cells"]:
        assert isinstance(cell["source"], list) and "metadata" in cell
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and "execution_count" in cell
    used = set()
    for cell in code:
        tree = ast.parse("".join(cell["source"]))  # every cell is valid Python
        used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "tr"}
    missing = {name for name in used if not hasattr(triage_research, name)}
    assert not missing, f"{path.name} calls tr.{missing}, which the package does not export"
