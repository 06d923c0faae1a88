"""Conjunction screening on a Dask cluster: one task per streamed time block, results merged as locally.

Every event is found from one broad-phase sub-interval whose computation depends only on that sub-interval,
so splitting the window into blocks gives exactly the events of the local run (same order after
:func:`orbitshare.ssa.conjunction.screening.merge_raw`). ``scheduler`` is ``"tcp://HOST:PORT"`` for a running cluster
or ``"local"`` for an in-process LocalCluster (threads; numba kernels release the GIL).
"""

from __future__ import annotations

from collections.abc import Callable

from orbitshare.ssa.conjunction.screening import ScreenJob, merge_raw, screen_blocks

__all__ = ["screen_on_dask"]


def _client(scheduler: str):
    """Dask client for an address, or a new in-process LocalCluster for "local" (closed by the caller)."""
    from dask.distributed import Client, LocalCluster

    if scheduler == "local":
        cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
        return Client(cluster), cluster
    if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise ValueError(f"scheduler must be 'local' or an address like tcp://HOST:PORT, not {scheduler!r}")
    return Client(scheduler), None


def _block_task(job: ScreenJob, block: tuple[int, int], workers: int | None) -> dict:
    """Raw events of one time block (runs on a worker)."""
    return screen_blocks(job, [block], workers=workers)


def screen_on_dask(job: ScreenJob, scheduler: str, progress: Callable[[int, int], None] | None = None,
                   workers_per_task: int | None = None) -> dict:
    """Raw events of a screening job computed by a Dask cluster, one task per time block."""
    from dask.distributed import as_completed

    client, cluster = _client(scheduler)
    try:
        job_f = client.scatter(job, broadcast=True)
        futures = {client.submit(_block_task, job_f, b, workers_per_task, pure=False): b for b in job.blocks()}
        parts, done = [], 0
        for fut in as_completed(futures):
            parts.append(fut.result())
            done += futures[fut][1] - futures[fut][0]
            if progress is not None:
                progress(done, job.n_coarse)
        return merge_raw(parts)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
