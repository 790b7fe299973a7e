"""Code systems used in the FHIR export (see docs/api.md, "FHIR")."""

from __future__ import annotations

from typing import Final

LOINC: Final = "http://loinc.org"
#: LOINC 97843-7 "ASIA impairment scale" (registry-anchors.md §3.6).
LOINC_AIS: Final = "97843-7"
#: CordTrack's own code systems. ``.invalid`` is a reserved domain: nothing resolves there.
BASE: Final = "https://fhir.cordtrack.invalid"
ISNCSCI: Final = f"{BASE}/CodeSystem/isncsci"
REGISTRY: Final = f"{BASE}/CodeSystem/registry"
STUDY_ID: Final = f"{BASE}/sid/study-id"
LOT_ID: Final = f"{BASE}/sid/lot"
QUESTIONNAIRE: Final = f"{BASE}/Questionnaire"
LOT_EXTENSION: Final = f"{BASE}/StructureDefinition/administered-lot"
NINDS_CDE: Final = "https://commondataelements.ninds.nih.gov"

#: NINDS Common Data Element ids for ISNCSCI results, where one was found (registry-anchors.md
#: §3.6: sensory levels right and left). No others were found; those results carry only the
#: CordTrack code.
NINDS_CDE_IDS: Final = {"rightSensory": "C06007", "leftSensory": "C06006"}

OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"
AE_SERIOUSNESS: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
AE_CAUSALITY: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-causality-assess"
ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CTCAE: Final = f"{BASE}/CodeSystem/ctcae-grade"

#: CordTrack AE outcome → FHIR adverse-event-outcome.
AE_OUTCOMES: Final = {
    "recovered": "resolved",
    "recovering": "recovering",
    "not_recovered": "ongoing",
    "sequelae": "resolvedWithSequelae",
    "fatal": "fatal",
    "unknown": "unknown",
}
#: CTCAE grade → FHIR severity (grades 3-5 are "severe").
AE_SEVERITIES: Final = {1: "mild", 2: "moderate", 3: "severe", 4: "severe", 5: "severe"}
#: CordTrack visit status → Encounter.status.
ENCOUNTER_STATUS: Final = {
    "scheduled": "planned",
    "done": "finished",
    "out_of_window": "finished",
    "missed": "cancelled",
}
GENDER: Final = {"F": "female", "M": "male", "X": "other"}
