"""The rule kinds: one module each, registered here. A new kind is one module with an
``evaluate_<kind>(ctx, acc)`` function, its ``Kind`` member and parameters schema in
:mod:`ansafe_rules.rulesets`, and one line in :data:`KINDS`."""

from __future__ import annotations

from collections.abc import Callable

from ..context import Acc, Ctx
from ..rulesets import Kind
from .deadline import evaluate_deadline
from .frequency import evaluate_frequency
from .preferred_window import evaluate_preferred_window
from .prohibition import evaluate_prohibition
from .qualification import evaluate_qualification
from .required_fields import evaluate_required_fields
from .retention import evaluate_retention

__all__ = ["KINDS"]

KINDS: dict[Kind, Callable[[Ctx, Acc], None]] = {
    Kind.deadline: evaluate_deadline,
    Kind.frequency: evaluate_frequency,
    Kind.retention: evaluate_retention,
    Kind.required_fields: evaluate_required_fields,
    Kind.qualification: evaluate_qualification,
    Kind.prohibition: evaluate_prohibition,
    Kind.preferred_window: evaluate_preferred_window,
}
"""The evaluator of each kind: it adds the rule's obligations and findings to ``acc``."""
