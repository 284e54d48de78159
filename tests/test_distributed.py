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
        assert np.array_equal(a, b)  # drawn from the plan alone, whichever worker draws it


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


def test_a_gif_beside_the_video_is_drawn_apart_on_the_cluster_too(tiny_map, tmp_path, monkeypatch):
    """No camera chosen: the cluster draws the GIF's own frames (the whole map), the same
    as a GIF rendered alone here."""
    import imageio.v3 as iio

    from histmap.cli import main

    monkeypatch.chdir(tmp_path)
    args = ["render", str(tiny_map), "--size", "320x180", "--fps", "4", "--duration", "2"]
    args += ["--quiet", "--workers", "1"]
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        assert main([*args, "--scheduler", cluster.scheduler_address]) == 0
    assert main([*args, "-o", str(tmp_path / "alone.gif")]) == 0
    far = iio.imread(tmp_path / "frames" / "tiny.gif", index=None)
    near = iio.imread(tmp_path / "alone.gif", index=None)
    assert far.shape == near.shape and len(far) == 8
    assert np.abs(far.astype(int) - near.astype(int)).mean() < 0.5
    assert (tmp_path / "frames" / "tiny.mp4").stat().st_size > 0
