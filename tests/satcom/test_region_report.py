"""Regions, grids, site files and the HTML report form."""

from __future__ import annotations

import io
import json

import numpy as np
import pyproj
import pytest
import shapely

from orbitshare.satcom.region import RegionError, bundled_regions, grid_points, load_region, read_region, read_sites
from orbitshare.satcom.report import Section, Table, write_html_report, write_pdf_report

GEOD = pyproj.Geod(ellps="WGS84")


@pytest.mark.parametrize(("name", "official_km2"), [("slovenia", 20273.0), ("luxembourg", 2586.0)])
def test_bundled_area_matches_official_area(name, official_km2):
    """Geodesic area of the Natural Earth 1:10m polygon is within 1 % of the official national area."""
    region = load_region(name)
    area_km2 = abs(GEOD.geometry_area_perimeter(region.geometry)[0]) / 1e6
    assert abs(area_km2 - official_km2) / official_km2 < 0.01
    assert region.geometry.is_valid


def test_capitals_inside_neighbours_outside():
    """Ljubljana and Luxembourg City fall in their countries; Vienna, Zagreb and Metz do not."""
    svn, lux = load_region("Slovenia"), load_region("luxembourg")
    assert shapely.contains_xy(svn.geometry, 14.5058, 46.0569)
    assert not shapely.contains_xy(svn.geometry, 16.3738, 48.2082)
    assert not shapely.contains_xy(svn.geometry, 15.9819, 45.8150)
    assert shapely.contains_xy(lux.geometry, 6.1296, 49.6116)
    assert not shapely.contains_xy(lux.geometry, 6.1757, 49.1193)
    assert {"slovenia", "luxembourg"} <= set(bundled_regions())


def test_grid_count_matches_area():
    """A 5 km grid over Slovenia holds area / 25 km^2 points within 3 %, all inside the polygon."""
    region = load_region("slovenia")
    lat, lon = grid_points(region.geometry, 5.0)
    area_km2 = abs(GEOD.geometry_area_perimeter(region.geometry)[0]) / 1e6
    assert abs(lat.size - area_km2 / 25.0) / (area_km2 / 25.0) < 0.03
    assert shapely.contains_xy(region.geometry, lon, lat).all()
    # neighbours along a row are 5 km apart on the ellipsoid (within the meridian/parallel radius difference)
    lats = np.unique(lat)
    mid = lats[np.argmin(np.abs(lats - 0.5 * (lats[0] + lats[-1])))]
    row = np.sort(lon[lat == mid])
    _, _, d_row = GEOD.inv(row[0], mid, row[1], mid)
    _, _, d_col = GEOD.inv(row[0], mid, row[0], mid + (lats[1] - lats[0]))
    assert abs(d_row / 1000.0 - 5.0) < 0.01 and abs(d_col / 1000.0 - 5.0) < 0.01


def test_tiny_polygon_gives_one_point():
    """A polygon smaller than a grid cell still yields its representative point."""
    poly = shapely.box(14.50, 46.05, 14.51, 46.06)
    lat, lon = grid_points(poly, 50.0)
    assert lat.size == 1 and shapely.contains_xy(poly, lon, lat).all()


@pytest.mark.parametrize("text", ["{", '{"type": "Point", "coordinates": [1, 2]}',
                                  '{"type": "Polygon", "coordinates": [[[0, 0], [500, 0], [0, 1], [0, 0]]]}'])
def test_bad_region_is_one_line(text):
    """Malformed GeoJSON, a non-polygon or degrees out of range raise one RegionError line naming the source."""
    with pytest.raises(RegionError) as err:
        read_region(io.StringIO(text), "x", source="bad.geojson")
    assert str(err.value).startswith("bad.geojson:") and "\n" not in str(err.value)


def test_sites_from_points():
    """Point features become named sites; heights in metres become km; bad points are refused."""
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Ljubljana"}, "geometry": {"type": "Point",
                                                                             "coordinates": [14.5, 46.05, 295]}},
        {"type": "Feature", "properties": {"name": "Camp Novo Selo"},
         "geometry": {"type": "Point", "coordinates": [20.96, 42.58]}}]}
    sites = read_sites(io.StringIO(json.dumps(fc)))
    assert sites.names == ["Ljubljana", "Camp Novo Selo"]
    np.testing.assert_allclose(sites.h_km, [0.295, 0.0])
    fc["features"][1]["geometry"]["coordinates"] = [20.96, 95.0]
    with pytest.raises(RegionError, match="feature 1"):
        read_sites(io.StringIO(json.dumps(fc)), source="s.geojson")


def test_html_report_is_self_contained(tmp_path):
    """The HTML report embeds its PNGs, escapes text and names every column of every table."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    png = tmp_path / "fig.png"
    fig.savefig(png)
    plt.close(fig)
    sec = Section("Links <GEO>", text=["a & b"], tables=[Table("t", [{"site": "A", "margin_db": 1.23456},
                                                                      {"site": "B", "extra": True}])],
                  images=[(png, "caption")])
    path = write_html_report(tmp_path / "out", "Study", [sec])
    html = path.read_text()
    assert "data:image/png;base64," in html and "http://" not in html and "https://" not in html
    assert "Links &lt;GEO&gt;" in html and "a &amp; b" in html
    assert all(c in html for c in ("site", "margin_db", "extra", "1.235"))
    pdf = write_pdf_report(tmp_path / "out", "Study", [sec])
    assert pdf.read_bytes()[:5] == b"%PDF-"
