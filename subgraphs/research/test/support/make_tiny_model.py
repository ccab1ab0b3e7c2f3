"""Writes a tiny ONNX model with the platform's input/output names and metadata, for research tests (copied from inference-worker/test/support).

risk = sigmoid(scale * (mean(image) - offset)); no training, just a real graph onnxruntime runs.
Usage: make_tiny_model.py <out.onnx> <version> [scale] [offset]
"""
import json
import sys

import onnx
from onnx import TensorProto, helper

out, version = sys.argv[1], sys.argv[2]
scale = float(sys.argv[3]) if len(sys.argv) > 3 else 4.0
offset = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0

image = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 1, 28, 28])
logit = helper.make_tensor_value_info("logit", TensorProto.FLOAT, ["batch", 1])
risk = helper.make_tensor_value_info("risk", TensorProto.FLOAT, ["batch", 1])
nodes = [
    helper.make_node("ReduceMean", ["image"], ["mean"], axes=[2, 3], keepdims=0),  # [batch, 1]
    helper.make_node("Sub", ["mean", "offset"], ["centered"]),
    helper.make_node("Mul", ["centered", "scale"], ["logit"]),
    helper.make_node("Sigmoid", ["logit"], ["risk"]),
]
initializers = [
    helper.make_tensor("scale", TensorProto.FLOAT, [], [scale]),
    helper.make_tensor("offset", TensorProto.FLOAT, [], [offset]),
]
graph = helper.make_graph(nodes, "tiny", [image], [logit, risk], initializers)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="research-tests")
model.ir_version = 8
metrics = {
    "split": "none", "n": 1, "auc": 0.5, "accuracy": 0.5, "sensitivity": 0.5, "specificity": 0.5,
    "f1": 0.5, "ece": 0.0, "confusion": {"tp": 0, "fp": 0, "tn": 0, "fn": 0}, "ci95": {},
}
spec = {"size": 28, "crop": "center-square", "resize": "triangle", "grayscale": True,
        "normalize": {"mean": 0.5, "std": 0.25}, "layout": "NCHW"}
for key, value in {"version": version, "input_spec": json.dumps(spec), "threshold": "0.5",
                   "metrics": json.dumps(metrics)}.items():
    entry = model.metadata_props.add()
    entry.key, entry.value = key, value
onnx.checker.check_model(model)
onnx.save(model, out)
