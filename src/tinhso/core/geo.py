"""Point → commune (reverse geocoding) and the communes' boundaries as GeoJSON.

The demo boundaries, like most published commune layers, have thin sliver gaps and tiny overlaps between
neighbours. A point inside several units goes to the one it lies deepest in; a point inside none goes to the
nearest unit within 500 m (measured in metres on the sphere); anything farther is outside the province.
"""

import datetime as dt
import math
from typing import Any

import numpy as np
import shapely
from django.utils import timezone

from tinhso.core.models import AdminUnit
from tinhso.core.units import UnitCache

#: How far outside every polygon a point may be and still belong to the nearest unit.
GAP_TOLERANCE_M = 500.0
EARTH_RADIUS_M = 6_371_008.8
_METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


def haversine_m(lon1, lat1, lon2, lat2):
    """Return the great-circle distance in metres (works on numbers and numpy arrays)."""
    lon1, lat1, lon2, lat2 = (np.radians(v) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def _first_per_group(groups: np.ndarray, order_key: np.ndarray) -> np.ndarray:
    """Return the positions of the smallest `order_key` within each value of `groups`."""
    order = np.lexsort((order_key, groups))
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = groups[order][1:] != groups[order][:-1]
    return order[keep]


class UnitIndex:
    """A spatial index over unit polygons; positions refer to the `units` list it was built with."""

    def __init__(self, units: list[Any], geometries: list[Any], *, tolerance_m: float = GAP_TOLERANCE_M):
        self.units = units
        self.geometries = np.asarray(geometries, dtype=object)
        shapely.prepare(self.geometries)
        self.edges = shapely.boundary(self.geometries)
        self.tree = shapely.STRtree(self.geometries)
        self.tolerance_m = tolerance_m
        max_lat = max((abs(g.bounds[1]) for g in geometries), default=0.0)
        max_lat = max(max_lat, max((abs(g.bounds[3]) for g in geometries), default=0.0))
        # A degree of longitude is the shortest degree here, so this window holds every point within tolerance.
        self.window_deg = 1.05 * tolerance_m / (_METRES_PER_DEGREE * math.cos(math.radians(min(max_lat, 89.0))))

    def position(self, lon: float, lat: float) -> int | None:
        """Return the position of the unit at (lon, lat), or None."""
        point = shapely.Point(lon, lat)
        hits = self.tree.query(point, predicate="within")
        # Fast paths for the common cases; overlaps and gaps take the general path below.
        if len(hits) == 1:
            return int(hits[0])
        if not len(hits) and not len(self.tree.query(point, predicate="dwithin", distance=self.window_deg)):
            return None
        found = self.positions(np.array([lon], dtype=float), np.array([lat], dtype=float))[0]
        return None if found < 0 else int(found)

    def positions(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Return the unit position for each point, -1 where no unit is within tolerance."""
        points = shapely.points(lons, lats)
        result = np.full(len(points), -1, dtype=np.int64)
        # "within" leaves a point exactly on an edge to the nearest-unit search below, at distance 0.
        point_idx, unit_idx = self.tree.query(points, predicate="within")
        hits = np.bincount(point_idx, minlength=len(points))
        single = hits[point_idx] == 1
        result[point_idx[single]] = unit_idx[single]
        point_idx, unit_idx = point_idx[~single], unit_idx[~single]
        if len(point_idx):
            # Overlaps: keep the unit whose edge is farthest from the point (the one it is deepest in).
            depth = shapely.distance(points[point_idx], self.edges[unit_idx])
            best = _first_per_group(point_idx, -depth)
            result[point_idx[best]] = unit_idx[best]
        missing = np.flatnonzero(result < 0)
        if len(missing):
            near_point, near_unit = self.tree.query(points[missing], predicate="dwithin", distance=self.window_deg)
            if len(near_point):
                lines = shapely.shortest_line(points[missing][near_point], self.geometries[near_unit])
                ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
                metres = haversine_m(ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1])
                close = metres <= self.tolerance_m
                near_point, near_unit, metres = near_point[close], near_unit[close], metres[close]
                if len(near_point):
                    best = _first_per_group(near_point, metres)
                    result[missing[near_point[best]]] = near_unit[best]
        return result


def _build_index(day: dt.date) -> UnitIndex:
    units = AdminUnit.objects.valid_on(day).communes().filter(boundary__isnull=False).order_by("code")
    shapes = dict(units.values_list("pk", "boundary"))
    kept = [u for u in units.defer("boundary") if shapes.get(u.pk)]
    return UnitIndex(kept, [shapely.geometry.shape(shapes[u.pk]) for u in kept])


_indexes = UnitCache(_build_index)


def unit_index(*, on: dt.date | None = None) -> UnitIndex:
    """Return the spatial index of the communes in force on `on` (today by default), built once per process."""
    return _indexes.get(on or timezone.localdate())


def locate(lon: float, lat: float, *, on: dt.date | None = None) -> AdminUnit | None:
    """Return the commune at (lon, lat) in WGS 84 degrees, or None outside the loaded units.

    The returned instance is shared by the process's cache: read it, re-fetch it before writing.
    """
    index = unit_index(on=on)
    position = index.position(float(lon), float(lat))
    return None if position is None else index.units[position]


def locate_many(points, *, on: dt.date | None = None) -> list[AdminUnit | None]:
    """Return the commune (or None) for each (lon, lat) point, using vectorised index queries."""
    coords = np.asarray(points, dtype=float).reshape(-1, 2)
    index = unit_index(on=on)
    found = index.positions(coords[:, 0], coords[:, 1])
    return [index.units[i] if i >= 0 else None for i in found]


def _build_geojson(day: dt.date, simplify_m: float | None) -> dict[str, Any]:
    features = []
    for unit in AdminUnit.objects.valid_on(day).communes().filter(boundary__isnull=False).order_by("code"):
        geometry = unit.boundary
        if simplify_m:
            shape = shapely.simplify(shapely.geometry.shape(geometry), simplify_m / _METRES_PER_DEGREE)
            geometry = shapely.geometry.mapping(shapely.set_precision(shape, 1e-6))
        features.append(
            {
                "type": "Feature",
                "id": unit.code,
                "geometry": geometry,
                "properties": {
                    "code": unit.code,
                    "name": unit.name,
                    "short_name": unit.short_name,
                    "kind": unit.kind,
                    "population": unit.population,
                    "area_km2": float(unit.area_km2) if unit.area_km2 is not None else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


_geojson = UnitCache(_build_geojson)


def boundaries_geojson(*, simplify_m: float | None = None, on: dt.date | None = None) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection of the communes in force (cached; do not mutate the result).

    `simplify_m` simplifies each polygon to about that many metres (topology kept per polygon), for small maps.
    """
    return _geojson.get(on or timezone.localdate(), simplify_m)
