"""Scale-out on a Dask LocalCluster: the same frames as a local render, in order."""

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed")

from histmap import RenderOptions  # noqa: E402
from histmap.distributed import iter_frames_dask  # noqa: E402
from histmap.render import iter_frames  # noqa: E402


def test_frames_from_a_local_cluster_match_local_frames(korea):
    plan = korea.plan(size=(320, 180), fps=4, duration=3)
    folder = str(korea.data.spec.folder)
    options = RenderOptions(size=(320, 180), fps=4, duration=3, pacing="story")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        far = list(
            iter_frames_dask(cluster.scheduler_address, folder, options, len(plan.times), chunk=4)
        )
    near = list(iter_frames(korea.world, plan, workers=1))
    assert len(far) == len(near) == 12
    for a, b in zip(far, near, strict=True):
        assert a.shape == (180, 320, 4)
        assert (a[:, :, 3] == 255).all()
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 0.5


def test_render_through_the_command_line_with_a_scheduler(tmp_path):
    import imageio.v2 as imageio

    from histmap.cli import main

    out = tmp_path / "war.mp4"
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        code = main(
            [
                "render",
                "-o",
                str(out),
                "--size",
                "320x180",
                "--fps",
                "4",
                "--duration",
                "2",
                "--scheduler",
                cluster.scheduler_address,
                "--quiet",
            ]
        )
    assert code == 0
    with imageio.get_reader(out) as reader:
        assert reader.count_frames() == 8
