"""Norm-constrained models ``min D(w, b)`` subject to ``||w||_p <= t``, ball projections, and the two forms.

* :func:`projection_l1_ball`, :func:`projection_lp_ball`: Euclidean projections onto norm balls;
* :class:`ConstrainedRegression`, :class:`ConstrainedClassifier`: certified constrained fits whose
  ``multiplier_`` is the ``alpha`` of the equivalent penalized model;
* :func:`radius_for_alpha`, :func:`alpha_for_radius`, :func:`path_radii`: the penalized and the
  constrained forms of the same family of solutions.

The norms and projections live in :mod:`lpnet.geometry` (below the models); they are re-exported here.
"""

from ..geometry import (
    LocalSolutionWarning,
    lp_norm,
    path_radii,
    projection_l1_ball,
    projection_lp_ball,
)
from .estimator import ConstrainedClassifier, ConstrainedRegression
from .forms import alpha_for_radius, radius_for_alpha

__all__ = [
    "ConstrainedClassifier",
    "ConstrainedRegression",
    "LocalSolutionWarning",
    "alpha_for_radius",
    "lp_norm",
    "path_radii",
    "projection_l1_ball",
    "projection_lp_ball",
    "radius_for_alpha",
]
