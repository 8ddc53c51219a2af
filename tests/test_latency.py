"""Latency models: sample means against theory, sample() vs sample_many(),
PBS Table 3 presets, WARS legs and the WAN local/remote split, validation."""

import math
import random

import numpy as np
import pytest

from dynamo_lab import latency as L

N_MANY = 200_000


def _rng(seed=0):
    return np.random.default_rng(seed)


def _assert_mean(model, expected, *, seed=0, size=N_MANY):
    """The sample mean is within 5 standard errors of the theoretical mean."""
    draws = model.sample_many(_rng(seed), size)
    assert draws.shape == (size,)
    assert draws.dtype == float
    stderr = draws.std() / math.sqrt(size)
    assert abs(draws.mean() - expected) < 5 * stderr + 1e-12, (model, draws.mean(), expected)
    assert model.mean_ms == pytest.approx(expected)


def _ks_statistic(a, b):
    """Two-sample Kolmogorov-Smirnov distance between two samples."""
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return np.abs(cdf_a - cdf_b).max()


# --- means against theory ------------------------------------------------------------

@pytest.mark.parametrize("model, expected", [
    (L.Constant(2.5), 2.5),
    (L.Uniform(1.0, 5.0), 3.0),
    (L.Exponential(mean_ms=2.0), 2.0),
    (L.Exponential.from_rate(1.66), 1 / 1.66),
    (L.Pareto(0.235, 10), 10 * 0.235 / 9),
    (L.Pareto(1.0, 3.0), 1.5),
    (L.Mixture([(0.3, L.Constant(1)), (0.7, L.Exponential(mean_ms=4))]), 0.3 + 2.8),
    (L.Shifted(L.Exponential(mean_ms=1.0), 75), 76.0),
    (L.Empirical([1, 2, 3, 10]), 4.0),
])
def test_sample_many_mean_matches_theory(model, expected):
    _assert_mean(model, expected)


@pytest.mark.parametrize("wars", [L.LNKD_SSD, L.LNKD_DISK, L.YMMR], ids=["ssd", "disk", "ymmr"])
def test_preset_leg_means_match_weighted_theory(wars):
    for leg in "WAS":
        model = wars.leg(leg)
        expected = sum(w * m.mean_ms for w, m in model.components)
        _assert_mean(model, expected, seed=ord(leg))


def test_pareto_mean_is_infinite_for_small_alpha():
    assert L.Pareto(1.0, 1.0).mean_ms == math.inf
    assert L.Pareto(1.0, 0.5).mean_ms == math.inf
    assert L.Mixture([(0.5, L.Pareto(1.0, 1.0)), (0.5, 1)]).mean_ms == math.inf
    # A zero-weight heavy tail does not make the mean infinite.
    assert L.Mixture([(0.0, L.Pareto(1.0, 1.0)), (1.0, 2)]).mean_ms == 2.0


def test_pareto_support_and_tail():
    draws = L.Pareto(2.0, 3.0).sample_many(_rng(1), N_MANY)
    assert draws.min() >= 2.0
    # P(X > 4) = (2 / 4) ** 3 = 1/8
    assert (draws > 4).mean() == pytest.approx(1 / 8, abs=0.005)


def test_sample_many_accepts_a_shape():
    for model in (L.Constant(1), L.Uniform(0, 1), L.Exponential(1), L.Pareto(1, 2),
                  L.LNKD_SSD.w, L.Empirical([1, 2]), L.Shifted(1, 2)):
        assert model.sample_many(_rng(), (3, 4)).shape == (3, 4)


def test_sample_many_is_reproducible_with_a_seed():
    model = L.YMMR.w
    assert np.array_equal(model.sample_many(_rng(5), 100), model.sample_many(_rng(5), 100))


# --- sample() and sample_many() agree in distribution ---------------------------------

@pytest.mark.parametrize("model", [
    L.Uniform(1.0, 3.0),
    L.Exponential(mean_ms=2.0),
    L.Pareto(0.235, 10),
    L.Pareto(1.05, 1.51),
    L.LNKD_DISK.w,
    L.YMMR.r,
    L.Empirical([0.5, 1, 1, 4]),
    L.Shifted(L.Exponential(1.0), 5),
], ids=repr)
def test_sample_and_sample_many_agree(model):
    n = 20_000
    py = random.Random(3)
    one_by_one = np.array([model.sample(py) for _ in range(n)])
    vectorised = model.sample_many(_rng(3), n)
    # 1.95 * sqrt(2 / n) is the KS critical value at about the 0.1% level.
    assert _ks_statistic(one_by_one, vectorised) < 1.95 * math.sqrt(2 / n)
    for q in (0.1, 0.5, 0.9):
        assert np.quantile(one_by_one, q) == pytest.approx(np.quantile(vectorised, q), rel=0.1)


def test_sample_returns_a_float_from_a_random_random():
    rng = random.Random(0)
    for model in (L.Pareto(1, 2), L.LNKD_SSD.w, L.Empirical([3]), L.Shifted(1, 1)):
        assert isinstance(model.sample(rng), float)
    assert L.Empirical([3]).sample(rng) == 3.0


def test_base_class_fallback_loops_over_sample():
    class Twice(L.LatencyModel):
        def sample(self, rng):
            return 2 * rng.random()

        @property
        def mean_ms(self):
            return 1.0

    draws = Twice().sample_many(_rng(), (100, 2))
    assert draws.shape == (100, 2)
    assert 0 <= draws.min() and draws.max() <= 2


# --- presets --------------------------------------------------------------------------

def _fit(model):
    """(pareto weight, x_m, alpha, exp rate) of a Table 3 mixture."""
    (wp, pareto), (we, expo) = model.components
    assert isinstance(pareto, L.Pareto) and isinstance(expo, L.Exponential)
    assert wp + we == pytest.approx(1.0)
    return wp, pareto.x_m, pareto.alpha, expo.rate_per_ms


SSD_FIT = (0.9122, 0.235, 10, 1.66)


def test_presets_have_table_3_parameters():
    for leg in "WARS":
        assert _fit(L.LNKD_SSD.leg(leg)) == pytest.approx(SSD_FIT)
    assert _fit(L.LNKD_DISK.w) == pytest.approx((0.38, 1.05, 1.51, 0.183))
    for leg in "ARS":
        assert _fit(L.LNKD_DISK.leg(leg)) == pytest.approx(SSD_FIT)
    assert _fit(L.YMMR.w) == pytest.approx((0.939, 3, 3.35, 0.0028))
    for leg in "ARS":
        assert _fit(L.YMMR.leg(leg)) == pytest.approx((0.982, 1.5, 3.8, 0.0217))
    for leg in "WARS":
        assert L.WAN.leg(leg) == L.LNKD_DISK.leg(leg)
    assert L.WAN.remote_extra_ms == 75
    for preset in (L.LNKD_SSD, L.LNKD_DISK, L.YMMR):
        assert preset.remote_extra_ms == 0


def test_presets_are_exported():
    for name in ("Pareto", "Mixture", "Empirical", "Shifted", "WARS",
                 "LNKD_SSD", "LNKD_DISK", "YMMR", "WAN"):
        assert name in L.__all__
        assert hasattr(L, name)


def test_exponential_from_rate():
    assert L.Exponential.from_rate(2.0) == L.Exponential(mean_ms=0.5)
    assert L.Exponential.from_rate(1.66).rate_per_ms == pytest.approx(1.66)


# --- WARS -----------------------------------------------------------------------------

def test_wars_accepts_numbers_and_names_legs():
    m = L.WARS(1, 2, L.Exponential(3.0), 4)
    assert [m.leg(x) for x in "WARS"] == [L.Constant(1), L.Constant(2), L.Exponential(3.0),
                                          L.Constant(4)]
    assert m.leg("w") == L.Constant(1)
    assert m == L.WARS(1, 2, L.Exponential(3.0), 4)
    assert hash(m) == hash(L.WARS(1, 2, L.Exponential(3.0), 4))
    assert m != L.WARS(1, 2, L.Exponential(3.0), 4, remote_extra_ms=1)


def test_wars_sample_legs_shapes_and_independence():
    legs = L.LNKD_SSD.sample_legs(_rng(), trials=1000, n=5)
    assert sorted(legs) == ["A", "R", "S", "W"]
    for arr in legs.values():
        assert arr.shape == (1000, 5)
        assert arr.min() >= 0
    assert not np.array_equal(legs["W"], legs["A"])


def test_wars_legs_follow_their_models():
    legs = L.WARS(L.Exponential(0.25), L.Exponential(1), 2, 3).sample_legs(_rng(), 50_000, 3)
    assert legs["W"].mean() == pytest.approx(0.25, rel=0.02)
    assert legs["A"].mean() == pytest.approx(1.0, rel=0.02)
    assert np.all(legs["R"] == 2) and np.all(legs["S"] == 3)


def test_wan_has_one_local_replica_per_operation():
    trials, n = 20_000, 3
    legs = L.WARS(1, 2, 3, 4, remote_extra_ms=75).sample_legs(_rng(7), trials, n)
    write_local, read_local = legs["W"] == 1, legs["R"] == 3
    # The write (W, A) and the read (R, S) each have one local replica...
    for local, names, bases in ((write_local, "WA", (1, 2)), (read_local, "RS", (3, 4))):
        assert np.all(local.sum(axis=1) == 1)
        for name, base in zip(names, bases):
            assert np.array_equal(legs[name] == base, local)
            assert np.all(legs[name][~local] == base + 75)
        assert local.mean(axis=0) == pytest.approx([1 / 3] * 3, abs=0.02)
    # ...chosen independently (PBS: per operation), so they coincide a third of the time.
    same = (write_local & read_local).any(axis=1).mean()
    assert same == pytest.approx(1 / 3, abs=0.02)


def test_wan_preset_adds_75_ms_to_remote_replicas():
    legs = L.WAN.sample_legs(_rng(1), 10_000, 3)
    # Remote legs are at least 75 ms plus the Pareto floor; the local ones are quick.
    # A and S (light-tailed in LNKD_DISK) tell the remote replicas apart; the
    # W leg's own heavy tail can pass 75 ms even at the local replica.
    for leg in "AS":
        assert np.all((legs[leg] >= 75).sum(axis=1) == 2)


def test_wars_link_model_maps_message_kinds():
    link = L.WARS(1, 2, 3, 4).link_model()
    assert isinstance(link, L.LatencyModel)
    assert link.by_kind == {"put_req": L.Constant(1), "put_ack": L.Constant(2),
                            "get_req": L.Constant(3), "get_resp": L.Constant(4)}
    assert link.sample(random.Random(0)) == 4.0        # other kinds use the S leg
    assert L.WARS(1, 2, 3, 4).link_model(default=9).mean_ms == 9.0
    assert L.as_latency_model(link) is link


# --- validation -----------------------------------------------------------------------

@pytest.mark.parametrize("build, message", [
    (lambda: L.Pareto(0, 2), "x_m must be a finite number > 0"),
    (lambda: L.Pareto(1, -1), "alpha must be a finite number > 0, got -1"),
    (lambda: L.Pareto(1, float("inf")), "alpha must be a finite number > 0"),
    (lambda: L.Exponential.from_rate(-2), "rate_per_ms must be a finite number > 0"),
    (lambda: L.Exponential.from_rate(True), "rate_per_ms must be a finite number > 0"),
    (lambda: L.Mixture([]), "non-empty list of \\(weight, model\\) pairs"),
    (lambda: L.Mixture([(1.0,)]), "non-empty list of \\(weight, model\\) pairs"),
    (lambda: L.Mixture([(0.5, 1), (0.6, 2)]), "must sum to 1, got a sum of 1.1"),
    (lambda: L.Mixture([(1.5, 1), (-0.5, 2)]), "weight must be a finite number >= 0"),
    (lambda: L.Mixture([(1.0, "fast")]), "Mixture component must be a latency model"),
    (lambda: L.Empirical([]), "at least one sample"),
    (lambda: L.Empirical(5), "sequence of delays"),
    (lambda: L.Empirical([1, -1]), "sample must be a finite number >= 0, got -1"),
    (lambda: L.Empirical([1, float("nan")]), "sample must be a finite number >= 0"),
    (lambda: L.Shifted(1, -75), "extra_ms must be a finite number >= 0"),
    (lambda: L.WARS(1, 1, 1, None), "WARS s \\(read response leg\\) must be a latency model"),
    (lambda: L.WARS(1, 1, 1, 1, remote_extra_ms=-1), "remote_extra_ms must be"),
    (lambda: L.LNKD_SSD.leg("Q"), "one of 'W', 'A', 'R', 'S'"),
    (lambda: L.LNKD_SSD.sample_legs(_rng(), 0, 3), "trials must be a whole number >= 1"),
    (lambda: L.LNKD_SSD.sample_legs(_rng(), 10, 2.5), "n must be a whole number >= 1"),
    (lambda: L.LNKD_SSD.sample_legs(random.Random(0), 10, 3), "numpy.random.Generator"),
    (lambda: L.Exponential(1).sample_many(random.Random(0), 3), "numpy.random.Generator"),
    (lambda: L.WAN.link_model(), "remote_extra_ms == 0"),
    (lambda: L.as_latency_model(L.YMMR), "single-link model, got a WARS"),
    (lambda: L.ByKind(1, {"put_req": "x"}), "must be a latency model"),
])
def test_invalid_parameters_raise_value_error(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_mixture_weights_within_tolerance_are_accepted():
    m = L.Mixture([(0.1, 1), (0.2, 2), (0.7 + 5e-10, 3)])
    assert m.weights[2] == pytest.approx(0.7)
