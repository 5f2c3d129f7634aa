"""Namespaces of the Quanze graph.

`QZ` is closed: a misspelt term fails at import time, not in a query at 2 a.m.
Every term listed here is defined in ontology/quanze.ttl (tests/test_ontology.py checks both ways).
"""

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace

ID = Namespace("https://w3id.org/quanze/id/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")


class QZ(DefinedNamespace):
    """The Quanze ontology, https://w3id.org/quanze/ontology#."""

    _NS = Namespace("https://w3id.org/quanze/ontology#")
    _fail = True

    # issue 12: registers as bureaus publish them
    jurisdictionEvidence: object
    unrecognisedColumn: object
    unrecognisedField: object
    mainItemLabel: object
    rowLabel: object
    riskLevelCounts: object
    rawRiskLevel: object
    legalBasisInstrument: object
    textHeld: object
    dutyBasisCitation: object
    accountabilityBasisCitation: object

    # issue 13: per-register summaries (graph/map/summaries.py)
    RegisterSummary: object
    SummaryEntry: object
    summaryOf: object
    summaryJurisdiction: object
    byPowerType: object
    byCanonicalPower: object
    byArticle: object
    byStageLevel: object
    summaryPowerType: object
    summaryCanonicalPower: object
    summaryArticle: object
    summaryStageType: object
    summaryRiskLevel: object
    summaryItem: object
    itemCount: object
    riskPointCount: object
    minStageOrder: object
    canonicalPowerCounts: object

    # classes
    Jurisdiction: object
    Agency: object
    Register: object
    PowerItem: object
    PowerType: object
    LegalInstrument: object
    Article: object
    Citation: object
    Stage: object
    StageType: object
    RiskPoint: object
    RiskLevel: object
    Control: object
    Role: object
    Duty: object
    Accountability: object
    CanonicalPower: object
    SourceRecord: object
    Alignment: object
    InternalMatter: object
    Curation: object
    ProcedureFeature: object

    # concept schemes
    PowerTypeScheme: object
    StageTypeScheme: object
    RiskLevelScheme: object
    ProcedureFeatureScheme: object

    # power types
    Licensing: object
    Penalty: object
    Coercion: object
    Levy: object
    Benefit: object
    Inspection: object
    Confirmation: object
    Reward: object
    Adjudication: object
    OtherPower: object

    # risk levels
    High: object
    Medium: object
    Low: object

    # object properties
    jurisdiction: object
    agency: object
    inRegister: object
    powerType: object
    legalBasis: object
    hasStage: object
    hasRiskPoint: object
    hasDuty: object
    hasAccountability: object
    canonicalPower: object
    stageType: object
    riskLevel: object
    atStage: object
    control: object
    responsibleRole: object
    register: object
    hasCitation: object
    citesInstrument: object
    citesArticle: object
    isReplacedBy: object
    codeJurisdiction: object
    codeLetterType: object
    alignedItem: object
    coreArticle: object
    curation: object
    describesStage: object
    statesFeature: object
    basisFeature: object

    # datatype properties
    divisionCode: object
    itemCode: object
    rawCode: object
    codeRepair: object
    rawLabel: object
    labelRepair: object
    rawPowerType: object
    powerTypeRepair: object
    articleCount: object
    articleNumber: object
    text: object
    order: object
    rank: object
    legalBasisText: object
    subItem: object
    remark: object
    supervisionPhone: object
    declaredRiskCount: object
    truncatedField: object
    garbledField: object
    curatedField: object
    curationConfidence: object
    curationReason: object
    orderSource: object
    unconfirmedCodeReading: object
    textPattern: object
    basisPattern: object
    citedLevel: object
    silentField: object
    row: object
    line: object
    rawText: object
    registerKind: object
    year: object
    version: object
    isCurrent: object
    supersededBy: object
    addedAt: object
    sha256: object
    sourceContent: object
    keyword: object
    labelPattern: object
    partyAction: object
    terminal: object
    typeLetter: object
    description: object
    quote: object
    resolution: object
    matchScore: object
    citedArticleNumber: object
    quoteMatch: object
    quoteNote: object
    chapter: object
    status: object
    level: object
    documentNumber: object
    listedRiskCount: object
    missingArticle: object
    alignmentMethod: object
    evidence: object
