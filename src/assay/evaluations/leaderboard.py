"""An evaluation's leaderboard: its judgments gathered, then the pure algorithms.

Judgments are the people's verdicts (each completed battle task's result, read from the
side the model sat on) and the judge's reconciled verdicts; ``source`` picks one or both
(``all``: every judgment counts once, so a battle both judged counts twice). Ratings,
intervals and ranks are :func:`assay.algorithms.leaderboard.leaderboard` (Bradley-Terry with
Davidson ties, ``both_bad`` a tie, bootstrap over battles with counts resampled); the
win-rate matrix, the judge's agreement with people and its biases come with them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.algorithms.battles import OUTCOMES, Battles
from assay.algorithms.errors import DisconnectedComparisonsError
from assay.algorithms.judging import (
    agreement,
    longer_reply_wins,
    position_flips,
    self_preference,
)
from assay.algorithms.leaderboard import leaderboard as fit_leaderboard
from assay.algorithms.scorers import score_replies
from assay.algorithms.style_control import bootstrap_style_controlled, length_covariate
from assay.db.models import Evaluation, EvaluationBattle
from assay.errors import Conflict
from assay.evaluations import service
from assay.evaluations.ratings import rating_report

CODES = {name: code for code, name in enumerate(OUTCOMES)}
BATTLE_COLUMNS = ("battle", "prompt_id", "category", "model_a", "model_b", "source", "winner")


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def _scores(evaluation: Evaluation, contents: dict[tuple[int, str], str | None],
            names: list[str], prompts: list[int]) -> dict[str, dict[str, float | None]]:
    """Each reference-based scorer's mean per model over the prompts with a reference."""
    found: dict[str, dict[str, float | None]] = {name: {} for name in names}
    references = [evaluation.prompts[i]["reference"] for i in prompts]
    for scorer in evaluation.config["scorers"]:
        for name in names:
            pairs = [(contents.get((i, name)), ref) for i, ref in zip(prompts, references,
                                                                       strict=True)]
            kept = [(c, r) for c, r in pairs if c is not None]
            _, mean = score_replies(scorer, [c for c, _ in kept], [r for _, r in kept])
            found[name][scorer] = _r(mean, 4)
    return found


def _win_rates(names: list[str], a: list[int], b: list[int], verdicts: list[int],
               order: list[int]) -> dict[str, Any]:
    """``rate[i][j]``: the share of model i's battles with model j that i won, a tie
    counting half (``None`` where they never met); models in ``order`` (best first)."""
    n = len(names)
    wins = np.zeros((n, n))
    ties = np.zeros((n, n))
    for i, j, v in zip(a, b, verdicts, strict=True):
        if v == 0:
            wins[i, j] += 1
        elif v == 1:
            wins[j, i] += 1
        else:
            ties[i, j] += 1
            ties[j, i] += 1
    met = wins + wins.T + ties
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = (wins + ties / 2) / met
    return {"models": [names[i] for i in order],
            "rate": [[None if met[i, j] == 0 else round(float(rate[i, j]), 4)
                      for j in order] for i in order],
            "battles": [[int(met[i, j]) for j in order] for i in order]}


def _judge_report(evaluation: Evaluation, battles: list[EvaluationBattle],
                  human: dict[str, str], contents: dict[tuple[int, str], str | None],
                  rng: np.random.Generator, rounds: int) -> tuple[dict[str, Any] | None,
                                                                  dict[str, Any] | None]:
    judge = evaluation.config["judge"]
    judged = [b for b in battles if b.judge_verdict is not None]
    if judge is None or not judged:
        return None, None
    both = [(str(b.judge_verdict), human[b.task_id]) for b in judged
            if b.task_id is not None and b.task_id in human]
    agreed = None
    if both:
        found = agreement([j for j, _ in both], [h for _, h in both],
                          rounds=max(rounds, 200), rng=rng)
        agreed = {"battles": found.battles, "accuracy": _r(found.accuracy, 4),
                  "accuracy_ci": [_r(v, 4) for v in found.accuracy_ci],
                  "kappa": _r(found.kappa, 4),
                  "kappa_ci": None if found.kappa_ci is None
                  else [_r(v, 4) for v in found.kappa_ci], "level": found.level}
    length = longer_reply_wins(
        [b.judge_verdict for b in judged],
        [len(contents.get((b.prompt_index, b.model_a)) or "") for b in judged],
        [len(contents.get((b.prompt_index, b.model_b)) or "") for b in judged])
    own = judge["name"]
    mine = self_preference(
        [b.judge_verdict for b in judged],
        [human.get(b.task_id or "") for b in judged],
        ["a" if b.model_a == own else "b" if b.model_b == own else None for b in judged])
    biases = {
        "judge": own, "battles": len(judged),
        "position_flip_rate": _r(position_flips([b.judge_first for b in judged],
                                                [b.judge_swapped for b in judged]), 4),
        "longer_reply_win_rate": _r(length[0], 4), "length_battles": length[1],
        "self_preference": None if own not in evaluation.config["contestants"] else {
            "battles": mine.battles, "judge_win_rate": _r(mine.judge_win_rate, 4),
            "human_win_rate": _r(mine.human_win_rate, 4)}}
    return agreed, biases


def _judgments(battles: list[EvaluationBattle], human: dict[str, str],
               source: str) -> list[tuple[EvaluationBattle, str, str]]:
    """``(battle, who judged, verdict)`` for each judgment the source counts."""
    found = []
    for battle in battles:
        if source in ("human", "all") and battle.task_id in human:
            found.append((battle, "human", human[battle.task_id or ""]))
        if source in ("judge", "all") and battle.judge_verdict is not None:
            found.append((battle, "judge", battle.judge_verdict))
    return found


def _battles_of(session: Session, who: Requester, evaluation: Evaluation,
                category: str | None) -> tuple[list[int], list[EvaluationBattle]]:
    chosen = [i for i, p in enumerate(evaluation.prompts)
              if category is None or p["category"] == category]
    keep = set(chosen)
    return chosen, [b for b in service.list_battles(session, who.org_id, evaluation.id)
                    if b.prompt_index in keep]


def battle_rows(session: Session, who: Requester, evaluation_id: str, *,
                source: str = "all", category: str | None = None) -> list[dict[str, Any]]:
    """Every judgment the leaderboard counts, one row each: what ``assay leaderboard``
    reads (``model_a``, ``model_b``, ``winner``) and where it came from."""
    evaluation = service.get_evaluation(session, who, evaluation_id)
    _, battles = _battles_of(session, who, evaluation, category)
    human = service.human_verdicts(session, who.org_id, evaluation)
    return [{"battle": b.id, "prompt_id": evaluation.prompts[b.prompt_index]["id"],
             "category": evaluation.prompts[b.prompt_index]["category"] or "",
             "model_a": b.model_a, "model_b": b.model_b, "source": by, "winner": verdict}
            for b, by, verdict in _judgments(battles, human, source)]


def evaluation_leaderboard(session: Session, who: Requester, evaluation_id: str, *,
                           source: str = "all", category: str | None = None,
                           bootstrap: int = 1000, seed: int = 0,
                           style: str | None = None) -> dict[str, Any]:
    evaluation = service.get_evaluation(session, who, evaluation_id)
    prompts = evaluation.prompts
    chosen, battles = _battles_of(session, who, evaluation, category)
    human = service.human_verdicts(session, who.org_id, evaluation)
    contents = {(r.prompt_index, r.model): r.content
                for r in service.list_replies(session, who.org_id, evaluation.id)}
    names: list[str] = evaluation.config["contestants"]
    code = {name: i for i, name in enumerate(names)}
    a: list[int] = []
    b: list[int] = []
    verdicts: list[int] = []
    lengths: list[tuple[int, int]] = []
    for battle, _, verdict in _judgments(battles, human, source):
        a.append(code[battle.model_a])
        b.append(code[battle.model_b])
        verdicts.append(CODES[verdict])
        lengths.append((len(contents.get((battle.prompt_index, battle.model_a)) or ""),
                        len(contents.get((battle.prompt_index, battle.model_b)) or "")))
    rng = np.random.default_rng(seed)
    agreed, biases = _judge_report(evaluation, battles, human, contents, rng, bootstrap)
    categories = sorted({p["category"] for p in prompts if p["category"] is not None})
    scores = _scores(evaluation, contents, names, chosen)
    base = {"method": "bradley_terry", "source": source, "category": category,
            "bootstrap": bootstrap, "judgments": len(verdicts), "categories": categories,
            "agreement": agreed, "judge_biases": biases}
    ratings = rating_report(session, who.org_id, evaluation, chosen)
    base["ratings"] = ratings
    if not verdicts:
        if ratings is not None and ratings["rated"] and source != "judge":
            # Rubric ratings only: no battle to fit, the ratings section stands alone.
            return {**base, "style_control": None, "tie_strength": None, "converged": True,
                    "models": [{"model": name, "rating": None, "ci": None, "rank": None,
                                "rank_ci": None, "battles": 0, "wins": 0, "losses": 0,
                                "ties": 0, "scores": scores[name]} for name in names],
                    "win_rates": {"models": [], "rate": [], "battles": []}}
        raise Conflict("no judgments yet: no battle was decided by the chosen source",
                       {"source": source, "category": category}, code="no_judgments")
    present = sorted(set(a) | set(b))
    remap = {old: new for new, old in enumerate(present)}
    fit_names = [names[i] for i in present]
    try:
        board = fit_leaderboard(
            Battles(np.array([remap[i] for i in a]), np.array([remap[i] for i in b]),
                    np.array(verdicts), len(present)),
            rounds=bootstrap, rng=rng)
    except DisconnectedComparisonsError as exc:
        groups = [[fit_names[i] for i in group] for group in exc.components]
        raise Conflict("the comparison graph is disconnected: some models never met the "
                       "others, so their ratings share no scale", {"groups": groups},
                       code="comparisons_disconnected") from exc
    rows = []
    for i in board.order().tolist():
        rows.append({
            "model": fit_names[i], "rating": _r(board.ratings[i]),
            "ci": None if bootstrap == 0 else [_r(board.ci_low[i]), _r(board.ci_high[i])],
            "rank": int(board.rank[i]),
            "rank_ci": [int(board.rank_low[i]), int(board.rank_high[i])],
            "battles": int(board.battles[i]), "wins": int(board.wins[i]),
            "losses": int(board.losses[i]), "ties": int(board.ties[i]),
            "scores": scores[fit_names[i]]})
    for name in names:
        if name not in fit_names:
            rows.append({"model": name, "rating": None, "ci": None, "rank": None,
                         "rank_ci": None, "battles": 0, "wins": 0, "losses": 0, "ties": 0,
                         "scores": scores[name]})
    tie = board.fit.tie_strength
    styled = None
    if style == "length":
        coded = Battles(np.array([remap[i] for i in a]), np.array([remap[i] for i in b]),
                        np.array(verdicts), len(present))
        boot = bootstrap_style_controlled(
            coded, length_covariate([la for la, _ in lengths], [lb for _, lb in lengths]),
            rounds=bootstrap, rng=rng)
        fit = boot.fit
        styled = {"covariate": "length", "coefficient": _r(fit.coefficient),
                  "coefficient_ci": None if bootstrap == 0
                  else [_r(v) for v in boot.coefficient_ci],
                  "converged": fit.converged, "bootstrap": bootstrap,
                  "ratings": {fit_names[i]: _r(fit.ratings[i]) for i in range(len(present))},
                  "ci": None if bootstrap == 0 else {
                      fit_names[i]: [_r(boot.ci_low[i]), _r(boot.ci_high[i])]
                      for i in range(len(present))},
                  "rank": {fit_names[i]: int(boot.rank[i]) for i in range(len(present))},
                  "rank_ci": {fit_names[i]: [int(boot.rank_low[i]), int(boot.rank_high[i])]
                              for i in range(len(present))}}
    return {**base, "style_control": styled, "tie_strength": _r(tie, 4),
            "converged": board.converged, "models": rows,
            "win_rates": _win_rates(fit_names, [remap[i] for i in a], [remap[i] for i in b],
                                    verdicts, board.order().tolist())}
