import pytest

from triage_research.data import default_data_path


@pytest.fixture(scope="session")
def data_path():
    path = default_data_path()
    if not path.exists():
        pytest.skip(f"{path} is not there (run `python -m triage_research download`)")
    return path
