"""Genre of an article: news, analysis, opinion or press release, from explicit labels first
and textual cues second (labels are how outlets themselves declare the genre).
"""

from __future__ import annotations

import re

_TITLE_ANALYSIS = re.compile(
    r"(?:[-–—|:]\s*(?:news\s+)?analysis\s*$|^\s*(?:news\s+)?analysis\s*[:|–—-])", re.IGNORECASE
)
_TITLE_OPINION = re.compile(
    r"(?:[-–—|:]\s*(?:opinion|op-ed|oped|comment|commentary|column|editorial)\s*$"
    r"|^\s*(?:opinion|op-ed|comment|commentary|editorial|column|viewpoint)\s*[:|–—-])",
    re.IGNORECASE,
)
_PRESS_RELEASE = re.compile(
    r"for immediate release|^\s*about [A-Z][\w&.,' -]{1,60}\s*$|^\s*media contacts?\b"
    r"|^\s*press contacts?\b|\bissued a press release\b|^\s*###\s*$|\(NYSE:|\(NASDAQ:|PRNewswire|"
    r"Business Wire|GLOBE NEWSWIRE|\b(?:today announced|announced today)\b"
    r"|\bis (?:pleased|proud|delighted|excited) to announce\b",
    re.IGNORECASE | re.MULTILINE,
)
_FIRST_PERSON_OPINION = re.compile(
    r"\b(?:I (?:believe|think|argue|would argue|contend|suspect|fear|doubt)|in my (?:view|opinion)"
    r"|it seems to me|I am convinced|my view)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|my|me)\b")
_EVALUATIVE = re.compile(
    r"\b(?:should|must|ought to|shameful|disgrace|absurd|outrageous|wrong|right to|mistake|"
    r"failure|reckless|hypocri\w+|deserve\w*|need to)\b",
    re.IGNORECASE,
)
_ANALYSIS_CUES = re.compile(
    r"\b(?:analysis|analysts? (?:say|believe)|what (?:this|it) means|the (?:question|answer) is"
    r"|so why|why would|the bigger picture|in other words|raises the question)\b",
    re.IGNORECASE,
)


def _outside_quotes(text: str) -> str:
    return re.sub(r"[“\"„«][^”\"“»]*[”\"“»]", " ", text)


def classify_genre(title: str, text: str) -> str:
    """Returns "news", "analysis", "opinion" or "press_release".

    Args:
        title: Headline (labels like "– analysis" or "Opinion:" live there).
        text: Clean article text.
    """
    if _TITLE_ANALYSIS.search(title):
        return "analysis"
    if _TITLE_OPINION.search(title):
        return "opinion"
    head = text[:600]
    if _PRESS_RELEASE.search(head) or len(_PRESS_RELEASE.findall(text)) >= 2:
        return "press_release"
    plain = _outside_quotes(text)
    words = max(len(plain.split()), 1)
    opinion_cues = len(_FIRST_PERSON_OPINION.findall(plain))
    first_person = len(_FIRST_PERSON.findall(plain)) / words
    evaluative = len(_EVALUATIVE.findall(plain))
    if opinion_cues >= 2 or (opinion_cues >= 1 and first_person > 0.01 and evaluative >= 2):
        return "opinion"
    if len(_ANALYSIS_CUES.findall(plain)) >= 3:
        return "analysis"
    return "news"
