"""activations: against torch float64, closed forms and extreme inputs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reference_impl import activations as act
from tests.numerics import to_torch, central_difference

finite = st.floats(-700, 700, allow_nan=False, allow_infinity=False)


@pytest.mark.oracle
@given(arrays(np.float64, st.integers(1, 12), elements=finite))
@settings(max_examples=60, deadline=None)
def test_elementwise_match_torch(torch, z):
    t = to_torch(torch, z)
    np.testing.assert_allclose(act.sigmoid(z), torch.sigmoid(t).numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(act.tanh(z), torch.tanh(t).numpy(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(act.relu(z), torch.relu(t).numpy(), rtol=0, atol=0)
    np.testing.assert_allclose(
        act.softplus(z), torch.nn.functional.softplus(t, threshold=1e9).numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(act.log_sigmoid(z), torch.nn.functional.logsigmoid(t).numpy(),
                               rtol=1e-12, atol=1e-300)


@pytest.mark.oracle
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 7)), elements=finite))
@settings(max_examples=60, deadline=None)
def test_softmax_logsumexp_match_torch(torch, z):
    t = to_torch(torch, z)
    np.testing.assert_allclose(act.softmax(z), torch.softmax(t, dim=-1).numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(act.log_softmax(z), torch.log_softmax(t, dim=-1).numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(act.logsumexp(z), torch.logsumexp(t, dim=-1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(act.logsumexp(z, axis=0), torch.logsumexp(t, dim=0).numpy(), rtol=1e-12)


@pytest.mark.oracle
def test_derivatives_match_torch_autograd(torch, rng):
    z = rng.normal(scale=3, size=20)
    z[0] = 0.0
    for name, torch_fn in [("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu)]:
        f, df = act.get_activation(name)
        t = to_torch(torch, z, requires_grad=True)
        torch_fn(t).sum().backward()
        np.testing.assert_allclose(df(z), t.grad.numpy(), rtol=1e-12, atol=1e-15)
    t = to_torch(torch, z, requires_grad=True)
    torch.nn.functional.softplus(t, threshold=1e9).sum().backward()
    np.testing.assert_allclose(act.softplus_grad(z), t.grad.numpy(), rtol=1e-12)


@pytest.mark.oracle
def test_softmax_backward_matches_torch(torch, rng):
    z = rng.normal(size=(3, 5))
    dy = rng.normal(size=(3, 5))
    t = to_torch(torch, z, requires_grad=True)
    (torch.softmax(t, dim=-1) * to_torch(torch, dy)).sum().backward()
    np.testing.assert_allclose(act.softmax_backward(dy, act.softmax(z)), t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_extremes_do_not_overflow():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert act.sigmoid(-1000.0) == 0.0 and act.sigmoid(1000.0) == 1.0
        assert act.softplus(1000.0) == 1000.0
        np.testing.assert_allclose(act.softmax([1000.0, 1000.0]), [0.5, 0.5])
        assert act.logsumexp([1000.0, 1000.0]) == pytest.approx(1000 + np.log(2))


def test_closed_forms():
    assert act.sigmoid(0.0) == 0.5
    assert act.sigmoid(np.log(3.0)) == pytest.approx(0.75)
    assert act.softplus(0.0) == pytest.approx(np.log(2))
    assert act.tanh_grad(0.0) == 1.0


def test_derivatives_match_finite_differences(rng):
    z = rng.normal(size=8)
    for name in ("sigmoid", "tanh"):
        f, df = act.get_activation(name)
        for i in range(z.size):
            zi = z[i:i + 1].copy()
            num = central_difference(lambda: f(zi).sum(), zi)
            assert df(z[i]) == pytest.approx(num[0], rel=1e-7)


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="relu"):
        act.get_activation("gelu")
