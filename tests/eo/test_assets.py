"""The asset registry: packaged figures match public catalogs, user files extend it, bad files name the field."""

from __future__ import annotations

import csv
import gzip
import io
from importlib import resources

import pytest
from tests.conftest import shared_path

from orbitshare.eo.assets import AssetError, load_registry, read_assets

MINIMAL = """
schema_version: 1
assets:
  - id: demo-sat
    name: Demo
    owner: LUX
    owner_kind: government
    operator: Someone
    status: operational
    norad_id: 25544
    sensor: optical
    gsd_nadir_m: 1.5
    swath_km: 20
    max_off_nadir_deg: 30
    sharing: test
    sources:
      - {figure: "norad_id,gsd_nadir_m,swath_km,max_off_nadir_deg", source: "test figures", date: "2026-01-01"}
"""


def _catalog_names() -> dict[int, str]:
    """NORAD id -> object name of the bundled CelesTrak active catalog (independent of the registry)."""
    path = resources.files("orbitshare.data").joinpath("celestrak_active_2026-03-10.csv.gz")
    with gzip.open(str(path), "rt") as fh:
        return {int(r["NORAD_CAT_ID"]): r["OBJECT_NAME"] for r in csv.DictReader(fh)}


def test_packaged_registry_loads_with_real_satellites():
    reg = load_registry()
    assert {"LUX", "SVN", "EU", "AIRBUS", "VANTOR", "ICEYE"} <= set(reg.owners)
    assert reg.get("nemo-hd").gsd_nadir_m == 2.8
    assert reg.get("sentinel-1a").sensor == "sar"
    assert [a.id for a in reg.by_owner("lux")] == ["naos"]
    assert all(a.sensor == "sar" for a in reg.by_sensor("SAR"))


def test_norad_ids_name_the_same_satellites_in_the_celestrak_catalog():
    names = _catalog_names()
    expect = {"naos": "NAOS", "nemo-hd": "NEMO-HD", "sentinel-2a": "SENTINEL-2A", "sentinel-2b": "SENTINEL-2B",
              "sentinel-2c": "SENTINEL-2C", "sentinel-1a": "SENTINEL-1A", "sentinel-1c": "SENTINEL-1C",
              "pleiades-neo-3": "PLEIADES NEO 3", "pleiades-neo-4": "PLEIADES NEO 4", "worldview-legion-1": "LEGION 1",
              "worldview-legion-6": "LEGION 6", "iceye-x2": "ICEYE-X2", "iceye-x63": "ICEYE-X63"}
    reg = load_registry()
    for asset_id, name in expect.items():
        assert names[reg.get(asset_id).norad_id] == name
    for a in reg:
        if a.status == "operational":
            assert a.norad_id in names, a.id


def test_trisat_is_decayed_per_satcat():
    path = shared_path("catalog", "satcat_2025-03-16.csv.gz")
    with gzip.open(path, "rt") as fh:
        row = next(r for r in csv.DictReader(fh) if r["OBJECT_NAME"] == "TRISAT")
    trisat = load_registry().get("trisat")
    assert trisat.norad_id == int(row["NORAD_CAT_ID"]) and row["DECAY"] and trisat.status == "decayed"


def test_unknown_figures_are_null_and_reported():
    naos = load_registry().get("naos")
    assert naos.gsd_nadir_m is None and "gsd_nadir_m" in naos.unknown_figures()


def test_user_file_adds_and_replaces(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(MINIMAL + MINIMAL.split("assets:\n", 1)[1].replace("demo-sat", "nemo-hd"))
    reg = load_registry(path)
    assert "demo-sat" in reg and reg.get("nemo-hd").swath_km == 20
    assert len(reg) == len(load_registry()) + 1
    assert load_registry(path, replace=True).ids == ["demo-sat", "nemo-hd"]


def test_select_by_owner_and_id_and_all():
    reg = load_registry()
    assert set(reg.select("LUX,SVN").ids) == {"naos", "nemo-hd", "trisat"}
    assert reg.select("sentinel-2a,ICEYE").ids[0] == "sentinel-2a"
    assert len(reg.select("all")) == len(reg)
    with pytest.raises(ValueError, match="'XYZ'"):
        reg.select("XYZ")


@pytest.mark.parametrize(("edit", "field"), [
    (("gsd_nadir_m: 1.5", "gsd_nadir_m: -1"), "gsd_nadir_m"),
    (("sensor: optical", "sensor: lidar"), "sensor"),
    (("owner: LUX", "owner: lux"), "owner"),
    (("    sharing: test\n", "    sharing: test\n    colour: red\n"), "colour"),
    (("norad_id,gsd_nadir_m,", "norad_id,"), "gsd_nadir_m"),
    (("sensor: optical", "sensor: sar"), "incidence_min_deg"),
])
def test_bad_file_names_file_asset_and_field(edit, field):
    text = MINIMAL.replace(*edit)
    with pytest.raises(AssetError) as err:
        read_assets(io.StringIO(text), "mine.yaml")
    msg = str(err.value)
    assert msg.startswith("mine.yaml: asset demo-sat (#1): field ") and field in msg and "\n" not in msg


def test_not_yaml_and_duplicates_are_one_line():
    with pytest.raises(AssetError, match=r"mine\.yaml: line"):
        read_assets(io.StringIO("assets: [\n"), "mine.yaml")
    body = MINIMAL.split("assets:\n", 1)[1]
    with pytest.raises(AssetError, match="duplicate id"):
        read_assets(io.StringIO(MINIMAL + body), "mine.yaml")
