"""The "Edit data" page: edit a table, or propose rows from an article; validate, preview,
save safely. In English or Arabic (``?lang=ar``).

Everyone may look; only allow-listed editors, signed in with Streamlit's built-in login
(OIDC), may write -- or, in local mode (:func:`mapapp.editing.editor.local_access`: asked
for with ``MAPAPP_LOCAL_EDITING=1`` and granted only on a server listening on 127.0.0.1),
the operating-system user. The write path (:func:`mapapp.editing.store.save_table`) checks
the identity again itself. A thin shell over :mod:`mapapp.editing.editor`,
:mod:`mapapp.editing.store` and :mod:`mapapp.ui.propose_panel`.
"""

from __future__ import annotations

import os
from contextlib import suppress
from typing import Any

import pandas as pd
import streamlit as st

from mapapp.core.schema import load_schema
from mapapp.editing import editor as editing
from mapapp.editing import store
from mapapp.editing.review import review_text
from mapapp.editing.words import LANGS, word
from mapapp.ui import propose_panel
from mapapp.ui.shell import data_dir, file_stamp, load_version, show_report

ss = st.session_state
asked = st.query_params.get("lang", "en")
lang = st.radio(
    "Language · اللغة",
    LANGS,
    index=LANGS.index(asked) if asked in LANGS else 0,
    format_func=lambda code: {"en": "English", "ar": "العربية"}[code],
    horizontal=True,
    key="edit_lang",
)
if lang != asked:
    st.query_params["lang"] = lang
if lang == "ar":
    st.html(
        '<style>[data-testid="stMain"] .stMarkdown, [data-testid="stMain"] h1 '
        "{direction: rtl; text-align: right}</style>"
    )
st.title(word("title", lang))
if flash := ss.pop("flash", None):
    st.success(flash)
folder = data_dir()
secrets: dict[str, Any] = {}
try:
    secrets = {k: st.secrets[k] for k in st.secrets}
except (FileNotFoundError, KeyError, OSError):  # no secrets.toml at all
    secrets = {}

local = editing.local_access(os.environ, st.get_option("server.address"))
if local is not None and local.refused:
    st.error(word("local_refused", lang, address=local.address))
    st.stop()
if local is not None:
    email = local.user
    editors: tuple[str, ...] = (local.user,)
    st.caption(word("local_mode", lang, user=local.user))
else:
    editors = editing.editors_from_secrets(secrets)
    if not editing.auth_configured(secrets):
        # viewers are told editing is off; how to configure it is in EDITING.md, not here
        st.info(word("editing_off", lang))
        st.stop()
    email, verified = editing.verified_email(st.user.to_dict())
    if not email:
        st.write(word("sign_in", lang))
        if st.button(word("log_in", lang), key="login"):
            st.login()
        st.stop()
    shown = editing.md_literal(email)  # the provider's text, read as Markdown
    if not verified:  # any address its owner typed: never matched with the list
        st.warning(word("not_verified", lang, email=shown))
        if st.button(word("log_out", lang), key="logout"):
            st.logout()
        st.stop()
    if not store.is_allowed(email, editors):
        st.warning(word("not_editor", lang, email=shown))
        if st.button(word("log_out", lang), key="logout"):
            st.logout()
        st.stop()
    st.caption(word("signed_in", lang, email=shown))
    if st.button(word("log_out", lang), key="logout"):
        st.logout()

current = load_version(str(folder), file_stamp(folder)).result
if current.dataset is None:
    st.error(word("data_bad", lang))
    show_report(current.report)
    st.stop()

task = st.radio(
    word("task", lang),
    ("table", "propose"),
    format_func=lambda t: word(f"task_{t}", lang),
    horizontal=True,
    key="task",
)
if task == "propose":
    propose_panel.show(folder, current.dataset, email, editors, lang)
    st.stop()

name = st.radio(word("table", lang), editing.EDITABLE, horizontal=True, key="table")
tables: dict[str, store.TableFile] = ss.setdefault("loaded_tables", {})
if name not in tables or st.button(word("reload", lang), key="reload"):
    tables[name] = store.read_table(folder, name)
    # the validation record a save checks its edit against (validating only the places the
    # edit touches); the whole folder is validated here only when it changed since
    with suppress(store.SaveRefused):  # a folder that cannot be written: the save says so
        store.remember_if_valid(folder)
table = tables[name]

ds = current.dataset
added: list[dict[str, str]] = ss.setdefault("added_claims", [])
if name == "control.csv":
    # another source's report in a few clicks: the row joins the table below, then the same
    # preview, validation and save as any edit
    with (
        st.expander("Add a claim from another source", expanded=False),
        st.form("new-claim", clear_on_submit=True),
    ):
        place = st.selectbox("Place", list(ds.places), key="nc-place")
        faction = st.selectbox("Faction (who holds it, the source says)", list(ds.factions))
        status = st.selectbox("Status", ["sole", "shared", "partial", "presence", "allied"])
        source = st.selectbox("Source (add a new one in sources.csv first)", list(ds.sources))
        claimant = st.selectbox("Who says it (claimants.csv)", list(ds.claimants))
        as_of = st.text_input("As of (the report's date; empty: the source's date)")
        start = st.text_input("Began (only if the source says when)")
        credibility = st.selectbox(
            "Credibility (1 confirmed … 6 cannot be judged)", ["", "1", "2", "3", "4", "5", "6"]
        )
        quote_ar = st.text_area("The source's Arabic words, verbatim")
        quote_en = st.text_area("Their English translation")
        note = st.text_input("Note")
        if st.form_submit_button("Add this claim"):
            added.append(
                editing.claim_row(
                    editing.NewClaim(
                        place_id=place,
                        faction_id=faction,
                        status=status,
                        source_id=source,
                        claimant=claimant,
                        quote_ar=quote_ar,
                        quote_en=quote_en,
                        start=start,
                        as_of=as_of,
                        credibility=credibility,
                        note=note,
                    ),
                    table.header,
                    folder,
                )
            )

schema = load_schema(folder)
specs = editing.column_specs(schema, name, current.dataset)
config: dict[str, Any] = {}
for spec in specs:
    if spec.options is not None:
        config[spec.name] = st.column_config.SelectboxColumn(
            spec.name, help=spec.help, options=list(spec.options), required=spec.required
        )
    else:
        config[spec.name] = st.column_config.TextColumn(
            spec.name, help=spec.help, required=spec.required, validate=spec.pattern
        )
pending = added if name == "control.csv" else []
visible: list[int] = list(range(table.row_count))
if table.row_count > editing.PAGE_ROWS:
    # a large table is edited a page (or a place) at a time: only those rows are read
    st.caption(word("rows_paged", lang, n=table.row_count, page=editing.PAGE_ROWS))
    by_place = st.text_input(word("rows_place", lang), key=f"place-{name}")
    count = len(table.indices_where("place_id", by_place)) if by_place.strip() else None
    pages = max(1, -(-(table.row_count if count is None else count) // editing.PAGE_ROWS))
    # a page number per filter: another place starts again at its first page
    page_key = f"page-{name}-{by_place.strip()}"
    page = st.number_input(word("rows_page", lang), 1, pages, 1, key=page_key) - 1
    visible = editing.page_indices(table, by_place, int(page))
editor_key = f"editor-{name}-{table.digest[:12]}-{len(pending)}-{visible[:1]}-{len(visible)}"
st.data_editor(
    pd.DataFrame([*table.rows_at(visible), *pending], columns=table.header, dtype=str),
    column_config=config,
    num_rows="dynamic",
    hide_index=True,
    key=editor_key,
)
changes = editing.changes_from_editor(ss.get(editor_key) or {}, visible, pending, table.header)
result = editing.preview_changes(folder, table, changes, current.dataset)

if result.diff.empty:
    st.info(word("no_changes", lang))
else:
    st.subheader(word("preview", lang))
    st.write(
        word(
            "counts",
            lang,
            added=len(result.diff.added),
            removed=len(result.diff.removed),
            changed=len(result.diff.changed),
        )
    )
    for part in editing.preview_tables(result.diff):
        st.write(word(part.key, lang))
        st.dataframe(part.rows, hide_index=True)
        if part.more:
            st.caption(word("more_not_shown", lang, n=part.more))
    if not result.report.valid:
        st.error(word("problems", lang))
        show_report(result.report)
    elif result.new_dataset is not None:
        st.write(word("map_changes", lang))
        shown_changes = result.map_changes[: editing.PREVIEW_ROWS]
        st.text(review_text(current.dataset, result.new_dataset, shown_changes))
        if len(result.map_changes) > len(shown_changes):
            more = len(result.map_changes) - len(shown_changes)
            st.caption(word("more_not_shown", lang, n=more))

if st.button(word("save", lang), type="primary", disabled=not result.can_save, key="save"):
    try:
        saved = store.save_changes(folder, table, changes, user=email, allowed=editors)
    except store.SaveRefused as refused:
        st.error(refused.message)
        if refused.report is not None:
            show_report(refused.report)
    else:
        # the table as saved, without reading a million rows again when the save made it
        tables[name] = saved.table or store.read_table(folder, name)
        if name == "control.csv":
            added.clear()
        ss["flash"] = word("saved", lang, file=saved.file)
        st.rerun()

if st.button(word("undo", lang), key="undo"):
    try:
        undone = store.undo_last(folder, user=email, allowed=editors)
    except store.SaveRefused as refused:
        st.error(refused.message)
    else:
        tables.pop(undone.file, None)
        ss["flash"] = word("undone", lang, file=undone.file)
        st.rerun()
