"""The selection string syntax: a hand-written tokenizer and recursive-descent parser that
turn ``+key:raw/orders or (group:marts and not kind:dbt)`` into an `AssetSelection`.

Grammar (``not`` binds tighter than ``and``, which binds tighter than ``or``; keywords may
also be written ``AND``, ``OR``, ``NOT``)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | traversal
    traversal  := [DIGITS] "+" primary ["+" [DIGITS]] | primary ["+" [DIGITS]]
    primary    := "*" | "(" expr ")" | FUNCTION "(" expr ")" | ATTRIBUTE ":" value | value
                | "check" ":" value ":" value        (an asset key, then a check name)
    ATTRIBUTE  := key | key_prefix | group | tag | owner | kind
    FUNCTION   := roots | sinks | required_multi_asset_neighbors | checks_for
    value      := WORD | "quoted \\" string"      (tag values: value ["=" value])

Every error is a `SelectionError` pointing at the offending position.
Must not import anything from assetgraph beyond `definitions` and `graph`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assetgraph.definitions.errors import SelectionError, close_matches
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.graph.selection import (
    KEYWORDS,
    AllSelection,
    AssetSelection,
    ChecksForAssetsSelection,
    ChecksSelection,
    DownstreamSelection,
    GroupsSelection,
    KeyPatternSelection,
    KeyPrefixesSelection,
    KeysSelection,
    KindsSelection,
    MultiAssetNeighborsSelection,
    NotSelection,
    OwnersSelection,
    RootsSelection,
    SinksSelection,
    TagSelection,
    UpstreamSelection,
)

ATTRIBUTES = ("key", "key_prefix", "group", "tag", "owner", "kind", "check")
FUNCTIONS: dict[str, Callable[[AssetSelection], AssetSelection]] = {
    "roots": RootsSelection,
    "sinks": SinksSelection,
    "required_multi_asset_neighbors": MultiAssetNeighborsSelection,
    "checks_for": ChecksForAssetsSelection,
}
# Parentheses, functions and `not` recurse; a selection nested deeper than this is an error, not a
# RecursionError (a request could otherwise make the server fail with 5,000 opening parentheses).
MAX_NESTING = 64
VALUE_ATTRIBUTES: dict[str, Callable[[tuple[str, ...]], AssetSelection]] = {
    "group": GroupsSelection,
    "owner": OwnersSelection,
    "kind": KindsSelection,
}
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./@*")
_PUNCTUATION = frozenset("():=+")


@dataclass(frozen=True)
class Token:
    """``kind`` is ``word``, ``string``, one of ``( ) : = +``, or ``end``. ``segments`` is the
    value split at unescaped ``*`` wildcards."""

    kind: str
    text: str
    start: int
    end: int
    segments: tuple[str, ...] = ()
    # The value split at unescaped '/': the components of an asset key (``"a\\/b/c"`` → a/b, c).
    components: tuple[str, ...] = ()

    def is_keyword(self, word: str) -> bool:
        """``word`` in lower case or, as Dagster also accepts, upper case."""
        return self.kind == "word" and self.text in (word, word.upper())


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; raises `SelectionError` at a character that fits nowhere."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char in _PUNCTUATION:
            tokens.append(Token(char, char, pos, pos + 1))
            pos += 1
        elif char == '"':
            token = _read_string(text, pos)
            tokens.append(token)
            pos = token.end
        elif char in _WORD_CHARS:
            end = pos
            while end < len(text) and text[end] in _WORD_CHARS:
                end += 1
            word = text[pos:end]
            tokens.append(Token("word", word, pos, end, tuple(word.split("*")), tuple(word.split("/"))))
            pos = end
        else:
            raise SelectionError(f"unexpected character {char!r}; quote values with spaces or symbols", text, pos)
    tokens.append(Token("end", "", len(text), len(text)))
    return tokens


def _read_string(text: str, start: int) -> Token:
    """A double-quoted value: ``\\"``, ``\\\\``, ``\\*`` and ``\\/`` are literal; a bare ``*`` is a
    wildcard and a bare ``/`` separates the components of a key (``\\/`` is a slash inside one)."""
    segments: list[str] = []
    current: list[str] = []
    components: list[str] = []
    component: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == "\\" and pos + 1 < len(text):
            current.append(text[pos + 1])
            component.append(text[pos + 1])
            pos += 2
            continue
        if char == '"':
            segments.append("".join(current))
            components.append("".join(component))
            return Token("string", text[start:pos + 1], start, pos + 1, tuple(segments), tuple(components))
        if char == "*":
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
        if char == "/":
            components.append("".join(component))
            component = []
        else:
            component.append(char)
        pos += 1
    raise SelectionError("this quoted value is never closed; add a closing '\"'", text, start)


def parse_selection(text: str) -> AssetSelection:
    """Parse the selection string syntax.

    >>> str(parse_selection("2+key:raw/orders or group:marts"))
    '2+key:raw/orders or group:marts'

    Raises `SelectionError` with the position of the first problem.
    """
    if not isinstance(text, str):
        raise SelectionError(f"A selection string must be a str, got {type(text).__name__}.")
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def error(self, message: str, token: Token | None = None) -> SelectionError:
        return SelectionError(message, self.text, (token or self.current).start)

    def parse(self) -> AssetSelection:
        if self.current.kind == "end":
            raise self.error("expected an expression; an empty selection selects nothing (use * for all)")
        selection = self.parse_or()
        if self.current.kind != "end":
            raise self.error(f"expected 'and', 'or' or the end, found {self.current.text!r}")
        return selection

    def parse_or(self) -> AssetSelection:
        selection = self.parse_and()
        while self.current.is_keyword("or"):
            self.advance()
            selection = selection | self.parse_and_after("or")
        return selection

    def parse_and(self) -> AssetSelection:
        selection = self.parse_not()
        while self.current.is_keyword("and"):
            self.advance()
            selection = selection & self.parse_not_after("and")
        return selection

    def parse_and_after(self, keyword: str) -> AssetSelection:
        self.expect_operand(keyword)
        return self.parse_and()

    def parse_not_after(self, keyword: str) -> AssetSelection:
        self.expect_operand(keyword)
        return self.parse_not()

    def expect_operand(self, keyword: str) -> None:
        if self.current.kind in ("end", ")") or self.current.is_keyword("and") or self.current.is_keyword("or"):
            raise self.error(f"expected an expression after {keyword!r}")

    def enter(self, token: Token) -> None:
        """One level deeper into parentheses, a function or `not`; refuses absurd nesting."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"the selection nests more than {MAX_NESTING} levels of parentheses, functions and "
                             "'not'; write it with fewer levels", token)

    def parse_not(self) -> AssetSelection:
        if self.current.is_keyword("not"):
            self.enter(self.advance())
            selection = NotSelection(self.parse_not_after("not"))
            self.depth -= 1
            return selection
        return self.parse_traversal()

    def parse_traversal(self) -> AssetSelection:
        up_depth, has_up = self.parse_up_traversal()
        selection = self.parse_primary()
        has_down, down_depth = self.parse_down_traversal()
        if has_up and has_down:
            return UpstreamSelection(selection, up_depth) | DownstreamSelection(selection, down_depth)
        if has_up:
            return UpstreamSelection(selection, up_depth)
        if has_down:
            return DownstreamSelection(selection, down_depth)
        return selection

    def parse_up_traversal(self) -> tuple[int | None, bool]:
        token, following = self.current, self.tokens[min(self.index + 1, len(self.tokens) - 1)]
        if token.kind == "word" and token.text.isdigit() and following.kind == "+" and following.start == token.end:
            self.index += 2
            return int(token.text), True
        if token.kind == "+":
            self.advance()
            return None, True
        return None, False

    def parse_down_traversal(self) -> tuple[bool, int | None]:
        plus = self.current
        if plus.kind != "+":
            return False, None
        self.advance()
        depth = self.current
        if depth.kind == "word" and depth.text.isdigit() and depth.start == plus.end:
            self.advance()
            return True, int(depth.text)
        return True, None

    def parse_primary(self) -> AssetSelection:
        token = self.current
        if token.kind == "(":
            return self.parse_parenthesised()
        if token.kind == "word" and token.text in KEYWORDS:
            raise self.error(f"expected an expression, found the keyword {token.text!r}")
        if token.kind == "word" and self.tokens[self.index + 1].kind == ":":
            return self.parse_attribute()
        if token.kind == "word" and token.text in FUNCTIONS and self.tokens[self.index + 1].kind == "(":
            self.advance()
            return FUNCTIONS[token.text](self.parse_parenthesised())
        if token.kind in ("word", "string"):
            self.advance()
            return self.key_selection(token)
        if token.kind == "end":
            raise self.error("expected an expression; the selection ends too early")
        raise self.error(f"expected an expression, found {token.text!r}")

    def parse_parenthesised(self) -> AssetSelection:
        opening = self.advance()
        self.enter(opening)
        if self.current.kind == ")":
            raise self.error("expected an expression inside the parentheses")
        selection = self.parse_or()
        if self.current.kind != ")":
            if self.current.kind == "end":
                raise self.error("this parenthesis is never closed; add a ')'", opening)
            raise self.error(f"expected ')' or an operator, found {self.current.text!r}")
        self.advance()
        self.depth -= 1
        return selection

    def parse_attribute(self) -> AssetSelection:
        name = self.advance()
        self.advance()  # the ':'
        if name.text not in ATTRIBUTES:
            raise self.error(_unknown_attribute_message(name.text), name)
        value = self.parse_value(f"{name.text}:")
        if name.text == "key":
            return self.key_selection(value)
        if name.text == "tag":
            return self.parse_tag(value)
        if name.text == "key_prefix":
            return self.key_prefix_selection(value)
        if name.text == "check":
            return self.check_selection(value)
        return VALUE_ATTRIBUTES[name.text]((self.literal(value, name.text),))

    def parse_value(self, after: str) -> Token:
        token = self.current
        if token.kind not in ("word", "string"):
            raise self.error(f"expected a value after {after!r}")
        return self.advance()

    def parse_tag(self, key: Token) -> AssetSelection:
        if self.current.kind != "=":
            return TagSelection(self.literal(key, "tag"))
        self.advance()
        value = self.parse_value(f"tag:{key.text}=")
        return TagSelection(self.literal(key, "tag"), self.literal(value, "tag"))

    def literal(self, token: Token, attribute: str) -> str:
        if len(token.segments) != 1:
            raise self.error(f"wildcards '*' work only in key: values, not in {attribute}:; "
                             "write \\* inside quotes for a literal star", token)
        return token.segments[0]

    def key_prefix_selection(self, token: Token) -> AssetSelection:
        text = self.literal(token, "key_prefix")
        if "" in text.split("/"):
            raise self.error(f"{token.text!r} is not a key prefix: each part between '/' must be non-empty", token)
        return KeyPrefixesSelection((tuple(text.split("/")),))

    def check_selection(self, asset: Token) -> AssetSelection:
        if self.current.kind != ":":
            raise self.error("expected ':' and a check name after the asset key, as in check:raw/orders:not_empty")
        self.advance()
        name = self.parse_value(f"check:{asset.text}:")
        asset_text = self.literal(asset, "check")
        if "" in asset_text.split("/"):
            raise self.error(f"{asset.text!r} is not an asset key: each part between '/' must be non-empty", asset)
        return ChecksSelection((AssetCheckKey(AssetKey.from_user_string(asset_text), self.literal(name, "check")),))

    def key_selection(self, token: Token) -> AssetSelection:
        if token.segments == ("", ""):
            return AllSelection()
        if len(token.segments) > 1:
            return KeyPatternSelection(token.segments)
        if "" in token.components:
            raise self.error(f"{token.text!r} is not an asset key: each part between '/' must be non-empty",
                             token)
        return KeysSelection((AssetKey(token.components),))


def _unknown_attribute_message(name: str) -> str:
    message = f"unknown attribute {name!r}; use one of {', '.join(ATTRIBUTES)}"
    suggestions = close_matches(name, ATTRIBUTES)
    if suggestions:
        message += f" (did you mean: {', '.join(suggestions)}?)"
    return message
