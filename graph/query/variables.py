"""Variable names of a SPARQL query, renamed to ASCII for engines that refuse others (Virtuoso).

SPARQL allows any letter in a variable name (`?辖区`), and the example queries use Chinese
names; Virtuoso's compiler stops at the first byte outside ASCII ("Bad character … in SPARQL
expression"). `ascii_variables` walks the query token by token — strings (all four quotings,
with escapes), IRIs, comments, prefixed names, variables — and renames only variables, so
text inside a literal, an IRI or a comment is never touched; the map it returns names the
result columns back.

The tokenizer is a pure function of the text: no engine is asked anything.
"""

from __future__ import annotations

import re

# a variable name: VARNAME of the SPARQL 1.1 grammar (PN_CHARS_U or a digit, then those, · and combining marks)
_NAME_START = "A-Za-z_0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
_NAME_REST = _NAME_START + "\u00b7\u0300-\u036f\u203f-\u2040"
_VARIABLE = re.compile(f"[?$]([{_NAME_START}][{_NAME_REST}]*)")
_LONG_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|' + r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.S)
_STRING = re.compile(r'"(?:[^"\\\n\r]|\\.)*"|' + r"'(?:[^'\\\n\r]|\\.)*'")
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_COMMENT = re.compile(r"#[^\n\r]*")
# a word: keyword, prefixed name (its local part may hold ':' '.' '-' and %-escapes), number, language tag
_WORD = re.compile(f"[{_NAME_REST}\\-:%.]+|@[A-Za-z0-9-]+")
_ABSOLUTE = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]*:|>)")


def tokens(query: str) -> list[tuple[str, str]]:
    """The query as (kind, text) pairs; kinds: string, iri, comment, variable, word, space, other.

    Joining the texts gives the query back unchanged. After an operand (a variable, a literal,
    a number, ')') a '<' opens an IRI only if the IRI is absolute (`?s <http://…> ?o`); else it
    is the operator "less than" (`?a<?b`).
    """
    out: list[tuple[str, str]] = []
    position, length = 0, len(query)
    operand_before = False  # the last significant token ends an operand: a '<' now compares
    while position < length:
        char = query[position]
        match = None
        kind = "other"
        if char in "\"'":
            match = _LONG_STRING.match(query, position) or _STRING.match(query, position)
            kind = "string"
        elif char == "<":
            match = _IRI.match(query, position)
            if match and operand_before and not _ABSOLUTE.match(match.group(0)):
                match = None  # `?a<?b && ?c>?d`: comparisons, not the relative IRI "?b && ?c"
            kind = "iri"
        elif char == "#":
            match = _COMMENT.match(query, position)
            kind = "comment"
        elif char in "?$":
            match = _VARIABLE.match(query, position)
            kind = "variable"
        elif char.isspace():
            end = position
            while end < length and query[end].isspace():
                end += 1
            out.append(("space", query[position:end]))
            position = end
            continue
        else:
            match = _WORD.match(query, position)
            kind = "word"
        if match is None:  # an unterminated string, a lone '?' (a path modifier), an operator
            text, kind = char, "other"
        else:
            text = match.group(0)
        out.append((kind, text))
        position += len(text)
        if kind == "comment":
            continue
        if kind in ("string", "variable", "iri"):
            operand_before = True
        elif kind == "word":
            operand_before = text[:1].isdigit() or text.startswith("@") or ":" in text
        else:
            operand_before = text == ")"
    return out


def variable_names(query: str) -> set[str]:
    """The variables the query names (without '?' or '$')."""
    return {text[1:] for kind, text in tokens(query) if kind == "variable"}


def ascii_variables(query: str) -> tuple[str, dict[str, str]]:
    """The query with every non-ASCII variable renamed (`?辖区` → `?v1_`, the same name for `$辖区`),
    and the map new name → old name. ASCII-named variables, strings, IRIs and comments are left as they are;
    new names never clash with a name the query already uses."""
    parts = tokens(query)
    taken = {text[1:] for kind, text in parts if kind == "variable"}
    renamed: dict[str, str] = {}
    back: dict[str, str] = {}
    counter = 0
    out = []
    for kind, text in parts:
        if kind == "variable" and not text[1:].isascii():
            name = text[1:]
            if name not in renamed:
                while True:
                    counter += 1
                    candidate = f"v{counter}_"
                    if candidate not in taken:
                        break
                taken.add(candidate)
                renamed[name] = candidate
                back[candidate] = name
            text = text[0] + renamed[name]
        out.append(text)
    return "".join(out), back
