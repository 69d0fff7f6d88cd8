"""Play two-party clocks round by round, many at once, under the equilibrium or behavioural tactics.

Each of ``N`` negotiations draws the outcome of every uncertain event (its regime), the proposer of
each round under random recognition, and the breakdown chance after each rejection, from one
``numpy.random.Generator``. Per party a :class:`Tactic`:

* ``equilibrium``: the subgame-perfect strategy of :mod:`detente.clock.fast` (offers the equilibrium
  terms or stalls; accepts exactly what is worth its threshold; walks out when that pays).
* ``boulware`` / ``conceder`` / ``linear``: time-dependent concession (Faratin, Sierra & Jennings
  1998, "Negotiation decision functions for autonomous agents", *Robotics and Autonomous Systems*
  24(3-4)): the party demands ``u(t) = top - alpha(t) (top - floor)`` with
  ``alpha(t) = kappa + (1 - kappa) (t / T) ** (1 / beta)``; ``beta < 1`` is Boulware (holds out,
  concedes late; default 0.2), ``beta > 1`` a conceder (default 5), ``beta = 1`` linear. It accepts
  an offer worth at least what it would demand in the next round (their acceptance rule).
* ``tit_for_tat``: absolute tit-for-tat (Faratin et al. 1998, behaviour-dependent tactics): it
  concedes as much as the other side conceded to it in its last move (``step`` on its first move),
  never below ``floor``; same acceptance rule.
* any tactic with ``walk_after = k``: walks out after ``k`` of its own offers in a row were refused
  (a loss of face; Hanoi's walk-out and the "payback" that followed).

Offers are payoff pairs on the surplus (the proposer demands ``u``, the other gets ``1 - u``) or, on
a grid, the grid point that gives the proposer at least ``u`` and the other side the most. Walking
out ends the talks at the outside options (or the reservation values when there are none);
breakdown at the reservation values. Only two-party clocks are simulated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from detente.clock.fast import EPS, Compiled, FloatArray, Policy, compile_model, solve_policy
from detente.clock.model import ClockModel
from detente.errors import InputError, Problem

TacticKind = Literal["equilibrium", "boulware", "conceder", "linear", "tit_for_tat"]
OPEN, AGREED, WALKED, BROKE = 0, 1, 2, 3
ENDINGS = ("open", "agreement", "walk-out", "breakdown")
_BETA = {"boulware": 0.2, "conceder": 5.0, "linear": 1.0}


@dataclass(frozen=True)
class Tactic:
    """How one party negotiates (see the module docstring); None fields take the defaults."""

    kind: TacticKind = "equilibrium"
    beta: float | None = None
    kappa: float = 0.0
    top: float | None = None
    """Opening demand (own payoff); default: the best the scale gives it."""
    floor: float | None = None
    """Least it will ever demand; default: its reservation value."""
    step: float = 0.05
    walk_after: int | None = None


@dataclass(frozen=True)
class Turn:
    """One round of one negotiation: ``offer`` is the payoff pair proposed (None: no offer)."""

    round: int
    date: dt.date
    proposer: str
    offer: tuple[float, ...] | None
    position: float | None
    reply: str


@dataclass(frozen=True, eq=False)
class Simulation:
    """``ending[i]``: 0 open, 1 agreement, 2 walk-out, 3 breakdown (:data:`ENDINGS`); ``round[i]`` the
    round it ended in (``horizon`` if open); ``payoff[i]``: the terms (agreement) or the no-deal
    values; ``position[i]``: the agreement's place on the 0-100 scale (NaN otherwise);
    ``walker[i]``: who walked out (-1 if nobody); ``log``: turn logs of the first negotiations."""

    model: ClockModel
    ending: npt.NDArray[np.int8]
    round: npt.NDArray[np.int64]
    payoff: FloatArray
    position: FloatArray
    walker: npt.NDArray[np.int64]
    log: tuple[tuple[Turn, ...], ...] = field(default=())

    @property
    def n(self) -> int:
        return int(self.ending.size)

    def share(self, ending: int) -> float:
        return float((self.ending == ending).mean())

    def agreement_by_round(self) -> FloatArray:
        """(T,): share of negotiations agreed by each round."""
        T = self.model.horizon
        hits = np.bincount(self.round[self.ending == AGREED], minlength=T + 1)[:T]
        return np.asarray(np.cumsum(hits) / self.n, dtype=np.float64)


def _demand_curve(t: float, T: int, tactic: Tactic, top: FloatArray, floor: FloatArray) -> FloatArray:
    beta = tactic.beta if tactic.beta is not None else _BETA.get(tactic.kind, 1.0)
    alpha = tactic.kappa + (1 - tactic.kappa) * (min(t, T) / max(T, 1)) ** (1.0 / beta)
    return np.asarray(top - alpha * (top - floor), dtype=np.float64)


def simulate(
    model: ClockModel,
    tactics: tuple[Tactic, Tactic] = (Tactic(), Tactic()),
    n: int = 1000,
    seed: int | np.random.SeedSequence = 0,
    log: int = 0,
    policy: Policy | None = None,
) -> Simulation:
    """Play ``n`` negotiations of ``model``; keep the turn log of the first ``log`` of them."""
    if model.n != 2:
        raise InputError([Problem("<clock model>", None, "parties", "simulation is for two-party clocks")])
    c = compile_model(model)
    needs_eq = any(tc.kind == "equilibrium" for tc in tactics)
    pol = policy if policy is not None or not needs_eq else solve_policy(c)
    rng = np.random.default_rng(seed)
    return _play(model, c, pol, tactics, n, rng, log)


def _offer_for(c: Compiled, k: int, demand: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The payoff pair and position of proposer ``k``'s offer demanding ``demand`` for itself."""
    N = demand.size
    if c.utility is None:
        pay = np.empty((N, 2))
        pay[:, k] = demand
        pay[:, 1 - k] = 1 - demand
        return pay, 100 * pay[:, 0]
    assert c.positions is not None
    uk, uj = c.utility[k], c.utility[1 - k]
    ok = uk[None, :] >= demand[:, None] - EPS
    score = np.where(ok, uj[None, :], -np.inf)
    g = np.where(ok.any(axis=1), np.argmax(score, axis=1), int(np.argmax(uk)))
    return c.utility.T[g], c.positions[g]


def _play(
    model: ClockModel,
    c: Compiled,
    pol: Policy | None,
    tactics: tuple[Tactic, Tactic],
    N: int,
    rng: np.random.Generator,
    log: int,
) -> Simulation:
    _, R, T, _ = c.shape
    prior = c.prior()[0]
    regime = rng.choice(R, size=N, p=prior / prior.sum())
    res0 = c.reservation[0, regime, 0, :]
    best = np.ones((N, 2)) if c.utility is None else np.broadcast_to(c.utility.max(axis=1), (N, 2)).copy()
    top = np.stack(
        [best[:, i] if tactics[i].top is None else np.full(N, tactics[i].top) for i in range(2)], 1
    )
    floor = np.stack(
        [res0[:, i] if tactics[i].floor is None else np.full(N, tactics[i].floor) for i in range(2)], 1
    )
    demand = top.copy()
    last_to = np.full((N, 2), np.nan)  # the last offer's value to each party, made by the other
    prev_to = np.full((N, 2), np.nan)
    refused = np.zeros((N, 2), dtype=np.int64)
    ending = np.zeros(N, dtype=np.int8)
    end_round = np.full(N, T, dtype=np.int64)
    payoff = c.reservation[0, regime, T - 1, :].copy()
    position = np.full(N, np.nan)
    walker = np.full(N, -1, dtype=np.int64)
    alive = np.ones(N, dtype=bool)
    rec = c.recognition
    logs: list[list[Turn]] = [[] for _ in range(min(log, N))]
    names = [p.name for p in model.parties]
    idx = np.arange(N)
    for t in range(T):
        if not alive.any():
            break
        if rec[t].max() >= 1:
            prop = np.full(N, int(np.argmax(rec[t])))
        else:
            prop = (rng.random(N) >= rec[t, 0]).astype(np.int64)
        out_t = None if c.outside is None else c.outside[0, regime, t, :]
        offer = np.full((N, 2), np.nan)
        pos = np.full(N, np.nan)
        made = np.zeros(N, dtype=bool)
        prop_walks = np.zeros(N, dtype=bool)
        for k in (0, 1):
            mine = alive & (prop == k)
            if not mine.any():
                continue
            tc = tactics[k]
            if tc.kind == "equilibrium":
                assert pol is not None
                ok = pol.agree[0, t, regime, k]
                pay = pol.deal[0, t, regime, k]
                offer[mine & ok] = pay[mine & ok]
                pos[mine & ok] = pol.position[0, t, regime, k][mine & ok]
                made |= mine & ok
                prop_walks |= mine & ~ok & (pol.walk[0, t, regime, k] == 1)
                continue
            if tc.kind == "tit_for_tat":
                conceded = np.nan_to_num(last_to[:, k] - prev_to[:, k], nan=0.0)
                first = np.isnan(prev_to[:, k]) & (t > 0)
                step = np.where(first | (t == 0), tc.step if t > 0 else 0.0, np.maximum(conceded, 0.0))
                demand[:, k] = np.where(mine, np.maximum(demand[:, k] - step, floor[:, k]), demand[:, k])
            else:
                demand[:, k] = np.where(mine, _demand_curve(t, T, tc, top[:, k], floor[:, k]), demand[:, k])
            pay, p = _offer_for(c, k, demand[:, k])
            offer[mine] = pay[mine]
            pos[mine] = p[mine]
            made |= mine
            if tc.walk_after is not None:
                prop_walks |= mine & (refused[:, k] >= tc.walk_after)
                made &= ~prop_walks
        # replies
        resp = 1 - prop
        got = offer[idx, resp]
        accept = np.zeros(N, dtype=bool)
        resp_walks = np.zeros(N, dtype=bool)
        for j in (0, 1):
            theirs = alive & (resp == j) & ~prop_walks
            if not theirs.any():
                continue
            tc = tactics[j]
            if tc.kind == "equilibrium":
                assert pol is not None
                thr = pol.threshold[0, t, regime, j]
                accept |= theirs & made & (got >= thr - EPS)
                if out_t is not None:
                    resp_walks |= (
                        theirs
                        & ~(made & (got >= thr - EPS))
                        & (out_t[:, j] > pol.cont[0, t, regime, j] + EPS)
                    )
            else:
                if tc.kind == "tit_for_tat":
                    nxt = demand[:, j]
                else:
                    nxt = _demand_curve(t + 1, T, tc, top[:, j], floor[:, j])
                accept |= theirs & made & (got >= nxt - EPS)
        # bookkeeping for tit-for-tat and loss of face
        prev_to[made, resp[made]] = last_to[made, resp[made]]
        last_to[made, resp[made]] = got[made]
        refused[idx[made & ~accept], prop[made & ~accept]] += 1
        refused[idx[made & accept], prop[made & accept]] = 0
        deal = alive & made & accept
        walk = alive & ~deal & (prop_walks | resp_walks)
        rest = alive & ~deal & ~walk
        broke = rest & (rng.random(N) < c.breakdown[0, t])
        ending[deal], end_round[deal] = AGREED, t
        payoff[deal] = offer[deal]
        position[deal] = pos[deal]
        ending[walk], end_round[walk] = WALKED, t
        walker[walk] = np.where(prop_walks[walk], prop[walk], resp[walk])
        nodeal_val = c.reservation[0, regime, t, :] if out_t is None else out_t
        payoff[walk] = nodeal_val[walk]
        ending[broke], end_round[broke] = BROKE, t
        payoff[broke] = c.reservation[0, regime, t, :][broke]
        for i in range(len(logs)):
            if not alive[i]:
                continue
            k = int(prop[i])
            if walk[i] and prop_walks[i]:
                reply = f"{names[k]} walks out"
            elif deal[i]:
                reply = "accepted"
            elif walk[i]:
                reply = f"refused; {names[1 - k]} walks out"
            else:
                reply = ("refused" if made[i] else "no offer") + ("; talks break down" if broke[i] else "")
            logs[i].append(
                Turn(
                    t,
                    model.date_of(t),
                    names[k],
                    tuple(float(x) for x in offer[i]) if made[i] else None,
                    float(pos[i]) if made[i] else None,
                    reply,
                )
            )
        alive = rest & ~broke
    return Simulation(model, ending, end_round, payoff, position, walker, tuple(tuple(x) for x in logs))
