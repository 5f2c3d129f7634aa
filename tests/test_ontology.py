"""The ontology files and the closed namespace class cannot drift apart; the SKOS vocabularies are sound.

Fast and offline: only the Turtle files of ontology/ are read.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from quanze.graph import paths
from quanze.graph.namespaces import QZ
from quanze.graph.vocab import load_ontology

NS = "https://w3id.org/quanze/ontology#"
STAGE_NS = "https://w3id.org/quanze/id/stage-type/"
ONTOLOGY = URIRef("https://w3id.org/quanze/ontology")
ELI = "http://data.europa.eu/eli/ontology#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # a plain Namespace: pytest probes module attributes

POWER_TYPES = {
    "Licensing": "行政许可", "Penalty": "行政处罚", "Coercion": "行政强制", "Levy": "行政征收",
    "Benefit": "行政给付", "Inspection": "行政检查", "Confirmation": "行政确认", "Reward": "行政奖励",
    "Adjudication": "行政裁决", "OtherPower": "其他行政权力",
}
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(paths.ontology_dir())


def qz_name(term: object) -> str | None:
    return str(term)[len(NS):] if isinstance(term, URIRef) and str(term).startswith(NS) else None


def langs(graph: Graph, term: URIRef, *props: URIRef) -> set[str]:
    return {o.language for p in props for o in graph.objects(term, p) if isinstance(o, Literal) and o.language}


def zh(graph: Graph, term: URIRef, prop: URIRef) -> list[str]:
    return [str(o) for o in graph.objects(term, prop) if isinstance(o, Literal) and o.language == "zh"]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def stage_types(graph: Graph) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, QZ.StageType) if isinstance(s, URIRef))


# --- files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["quanze.ttl", "power-types.ttl", "risk-levels.ttl", "stage-types.ttl", "procedure-features.ttl"])
def test_each_file_parses_on_its_own_and_says_what_it_is_for(name):
    path = paths.ontology_dir() / name
    assert path.read_text(encoding="utf-8").startswith("#"), f"{name} has no header comment"
    assert len(Graph().parse(path, format="turtle")) > 0


def test_ontology_header(ontology):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert (ONTOLOGY, OWL.versionIRI, URIRef("https://w3id.org/quanze/ontology/0.1.0")) in ontology
    assert ontology.value(ONTOLOGY, OWL.versionInfo) is not None
    assert {"zh", "en"} <= langs(ontology, ONTOLOGY, URIRef("http://purl.org/dc/terms/title"))
    for prop in ("description", "created", "license"):
        assert ontology.value(ONTOLOGY, URIRef(f"http://purl.org/dc/terms/{prop}")) is not None, prop


# --- the closed namespace class and the files agree ---------------------------------------------


def test_every_namespace_term_is_defined_with_labels_in_both_languages(ontology):
    for name in QZ.__annotations__:
        term = QZ[name]
        assert (term, RDF.type, None) in ontology, f"qz:{name} has no rdf:type"
        assert {"zh", "en"} <= langs(ontology, term, RDFS.label, SKOS.prefLabel), f"qz:{name} lacks a @zh or @en label"


def test_every_defined_term_is_in_the_namespace_class(ontology):
    used = {qz_name(t) for triple in ontology for t in triple} - {None}
    assert used <= set(QZ.__annotations__), f"not in graph.namespaces.QZ: {sorted(used - set(QZ.__annotations__))}"


def test_every_class_and_property_has_a_kind_and_an_english_comment(ontology):
    for name in QZ.__annotations__:
        term = QZ[name]
        kinds = set(ontology.objects(term, RDF.type))
        if kinds & {SKOS.Concept, SKOS.ConceptScheme}:
            continue
        assert len(kinds & set(KINDS)) == 1, f"qz:{name} should be exactly one of class / object / datatype / annotation property"
        assert "en" in langs(ontology, term, RDFS.comment), f"qz:{name} has no @en rdfs:comment"


def test_domains_and_ranges_are_defined_classes_or_datatypes(ontology):
    for prop in (RDFS.domain, RDFS.range):
        for term, target in ontology.subject_objects(prop):
            if qz_name(target) is not None:
                assert (target, RDF.type, OWL.Class) in ontology, f"{term} {prop} {target}: not a class"
    for term in ontology.subjects(RDF.type, OWL.ObjectProperty):
        for target in ontology.objects(term, RDFS.range):
            assert not str(target).startswith(str(XSD)), f"object property {term} has a datatype range"
    for term in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        for target in ontology.objects(term, RDFS.range):
            assert str(target).startswith(str(XSD)), f"datatype property {term} has a class range"


def test_links_to_the_standard_vocabularies(ontology):
    expected_classes = {
        QZ.PowerType: SKOS.Concept, QZ.StageType: SKOS.Concept, QZ.RiskLevel: SKOS.Concept,
        QZ.LegalInstrument: URIRef(ELI + "LegalResource"), QZ.Article: URIRef(ELI + "LegalResourceSubdivision"),
        QZ.Agency: URIRef(ORG + "Organization"), QZ.Register: URIRef(PROV + "Entity"), QZ.SourceRecord: URIRef(PROV + "Entity"),
    }
    for cls, parent in expected_classes.items():
        assert (cls, RDFS.subClassOf, parent) in ontology, f"{cls} subClassOf {parent}"
    assert (QZ.jurisdiction, RDFS.subPropertyOf, URIRef("http://purl.org/dc/terms/spatial")) in ontology
    for scheme in (QZ.PowerTypeScheme, QZ.StageTypeScheme, QZ.RiskLevelScheme):
        assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
    for name, datatype in (("row", XSD.integer), ("line", XSD.integer), ("order", XSD.integer), ("rank", XSD.integer),
                           ("articleNumber", XSD.integer), ("divisionCode", XSD.string)):
        assert (QZ[name], RDFS.range, datatype) in ontology, name


# --- SKOS schemes --------------------------------------------------------------------------------


def scheme_members(graph: Graph, scheme: URIRef) -> set[URIRef]:
    return {m for m in graph.subjects(SKOS.inScheme, scheme) if isinstance(m, URIRef)}


@pytest.mark.parametrize(
    ("scheme", "cls"),
    [
        (QZ.PowerTypeScheme, QZ.PowerType), (QZ.StageTypeScheme, QZ.StageType), (QZ.RiskLevelScheme, QZ.RiskLevel),
        (QZ.ProcedureFeatureScheme, QZ.ProcedureFeature),
    ],
)
def test_scheme_concepts_are_well_formed(ontology, scheme, cls):
    members = scheme_members(ontology, scheme)
    assert members == set(ontology.subjects(RDF.type, cls)), "members of the scheme and instances of its class differ"
    assert members == set(ontology.objects(scheme, SKOS.hasTopConcept))
    for concept in members:
        assert (concept, RDF.type, SKOS.Concept) in ontology, concept
        assert (concept, SKOS.topConceptOf, scheme) in ontology, concept
        prefs = Counter(o.language for o in ontology.objects(concept, SKOS.prefLabel) if isinstance(o, Literal))
        assert prefs == {"zh": 1, "en": 1}, f"{concept}: one skos:prefLabel per language, got {dict(prefs)}"
        pref = {compact(x) for x in zh(ontology, concept, SKOS.prefLabel)}
        alts = {compact(x) for x in zh(ontology, concept, SKOS.altLabel)}
        assert not pref & alts, f"{concept}: a prefLabel is also an altLabel"


@pytest.mark.parametrize("cls", [QZ.PowerType, QZ.StageType, QZ.RiskLevel])
def test_no_two_concepts_share_a_label(ontology, cls):
    seen: dict[str, URIRef] = {}
    for concept in ontology.subjects(RDF.type, cls):
        for label in zh(ontology, concept, SKOS.prefLabel) + zh(ontology, concept, SKOS.altLabel):
            key = compact(label)
            assert seen.setdefault(key, concept) == concept, f"{key} names both {seen[key]} and {concept}"


def test_power_type_scheme_has_the_ten_statutory_types(ontology):
    members = scheme_members(ontology, QZ.PowerTypeScheme)
    assert {qz_name(m) for m in members} == set(POWER_TYPES)
    for name, label in POWER_TYPES.items():
        assert zh(ontology, QZ[name], SKOS.prefLabel) == [label]
        assert ontology.value(QZ[name], SKOS.notation) is not None
        assert {"zh", "en"} <= langs(ontology, QZ[name], SKOS.definition), name


@pytest.mark.parametrize(
    ("spelling", "name"),
    [("处罚", "Penalty"), ("行政处罚类", "Penalty"), ("行政强制类", "Coercion"), ("给付", "Benefit"),
     ("行政监督检查类", "Inspection"), ("行政监督", "Inspection"), ("监督检查", "Inspection"), ("确认", "Confirmation"),
     ("奖励", "Reward"), ("许可", "Licensing"), ("征收", "Levy"), ("裁决", "Adjudication"),
     ("其他职权", "OtherPower"), ("其他行政职权", "OtherPower"), ("其他", "OtherPower")],
)
def test_power_type_spellings_registers_use(ontology, spelling, name):
    assert spelling in zh(ontology, QZ[name], SKOS.altLabel)


def test_risk_levels_rank_high_medium_low(ontology):
    ranks = {qz_name(c): ontology.value(c, QZ.rank).toPython() for c in scheme_members(ontology, QZ.RiskLevelScheme)}
    assert ranks == {"High": 3, "Medium": 2, "Low": 1}
    assert [zh(ontology, QZ[n], SKOS.prefLabel) for n in ("High", "Medium", "Low")] == [["高"], ["中"], ["低"]]


# --- stage types ---------------------------------------------------------------------------------


def test_stage_types_have_a_zh_name_and_an_integer_order(ontology):
    concepts = stage_types(ontology)
    assert concepts
    for concept in concepts:
        assert str(concept).startswith(STAGE_NS) and re.fullmatch(r"[a-z][a-z0-9-]*", str(concept)[len(STAGE_NS):]), concept
        assert len(zh(ontology, concept, SKOS.prefLabel)) == 1, concept
        orders = list(ontology.objects(concept, QZ.order))
        assert len(orders) == 1 and isinstance(orders[0].toPython(), int), f"{concept}: qz:order {orders}"


def test_stage_labels_have_no_whitespace(ontology):
    for concept in stage_types(ontology):
        for label in zh(ontology, concept, SKOS.prefLabel) + zh(ontology, concept, SKOS.altLabel):
            assert label == compact(label), f"{concept}: {label!r}"


def test_stage_types_the_readers_and_shapes_need(ontology):
    names = {zh(ontology, c, SKOS.prefLabel)[0] for c in stage_types(ontology)}
    needed = set("申请 呈报审批 受理 立案 调查取证 审查 审核 告知 听证 批准 决定 催告 送达 执行 解除 认定 给付 奖励 "
                 "检查 处置 移送 事后监管 公示 备案 结案 办结 归档".split())
    assert needed <= names, needed - names
    # shapes/register.ttl names these concepts by IRI
    for slug in ("filing", "investigation", "review", "examination", "notification", "hearing", "decision",
                 "service", "enforcement", "approval", "request-approval"):
        assert (URIRef(STAGE_NS + slug), RDF.type, QZ.StageType) in ontology, slug
    assert (URIRef(STAGE_NS + "review"), SKOS.related, URIRef(STAGE_NS + "examination")) in ontology


def by_label(graph: Graph) -> dict[str, URIRef]:
    return {compact(x): c for c in stage_types(graph) for x in zh(graph, c, SKOS.prefLabel) + zh(graph, c, SKOS.altLabel)}


def test_stage_flags_keywords_and_the_application_pattern(ontology):
    labels = by_label(ontology)
    flag = lambda label, prop: bool(ontology.value(labels[label], prop))  # noqa: E731
    assert flag("申请", QZ.partyAction) and not flag("呈报审批", QZ.partyAction)
    assert flag("结案", QZ.terminal) and flag("办结", QZ.terminal) and not flag("决定", QZ.terminal)
    assert labels["提出申请"] == labels["呈报审批"]
    pattern = re.compile(str(ontology.value(labels["申请"], QZ.labelPattern)))
    for printed in ("申请人提出救助申请", "提出基本医疗保险待遇给付申请", "申请人提出参保申请"):
        assert pattern.search(printed), printed
    assert not pattern.search("提出申请")
    for label, words in (("调查取证", {"取证", "证据"}), ("解除", {"解除"}), ("送达", {"送达"}), ("受理", {"受理"}),
                         ("审核", {"审核"}), ("给付", {"待遇发放", "拨付"}), ("立案", {"立案", "销案"})):
        assert words <= {str(k) for k in ontology.objects(labels[label], QZ.keyword)}, label
    orders = {label: ontology.value(labels[label], QZ.order).toPython() for label in ("申请", "受理", "立案", "调查取证", "结案")}
    assert orders["申请"] < orders["受理"] == orders["立案"] < orders["调查取证"] < orders["结案"]


def test_text_and_basis_patterns_compile_and_find_what_they_name(ontology):
    import re

    patterns = {}
    for prop in (QZ.textPattern, QZ.basisPattern):
        for concept, pattern in ontology.subject_objects(prop):
            patterns[(concept, prop)] = re.compile(str(pattern))
    assert patterns
    st = "https://w3id.org/quanze/id/stage-type/"
    assert patterns[(URIRef(st + "approval"), QZ.textPattern)].search("经医保行政部门负责人批准，决定采取行政强制措施")
    assert patterns[(URIRef(st + "legal-review"), QZ.textPattern)].search("行政机关法制机构应当对初步处理意见进行认真复核")
    pf = "https://w3id.org/quanze/id/procedure-feature/"
    assert patterns[(URIRef(pf + "large-fine"), QZ.basisPattern)].search("处骗取金额二倍以上五倍以下的罚款")
    assert patterns[(URIRef(pf + "two-officers"), QZ.textPattern)].search("执法人员不得少于两人")
    assert not patterns[(URIRef(pf + "two-officers"), QZ.textPattern)].search("执法人员应保守秘密")


def test_the_ontology_is_the_graph_rdflibs_parser_makes(tmp_path):
    """load_ontology reads the Turtle with pyoxigraph (thirty times as fast): the graph is the one rdflib's
    parser made, blank nodes aside; a file pyoxigraph refuses is read by rdflib."""
    from rdflib.compare import isomorphic

    expected = Graph()
    for path in sorted(paths.ontology_dir().glob("*.ttl")):
        expected.parse(path, format="turtle")
    got = load_ontology(paths.ontology_dir())
    assert len(got) == len(expected) > 1000 and isomorphic(got, expected)
    assert _ground(got) == _ground(expected)
    (tmp_path / "a.ttl").write_text('@prefix ex: <http://example.org/> .\nex:a ex:label "一"@zh ; ex:n 1 ; ex:b [ ex:c "x" ] .\n', encoding="utf-8")
    (tmp_path / "b.ttl").write_text('<http://example.org/a> <http://example.org/p> <http://example.org/x y> .\n', encoding="utf-8")  # rdflib takes the space
    both = Graph()
    for name in ("a.ttl", "b.ttl"):
        both.parse(tmp_path / name, format="turtle")
    got = load_ontology(tmp_path)
    assert len(got) == len(both) == 5 and _ground(got) == _ground(both) and len(_ground(both)) == 3


def _ground(graph: Graph) -> set:
    return {t for t in graph if not any(isinstance(x, BNode) for x in t)}
