"""One link budget, line by line: the worked form behind every grid figure, for reports and hand checks.

`link_budget` takes a payload, a terminal, a site, the elevation and slant range of the satellite and an
exceedance probability p, and returns every line (EIRP, free-space loss, each ITU-R attenuation term, G/T with
the rain noise rise, C/N0, symbol rate, Es/N0, threshold, margin, MODCOD and throughput) for the forward
(satellite -> terminal) or the return (terminal -> satellite) direction. The attenuation is evaluated at the exact
elevation (the grid evaluation interpolates between 2.5 deg nodes for moving satellites).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from orbitshare.constants import BOLTZMANN_DBW_PER_K_HZ
from orbitshare.satcom.atmosphere import attenuation_table, site_climate
from orbitshare.satcom.linkbudget import rain_noise_increase_db, symbol_rate_hz, throughput_mbps
from orbitshare.satcom.modcod import ModcodTable, load_modcods
from orbitshare.satcom.models import Payload, Terminal
from orbitshare.satcom.rf import free_space_loss_db, linear_to_db

__all__ = ["BudgetLine", "link_budget"]


@dataclass(frozen=True)
class BudgetLine:
    """One line of a link budget: label, value and unit."""

    label: str
    value: float | str
    unit: str


def link_budget(payload: Payload, terminal: Terminal, lat_deg: float, lon_deg: float, h_km: float | None,
                el_deg: float, range_km: float, p_pct: float,
                direction: Literal["forward", "return"] = "forward",
                modcods: ModcodTable | None = None) -> list[BudgetLine]:
    """Every line of a forward or return link budget at elevation el_deg, slant range range_km and p (%)."""
    mc = modcods or load_modcods()
    fwd = direction == "forward"
    f = payload.downlink_ghz.value if fwd else payload.uplink_ghz.value
    clim = site_climate([lat_deg], [lon_deg], None if h_km is None else [h_km])
    tab = attenuation_table(clim, f, np.array([el_deg]), np.array([p_pct]), terminal.diameter_m.value,
                            terminal.efficiency.value, payload.polarisation_tilt_deg)
    a_g, a_c = float(tab.gas_db[0, 0, 0]), float(tab.cloud_db[0, 0, 0])
    a_r, a_s, a_t = float(tab.rain_db[0, 0, 0]), float(tab.scint_db[0, 0, 0]), float(tab.total_db[0, 0, 0])
    if fwd:
        eirp = payload.eirp_dbw.value
        g_rx = terminal.gain_dbi(f)
        t_sys = terminal.system_noise_k.value
        noise_rise = float(rain_noise_increase_db(a_t, t_sys))
        g_t = g_rx - float(linear_to_db(t_sys)) - noise_rise
        bw = payload.forward_bandwidth_mhz.value
    else:
        eirp = terminal.eirp_dbw(f)
        noise_rise = 0.0
        g_t = payload.g_t_dbk.value
        bw = payload.return_bandwidth_mhz.value
    fsl = float(free_space_loss_db(range_km, f))
    cn0 = eirp - fsl - a_t + g_t - BOLTZMANN_DBW_PER_K_HZ
    rs = symbol_rate_hz(bw, payload.rolloff.value)
    es = cn0 - float(linear_to_db(rs))
    impl = terminal.implementation_margin_db.value
    idx, eff = mc.select(np.array([es]), impl)
    lines = [
        BudgetLine("direction", direction, ""),
        BudgetLine("frequency", f, "GHz"),
        BudgetLine("elevation", el_deg, "deg"),
        BudgetLine("slant range", range_km, "km"),
        BudgetLine("exceedance p", p_pct, "% of year"),
    ]
    if fwd:
        lines.append(BudgetLine("satellite EIRP", eirp, "dBW"))
    else:
        lines += [BudgetLine("terminal transmit power", float(linear_to_db(terminal.tx_power_w.value)), "dBW"),
                  BudgetLine("terminal antenna gain", terminal.gain_dbi(f), "dBi"),
                  BudgetLine("terminal EIRP", eirp, "dBW")]
    lines += [
        BudgetLine("free-space loss", fsl, "dB"),
        BudgetLine("gaseous attenuation A_G", a_g, "dB"),
        BudgetLine("cloud attenuation A_C", a_c, "dB"),
        BudgetLine("rain attenuation A_R", a_r, "dB"),
        BudgetLine("scintillation A_S", a_s, "dB"),
        BudgetLine("total attenuation A_T", a_t, "dB"),
    ]
    if fwd:
        lines += [BudgetLine("terminal antenna gain", g_rx, "dBi"),
                  BudgetLine("system noise temperature", t_sys, "K"),
                  BudgetLine("rain noise rise", noise_rise, "dB")]
    lines += [
        BudgetLine("receive G/T", g_t, "dB/K"),
        BudgetLine("Boltzmann constant", BOLTZMANN_DBW_PER_K_HZ, "dBW/K/Hz"),
        BudgetLine("C/N0", cn0, "dB-Hz"),
        BudgetLine("symbol rate", rs / 1e6, "Mbaud"),
        BudgetLine("Es/N0", es, "dB"),
        BudgetLine("implementation margin", impl, "dB"),
        BudgetLine("most robust MODCOD threshold", mc.min_esn0_db, "dB"),
        BudgetLine("margin", es - impl - mc.min_esn0_db, "dB"),
        BudgetLine("ACM MODCOD", str(mc.names[idx[0]]) if idx[0] >= 0 else "none", ""),
        BudgetLine("throughput", float(throughput_mbps(eff, rs)[0]), "Mbit/s"),
    ]
    return lines
