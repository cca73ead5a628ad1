"""Parameter groups and exclusion rules: decided from module types, each parameter exactly once."""

import pytest

torch = pytest.importorskip("torch")
from torch import nn

from lpnet.torch import decay_param_groups, split_parameters


class Net(nn.Module):
    """Names chosen to mislead a name-based rule: a Linear called ``norm``, a LayerNorm called ``proj``."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.conv = nn.Conv2d(1, 3, 3)
        self.bn = nn.BatchNorm2d(3)
        self.gn = nn.GroupNorm(1, 3)
        self.norm = nn.Linear(4, 4)  # a Linear: its weight is a weight
        self.proj = nn.LayerNorm(4)  # a norm layer: its weight is not
        self.head = nn.Linear(4, 2, bias=False)
        self.prelu = nn.PReLU()  # a 1-D weight, still a weight


EXPECTED_PENALIZED = {"embed.weight", "conv.weight", "norm.weight", "head.weight", "prelu.weight"}
EXPECTED_REASONS = {
    "conv.bias": "bias",
    "bn.weight": "norm",
    "bn.bias": "norm",
    "gn.weight": "norm",
    "gn.bias": "norm",
    "norm.bias": "bias",
    "proj.weight": "norm",
    "proj.bias": "norm",
}


def _ids(params):
    return [id(p) for p in params]


def test_split_by_module_type():
    split = split_parameters(Net())
    assert {n for n, _ in split.penalized} == EXPECTED_PENALIZED
    assert split.reasons == EXPECTED_REASONS


def test_each_parameter_exactly_once_in_groups():
    model = Net()
    groups = decay_param_groups(model, 1e-2)
    ids = [i for g in groups for i in _ids(g["params"])]
    assert sorted(ids) == sorted(_ids(model.parameters()))
    assert len(ids) == len(set(ids))
    assert [g["weight_decay"] for g in groups] == [1e-2, 0.0]


def test_embedding_exclusion_and_explicit_excludes():
    model = Net()
    split = split_parameters(model, exclude_embedding=True, exclude=["norm.weight", model.head])
    assert {n for n, _ in split.penalized} == {"conv.weight", "prelu.weight"}
    assert split.reasons["embed.weight"] == "embedding"
    assert split.reasons["norm.weight"] == split.reasons["head.weight"] == "excluded"
    split = split_parameters(model, exclude_bias=False, exclude_norm=False)
    assert len(split.penalized) == len(list(model.parameters()))


def test_unknown_exclude_name_raises():
    with pytest.raises(ValueError, match="not a parameter"):
        split_parameters(Net(), exclude=["conv.wieght"])
    with pytest.raises(TypeError):
        split_parameters(Net(), exclude=[3])
    with pytest.raises(ValueError, match="weight_decay"):
        decay_param_groups(Net(), -1.0)


@pytest.mark.skipif(not hasattr(nn, "RMSNorm"), reason="torch without RMSNorm")
def test_rmsnorm_is_a_norm_layer():
    model = nn.Sequential(nn.Linear(3, 3), nn.RMSNorm(3))
    assert split_parameters(model).reasons["1.weight"] == "norm"


def test_tied_weights_appear_once():
    """An output layer tied to the embedding: one parameter, one group; excluded if embeddings are."""
    embed, out = nn.Embedding(7, 5), nn.Linear(5, 7)
    out.weight = embed.weight
    model = nn.Sequential(embed, out)
    groups = decay_param_groups(model, 0.1)
    ids = [i for g in groups for i in _ids(g["params"])]
    assert sorted(ids) == sorted(_ids(model.parameters())) and len(ids) == 2
    assert id(embed.weight) in _ids(groups[0]["params"])
    split = split_parameters(model, exclude_embedding=True)
    assert [n for n, _ in split.penalized] == []
    # any alias of the shared parameter is accepted by exclude
    assert split_parameters(model, exclude=["1.weight"]).penalized == []


def test_sgd_decays_weights_only():
    """One SGD step with zero gradients: weights shrink by (1 - lr * wd), everything else is untouched."""
    torch.manual_seed(0)
    model = Net()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    opt = torch.optim.SGD(decay_param_groups(model, 0.5), lr=0.1)
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    opt.step()
    for name, p in model.named_parameters():
        factor = 0.95 if name in EXPECTED_PENALIZED else 1.0
        torch.testing.assert_close(p.detach(), factor * before[name], rtol=1e-6, atol=0)
