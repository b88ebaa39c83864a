"""The "Edit data" page: edit a table, see it validated and previewed, save it safely.

Everyone may look; only allow-listed editors, signed in with Streamlit's built-in login
(OIDC), may write -- and the write path (:func:`mapapp.editing.store.save_table`) checks the
identity again itself. A thin shell over :mod:`mapapp.editing.editor` and
:mod:`mapapp.editing.store`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from mapapp.core.schema import load_schema
from mapapp.editing import editor as editing
from mapapp.editing import store
from mapapp.editing.review import review_text
from mapapp.ui.shell import data_dir, file_stamp, load_version, show_report

ss = st.session_state
st.title("Edit data")
if flash := ss.pop("flash", None):
    st.success(flash)
folder = data_dir()
secrets: dict[str, Any] = {}
try:
    secrets = {k: st.secrets[k] for k in st.secrets}
except (FileNotFoundError, KeyError, OSError):  # no secrets.toml at all
    secrets = {}
editors = editing.editors_from_secrets(secrets)

if not editing.auth_configured(secrets):
    st.info(
        "Editing in the app is switched off: no login is configured. Editors can still edit "
        "the CSV files by hand (see EDITING.md). To switch in-app editing on, configure "
        "Streamlit's login (OIDC) and list the editors' e-mails in `.streamlit/secrets.toml`:"
    )
    st.code(editing.SECRETS_EXAMPLE, language="toml")
    st.stop()

user = st.user
email = str(user.get("email") or "") if user.get("is_logged_in") else ""
if not email:
    st.write("Sign in to edit. Viewing the map needs no account.")
    if st.button("Log in", key="login"):
        st.login()
    st.stop()
if not store.is_allowed(email, editors):
    st.warning(f"You are signed in as {email}, which is not on the list of editors.")
    if st.button("Log out", key="logout"):
        st.logout()
    st.stop()

st.caption(f"Signed in as {email}.")
if st.button("Log out", key="logout"):
    st.logout()

current = load_version(str(folder), file_stamp(folder)).result
if current.dataset is None:
    st.error("The data on disk has problems; fix them by hand first (mapapp validate).")
    show_report(current.report)
    st.stop()

name = st.radio("Table", editing.EDITABLE, horizontal=True, key="table")
tables: dict[str, store.TableFile] = ss.setdefault("loaded_tables", {})
if name not in tables or st.button("Reload from disk", key="reload"):
    tables[name] = store.read_table(folder, name)
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
edited = st.data_editor(
    pd.DataFrame([*table.rows, *pending], columns=table.header, dtype=str),
    column_config=config,
    num_rows="dynamic",
    hide_index=True,
    key=f"editor-{name}-{table.digest[:12]}-{len(pending)}",
)
rows = editing.rows_from_records(edited.to_dict("records"), table.header)
result = editing.preview(folder, table, rows, current.dataset)

if result.diff.empty:
    st.info("No changes yet.")
else:
    st.subheader("Preview")
    st.write(
        f"{len(result.diff.added)} added, {len(result.diff.removed)} removed, "
        f"{len(result.diff.changed)} changed."
    )
    if result.diff.added:
        st.write("Added rows")
        st.dataframe(result.diff.added, hide_index=True)
    if result.diff.removed:
        st.write("Removed rows")
        st.dataframe(result.diff.removed, hide_index=True)
    if result.diff.changed:
        st.write("Changed rows (before, then after)")
        st.dataframe([row for pair in result.diff.changed for row in pair], hide_index=True)
    if not result.report.valid:
        st.error("These problems must be fixed before saving:")
        show_report(result.report)
    elif result.new_dataset is not None:
        st.write("What changes on the map:")
        st.text(review_text(current.dataset, result.new_dataset, result.map_changes))

if st.button("Save", type="primary", disabled=not result.can_save, key="save"):
    try:
        saved = store.save_table(folder, table, rows, user=email, allowed=editors)
    except store.SaveRefused as refused:
        st.error(refused.message)
        if refused.report is not None:
            show_report(refused.report)
    else:
        tables[name] = store.read_table(folder, name)
        if name == "control.csv":
            added.clear()
        ss["flash"] = f"Saved {saved.file}. The map shows it now."
        st.rerun()

if st.button("Undo my last save", key="undo"):
    try:
        undone = store.undo_last(folder, user=email, allowed=editors)
    except store.SaveRefused as refused:
        st.error(refused.message)
    else:
        tables.pop(undone.file, None)
        ss["flash"] = f"Restored the previous version of {undone.file}."
        st.rerun()
