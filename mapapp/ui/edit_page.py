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

email, verified = editing.verified_email(st.user.to_dict())
if not email:
    st.write("Sign in to edit. Viewing the map needs no account.")
    if st.button("Log in", key="login"):
        st.login()
    st.stop()
if not verified:
    st.warning(
        f"You are signed in as {editing.md_literal(email)}, but your identity provider has "
        "not verified that address, so it cannot be matched with the list of editors."
    )
    if st.button("Log out", key="logout"):
        st.logout()
    st.stop()
if not store.is_allowed(email, editors):
    st.warning(
        f"You are signed in as {editing.md_literal(email)}, which is not on the list of editors."
    )
    if st.button("Log out", key="logout"):
        st.logout()
    st.stop()

st.caption(f"Signed in as {editing.md_literal(email)}.")
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
edited = st.data_editor(
    pd.DataFrame(table.rows, columns=table.header, dtype=str),
    column_config=config,
    num_rows="dynamic",
    hide_index=True,
    key=f"editor-{name}-{table.digest[:12]}",
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
    for part in editing.preview_tables(result.diff):
        st.write(part.title)
        st.dataframe(part.rows, hide_index=True)
        if part.note:
            st.caption(part.note)
    if not result.report.valid:
        st.error("These problems must be fixed before saving:")
        show_report(result.report)
    elif result.new_dataset is not None:
        st.write("What changes on the map:")
        shown = result.map_changes[: editing.PREVIEW_ROWS]
        st.text(review_text(current.dataset, result.new_dataset, shown))
        if len(result.map_changes) > len(shown):
            st.caption(f"… and {len(result.map_changes) - len(shown):,} more changes not shown")

if st.button("Save", type="primary", disabled=not result.can_save, key="save"):
    try:
        saved = store.save_table(folder, table, rows, user=email, allowed=editors)
    except store.SaveRefused as refused:
        st.error(refused.message)
        if refused.report is not None:
            show_report(refused.report)
    else:
        tables[name] = store.read_table(folder, name)
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
