"""The worked link budgets of docs/satcom.md: plain arithmetic from the documented lines, and the code, to 0.01 dB."""

from __future__ import annotations

import math
import re

import pytest
from tests.conftest import ROOT

from orbitshare.satcom.budget import link_budget
from orbitshare.satcom.models import load_models

DOC = ROOT / "docs" / "satcom.md"
CASES = {"GEO": ("govsat-1", "ka-mil", "ka-mil-1.0m"), "MEO": ("o3b-mpower", "ka", "ka-1.0m")}
#: DVB-S2 spectral efficiencies (bit/symbol) of ETSI EN 302 307-1 Table 13 used by the worked cases.
EFFICIENCY = {"QPSK 2/3": 1.322253, "QPSK 3/4": 1.487473}


def _table(tag: str) -> dict[str, str]:
    """Lines of the '### Worked budget: TAG' table as label -> value text."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split(f"### Worked budget: {tag}", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in block.splitlines():
        m = re.match(r"\|\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|", line)
        if m and m.group(1) not in ("line", "---"):
            rows[m.group(1)] = m.group(2)
    return rows


@pytest.mark.parametrize("tag", list(CASES))
def test_documented_lines_follow_by_arithmetic(tag):
    """Each derived line of the documented budget equals plain arithmetic on the lines above it (0.01 dB)."""
    d = {k: float(v) for k, v in _table(tag).items() if re.fullmatch(r"-?\d+(\.\d+)?", v)}
    f_hz = d["frequency"] * 1e9
    c = 299_792_458.0
    fsl = 20 * math.log10(4 * math.pi * d["slant range"] * 1e3 * f_hz / c)
    gain = 10 * math.log10(d["terminal efficiency"] * (math.pi * d["terminal diameter"] * f_hz / c) ** 2)
    a_t = d["gaseous attenuation A_G"] + math.hypot(d["rain attenuation A_R"] + d["cloud attenuation A_C"],
                                                    d["scintillation A_S"])
    t = d["system noise temperature"]
    rise = 10 * math.log10((t + 275.0 * (1 - 10 ** (-a_t / 10))) / t)
    g_t = gain - 10 * math.log10(t) - rise
    cn0 = d["satellite EIRP"] - fsl - a_t + g_t - (-228.5991)
    rs = d["carrier bandwidth"] * 1e6 / (1 + d["roll-off"])
    es = cn0 - 10 * math.log10(rs)
    margin = es - d["implementation margin"] - (-2.85)
    for label, value in (("free-space loss", fsl), ("terminal antenna gain", gain), ("total attenuation A_T", a_t),
                         ("rain noise rise", rise), ("receive G/T", g_t), ("C/N0", cn0), ("symbol rate", rs / 1e6),
                         ("Es/N0", es), ("margin", margin)):
        assert abs(d[label] - value) < 0.01, (tag, label, d[label], value)
    modcod = _table(tag)["ACM MODCOD"]
    assert abs(d["throughput"] - EFFICIENCY[modcod] * rs / 1e6) < 0.01


@pytest.mark.parametrize("tag", list(CASES))
def test_code_matches_documented_budget(tag):
    """orbitshare.satcom.budget.link_budget reproduces every documented line to 0.01 (dB, km, Mbit/s)."""
    doc = _table(tag)
    con_name, band, term_name = CASES[tag]
    models = load_models()
    con = models.constellation(con_name)
    lines = link_budget(con.payload(band), models.terminal(term_name), float(doc["site latitude"]),
                        float(doc["site longitude"]), float(doc["site height"]), float(doc["elevation"]),
                        float(doc["slant range"]), float(doc["exceedance p"]), "forward")
    checked = 0
    for line in lines:
        assert line.label in doc, f"{line.label} missing from the documented {tag} budget"
        if isinstance(line.value, str):
            assert doc[line.label] == line.value
        else:
            assert abs(float(doc[line.label]) - line.value) < 0.01, (tag, line.label, doc[line.label], line.value)
        checked += 1
    assert checked >= 20
