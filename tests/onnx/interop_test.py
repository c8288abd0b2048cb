#!/usr/bin/python3
"""Interoperability with a real framework (docs/models.md): PyTorch builds small CNNs with random weights,
exports them with torch.onnx.export and runs them; the platform imports the ONNX files.

  float   the platform's float forward pass (minconv-onnx run) equals PyTorch's outputs within 1e-4 of the
          largest |output|, and minconv-sim runs the model end to end on the SoC, bit-exact with the golden
          int8 model for both PE kinds (it checks every layer of every image itself)
  refuse  a model with an unsupported op: minconv-sim exits 2 naming the node (index, name, op type)
  limits  a model the SoC cannot run (a 13x13 kernel; the accelerator takes 11): exit 2 naming the node

  export  only writes the float case's model (configs/models/small_cnn_pytorch.onnx was made so)

Usage: interop_test.py float|refuse|limits MINCONV_SIM MINCONV_ONNX WORKDIR
       interop_test.py export OUT.onnx
"""
import os
import re
import subprocess
import sys

try:
    import numpy as np
    import onnx
    import torch
    from torch import nn
except ImportError as e:  # a missing dependency is a failure, not a skip: scripts/setup.sh installs them
    sys.exit(f"interop_test: {e} (install python3-torch and python3-onnx: scripts/setup.sh)")

TOLERANCE = 1e-4  # relative to the largest |output| of the input


class MatMulAdd(nn.Module):
    """A fully connected layer written as x @ W + b: exported as MatMul followed by Add."""

    def __init__(self, k, n):
        super().__init__()
        self.w = nn.Parameter(torch.randn(k, n) / k ** 0.5)
        self.b = nn.Parameter(torch.randn(n) * 0.1)

    def forward(self, x):
        return torch.matmul(x, self.w) + self.b


class SmallCnn(nn.Module):
    """Conv+BatchNorm+ReLU, MaxPool, strided padded Conv, ReLU after the pool, AvgPool, Flatten of a 2x3
    map (so that the CHW/HWC flatten order matters), Gemm, Dropout, MatMul+Add. Input 3 x 14 x 18."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 12, 3, stride=1, padding=(1, 2))
        self.pool2 = nn.AvgPool2d(2, stride=2)
        self.conv3 = nn.Conv2d(12, 16, 2, stride=2)
        self.fc1 = nn.Linear(16 * 1 * 2, 24)
        self.drop = nn.Dropout(0.5)
        self.fc2 = MatMulAdd(24, 10)

    def forward(self, x):
        x = self.pool1(torch.relu(self.bn1(self.conv1(x))))
        x = torch.relu(self.pool2(torch.relu(self.conv2(x))))  # ReLU twice: idempotent, fused into conv2
        x = torch.relu(self.conv3(x))
        x = torch.flatten(x, 1)
        x = self.drop(torch.relu(self.fc1(x)))
        return self.fc2(x)


class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        return self.fc(torch.flatten(torch.sigmoid(self.conv(x)), 1))


def randomize(model):
    torch.manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):  # non-trivial statistics, so the fold is exercised
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def export(model, shape, path):
    torch.onnx.export(model, torch.zeros(1, *shape), path, opset_version=13, input_names=["input"],
                      output_names=["logits"])
    onnx.checker.check_model(onnx.load(path))


def run(cmd, expect_rc):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != expect_rc:
        sys.exit(f"interop_test: {' '.join(cmd)} exited {p.returncode}, expected {expect_rc}\n"
                 f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p.stdout + p.stderr


def case_float(sim, tool, work):
    torch.manual_seed(0)
    shape = (3, 14, 18)
    model = randomize(SmallCnn())
    path = os.path.join(work, "small_cnn.onnx")
    export(model, shape, path)
    x = torch.rand(5, *shape)
    with torch.no_grad():
        want = model(x).numpy().astype(np.float64)
    inputs = os.path.join(work, "inputs.f32")
    x.numpy().astype("<f4").tofile(inputs)
    lines = run([tool, "run", path, inputs], 0).strip().splitlines()
    got = np.array([[float(v) for v in line.split()] for line in lines])
    if got.shape != want.shape:
        sys.exit(f"interop_test: the platform gives outputs of shape {got.shape}, PyTorch {want.shape}")
    worst_rel, worst_abs = 0.0, 0.0
    for g, w in zip(got, want):
        worst_abs = max(worst_abs, float(np.max(np.abs(g - w))))
        worst_rel = max(worst_rel, float(np.max(np.abs(g - w)) / np.max(np.abs(w))))
    print(f"largest float deviation from PyTorch: {worst_rel:.3e} relative (to the largest |output|), "
          f"{worst_abs:.3e} absolute, over {len(want)} inputs x {want.shape[1]} outputs")
    if not worst_rel <= TOLERANCE:
        sys.exit(f"interop_test: FAIL: deviation {worst_rel:.3e} > {TOLERANCE}")

    workload = os.path.join(work, "small_cnn.yaml")
    with open(workload, "w") as f:
        f.write("name: small_cnn_from_pytorch\nmodel: small_cnn.onnx\n"
                "images: {source: random, calibration: 8, count: 3, seed: 5}\n")
    out = run([sim, "--quiet", "--workload", workload], 0)
    for kind in ("min", "mul"):
        if not re.search(rf"^{kind}: bit-exact with the golden int8 model on 3 images", out, re.M):
            sys.exit(f"interop_test: FAIL: no '{kind}: bit-exact' line in\n{out}")
    print("minconv-sim: min and mul runs bit-exact with the golden int8 model on 3 images")


def case_refuse(sim, tool, work):
    path = os.path.join(work, "sigmoid.onnx")
    export(randomize(Unsupported()), (1, 8, 8), path)
    node = next(i for i, n in enumerate(onnx.load(path).graph.node) if n.op_type == "Sigmoid")
    name = onnx.load(path).graph.node[node].name
    want = rf"--model: error: .*sigmoid.onnx: node {node} '{re.escape(name)}' \(Sigmoid\): op type 'Sigmoid' is not supported"
    out = run([sim, "--quiet", "--model", path], 2)
    if not re.search(want, out):
        sys.exit(f"interop_test: FAIL: expected /{want}/ in\n{out}")
    if "bit-exact" in out or "cycles" in out:
        sys.exit(f"interop_test: FAIL: something was simulated:\n{out}")
    print(f"refused as expected: {out.strip()}")


class BigKernel(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 13)
        self.fc = nn.Linear(2 * 4 * 4, 10)

    def forward(self, x):
        return self.fc(torch.flatten(torch.relu(self.conv(x)), 1))


def case_limits(sim, tool, work):
    path = os.path.join(work, "big_kernel.onnx")
    export(randomize(BigKernel()), (1, 16, 16), path)
    name = onnx.load(path).graph.node[0].name
    run([tool, "info", path], 0)  # valid ONNX the importer takes: the SoC's limits refuse it
    want = (rf"--model: error: .*big_kernel.onnx: node 0 '{re.escape(name)}' \(Conv\), layer '{re.escape(name)}': "
            r"kernel 13 is larger than the accelerator supports \(at most 11\)")
    out = run([sim, "--quiet", "--model", path], 2)
    if not re.search(want, out):
        sys.exit(f"interop_test: FAIL: expected /{want}/ in\n{out}")
    print(f"refused as expected: {out.strip()}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "export":
        torch.manual_seed(0)
        export(randomize(SmallCnn()), (3, 14, 18), sys.argv[2])
        return
    cases = {"float": case_float, "refuse": case_refuse, "limits": case_limits}
    if len(sys.argv) != 5 or sys.argv[1] not in cases:
        sys.exit(__doc__)
    _, case, sim, tool, work = sys.argv
    os.makedirs(work, exist_ok=True)
    cases[case](sim, tool, work)


if __name__ == "__main__":
    main()
