"""The drill-down's sparkline draws exactly what Textual's own would, cell for cell."""

import random

import pytest
from rich.color import Color
from rich.console import Console
from textual.renderables.sparkline import Sparkline as TextualBars

from okrtui.app.widgets.history import _ColumnBars


def _segments(renderable, width: int) -> list:
    console = Console(width=width, color_system="truecolor", force_terminal=True)
    return list(console.render(renderable, console.options.update(width=width)))


@pytest.mark.parametrize("seed", range(12))
def test_each_column_is_drawn_as_textuals_sparkline_draws_it(seed):
    chance = random.Random(seed)
    data = [chance.choice([chance.uniform(-5, 100), chance.randint(0, 3)]) for _ in range(chance.randint(2, 300))]
    width, height = chance.randint(1, 120), chance.randint(1, 4)
    colours = dict(min_color=Color.parse("#3a7d44"), max_color=Color.parse("#d1495b"))
    ours = _ColumnBars(data, width=width, height=height, **colours)
    theirs = TextualBars(data, width=width, height=height, **colours)
    assert _segments(ours, width) == _segments(theirs, width)


@pytest.mark.parametrize("data", [[], [7], [3, 3, 3]])
def test_short_and_flat_histories_too(data):
    colours = dict(min_color=Color.parse("#3a7d44"), max_color=Color.parse("#d1495b"))
    assert _segments(_ColumnBars(data, width=20, height=2, **colours), 20) == \
        _segments(TextualBars(data, width=20, height=2, **colours), 20)
