/**
 * Run details of the demo data (demo.ts): code, console output, the machine, git with a patch, HTML notes, a
 * model graph, curves, dependencies and a metric in two contexts for a few runs, and notes on each project, so a newcomer sees every
 * field of a run page in the IDE.
 */
import { Readable } from 'node:stream';
import type { Backend, Caller } from './backends/port';

const CODE = `import torch
from torchvision.models import resnet50

model = resnet50(num_classes=10)
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
for epoch in range(args.epochs):
    train_one_epoch(model, optimizer, loader)
`;

const PATCH = `diff --git a/train.py b/train.py
--- a/train.py
+++ b/train.py
@@ -4,1 +4,1 @@
-optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
+optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
`;

/** Fills every run detail of `keys` (the first few demo runs) and notes on `projects`. */
export async function seedDemoDetails(backend: Backend, caller: Caller, keys: readonly string[], projects: readonly { workspace: string; name: string }[]): Promise<void> {
  for (const [i, key] of keys.entries()) {
    await backend.details.update(caller, {
      experimentKey: key,
      code: CODE,
      html: `<h2>Run ${i + 1}</h2><p>Augmentation: random crop + flip. <b>Verdict:</b> ${i === 0 ? 'keep' : 'compare'}.</p>`,
      modelGraph: JSON.stringify({ name: 'resnet50', layers: ['conv1', 'layer1', 'layer2', 'layer3', 'layer4', 'fc'] }),
      git: { commit: `9f2c1e${i}a7d4b`, branch: i === 0 ? 'main' : `sweep/${i}`, origin: 'git@example.org:vision/cifar.git', root: '/home/ada/cifar', user: 'Ada Lovelace <ada@example.org>' },
      systemDetails: {
        hostname: `gpu-node-${i + 1}`, user: 'ada', os: 'Linux-6.1.0-18-amd64-x86_64-with-glibc2.36', osType: 'Linux', osRelease: '6.1.0-18-amd64',
        pid: 4100 + i, command: ['python', 'train.py', '--epochs', '30'], executable: '/usr/bin/python3', pythonVersion: '3.11.2',
        totalRam: 68_719_476_736, gpus: [{ index: 0, name: 'NVIDIA A100-SXM4-40GB', uuid: `GPU-5a1c-${i}`, totalMemory: 42_949_672_960 }],
        installedPackages: ['numpy==1.26.4', 'torch==2.2.1', 'torchvision==0.17.1'], osPackages: ['libc6 2.36-9', 'libcudnn8 8.9.7'],
        additional: [{ key: 'cuda', value: '12.1' }],
      },
      dependencies: [{ name: 'numpy', version: '1.26.4' }, { name: 'torch', version: '2.2.1' }, { name: 'torchvision', version: '0.17.1' }],
    });
    const lines = Array.from({ length: 30 }, (_, epoch) => ({ text: `epoch ${epoch + 1}/30 loss=${(2.3 * Math.exp(-epoch / 8)).toFixed(4)}`, stream: 'STDOUT' as const }));
    await backend.details.appendOutput(caller, key, [{ text: 'Downloading CIFAR-10…', stream: 'STDOUT' }, { text: 'warning: cudnn benchmark is off', stream: 'STDERR' }, ...lines]);
    const thresholds = Array.from({ length: 11 }, (_, t) => t / 10);
    await backend.details.logCurve(caller, { experimentKey: key, name: 'roc', x: thresholds, y: thresholds.map((t) => Math.min(1, Math.sqrt(t) * (0.95 + i / 100))), step: 30 });
    await backend.details.logCurve(caller, { experimentKey: key, name: 'precision-recall', x: thresholds, y: thresholds.map((t) => 1 - t * t * 0.4), step: 30 });
    // The same metric in two contexts: two series, side by side on the run page.
    const epochs = Array.from({ length: 30 }, (_, epoch) => epoch);
    await backend.metrics.log(caller, key, [
      ...epochs.map((epoch) => ({ name: 'epoch_loss', step: epoch, value: 2.3 * Math.exp(-epoch / 8), context: 'train' })),
      ...epochs.map((epoch) => ({ name: 'epoch_loss', step: epoch, value: 2.3 * Math.exp(-epoch / 10) + 0.05 * (1 + i), context: 'validate' })),
    ]);
    const patch = Buffer.from(PATCH);
    await backend.assets.put(caller, { experimentKey: key, fileName: 'git_diff.patch', type: 'git-patch', maxBytes: patch.length }, Readable.from([patch]));
  }
  for (const project of projects) {
    await backend.details.setProjectNotes(caller, project, `Notes for ${project.name}: compare runs by final val_accuracy; the baseline is tagged "baseline".`);
  }
}
