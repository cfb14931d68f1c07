"""One training process among many: torchrun's environment, the process group, threads, replicas.

``aecodec train`` runs unchanged as one plain process or as one of the processes ``torchrun``
starts. Under torchrun (``WORLD_SIZE`` > 1 in the environment) :func:`launch` joins the process
group, with NCCL on CUDA (one GPU per process, picked by ``LOCAL_RANK``) and gloo on the CPU.

The ranks' own agreements (replica digests, "every rank is done") go through the rendezvous
key-value store, never through a collective on Python tensors: gloo's worker threads may release
such a collective's tensors after the process group has been destroyed (a DistributedDataParallel
keeps the group alive past ``destroy_process_group``), and a release that lands while the
interpreter shuts down aborts the process ("terminate called without an active exception").
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import distributed, nn

from aecodec.codec.devices import resolve_device


@dataclass(frozen=True)
class Launch:
    """Where this process stands: its rank among ``world_size`` processes and its device."""

    rank: int
    world_size: int
    local_rank: int
    local_world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        """Rank 0 writes checkpoints and shows progress."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def single_process(device: torch.device) -> Launch:
    """The launch of a plain, non-distributed run."""
    return Launch(rank=0, world_size=1, local_rank=0, local_world_size=1, device=device)


def pick_device(name: str, local_rank: int = 0) -> torch.device:
    """The device ``name`` stands for (``auto``, ``cpu`` or ``cuda``, as
    :func:`aecodec.codec.devices.resolve_device` resolves it); CUDA picks GPU ``local_rank``."""
    if resolve_device(name) == "cpu":
        return torch.device("cpu")
    if local_rank >= torch.cuda.device_count():
        raise ValueError(f"process {local_rank} on this machine has no GPU of its own ({torch.cuda.device_count()} GPUs)")
    return torch.device("cuda", local_rank)


@contextmanager
def launch(device_name: str, threads: int = 0) -> Iterator[Launch]:
    """Set up this process (device, CPU threads, process group under torchrun); tear down after,
    once every rank is done (a rank that left early would abort the others' gloo connections).

    ``threads`` > 0 sets the CPU thread count; 0 keeps ``OMP_NUM_THREADS`` when it is set (torchrun
    sets it to 1 per process) and otherwise shares torch's default (the physical cores) among the
    processes on this machine.
    """
    current = _from_environment(device_name)
    _configure_device(current, threads)
    if current.distributed:
        backend = "nccl" if current.device.type == "cuda" else "gloo"
        distributed.init_process_group(backend, rank=current.rank, world_size=current.world_size)
    try:
        yield current
        if current.distributed:
            share(current, "done", "")
    finally:
        if current.distributed and distributed.is_initialized():
            distributed.destroy_process_group()


def _from_environment(device_name: str) -> Launch:
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    return Launch(
        rank=int(os.environ.get("RANK", "0")),
        world_size=world_size,
        local_rank=local_rank,
        local_world_size=int(os.environ.get("LOCAL_WORLD_SIZE", str(world_size))),
        device=pick_device(device_name, local_rank),
    )


def _configure_device(current: Launch, threads: int) -> None:
    if current.device.type == "cuda":
        torch.cuda.set_device(current.device)
        torch.backends.cudnn.benchmark = True
    if threads > 0:
        torch.set_num_threads(threads)
    elif "OMP_NUM_THREADS" not in os.environ and current.local_world_size > 1:
        torch.set_num_threads(max(1, torch.get_num_threads() // current.local_world_size))


def state_digest(state: Mapping[str, torch.Tensor]) -> str:
    """SHA-256 of a state dict: every tensor's name, shape, dtype and values, in order."""
    digest = hashlib.sha256()
    for name, tensor in state.items():
        flat = tensor.detach().cpu().contiguous().reshape(-1)
        digest.update(f"{name}:{tuple(tensor.shape)}:{tensor.dtype};".encode())
        digest.update(flat.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def share(current: Launch, key: str, value: str) -> list[str]:
    """Every rank's ``value`` for ``key``, in rank order, once every rank has given its own
    (a barrier through the rendezvous store). ``key`` must be new to this run; torchrun's
    restarts of the run each get keys of their own."""
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    store = distributed.PrefixStore(f"aecodec/{attempt}/{key}/", distributed.distributed_c10d._get_default_store())
    store.set(str(current.rank), value)
    return [store.get(str(rank)).decode() for rank in range(current.world_size)]


def check_replicas(model: nn.Module, current: Launch, step: int) -> str:
    """The digest of ``model``'s state at ``step``, the same on every rank; else ``RuntimeError``
    on every rank."""
    digest = state_digest(model.state_dict())
    if not current.distributed:
        return digest
    digests = share(current, f"digest-{step}", digest)
    if len(set(digests)) > 1:
        raise RuntimeError(f"model replicas diverged across ranks: {digests}")
    return digest
