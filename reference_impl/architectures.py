"""Layer tables of classic CNNs (LeNet-5, AlexNet), derived from layer lists.

Each architecture is data: a list of layer specifications. :func:`architecture_table`
walks it with :func:`reference_impl.cnn.conv_output_size` and the counting functions
of :mod:`reference_impl.cnn`, so every shape, parameter count and connection count
in a table is computed, never typed in.

Counting conventions (those of LeCun et al. 1998, applied to every layer):

* **trainable parameters**: weights and biases that learning updates;
* **connections**: summed over every output unit, the number of inputs it reads plus
  one for its bias if it has one (so for a conv layer ``params * H_out * W_out``; for a
  max-pool ``k*k`` per output unit; for a fully connected layer ``(n_in + 1) * n_out``).
  Pooling windows are counted at full size (no table here pads a pooling layer).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from reference_impl.cnn import (
    conv_output_size,
    conv_param_count,
    dense_param_count,
)

__all__ = [
    "Conv", "Pool", "AdaptiveAvgPool", "Dense", "LayerRow",
    "architecture_table", "total_params", "total_connections",
    "LENET5_C3_TABLE", "lenet5_layers", "lenet5_table",
    "alexnet_layers", "alexnet_table",
]


class Conv(NamedTuple):
    """Convolution: ``filters`` kernels of size ``kernel`` x ``kernel``.

    ``table`` (optional) lists, for each output map, the input maps it reads (LeNet-5's
    C3); without it every output map reads ``C_in / groups`` input maps.
    """

    name: str
    filters: int
    kernel: int
    stride: int = 1
    padding: int = 0
    groups: int = 1
    bias: bool = True
    table: tuple | None = None


class Pool(NamedTuple):
    """Pooling over ``kernel`` x ``kernel`` windows (``stride`` defaults to ``kernel``).

    ``kind`` is "max", "avg", or "subsample": LeNet-5's S layers, which add the window,
    multiply by one trainable coefficient and add one trainable bias per map.
    """

    name: str
    kind: str
    kernel: int
    stride: int | None = None
    padding: int = 0
    ceil_mode: bool = False


class AdaptiveAvgPool(NamedTuple):
    """Adaptive average pooling to ``output_size`` x ``output_size`` (torchvision's AlexNet)."""

    name: str
    output_size: int


class Dense(NamedTuple):
    """Fully connected layer (flattens its input). ``trainable=False`` for fixed weights
    (LeNet-5's RBF output units, whose 84-component centres are set by hand)."""

    name: str
    units: int
    bias: bool = True
    trainable: bool = True


class LayerRow(NamedTuple):
    """One row of a layer table."""

    name: str
    output_shape: tuple      # (C, H, W) for feature maps, (n,) for a vector
    params: int              # trainable parameters
    connections: int         # inputs read by every output unit (+1 for a bias), summed


def _adaptive_windows(n_in: int, n_out: int) -> list[int]:
    """Window lengths of PyTorch's adaptive pooling: [floor(i n/m), ceil((i+1) n/m))."""
    return [math.ceil((i + 1) * n_in / n_out) - (i * n_in) // n_out for i in range(n_out)]


def architecture_table(input_shape, layers) -> list[LayerRow]:
    """Walk ``layers`` from an input of shape ``(C, H, W)``; one :class:`LayerRow` per layer."""
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W), got {input_shape!r}")
    shape = tuple(int(v) for v in input_shape)
    rows = []
    for layer in layers:
        if isinstance(layer, Conv):
            C, H, W = _spatial(shape, layer.name)
            Ho = conv_output_size(H, layer.kernel, layer.stride, layer.padding)
            Wo = conv_output_size(W, layer.kernel, layer.stride, layer.padding)
            if layer.table is not None:
                if len(layer.table) != layer.filters:
                    raise ValueError(f"{layer.name}: table must list the inputs of {layer.filters} maps")
                if any(not 0 <= c < C for maps in layer.table for c in maps):
                    raise ValueError(f"{layer.name}: table refers to an input map outside 0..{C - 1}")
                # Each output map is a full convolution over its own subset of inputs.
                params = sum(conv_param_count(len(maps), 1, layer.kernel, layer.bias)
                             for maps in layer.table)
            else:
                params = conv_param_count(C, layer.filters, layer.kernel, layer.bias, layer.groups)
            shape = (layer.filters, Ho, Wo)
            # Each output unit reads its kernel's weights' inputs plus the bias:
            # summed over units, params per map times the map's size.
            connections = params * Ho * Wo
        elif isinstance(layer, Pool):
            C, H, W = _spatial(shape, layer.name)
            stride = layer.kernel if layer.stride is None else layer.stride
            Ho = conv_output_size(H, layer.kernel, stride, layer.padding, 1, layer.ceil_mode)
            Wo = conv_output_size(W, layer.kernel, stride, layer.padding, 1, layer.ceil_mode)
            shape = (C, Ho, Wo)
            if layer.kind == "subsample":
                params = 2 * C                     # one coefficient and one bias per map
                connections = (layer.kernel ** 2 + 1) * C * Ho * Wo
            elif layer.kind in ("max", "avg"):
                params = 0
                connections = layer.kernel ** 2 * C * Ho * Wo
            else:
                raise ValueError(f"{layer.name}: kind must be 'max', 'avg' or 'subsample', got {layer.kind!r}")
        elif isinstance(layer, AdaptiveAvgPool):
            C, H, W = _spatial(shape, layer.name)
            m = layer.output_size
            shape = (C, m, m)
            params = 0
            connections = C * sum(_adaptive_windows(H, m)) * sum(_adaptive_windows(W, m))
        elif isinstance(layer, Dense):
            n_in = math.prod(shape)
            weights = dense_param_count(n_in, layer.units, layer.bias)
            params = weights if layer.trainable else 0
            connections = weights
            shape = (layer.units,)
        else:
            raise ValueError(f"unknown layer specification {layer!r}")
        rows.append(LayerRow(layer.name, shape, params, connections))
    return rows


def _spatial(shape, name):
    if len(shape) != 3:
        raise ValueError(f"{name} needs a (C, H, W) input, got {shape}")
    return shape


def total_params(rows) -> int:
    """Sum of the trainable parameters of a table."""
    return sum(row.params for row in rows)


def total_connections(rows) -> int:
    """Sum of the connections of a table."""
    return sum(row.connections for row in rows)


# ----------------------------------------------------------------------------- LeNet-5

LENET5_C3_TABLE = (
    # LeCun et al. 1998, Table I: the S2 maps (0-5) each C3 map (0-15) reads.
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),                 # 3 contiguous
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),  # 4 contiguous
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),                                         # 4 discontinuous
    (0, 1, 2, 3, 4, 5),                                                               # all 6
)
"""LeNet-5's C3 connection table: 60 (input map, output map) pairs in all."""


def lenet5_layers(variant="1998", pool="max"):
    """``(input_shape, layers)`` of LeNet-5.

    * ``"1998"`` (LeCun, Bottou, Bengio, Haffner 1998): C1 6@5x5 -> S2 subsampling ->
      C3 16@5x5 through :data:`LENET5_C3_TABLE` -> S4 -> C5 120@5x5 (a convolution that
      covers all of S4) -> F6 84 -> OUTPUT: 10 Euclidean RBF units whose 84x10 centres
      are fixed by hand, so they carry no trainable parameter (840 connections).
    * ``"modern"``: conv 6@5x5 -> ``pool`` 2 -> conv 16@5x5 (all input maps) -> pool 2 ->
      FC 120 -> FC 84 -> FC 10, every layer with a bias; ``pool`` is "max" or "avg".
    """
    if variant == "1998":
        return (1, 32, 32), [
            Conv("C1", 6, 5),
            Pool("S2", "subsample", 2),
            Conv("C3", 16, 5, table=LENET5_C3_TABLE),
            Pool("S4", "subsample", 2),
            Conv("C5", 120, 5),
            Dense("F6", 84),
            Dense("OUTPUT", 10, bias=False, trainable=False),
        ]
    if variant == "modern":
        if pool not in ("max", "avg"):
            raise ValueError(f"pool must be 'max' or 'avg', got {pool!r}")
        return (1, 32, 32), [
            Conv("conv1", 6, 5),
            Pool("pool1", pool, 2),
            Conv("conv2", 16, 5),
            Pool("pool2", pool, 2),
            Dense("fc1", 120),
            Dense("fc2", 84),
            Dense("fc3", 10),
        ]
    raise ValueError(f"variant must be '1998' or 'modern', got {variant!r}")


def lenet5_table(variant="1998", pool="max") -> list[LayerRow]:
    """LeNet-5's layer table: rows ``(name, output_shape, params, connections)``.

    The 1998 network gives the paper's figures: trainable parameters C1 156, S2 12,
    C3 1,516 (= 60 kernels of 25 weights + 16 biases), S4 32, C5 48,120, F6 10,164,
    OUTPUT 0; total exactly 60,000 (the paper's "60,000 trainable free parameters"),
    because the RBF centres are not trained. Connections C1 122,304, S2 5,880,
    C3 151,600, S4 2,000, C5 48,120, F6 10,164, OUTPUT 840; total 340,908.
    The modern variant has 61,706 parameters.
    """
    return architecture_table(*lenet5_layers(variant, pool))


# ----------------------------------------------------------------------------- AlexNet

def alexnet_layers(groups=None, variant="original", input_size=None):
    """``(input_shape, layers)`` of AlexNet.

    * ``"original"`` (Krizhevsky, Sutskever, Hinton 2012): 227x227x3 input (the paper
      says 224, but 55x55 after an 11x11 stride-4 unpadded conv needs 227);
      conv 96@11/4 -> max 3/2 -> conv 256@5 p2 -> max 3/2 -> conv 384@3 p1 ->
      conv 384@3 p1 -> conv 256@3 p1 -> max 3/2 -> FC 4096 -> FC 4096 -> FC 1000.
      With ``groups=True`` (the default) conv2, conv4 and conv5 see only the maps on
      their own GPU (``groups=2``), as in the paper. Response normalisation layers
      (after conv1 and conv2) have no parameters and keep the shape; they are omitted.
    * ``"torchvision"``: 224x224x3; conv 64@11/4 p2 -> max 3/2 -> conv 192@5 p2 -> max ->
      conv 384@3 p1 -> conv 256@3 p1 -> conv 256@3 p1 -> max 3/2 -> adaptive avg pool 6x6
      -> FC 4096 -> FC 4096 -> FC 1000; no groups.
    """
    if variant == "original":
        groups = True if groups is None else bool(groups)
        g = 2 if groups else 1
        size = 227 if input_size is None else input_size
        return (3, size, size), [
            Conv("conv1", 96, 11, stride=4),
            Pool("pool1", "max", 3, 2),
            Conv("conv2", 256, 5, padding=2, groups=g),
            Pool("pool2", "max", 3, 2),
            Conv("conv3", 384, 3, padding=1),
            Conv("conv4", 384, 3, padding=1, groups=g),
            Conv("conv5", 256, 3, padding=1, groups=g),
            Pool("pool5", "max", 3, 2),
            Dense("fc6", 4096),
            Dense("fc7", 4096),
            Dense("fc8", 1000),
        ]
    if variant == "torchvision":
        if groups:
            raise ValueError("groups must be None or False for variant='torchvision' (it has no groups)")
        size = 224 if input_size is None else input_size
        return (3, size, size), [
            Conv("conv1", 64, 11, stride=4, padding=2),
            Pool("pool1", "max", 3, 2),
            Conv("conv2", 192, 5, padding=2),
            Pool("pool2", "max", 3, 2),
            Conv("conv3", 384, 3, padding=1),
            Conv("conv4", 256, 3, padding=1),
            Conv("conv5", 256, 3, padding=1),
            Pool("pool5", "max", 3, 2),
            AdaptiveAvgPool("avgpool", 6),
            Dense("fc6", 4096),
            Dense("fc7", 4096),
            Dense("fc8", 1000),
        ]
    raise ValueError(f"variant must be 'original' or 'torchvision', got {variant!r}")


def alexnet_table(groups=None, variant="original", input_size=None) -> list[LayerRow]:
    """AlexNet's layer table: rows ``(name, output_shape, params, connections)``.

    Totals: 60,965,224 parameters with the two-GPU groups, 62,378,344 without
    (``groups=False``); torchvision's variant 61,100,840.
    """
    return architecture_table(*alexnet_layers(groups, variant, input_size))
