"""The trained entity heads written for run time: a plain ONNX graph and meta.json (see kg.nlp.tagger).

The graph is built node by node (GRU, Concat, MatMul …) rather than by torch.onnx's tracer,
so that its bytes depend only on the weights: the same training gives the same file.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

import numpy
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from kg.learn import lac_port
from kg.learn.examples import RULE_TYPES
from kg.nlp.tagger import EDGES



class Trained(Protocol):
    """What of a `kg.learn.ner.Trainer` is exported."""

    model: torch.nn.Module
    settings: object
    tag_vocab: list[str]
    layers: dict[str, list[str]]

OPSET = 17


def export(trainer: Trained, folder: Path, summary: dict) -> None:
    """Write heads.onnx and meta.json (see kg.nlp.tagger) for the trained model."""
    model, settings = trainer.model, trainer.settings
    folder.mkdir(parents=True, exist_ok=True)
    width = model.grus[0].input_size if model.grus else model.output.in_features
    width -= settings.tag_width + (len(RULE_TYPES) * len(EDGES) if settings.rules else 0)
    init, nodes = [], []
    inputs = [helper.make_tensor_value_info("states", TensorProto.FLOAT, ["batch", "length", width]),
              helper.make_tensor_value_info("lengths", TensorProto.INT32, ["batch"])]
    parts = ["states"]
    if model.tag_embedding is not None:
        inputs.append(helper.make_tensor_value_info("tags", TensorProto.INT64, ["batch", "length"]))
        init.append(numpy_helper.from_array(model.tag_embedding.weight.detach().numpy(), "tag_table"))
        nodes.append(helper.make_node("Gather", ["tag_table", "tags"], ["tag_vectors"]))
        parts.append("tag_vectors")
    if settings.rules:
        inputs.append(helper.make_tensor_value_info("rules", TensorProto.FLOAT, ["batch", "length", len(RULE_TYPES) * len(EDGES)]))
        parts.append("rules")
    nodes.append(helper.make_node("Concat", parts, ["x0"], axis=2))
    nodes.append(helper.make_node("Transpose", ["x0"], ["t0"], perm=[1, 0, 2]))
    x = "t0"
    if model.grus:
        init.append(numpy_helper.from_array(numpy.array([0, 0, -1], dtype=numpy.int64), "flat"))
    for i, gru in enumerate(model.grus):
        w, r, b = lac_port.gru_to_onnx(gru)
        init += [numpy_helper.from_array(w, f"W{i}"), numpy_helper.from_array(r, f"R{i}"), numpy_helper.from_array(b, f"B{i}")]
        nodes += [helper.make_node("GRU", [x, f"W{i}", f"R{i}", f"B{i}", "lengths"], [f"y{i}"],
                                   direction="bidirectional", hidden_size=gru.hidden_size, linear_before_reset=1),
                  helper.make_node("Transpose", [f"y{i}"], [f"yt{i}"], perm=[0, 2, 1, 3]),
                  helper.make_node("Reshape", [f"yt{i}", "flat"], [f"h{i}"])]
        x = f"h{i}"
    nodes.append(helper.make_node("Transpose", [x], ["bt"], perm=[1, 0, 2]))
    init += [numpy_helper.from_array(model.output.weight.detach().numpy().T.copy(), "out_w"),
             numpy_helper.from_array(model.output.bias.detach().numpy(), "out_b")]
    nodes += [helper.make_node("MatMul", ["bt", "out_w"], ["logits"]), helper.make_node("Add", ["logits", "out_b"], ["scores"])]
    output = helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", "length", model.output.out_features])
    graph = helper.make_graph(nodes, "kg_entity_heads", inputs, [output], init)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="kg.learn.ner")
    onnx.checker.check_model(onnx_model)
    (folder / "heads.onnx").write_bytes(onnx_model.SerializeToString())
    meta = {"lac_layer": settings.lac_layer, "lac_tags": trainer.tag_vocab,
            "rule_types": list(RULE_TYPES) if settings.rules else [],
            "layers": {name: {"types": types, "crf": model.crfs[name].table()} for name, types in trainer.layers.items()},
            "settings": asdict(settings), "training": summary}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
