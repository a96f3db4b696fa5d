"""Tariff services: schedules, measures, duty stacks, search, batch stacks, offers and indicators.

A package of modules, one per concern: ``common`` (the measures YAML, origins, dates),
``schedules`` (HTS editions and the 2017 database as derived Parquet keyed by the source
sha256; sources by date; line rates), ``measures`` (Section 301/232 coverage, country-action
lists, AD/CVD orders and deposits, change dates), ``stack``, ``search``, ``batch``,
``indicators`` and ``offers``. Every memo registers with the one cache object
:data:`CACHE` (``cache.py``), which tests can clear. Engines compute; these modules only
load and wire. Every public name is re-exported here (``from tradepolicy.services import
tariffs as svc``).
"""

from __future__ import annotations

from tradepolicy.services.tariffs.batch import (  # noqa: F401
    BatchCells,
    BatchMatrices,
    _action_line_mask,
    _eligibility,
    _prefix_lines,
    _s232_groups,
    _s232_special_origins,
    _s301_groups,
    _s301_vector,
    batch,
    batch_cells,
    batch_frame,
    batch_lines,
    batch_matrices,
)
from tradepolicy.services.tariffs.cache import CACHE, cached
from tradepolicy.services.tariffs.common import (  # noqa: F401
    _LOCK,
    SOURCE_FILES,
    USMCA_SYMBOLS,
    _records,
    agreements,
    check_date,
    check_origin,
    country_actions_cfg,
    measures,
    origins,
)
from tradepolicy.services.tariffs.indicators import (
    WEIGHTS,
    baci_zaf_usa,
    chapter99_in_force,
    hts8_rates,
    indicators_table,
    parse_report,
    programs_2017,
    weighted_lines,
)
from tradepolicy.services.tariffs.measures import (
    MAX_ORDERS_ROWS,
    ORDERS_COLUMNS,
    OrderDeposit,
    adcvd_age_note,
    adcvd_flags,
    adcvd_index,
    adcvd_orders,
    change_dates,
    country_action_lists,
    current_prefixes,
    deposits_for,
    map_order_code,
    read_orders_file,
    s232_annex,
    s232_products,
    s301_below,
    s301_coverage,
    s301_exclusions,
    s301_review_note,
    section301_cfg,
    state_key,
)
from tradepolicy.services.tariffs.offers import (  # noqa: F401
    _group_mask,
    _offer_number,
    _partner_outcome,
    _with_where,
    korus_check,
    korus_staging_inference,
    offer,
    offer_from_spec,
)
from tradepolicy.services.tariffs.schedules import (  # noqa: F401
    EDITIONS,
    Source,
    _build_edition,
    _derived,
    _edition_tree,
    _parse_cached,
    _parsed_source_cached,
    _resolve,
    _sha,
    _special_aves,
    check_edition,
    db2017,
    db2017_programs,
    edition_tree,
    gsp_exclusions,
    line_rates,
    nearest_codes,
    parent_line,
    pick_source,
    reference_prices,
    source,
    source_notes,
    sources_in_order,
    specific_ave_fallback,
    specific_ave_methods,
    specific_ave_references,
    superseded_rows,
    value_bracket,
)
from tradepolicy.services.tariffs.search import (  # noqa: F401
    _STOP,
    _search_text,
    _tree_records,
    search,
    search_stem,
    show,
)
from tradepolicy.services.tariffs.stack import (  # noqa: F401
    _positive,
    entry_unit_value,
    history,
    history_range,
    offered_programs,
    stack,
    stack_entry,
)
from tradepolicy.services.tariffs.types import (
    BatchSummary,
    Chapter99Row,
    HistoryPoint,
    HtsHit,
    HtsLine,
    IndicatorRow,
    KorusCheck,
    KorusStaging,
    OfferResult,
    ParseReport,
    ProgramRow,
    StackEntry,
    WeightsNote,
)

__all__ = ['CACHE', 'EDITIONS', 'MAX_ORDERS_ROWS', 'ORDERS_COLUMNS', 'SOURCE_FILES', 'USMCA_SYMBOLS', 'WEIGHTS', 'BatchCells', 'BatchMatrices', 'BatchSummary', 'Chapter99Row', 'HistoryPoint', 'HtsHit', 'HtsLine', 'IndicatorRow', 'KorusCheck', 'KorusStaging', 'OfferResult', 'OrderDeposit', 'ParseReport', 'ProgramRow', 'Source', 'StackEntry', 'WeightsNote', 'adcvd_age_note', 'adcvd_flags', 'adcvd_index', 'adcvd_orders', 'agreements', 'baci_zaf_usa', 'batch', 'batch_cells', 'batch_frame', 'batch_lines', 'batch_matrices', 'cached', 'change_dates', 'chapter99_in_force', 'check_date', 'check_edition', 'check_origin', 'country_action_lists', 'country_actions_cfg', 'current_prefixes', 'db2017', 'db2017_programs', 'deposits_for', 'edition_tree', 'entry_unit_value', 'gsp_exclusions', 'history', 'history_range', 'hts8_rates', 'indicators_table', 'korus_check', 'korus_staging_inference', 'line_rates', 'map_order_code', 'measures', 'nearest_codes', 'offer', 'offer_from_spec', 'offered_programs', 'origins', 'parent_line', 'parse_report', 'pick_source', 'programs_2017', 'read_orders_file', 'reference_prices', 's232_annex', 's232_products', 's301_below', 's301_coverage', 's301_exclusions', 's301_review_note', 'search', 'search_stem', 'section301_cfg', 'show', 'source', 'source_notes', 'sources_in_order', 'specific_ave_fallback', 'specific_ave_methods', 'specific_ave_references', 'stack', 'stack_entry', 'state_key', 'superseded_rows', 'value_bracket', 'weighted_lines']
