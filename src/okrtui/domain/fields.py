"""The field types of the models: the rules of text.py as Pydantic annotations.

Kept apart from text.py so that code which only needs the rules (the quick
check-in of the command line) never imports Pydantic.
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import AfterValidator, BeforeValidator, StrictFloat, StrictInt

from okrtui.domain.text import _check_code, _finite, _not_too_long, _strict_text, multi_line, one_line

Title = Annotated[str, BeforeValidator(_strict_text), AfterValidator(one_line(1, 200))]
Name = Title
ShortText = Annotated[str, BeforeValidator(_strict_text), AfterValidator(one_line(0, 64))]
Author = Annotated[str, BeforeValidator(_strict_text), AfterValidator(one_line(1, 64))]
Note = Annotated[str, BeforeValidator(_strict_text), AfterValidator(multi_line(2000))]
Description = Note
Code = Annotated[
    str, BeforeValidator(_strict_text), AfterValidator(one_line(1, 16)), AfterValidator(_check_code)
]
CycleId = Annotated[str, BeforeValidator(_strict_text), AfterValidator(one_line(1, 32))]
# Values are kept as given (an int stays an int) so output writes them as stored.
Number = Annotated[Union[StrictInt, StrictFloat], BeforeValidator(_not_too_long), AfterValidator(_finite)]
