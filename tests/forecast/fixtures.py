"""Small published cases for the forecast-model tests, written out as Python data.

- The emission-standards case: Bueno de Mesquita (1994), "Political forecasting: an expected utility
  method", in Bueno de Mesquita & Stokman (eds.), *European Community Decision Making*, Yale UP,
  table on p. 78; reprinted as Table 1 of Scholz, Calbert & Smith (2011), "Unravelling Bueno de
  Mesquita's group decision model", J. Theoretical Politics 23(4). Positions are the number of
  years before emission standards for medium-sized cars apply; saliences are given here on the
  workbench's 0-100 scale (the papers use 0-1).
- The "Sultan" case: Bueno de Mesquita (1997), "A decision making model: its structure and form",
  International Interactions 23(3-4), 17 actors (as transcribed in the open re-implementation
  jmckib/bdm-scholz-expected-utility-model, Sultan.csv; published figures).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from detente.forecast.space import IssueSpace

# (actor, capability, position, salience 0-100)
EMISSION_TABLE: tuple[tuple[str, float, float, float], ...] = (
    ("Netherlands", 0.08, 4.0, 80.0),
    ("Belgium", 0.08, 7.0, 40.0),
    ("Luxembourg", 0.03, 4.0, 20.0),
    ("Germany", 0.16, 4.0, 80.0),
    ("France", 0.16, 10.0, 60.0),
    ("Italy", 0.16, 10.0, 60.0),
    ("UK", 0.16, 10.0, 90.0),
    ("Ireland", 0.05, 7.0, 10.0),
    ("Denmark", 0.05, 4.0, 100.0),
    ("Greece", 0.08, 7.0, 70.0),
)
BDM_FORECAST = 8.35  # BDM (1994): the model's forecast, in years
BDM_FORECAST_PROLONGED = 9.05  # BDM (1994): the forecast if negotiations drag on
ACTUAL_OUTCOME = 8.833  # BDM (1994): the date actually agreed
SCHOLZ_MEDIANS = (8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6)  # Scholz et al. (2011), Table 2, rounds 1-8
SCHOLZ_MEANS = (7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6)  # Scholz et al. (2011), Table 2, rounds 1-8

SULTAN_TABLE: tuple[tuple[str, float, float, float], ...] = (
    ("HAWKS", 0.65, 14.25, 80.0),
    ("IRAN", 0.85, 14.20, 85.0),
    ("RUSSIA", 0.55, 14.20, 65.0),
    ("IPEC", 0.7, 14.10, 75.0),
    ("GULF", 0.5, 14.10, 75.0),
    ("MILITARY", 0.75, 14.00, 85.0),
    ("KUWAIT", 0.65, 14.00, 90.0),
    ("TRIBALS", 0.85, 13.95, 85.0),
    ("RELIGIOUS LEADERS", 0.95, 13.90, 90.0),
    ("BUSINESS", 0.6, 13.75, 80.0),
    ("SULTAN", 0.95, 13.40, 95.0),
    ("MAJLIS", 0.45, 13.35, 75.0),
    ("ABDULLAH", 1.0, 13.25, 90.0),
    ("FAHD", 1.05, 13.00, 90.0),
    ("USA", 0.6, 13.00, 70.0),
    ("NAZER", 0.8, 12.90, 85.0),
    ("EUR/JPN", 0.75, 12.85, 75.0),
)


def make_space(
    actors: tuple[str, ...],
    capability: npt.ArrayLike,
    positions: npt.ArrayLike,
    salience: npt.ArrayLike,
    **kwargs: Any,
) -> IssueSpace:
    """An IssueSpace from plain lists (the dataclass converts them; this keeps the types honest)."""
    if kwargs.get("status_quo") is not None:
        kwargs["status_quo"] = np.asarray(kwargs["status_quo"], dtype=np.float64)
    return IssueSpace(
        actors,
        np.asarray(capability, dtype=np.float64),
        np.asarray(positions, dtype=np.float64),
        np.asarray(salience, dtype=np.float64),
        **kwargs,
    )


def space_from_table(
    table: tuple[tuple[str, float, float, float], ...], scale: tuple[float, float], name: str
) -> IssueSpace:
    """A one-dimensional IssueSpace from (actor, capability, position, salience) rows."""
    return make_space(
        actors=tuple(row[0] for row in table),
        capability=[row[1] for row in table],
        positions=[row[2] for row in table],
        salience=[row[3] for row in table],
        dimensions=("issue",),
        scale=(scale,),
        name=name,
    )


def emission_space() -> IssueSpace:
    """BDM (1994) emission standards: years until the standard applies, on a 4-10 scale."""
    return space_from_table(EMISSION_TABLE, (4.0, 10.0), "emission standards (BDM 1994)")


def sultan_space() -> IssueSpace:
    """BDM (1997) Sultan case on its 12.85-14.25 range."""
    return space_from_table(SULTAN_TABLE, (12.85, 14.25), "Sultan (BDM 1997)")
