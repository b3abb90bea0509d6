"""PyTorch side of the train-step benchmark: the same step as `ReId.Benchmarks -- train-step` on random input.

The network is written out here (no torchvision): ResNet-18 (basic blocks) or ResNet-50-IBN-a (bottlenecks; IBN-a = instance
norm on half the channels of each block's first norm in layers 1-3), last stride 1, global average pooling, BNNeck (BN
without bias), a bias-free classifier; loss = label-smoothed cross-entropy on the classifier + batch-hard triplet (margin 0.3)
on the pooled feature; Adam with weight decay. That is the `bot` / `bot-small` recipes' step. Usage:

    python3 benchmarks/train_step_pytorch.py [resnet18|resnet50-ibn] [--height H] [--width W] [--p P] [--k K]
        [--steps N] [--warmup N] [--threads N] [--classes N] [--lr LR]
"""
import argparse
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class IBN(nn.Module):
    def __init__(self, planes):
        super().__init__()
        self.half = planes // 2
        self.IN = nn.InstanceNorm2d(self.half, affine=True)
        self.BN = nn.BatchNorm2d(planes - self.half)

    def forward(self, x):
        a, b = torch.split(x, [self.half, x.shape[1] - self.half], 1)
        return torch.cat([self.IN(a), self.BN(b)], 1)


class Basic(nn.Module):
    expansion = 1

    def __init__(self, inp, planes, stride, ibn):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
        self.bn1 = IBN(planes) if ibn else nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.down = None
        if stride != 1 or inp != planes:
            self.down = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.down is None else self.down(x)))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inp, planes, stride, ibn):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 1, bias=False)
        self.bn1 = IBN(planes) if ibn else nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.down = None
        if stride != 1 or inp != planes * 4:
            self.down = nn.Sequential(nn.Conv2d(inp, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.down is None else self.down(x)))


class ReIdNet(nn.Module):
    def __init__(self, arch, classes):
        super().__init__()
        block, layers, ibn = {"resnet18": (Basic, [2, 2, 2, 2], False), "resnet50-ibn": (Bottleneck, [3, 4, 6, 3], True)}[arch]
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1))
        inp, stages = 64, []
        for i, (planes, n) in enumerate(zip([64, 128, 256, 512], layers)):
            stride = 1 if i == 0 or i == 3 else 2  # last stride 1
            blocks = []
            for j in range(n):
                blocks.append(block(inp, planes, stride if j == 0 else 1, ibn and i < 3))
                inp = planes * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.layers = nn.Sequential(*stages)
        self.neck = nn.BatchNorm1d(inp)
        self.neck.bias.requires_grad_(False)
        self.classifier = nn.Linear(inp, classes, bias=False)

    def forward(self, x):
        f = F.adaptive_avg_pool2d(self.layers(self.stem(x)), 1).flatten(1)
        return f, self.classifier(self.neck(f))


def batch_hard_triplet(f, labels, margin):
    d = torch.cdist(f, f)
    same = labels[:, None] == labels[None, :]
    hardest_pos = (d * same).max(1).values
    hardest_neg = (d + same * 1e9).min(1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("arch", nargs="?", default="resnet18", choices=["resnet18", "resnet50-ibn"])
    ap.add_argument("--height", type=int)
    ap.add_argument("--width", type=int)
    ap.add_argument("--p", type=int)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--classes", type=int, default=64)
    ap.add_argument("--lr", type=float)
    a = ap.parse_args()
    small = a.arch == "resnet18"  # bot-small: 128x64, 8x4, lr 1e-3; bot: 256x128, 16x4, lr 3.5e-4
    h, w = a.height or (128 if small else 256), a.width or (64 if small else 128)
    p, lr = a.p or (8 if small else 16), a.lr or (1e-3 if small else 3.5e-4)
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    net = ReIdNet(a.arch, a.classes).train()
    opt = torch.optim.Adam([q for q in net.parameters() if q.requires_grad], lr=lr, weight_decay=5e-4)
    batch = p * a.k
    load = " ".join(open("/proc/loadavg").read().split()[:3]) if os.path.exists("/proc/loadavg") else "n/a"
    print(f"pytorch {torch.__version__}: {a.arch}, {h}x{w}, batch {batch} = {p}x{a.k}, adam, {a.classes} classes, torch threads "
          f"{torch.get_num_threads()}, {a.warmup} warm-up + {a.steps} timed steps, load average {load}")
    times, first, last = [], None, None
    for step in range(a.warmup + a.steps):
        g = torch.Generator().manual_seed(1000 + step)
        x = torch.randn(batch, 3, h, w, generator=g)
        labels = torch.tensor([(step * p + i // a.k) % a.classes for i in range(batch)])
        if step == a.warmup:
            start = time.perf_counter()
        f, logits = net(x)
        loss = F.cross_entropy(logits, labels, label_smoothing=0.1) + batch_hard_triplet(f, labels, 0.3)
        opt.zero_grad()
        loss.backward()
        opt.step()
        last = loss.item()
        first = last if first is None else first
        if step >= a.warmup:
            times.append(time.perf_counter() - start)
    per = sorted(t - (times[i - 1] if i else 0) for i, t in enumerate(times))
    print(f"random input: {a.steps * batch / times[-1]:.1f} images/s ({times[-1] / a.steps:.3f} s per step; fastest {per[0]:.3f} s, "
          f"median {per[len(per) // 2]:.3f} s); loss {first:.3f} -> {last:.3f}")


if __name__ == "__main__":
    main()
