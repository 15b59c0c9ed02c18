"""architectures: LeNet-5 and AlexNet tables against the published figures and against
the same networks built by hand as torch modules (torchvision is not used)."""

import pytest

from reference_impl import architectures as arch

# ----------------------------------------------------------------------------- LeNet-5

# LeCun, Bottou, Bengio, Haffner (1998), "Gradient-based learning applied to document
# recognition", Section II-B: per layer (output maps, trainable parameters, connections).
LENET_1998_PUBLISHED = {
    "C1": ((6, 28, 28), 156, 122_304),
    "S2": ((6, 14, 14), 12, 5_880),
    "C3": ((16, 10, 10), 1_516, 151_600),
    "S4": ((16, 5, 5), 32, 2_000),
    "C5": ((120, 1, 1), 48_120, 48_120),
    "F6": ((84,), 10_164, 10_164),
}

# Table I of the paper as printed: row = S2 map, column = C3 map, X = connected.
LENET_TABLE_I = [
    "X   XXX  XXXX XX",
    "XX   XXX  XXXX X",
    "XXX   XXX  X XXX",
    " XXX  XXXX  X XX",
    "  XXX  XXXX XX X",
    "   XXX  XXXX XXX",
]


def test_lenet5_1998_matches_published_figures():
    rows = arch.lenet5_table("1998")
    assert [r.name for r in rows] == ["C1", "S2", "C3", "S4", "C5", "F6", "OUTPUT"]
    for row in rows[:-1]:
        assert (row.output_shape, row.params, row.connections) == LENET_1998_PUBLISHED[row.name]
    # The output layer: 10 Euclidean RBF units on 84 inputs, centres fixed by hand.
    assert rows[-1] == arch.LayerRow("OUTPUT", (10,), 0, 840)
    # "60,000 trainable free parameters": exactly, because the RBF centres are not trained
    # (counting them would give 60,840); "340,908 connections" includes the RBF's 840.
    assert arch.total_params(rows) == 60_000
    assert arch.total_connections(rows) == 340_908


def test_lenet5_c3_table_is_table_i_of_the_paper():
    from_picture = tuple(
        tuple(row for row in range(6) if LENET_TABLE_I[row][col] == "X") for col in range(16)
    )
    assert from_picture == tuple(tuple(sorted(maps)) for maps in arch.LENET5_C3_TABLE)
    sizes = [len(maps) for maps in arch.LENET5_C3_TABLE]
    assert sizes == [3] * 6 + [4] * 9 + [6] and sum(sizes) == 60

    def contiguous(maps):   # a run of consecutive maps, cyclically (5 then 0 is adjacent)
        return any(set(maps) == {(start + i) % 6 for i in range(len(maps))} for start in range(6))

    # the paper's text: 0-5 take 3 contiguous maps, 6-11 four contiguous, 12-14 four
    # discontinuous, 15 all six
    assert all(contiguous(m) for m in arch.LENET5_C3_TABLE[:12])
    assert not any(contiguous(m) for m in arch.LENET5_C3_TABLE[12:15])
    assert set(arch.LENET5_C3_TABLE[15]) == set(range(6))


@pytest.mark.oracle
@pytest.mark.parametrize("pool", ["max", "avg"])
def test_lenet5_modern_matches_torch_module(torch, pool):
    nn = torch.nn
    meta = dict(device="meta", dtype=torch.float64)
    Pool = nn.MaxPool2d if pool == "max" else nn.AvgPool2d
    layers = [nn.Conv2d(1, 6, 5, **meta), Pool(2), nn.Conv2d(6, 16, 5, **meta), Pool(2),
              nn.Sequential(nn.Flatten(), nn.Linear(400, 120, **meta)),
              nn.Linear(120, 84, **meta), nn.Linear(84, 10, **meta)]
    rows = arch.lenet5_table("modern", pool=pool)
    assert len(rows) == len(layers)
    h = torch.empty((1, 1, 32, 32), **meta)
    for row, layer in zip(rows, layers):
        h = layer(h)
        assert row.output_shape == tuple(h.shape[1:]), row.name
        assert row.params == sum(p.numel() for p in layer.parameters()), row.name
    assert arch.total_params(rows) == 61_706


def test_lenet5_modern_shapes_and_counts_from_the_layer_list():
    rows = arch.lenet5_table("modern")
    assert [r.output_shape for r in rows] == [(6, 28, 28), (6, 14, 14), (16, 10, 10),
                                              (16, 5, 5), (120,), (84,), (10,)]
    assert [r.params for r in rows] == [156, 0, 2_416, 0, 48_120, 10_164, 850]
    # connections: inputs per output unit (+1 bias) summed; a 2x2 max-pool reads 4 per unit
    assert rows[1].connections == 4 * 6 * 14 * 14


# ----------------------------------------------------------------------------- AlexNet

ALEXNET_SHAPES = [(96, 55, 55), (96, 27, 27), (256, 27, 27), (256, 13, 13), (384, 13, 13),
                  (384, 13, 13), (256, 13, 13), (256, 6, 6), (4096,), (4096,), (1000,)]


@pytest.mark.parametrize("groups, total", [(True, 60_965_224), (False, 62_378_344)])
def test_alexnet_original_published_shapes_and_totals(groups, total):
    rows = arch.alexnet_table(groups=groups, variant="original")
    assert [r.output_shape for r in rows] == ALEXNET_SHAPES
    assert arch.total_params(rows) == total


def test_alexnet_default_is_the_two_gpu_original():
    assert arch.total_params(arch.alexnet_table()) == 60_965_224


def test_alexnet_torchvision_total():
    rows = arch.alexnet_table(variant="torchvision")
    assert arch.total_params(rows) == 61_100_840
    assert [r.output_shape for r in rows][:9] == [
        (64, 55, 55), (64, 27, 27), (192, 27, 27), (192, 13, 13), (384, 13, 13),
        (256, 13, 13), (256, 13, 13), (256, 6, 6), (256, 6, 6)]


def _torch_alexnet(torch, variant, groups):
    nn = torch.nn
    meta = dict(device="meta", dtype=torch.float64)
    g = 2 if groups else 1
    if variant == "original":
        convs = [nn.Conv2d(3, 96, 11, stride=4, **meta), nn.MaxPool2d(3, 2),
                 nn.Conv2d(96, 256, 5, padding=2, groups=g, **meta), nn.MaxPool2d(3, 2),
                 nn.Conv2d(256, 384, 3, padding=1, **meta),
                 nn.Conv2d(384, 384, 3, padding=1, groups=g, **meta),
                 nn.Conv2d(384, 256, 3, padding=1, groups=g, **meta), nn.MaxPool2d(3, 2)]
        size = 227
    else:
        convs = [nn.Conv2d(3, 64, 11, stride=4, padding=2, **meta), nn.MaxPool2d(3, 2),
                 nn.Conv2d(64, 192, 5, padding=2, **meta), nn.MaxPool2d(3, 2),
                 nn.Conv2d(192, 384, 3, padding=1, **meta),
                 nn.Conv2d(384, 256, 3, padding=1, **meta),
                 nn.Conv2d(256, 256, 3, padding=1, **meta), nn.MaxPool2d(3, 2),
                 nn.AdaptiveAvgPool2d((6, 6))]
        size = 224
    dense = [nn.Sequential(nn.Flatten(), nn.Linear(9216, 4096, **meta)),
             nn.Linear(4096, 4096, **meta), nn.Linear(4096, 1000, **meta)]
    return convs + dense, torch.empty((1, 3, size, size), **meta)


@pytest.mark.oracle
@pytest.mark.parametrize("variant, groups", [("original", True), ("original", False),
                                             ("torchvision", False)])
def test_alexnet_matches_torch_modules(torch, variant, groups):
    layers, h = _torch_alexnet(torch, variant, groups)
    rows = arch.alexnet_table(groups=groups, variant=variant)
    assert len(rows) == len(layers)
    for row, layer in zip(rows, layers):
        h = layer(h)       # meta tensors: torch computes the shapes, no arithmetic
        assert row.output_shape == tuple(h.shape[1:]), row.name
        assert row.params == sum(p.numel() for p in layer.parameters()), row.name


def test_alexnet_grouping_halves_the_grouped_layers():
    grouped = {r.name: r.params for r in arch.alexnet_table(groups=True)}
    full = {r.name: r.params for r in arch.alexnet_table(groups=False)}
    for name in ("conv2", "conv4", "conv5"):
        # weights halve, biases stay
        bias = {"conv2": 256, "conv4": 384, "conv5": 256}[name]
        assert full[name] - bias == 2 * (grouped[name] - bias)
    for name in ("conv1", "conv3", "fc6", "fc7", "fc8"):
        assert full[name] == grouped[name]


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="variant"):
        arch.lenet5_table("1989")
    with pytest.raises(ValueError, match="pool"):
        arch.lenet5_table("modern", pool="min")
    with pytest.raises(ValueError, match="variant"):
        arch.alexnet_table(variant="caffe")
    with pytest.raises(ValueError, match="groups"):
        arch.alexnet_table(groups=True, variant="torchvision")
    with pytest.raises(ValueError, match="output size < 1"):
        arch.alexnet_table(input_size=63)        # pool5 would get a 1x1 map: no 3x3 window
    with pytest.raises(ValueError, match="input_shape"):
        arch.architecture_table((32, 32), [arch.Conv("c", 1, 3)])
