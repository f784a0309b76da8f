"""Reverse geocoding: point → commune, single and batch, against a brute-force point-in-polygon baseline.

Points are uniform in Thái Nguyên's bounding box (fixed seed), so about half fall outside the province and
exercise the "nearest unit within 500 m" search too. The baseline loops over every polygon with shapely's
`contains` (no index, no preparation) on a smaller sample, stated in its case name.
"""

import numpy as np
import shapely

N_POINTS = 100_000
N_SINGLE = 100_000
N_BASELINE = 2_000
SEED = 20250701


def run(h) -> None:
    from tinhso.core.geo import GAP_TOLERANCE_M, haversine_m, locate, locate_many, unit_index
    from tinhso.core.models import AdminUnit
    from tinhso.core.units import load_demo_units, units_changed

    communes = AdminUnit.objects.current().communes().filter(parent__code="19", boundary__isnull=False)
    if communes.count() != 92:
        print("  loading the Thái Nguyên demo units …")
        load_demo_units()
    province = AdminUnit.objects.get(level="province", code="19")
    rng = np.random.default_rng(SEED)
    lons = rng.uniform(province.min_lon, province.max_lon, N_POINTS)
    lats = rng.uniform(province.min_lat, province.max_lat, N_POINTS)
    points = np.column_stack([lons, lats])
    pairs = [(float(lon), float(lat)) for lon, lat in points]

    def rebuild():
        units_changed()
        unit_index()

    h.measure_batch("build the index (92 communes, from the DB)", rebuild, 1, repeat=3)
    unit_index()
    h.measure(f"locate, single lookups ({N_SINGLE:,} points)", lambda p: locate(*p), pairs[:N_SINGLE])
    h.measure_batch(f"locate_many, one batch of {N_POINTS:,}", lambda: locate_many(points), N_POINTS, repeat=3)
    h.measure_batch(
        "locate_many, batches of 1,000",
        lambda: [locate_many(points[i : i + 1000]) for i in range(0, N_POINTS, 1000)],
        N_POINTS,
        repeat=3,
    )

    shapes = [(u.code, shapely.geometry.shape(u.boundary)) for u in communes.order_by("code")]

    def brute_force(point):
        p = shapely.Point(point)
        return next((code for code, shape in shapes if shape.contains(p)), None)

    def brute_force_with_gaps(point):
        found = brute_force(point)
        if found is not None:
            return found
        p = shapely.Point(point)
        best, best_m = None, GAP_TOLERANCE_M
        for code, shape in shapes:
            (x1, y1), (x2, y2) = shapely.shortest_line(p, shape).coords
            metres = float(haversine_m(x1, y1, x2, y2))
            if metres <= best_m:
                best, best_m = code, metres
        return best

    single = f"locate, single lookups ({N_SINGLE:,} points)"
    h.measure(
        f"baseline: contains loop over 92 polygons ({N_BASELINE:,} points)",
        brute_force,
        pairs[:N_BASELINE],
        baseline_of=single,
        note="point-in-polygon only, no gap rule",
    )
    h.measure(
        f"baseline: contains loop + 500 m gap rule ({N_BASELINE:,} points)",
        brute_force_with_gaps,
        pairs[:N_BASELINE],
        baseline_of=single,
        note="same answer as locate, by looping over every polygon",
    )

    batch = [u and u.code for u in locate_many(points[:N_BASELINE])]
    brute = [brute_force_with_gaps(p) for p in pairs[:N_BASELINE]]
    inside = sum(brute_force(p) is not None for p in pairs[:N_BASELINE])
    agree = sum(a == b for a, b in zip(batch, brute, strict=True))
    print(
        f"  check on {N_BASELINE:,} points: {inside:,} inside a polygon, "
        f"{sum(b is not None for b in brute) - inside:,} more within 500 m of one; "
        f"index and baseline agree on {agree:,} of {N_BASELINE:,}"
    )
