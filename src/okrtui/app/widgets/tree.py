"""The drill-down's tree of OKRs: labels kept as Content (user text literal), drawn with the theme of the moment."""

from __future__ import annotations

from rich.style import Style as RichStyle
from rich.text import Text
from textual.binding import Binding
from textual.content import Content, Span
from textual.geometry import Region
from textual.style import Style
from textual.widgets import Tree
from textual.widgets.tree import TreeNode


class OkrTree(Tree):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        super().watch_cursor_line(previous_line, line)
        # The detail follows in the same frame as the cursor, not one frame later with
        # the NodeHighlighted message (which still comes, and then finds nothing to change).
        if previous_line != line and self.screen.is_mounted and hasattr(self.screen, "cursor_moved"):
            self.screen.cursor_moved()

    def process_label(self, label) -> Text:
        # Our labels are Content (user text kept literal): the tree keeps its plain text, and
        # render_label draws the Content's colours with the theme of the moment.
        if isinstance(label, Content):
            return Text(label.plain)
        return super().process_label(label)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contents: dict[int, Content] = {}  # node id -> its label with colours

    def label(self, node: TreeNode, content: Content) -> TreeNode:
        """Give `node` this label; a node whose text and colours are unchanged is left alone
        (a relabelled node repaints its line)."""
        shown = self.contents.get(node.id)
        if shown is None or (shown.plain, shown.spans) != (content.plain, content.spans):
            self.contents[node.id] = content
            if node is self.root and shown is not None:
                self._relabel_root(content)
            else:
                node.set_label(content)
        return node

    def _relabel_root(self, content: Content) -> None:
        # TreeNode.set_label repaints the node's line and every line below it: for the root
        # (the strategic objective, whose score every check-in moves) that is the whole tree,
        # a third of the repaint that shows a check-in. The other lines have not changed: only
        # the root's own line is repainted (the others' cached lines give way when next drawn).
        root = self.root
        root._updates += 1
        root._label = self.process_label(content)
        line = root.line
        if line >= 0:
            self.refresh(Region(0, line - self.scroll_offset.y, self.size.width, 1))

    def clear(self) -> "OkrTree":
        self.contents = {}
        return super().clear()

    def render_label(self, node: TreeNode, base_style: RichStyle, style: RichStyle) -> Text:
        text = super().render_label(node, base_style, style)  # the fold icon, then the plain label
        content = self.contents.get(node.id)
        if content is None:
            return text
        # Resolved now, so a change of theme recolours the tree; a translucent theme colour
        # has nothing to blend with in a Rich Text, so muted text is drawn dim.
        content = Content(content.plain, [Span(span.start, span.end, "dim" if span.style == "$text-muted" else span.style)
                                          for span in content.spans])
        label = Text.assemble(*((part, part_style.rich_style if part_style else "")
                                for part, part_style in content.render(Style(), end="")))
        # Under the label's own colours, so the cursor row keeps its band colours.
        label.stylize_before(style)
        return Text.assemble(text[:len(text) - len(node.label)], label)
