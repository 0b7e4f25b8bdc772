"""Microdata and RDFa read from an already parsed page (selectolax/lexbor), no other parser.

`microdata_items` follows the W3C microdata algorithm (https://html.spec.whatwg.org/#microdata)
and returns each top-level item as a JSON-LD-like dict: {"@type": "Product", "name": ...,
"offers": {"@type": "Offer", ...}}; a property given more than once becomes a list.

`rdfa_items` is a compact RDFa 1.1 reader for the schema.org part of a page (`vocab`, `prefix`,
`typeof`, `property`, `rel`, `about`, `resource`, `href`, `src`, `content`). It returns one flat
dict per schema.org node: {"@id": ..., "@type": ["Product"], "name": ..., "offers": {"@id": "_:b1"}};
references between nodes stay {"@id": ...} for `StructuredData.deref` to follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

Tree = LexborHTMLParser | LexborNode

_WS = re.compile(r"\s+")
# Elements whose edges separate words in rendered text (the rest run together: "$<b>24</b>" is "$24").
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "option", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul",
})  # fmt: skip
_NO_TEXT = frozenset({"script", "style", "template", "noscript", "head", "meta", "link"})
_MAX_DEPTH = 30  # nested items; real data is a few levels deep


def text_content(node: LexborNode) -> str:
    """The element's text as a visitor reads it: whitespace collapsed, blocks separated by a space."""
    parts: list[str] = []
    stack: list[LexborNode | str] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            parts.append(current)
            continue
        tag = current.tag or ""
        if tag == "-text":
            parts.append(current.text_content or "")
            continue
        if tag.startswith(("-", "_", "#")) or (tag in _NO_TEXT and current is not node):
            continue  # comments, doctype, hidden content
        block = tag in _BLOCK
        if block:
            stack.append(" ")
        children = []
        child = current.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
        if block:
            stack.append(" ")
    return _WS.sub(" ", "".join(parts)).strip()


def _url(base: str | None, value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if value.startswith("data:"):
        return value
    return urljoin(base or "", value)


# ----------------------------------------------------------------------------- microdata


def _short_itemtype(itemtype: str) -> str:
    """`https://schema.org/Product` -> `Product` (the fragment for `.../vocab#Product`)."""
    parts = urlsplit(itemtype)
    if parts.netloc:
        if parts.fragment:
            return parts.fragment.strip("/")
        if parts.path:
            return parts.path.strip("/")
    return itemtype


class _Microdata:
    def __init__(self, tree: Tree, base_url: str | None) -> None:
        self.tree = tree
        self.base = base_url
        self._ids: dict[str, LexborNode] | None = None
        self.scopes = tree.css("[itemscope]")
        # Each itemprop element belongs to the nearest itemscope above it.
        self.own_props: dict[int, list[LexborNode]] = {}
        for prop in tree.css("[itemprop]") if self.scopes else []:
            owner = prop.parent
            while owner is not None and owner.is_element_node and "itemscope" not in owner.attributes:
                owner = owner.parent
            if owner is not None and owner.is_element_node:
                self.own_props.setdefault(owner.mem_id, []).append(prop)

    def _by_id(self, ident: str) -> LexborNode | None:
        if self._ids is None:
            self._ids = {}
            for node in self.tree.css("[id]"):
                self._ids.setdefault(node.attributes.get("id") or "", node)
        return self._ids.get(ident)

    def properties(self, scope: LexborNode) -> list[LexborNode]:
        """The item's property elements: its own, then those of the elements named in itemref."""
        props = list(self.own_props.get(scope.mem_id, []))
        refs = (scope.attributes.get("itemref") or "").split()
        if refs:
            seen = {p.mem_id for p in props}
            for ref in refs:
                root = self._by_id(ref)
                if root is None:
                    continue
                for prop in self._crawl(root):
                    if prop.mem_id not in seen and prop.mem_id != scope.mem_id:
                        seen.add(prop.mem_id)
                        props.append(prop)
        return props

    @staticmethod
    def _crawl(root: LexborNode) -> list[LexborNode]:
        """itemprop elements at and under a referenced element, not inside another item there."""
        found = [root] if "itemprop" in root.attributes else []
        if "itemscope" in root.attributes:
            return found
        for prop in root.css("[itemprop]"):
            if prop.mem_id == root.mem_id:
                continue
            parent = prop.parent
            while parent is not None and parent.mem_id != root.mem_id and "itemscope" not in parent.attributes:
                parent = parent.parent
            if parent is not None and parent.mem_id == root.mem_id:
                found.append(prop)
        return found

    def value(self, node: LexborNode, stack: tuple[int, ...]) -> Any:
        attrs = node.attributes
        if "itemscope" in attrs:
            return self.item(node, stack)
        return self.plain_value(node)

    def plain_value(self, node: LexborNode) -> str:
        attrs, tag = node.attributes, node.tag
        if tag == "meta":
            return (attrs.get("content") or "").strip()
        if tag in ("audio", "embed", "iframe", "img", "source", "track", "video"):
            return _url(self.base, attrs.get("src"))
        if tag in ("a", "area", "link"):
            return _url(self.base, attrs.get("href"))
        if tag == "object":
            return _url(self.base, attrs.get("data"))
        if tag in ("data", "meter"):
            return (attrs.get("value") or "").strip()
        if tag == "time" and attrs.get("datetime"):
            return (attrs.get("datetime") or "").strip()
        if (attrs.get("content") or "").strip():  # not in the spec, but schema.org's own examples do it
            return (attrs.get("content") or "").strip()
        return text_content(node)

    def item(self, scope: LexborNode, stack: tuple[int, ...] = ()) -> dict[str, Any]:
        stack = (*stack, scope.mem_id)
        attrs = scope.attributes
        out: dict[str, Any] = {}
        types = (attrs.get("itemtype") or "").split()
        if types:
            out["@type"] = _short_itemtype(types[0]) if len(types) == 1 else types
        if (attrs.get("itemid") or "").strip():
            out["@id"] = _url(self.base, attrs.get("itemid"))
        values: dict[str, list[Any]] = {}
        for prop in self.properties(scope):
            if prop.mem_id in stack or len(stack) > _MAX_DEPTH:
                continue  # an item that contains itself, or hostile nesting
            value = self.value(prop, stack)
            for name in (prop.attributes.get("itemprop") or "").split():
                values.setdefault(name, []).append(value)
        for name, vals in values.items():
            out[name] = vals[0] if len(vals) == 1 else vals
        if not values:  # an item with no properties: its own value stands for it
            out["value"] = self.plain_value(scope)
        return out

    def top_level(self) -> list[dict[str, Any]]:
        # Items that are a property of another item appear inside it; the rest are top-level
        # (including an itemprop item outside any item, which a strict reading would drop).
        claimed: set[int] = set()
        for scope in self.scopes:
            for prop in self.properties(scope):
                if "itemscope" in prop.attributes and prop.mem_id != scope.mem_id:
                    claimed.add(prop.mem_id)
        return [self.item(scope) for scope in self.scopes if scope.mem_id not in claimed]


def microdata_items(tree: Tree, base_url: str | None = None) -> list[dict[str, Any]]:
    """The page's top-level microdata items, in document order, nested items inline."""
    return _Microdata(tree, base_url).top_level()


# ----------------------------------------------------------------------------- RDFa

_XHV = "http://www.w3.org/1999/xhtml/vocab#"
# The RDFa 1.1 initial context (the prefixes that appear on shop pages), plus Open Graph's.
_PREFIXES = {
    "schema": "http://schema.org/",
    "og": "http://ogp.me/ns#",
    "fb": "http://ogp.me/ns/fb#",
    "product": "http://ogp.me/ns/product#",
    "article": "http://ogp.me/ns/article#",
    "twitter": "https://dev.twitter.com/cards#",
    "dc": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "gr": "http://purl.org/goodrelations/v1#",
    "v": "http://rdf.data-vocabulary.org/#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sioc": "http://rdfs.org/sioc/ns#",
    "cc": "http://creativecommons.org/ns#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xhv": _XHV,
}
# Terms usable without a vocabulary (RDFa initial context + XHTML vocabulary), for @rel.
_TERMS = frozenset({
    "alternate", "appendix", "bookmark", "chapter", "cite", "contents", "copyright", "describedby", "glossary",
    "help", "icon", "index", "first", "last", "license", "meta", "next", "p3pv1", "prev", "previous", "role",
    "section", "start", "stylesheet", "subsection", "top", "up",
})  # fmt: skip
_HTML_LITERAL = ("rdf:XMLLiteral", "rdf:HTML")
_RDFA_ATTRS = frozenset(
    {"about", "resource", "href", "src", "typeof", "property", "rel", "rev", "vocab", "prefix", "content", "datatype"}
)
_RDFA_SELECTOR = "[typeof], [property], [rel], [rev], [about], [resource], [vocab], [prefix], [datatype]"
_PREFIX_DECL = re.compile(r"([^\s:]*):\s+(\S+)")


@dataclass
class _Context:
    base: str
    parent_subject: str
    parent_object: str | None
    vocab: str | None
    prefixes: dict[str, str]
    incomplete: list[tuple[str, bool]] = field(default_factory=list)  # (predicate, forward)


class _Rdfa:
    def __init__(self, base_url: str | None) -> None:
        self.base = base_url or ""
        self.nodes: dict[str, dict[str, list[Any]]] = {}
        self.types: dict[str, list[str]] = {}
        self._bnodes = 0

    def bnode(self) -> str:
        self._bnodes += 1
        return f"_:b{self._bnodes}"

    def node(self, subject: str) -> dict[str, list[Any]]:
        self.types.setdefault(subject, [])
        return self.nodes.setdefault(subject, {})

    def add(self, subject: str, predicate: str, value: Any) -> None:
        self.node(subject).setdefault(predicate, []).append(value)

    # --- names

    def curie(self, value: str, ctx: _Context) -> str | None:
        """A CURIE or absolute IRI ("schema:name", "http://schema.org/name"), else None."""
        if value.startswith("_:"):
            return value
        prefix, colon, reference = value.partition(":")
        if not colon:
            return None
        if prefix == "":
            return _XHV + reference
        ns = ctx.prefixes.get(prefix.lower())
        if ns is not None:
            return ns + reference
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", prefix):  # an absolute IRI ("https://...")
            return value
        return None

    def term_or_curie(self, value: str, ctx: _Context) -> str | None:
        """@typeof / @property / @rel values: a term (with @vocab), a CURIE or an IRI."""
        if ":" in value:
            return self.curie(value, ctx)
        if ctx.vocab:
            return ctx.vocab + value
        if value.lower() in _TERMS:
            return _XHV + value.lower()
        return None

    def resource(self, value: str | None, ctx: _Context) -> str | None:
        """@about / @resource: a safe CURIE "[x:y]", a CURIE, or an IRI relative to the base."""
        if value is None:
            return None
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            return self.curie(value[1:-1], ctx)
        if ":" in value and not value.startswith(("http:", "https:", "//")):
            resolved = self.curie(value, ctx)
            if resolved is not None and not resolved.startswith(("mailto:", "tel:")):
                return resolved
        return urljoin(ctx.base, value)

    def iri(self, value: str | None, ctx: _Context) -> str | None:
        return urljoin(ctx.base, value.strip()) if value is not None else None

    # --- the processing sequence (RDFa 1.1 Core, section 7.5), without lists or languages

    def run(self, root: LexborNode, relevant: set[int]) -> None:
        """Walk the elements in `relevant` (those with RDFa attributes and their ancestors) in
        document order; below an unfinished @rel, every element (a plain <a href> completes it)."""
        ctx = _Context(self.base, self.base, None, None, dict(_PREFIXES))
        stack: list[tuple[LexborNode, _Context]] = [(root, ctx)]
        while stack:
            element, ctx = stack.pop()
            attrs = element.attributes
            is_root = element.mem_id == root.mem_id
            if not is_root and _RDFA_ATTRS.isdisjoint(attrs) and not any(k.startswith("xmlns:") for k in attrs):
                child_ctx = ctx  # nothing to say: the context passes through unchanged
            else:
                child_ctx = self.element(element, attrs, ctx, is_root)
            children = []
            child = element.child
            while child is not None:
                if child.is_element_node and (child_ctx.incomplete or child.mem_id in relevant):
                    children.append((child, child_ctx))
                child = child.next
            stack.extend(reversed(children))

    def element(self, element: LexborNode, attrs: dict[str, str | None], ctx: _Context, is_root: bool) -> _Context:
        vocab, prefixes = ctx.vocab, ctx.prefixes
        if "vocab" in attrs:
            vocab = (attrs.get("vocab") or "").strip() or None
        declared = {k[6:].lower(): (v or "").strip() for k, v in attrs.items() if k.startswith("xmlns:")}
        declared.update({p.lower(): ns for p, ns in _PREFIX_DECL.findall(attrs.get("prefix") or "") if p})
        if declared:
            prefixes = {**prefixes, **declared}
        local = _Context(ctx.base, ctx.parent_subject, ctx.parent_object, vocab, prefixes)

        def names(attr: str) -> list[str]:
            return [r for v in (attrs.get(attr) or "").split() if (r := self.term_or_curie(v, local))]

        properties = names("property") if "property" in attrs else None
        types = names("typeof") if "typeof" in attrs else []
        raw_rel, raw_rev = (attrs.get("rel") or "").split(), (attrs.get("rev") or "").split()
        has_rel = "rel" in attrs or "rev" in attrs
        if properties is not None and has_rel:
            # HTML+RDFa: next to @property, plain words in @rel/@rev ("nofollow") are not links
            raw_rel, raw_rev = [v for v in raw_rel if ":" in v], [v for v in raw_rev if ":" in v]
            has_rel = bool(raw_rel or raw_rev)
        rel_values = [r for v in raw_rel if (r := self.term_or_curie(v, local))]
        rev_values = [r for v in raw_rev if (r := self.term_or_curie(v, local))]
        about = self.resource(attrs.get("about"), local) if "about" in attrs else None
        target = (
            self.resource(attrs.get("resource"), local)
            if "resource" in attrs
            else self.iri(attrs.get("href"), local)
            if "href" in attrs
            else self.iri(attrs.get("src"), local)
            if "src" in attrs
            else None
        )
        has_typeof = "typeof" in attrs
        skip = False
        new_subject: str | None
        current_object: str | None = None
        typed: str | None = None
        if not has_rel:
            if properties is not None and "content" not in attrs and "datatype" not in attrs:
                new_subject = about or (self.base if is_root else ctx.parent_object)
                if has_typeof:
                    typed = about or (self.base if is_root else None) or target or self.bnode()
                    current_object = typed
            else:
                new_subject = about or target
                if new_subject is None:
                    if is_root:
                        new_subject = self.base
                    elif has_typeof:
                        new_subject = self.bnode()
                    else:
                        new_subject = ctx.parent_object
                        skip = properties is None
                if has_typeof:
                    typed = new_subject
        else:
            new_subject = about or (self.base if is_root else ctx.parent_object)
            if has_typeof and about:
                typed = about
            current_object = target
            if current_object is None and has_typeof and not about:
                current_object = self.bnode()
            if has_typeof and not about:
                typed = current_object
        if typed is not None:
            for t in types:
                self.node(typed)
                if t not in self.types[typed]:
                    self.types[typed].append(t)
        if new_subject is not None and not skip:
            for predicate, forward in ctx.incomplete:
                if forward:
                    self.add(ctx.parent_subject, predicate, {"@id": new_subject})
                else:
                    self.add(new_subject, predicate, {"@id": ctx.parent_subject})
        incomplete: list[tuple[str, bool]] = []
        if has_rel and new_subject is not None:
            if current_object is not None:
                for rel in rel_values:
                    self.add(new_subject, rel, {"@id": current_object})
                for rev in rev_values:
                    self.add(current_object, rev, {"@id": new_subject})
            else:
                incomplete = [(r, True) for r in rel_values] + [(r, False) for r in rev_values]
                current_object = self.bnode()
        if properties and new_subject is not None:
            value = self.literal_or_resource(element, attrs, has_rel, has_typeof, about, target, typed, local)
            for predicate in properties:
                self.add(new_subject, predicate, value)
        if skip:
            return _Context(ctx.base, ctx.parent_subject, ctx.parent_object, vocab, prefixes, ctx.incomplete)
        subject = new_subject or ctx.parent_subject
        return _Context(ctx.base, subject, current_object or subject, vocab, prefixes, incomplete)

    def literal_or_resource(
        self,
        element: LexborNode,
        attrs: dict[str, str | None],
        has_rel: bool,
        has_typeof: bool,
        about: str | None,
        target: str | None,
        typed: str | None,
        ctx: _Context,
    ) -> Any:
        datatype = (attrs.get("datatype") or "").strip()
        if datatype and datatype not in _HTML_LITERAL:
            return attrs["content"] if "content" in attrs else text_content(element)
        if "content" in attrs:
            return attrs.get("content") or ""
        if "datatype" in attrs:  # datatype="" or an HTML literal: the text
            return text_content(element)
        if not has_rel and target is not None:
            return {"@id": target}
        if has_typeof and about is None and typed is not None:
            return {"@id": typed}
        if element.tag == "time" and attrs.get("datetime"):
            return (attrs.get("datetime") or "").strip()
        if element.tag == "data" and attrs.get("value"):
            return (attrs.get("value") or "").strip()
        return text_content(element)

    # --- output

    def compact(self) -> list[dict[str, Any]]:
        """schema.org nodes only, as flat dicts; an IRI value naming a schema.org enumeration
        member ("http://schema.org/InStock") becomes that string, other IRIs stay {"@id": ...}."""
        out = []
        for subject, props in self.nodes.items():
            compact: dict[str, Any] = {"@id": subject}
            types = [_local_name(t) for t in self.types.get(subject, []) if "schema.org" in t]
            if types:
                compact["@type"] = types
            for predicate, values in props.items():
                if "schema.org" not in predicate:
                    continue
                vals = [
                    v["@id"] if isinstance(v, dict) and "schema.org/" in v["@id"] and v["@id"] not in self.nodes else v
                    for v in values
                ]
                compact[_local_name(predicate)] = vals[0] if len(vals) == 1 else vals
            if len(compact) > 1:
                out.append(compact)
        return out


def _local_name(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def rdfa_items(tree: Tree, base_url: str | None = None) -> list[dict[str, Any]]:
    """The page's schema.org RDFa nodes, in the order their subjects first appear."""
    root = tree.root if isinstance(tree, LexborHTMLParser) else tree
    if root is None or tree.css_first("[typeof], [vocab]") is None:
        return []  # no typed node, no vocabulary: nothing schema.org can come out
    relevant: set[int] = set()
    for node in tree.css(_RDFA_SELECTOR):
        while node is not None and node.mem_id not in relevant:
            relevant.add(node.mem_id)
            node = node.parent
    reader = _Rdfa(base_url)
    reader.run(root, relevant)
    return reader.compact()
