"""One layer of LeNet-5 (1998) or AlexNet (2012): output shape, parameters and connections (published figures)."""

from quizgen.bank import Integer, Part, Shape
from reference_impl.architectures import Conv, Pool, alexnet_layers, architecture_table, lenet5_layers

TITLE = "A layer of LeNet-5 or AlexNet: shape, parameters, connections"
TAGS = ("lenet-5", "alexnet", "parameters", "connections", "shapes", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

# Layers asked about (spatial output, with parameters), and each network's partly connected layers.
LAYERS = {"lenet5": ("C1", "S2", "S4"), "alexnet": ("conv1", "conv2", "conv3", "conv4", "conv5")}
PARTIAL = {"lenet5": ("C3",), "alexnet": ("conv2", "conv4", "conv5")}

PARTS = [
    Part("out_shape", Shape(3), label="(a)", points=1),
    Part("n_params", Integer(), label="(b)", points=1, uses=()),
    Part("connections", Integer(), label="(c)", points=1),
    Part("partial_params", Integer(), label="(d)", points=1, uses=()),
]

MISTAKES = {
    "no_bias": "the biases were not counted (for a subsampling layer: only its coefficients)",
    "full_connectivity": "every map was taken to read all input maps: LeNet-5's C3 connection table or AlexNet's two GPU groups ignored",
    "sharing_ignored": "weight sharing was ignored: every output unit was given its own weights (parameters counted as connections)",
    "connections_as_params": "the connections were taken equal to the trainable parameters (not multiplied by the output map's size)",
}


def generate(rng):
    network = str(rng.choice(list(LAYERS)))
    partial = str(rng.choice(PARTIAL[network]))
    layer = str(rng.choice([name for name in LAYERS[network] if name != partial]))
    return {"network": network, "layer": layer, "partial": partial}


def table(network, no_bias=False, full_connectivity=False):
    """The network's rows by name, computed from its layer list (with a mistake's changes)."""
    if network == "lenet5":
        shape, layers = lenet5_layers("1998")
        if full_connectivity:
            layers = [l._replace(table=None) if isinstance(l, Conv) else l for l in layers]
    else:
        shape, layers = alexnet_layers(groups=not full_connectivity)
    if no_bias:
        layers = [l._replace(bias=False) if isinstance(l, Conv) else l for l in layers]
    rows = {row.name: row for row in architecture_table(shape, layers)}
    return rows, {l.name: l for l in layers}


def solve(p, work):
    no_bias = work.made("no_bias")
    rows, layers = table(p["network"], no_bias, work.made("full_connectivity"))
    row, layer = rows[p["layer"]], layers[p["layer"]]
    C, H, W = work.answer("out_shape", row.output_shape)
    subsampling = isinstance(layer, Pool)
    params, connections = row.params, row.connections
    if subsampling and no_bias:                      # one coefficient per map, no bias
        params, connections = C, layer.kernel ** 2 * C * H * W
    work.step("units", C * H * W)
    if work.made("sharing_ignored"):
        params = connections
    params = work.answer("n_params", params)
    if not subsampling and not work.made("sharing_ignored"):
        connections = params * H * W                 # each map's weights and bias, at every position
    if work.made("connections_as_params"):
        connections = params
    work.answer("connections", connections)
    work.answer("partial_params", rows[p["partial"]].params)


STEM = r"""
{% if p.network == "lenet5" %}
**LeNet-5** (LeCun, Bottou, Bengio and Haffner, 1998) maps a $1 \times 32 \times 32$ input image through:

- C1: 6 feature maps, $5 \times 5$ convolution (stride 1, no padding), one bias per map;
- S2: $2 \times 2$ subsampling with stride 2: each unit adds the 4 inputs of its window, multiplies the sum by
  one trainable coefficient and adds one trainable bias (one coefficient and one bias per map);
- C3: 16 maps, $5 \times 5$ convolution (stride 1, no padding), one bias per map, but each map reads only some of S2's 6 maps
  (the paper's connection table): maps 0–5 read 3 contiguous S2 maps, maps 6–11 read 4 contiguous maps,
  maps 12–14 read 4 non-contiguous maps and map 15 reads all 6;
- S4: subsampling as in S2, on C3's 16 maps;
- C5: 120 maps, $5 \times 5$ convolution (stride 1, no padding); F6: 84 units; output: 10 units.
{% else %}
**AlexNet** (Krizhevsky, Sutskever and Hinton, 2012) takes a $3 \times 227 \times 227$ image and was split over two GPUs:

- conv1: 96 filters $11 \times 11$, stride 4, no padding; then max pooling $3 \times 3$, stride 2;
- conv2: 256 filters $5 \times 5$, stride 1, padding 2, in 2 groups: each half of the filters reads only the 48
  maps on its own GPU; then max pooling $3 \times 3$, stride 2;
- conv3: 384 filters $3 \times 3$, stride 1, padding 1, reading all 256 maps (the GPUs communicate here);
- conv4: 384 filters $3 \times 3$, stride 1, padding 1, in 2 groups (each filter reads 192 maps);
- conv5: 256 filters $3 \times 3$, stride 1, padding 1, in 2 groups (each filter reads 192 maps); then max pooling $3 \times 3$, stride 2;
- fc6: 4096 units, fc7: 4096 units, fc8: 1000 units.

Every filter has one bias; the response-normalisation layers have no parameters and keep the shapes.
{% endif %}

Sizes follow $H_{out} = \lfloor (H + 2p - k)/s \rfloor + 1$. As in the LeNet-5 paper, the trainable parameters
are the weights and biases that learning updates, and the **connections** of a layer are, summed over all its
output units, the number of inputs each unit reads plus one for its bias. Padded zeros count as inputs: every
unit of a convolutional layer reads its whole $k \times k$ window in each input map it reads, also where the
window hangs over the zero padding.

For layer **{{ p.layer }}** give (a) its output shape $C \times H \times W$, (b) its number of trainable
parameters and (c) its number of connections. (d) How many trainable parameters does {{ p.partial }} have?
"""

SOLUTION = r"""
{% if p.layer in ("S2", "S4") %}
(a) Subsampling halves each side and keeps the maps: ${{ key.out_shape }}$.

(b) One coefficient and one bias per map: ${{ key.n_params }}$.

(c) Each of the ${{ s.units }}$ output units reads 4 inputs plus its bias: $5 \cdot {{ s.units }} = {{ key.connections }}$.
{% else %}
(a) Along each axis $\lfloor (H + 2p - k)/s \rfloor + 1$, one map per filter: ${{ key.out_shape }}$.

(b) Each filter has (input maps it reads) $\times\, k^2$ weights plus one bias; summed over the filters:
${{ key.n_params }}$.

(c) Every output position of a map uses that map's weights and bias once (padded zeros counted as inputs, as
the stem says), so the connections are the parameters times the output size $H \times W$: ${{ key.connections }}$.
{% endif %}

(d) {% if p.partial == "C3" %}
C3: 6 maps with 3 inputs, 9 with 4 and 1 with 6 give $60$ kernels of 25 weights, plus 16 biases:
$60 \cdot 25 + 16 = {{ key.partial_params }}$ (not $16 \cdot (6 \cdot 25 + 1) = 2{,}416$).
{% else %}
{{ p.partial }} is split in 2 groups: each filter reads only half of the input maps, so
${{ key.partial_params }}$ parameters (ignoring the groups would double the weights).
{% endif %}
"""
