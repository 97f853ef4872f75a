"""A stand-in for a training script: a noisy bowl with its minimum at lr=0.01, layers=3.

Usage: python3 train.py LR LAYERS SEED [MODEL_FILE]
Prints `loss=…` per epoch (the last one counts) and, given MODEL_FILE, writes a "model" there.
"""
import math
import sys

lr, layers, seed = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
loss = (math.log10(lr) + 2) ** 2 + 0.1 * (layers - 3) ** 2 + (seed % 1000) / 1e5
print(f"epoch 1 loss={loss * 1.5:.6f}")
print(f"epoch 2 loss={loss:.6f}")
if len(sys.argv) > 4:
    with open(sys.argv[4], "w") as model:
        model.write(f"lr={lr} layers={layers} seed={seed} loss={loss:.6f}\n")
