"""The flow of items (GB/T 45836 §5.2.4): serial stages of parallel groups; the critical path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def find_cycle(needs: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A cycle in the "needs" graph as a list of ids (first repeated at the end), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in needs.get(node, ()):
            if nxt not in needs:
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in needs:
        if node not in state and (found := visit(node)):
            return found
    return None


def stages(chosen: Iterable[str], needs: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Group chosen items into ordered stages; items of one stage run in parallel.

    An item's stage is one past the latest stage of the chosen items it needs. Order within a stage
    follows the order of ``chosen``. The graph must be acyclic (the checker proves it).
    """
    order = list(chosen)
    members = set(order)
    level: dict[str, int] = {}

    def depth(node: str) -> int:
        if node not in level:
            level[node] = 1 + max(
                (depth(n) for n in needs.get(node, ()) if n in members), default=-1
            )
        return level[node]

    result: list[list[str]] = []
    for node in order:
        d = depth(node)
        while len(result) <= d:
            result.append([])
        result[d].append(node)
    return result


def critical_path(
    chosen: Iterable[str], needs: Mapping[str, Sequence[str]], days: Mapping[str, int]
) -> tuple[int, list[str]]:
    """Working days of the longest chain of chosen items, and that chain in order."""
    members = list(chosen)
    member_set = set(members)
    finish: dict[str, tuple[int, list[str]]] = {}

    def longest(node: str) -> tuple[int, list[str]]:
        if node not in finish:
            before = [longest(n) for n in needs.get(node, ()) if n in member_set]
            total, chain = max(before, key=lambda p: p[0], default=(0, []))
            finish[node] = (total + days.get(node, 0), [*chain, node])
        return finish[node]

    return max((longest(n) for n in members), key=lambda p: p[0], default=(0, []))
