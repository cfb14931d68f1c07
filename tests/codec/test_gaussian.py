"""The Gaussian tables: export makes exactly the shipped release's tables and thresholds, and the
torch likelihood that training and effort use is the float64 mass the tables come from."""

import numpy as np
import pytest

from aecodec.codec.gaussian import gaussian_mass, gaussian_tables, scale_table, scale_thresholds
from aecodec.codec.weights.registry import RELEASES


def test_the_shipped_release_holds_exactly_these_tables():
    with np.load(RELEASES[2].path, allow_pickle=False) as shipped:
        tables = gaussian_tables()
        for field in ("frequencies", "offsets", "lengths"):
            assert np.array_equal(shipped[f"y_tables.{field}"], getattr(tables, field))
        assert np.array_equal(shipped["scale_thresholds"], scale_thresholds())


def test_the_torch_likelihood_is_the_tables_mass():
    torch = pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")
    from aecodec.codec.model.entropy_models import gaussian_likelihood

    residual = np.linspace(-40.0, 40.0, 321)[:, None]
    sigma = scale_table()[None, ::7]
    ours = gaussian_likelihood(torch.from_numpy(residual), torch.from_numpy(sigma)).numpy()
    exact = np.maximum(gaussian_mass(residual, sigma), 1e-9)
    assert np.allclose(ours, exact, rtol=1e-9, atol=1e-15)


def test_mass_is_symmetric_and_sums_to_one():
    values = np.arange(-60, 61)
    assert np.array_equal(gaussian_mass(values, 3.0), gaussian_mass(-values, 3.0))
    assert gaussian_mass(values, 3.0).sum() == pytest.approx(1.0, abs=1e-12)
