"""The proposer in the app: paste or upload an article, see what was found, accept rows.

A thin shell over :mod:`mapapp.editing.propose` and :mod:`mapapp.editing.workbench`:
accepted rows go through the same check, preview and save as the table editor, and nothing
is written before the editor presses Save on a valid result.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from mapapp.core.model import Dataset
from mapapp.core.schema import Schema, load_schema
from mapapp.editing import store
from mapapp.editing import workbench as bench
from mapapp.editing.propose.article import ArticleError, read_article_bytes
from mapapp.editing.propose.highlight import highlight_html
from mapapp.editing.propose.lexicon import LexiconError, load_lexicon
from mapapp.editing.propose.proposer import Analysis, analyse
from mapapp.editing.review import review_text
from mapapp.editing.words import word
from mapapp.ui.shell import show_report

ss = st.session_state


def _allowed(schema: Schema, resource: str, column: str) -> list[str]:
    try:
        return list(schema.resource(resource).field(column).enum or ())
    except KeyError:
        return []


def show(folder: Path, dataset: Dataset, user: str, editors: tuple[str, ...], lang: str) -> None:
    sources = list(dataset.sources)
    source = st.selectbox(word("source", lang), sources, key="propose_source")
    published = st.text_input(word("published", lang), key="propose_published")
    text = st.text_area(word("article", lang), height=200, key="propose_text")
    upload = st.file_uploader(word("upload", lang), type=["txt", "html", "htm"], key="propose_file")
    if st.button(word("propose", lang), key="propose_run", type="primary"):
        data = upload.getvalue() if upload is not None else text.encode("utf-8")
        name = upload.name if upload is not None else "the pasted text"
        try:
            article = read_article_bytes(data, name)
            lex = load_lexicon(folder)
            found = analyse(article.text, lex, str(source), published.strip(), article.published)
        except ArticleError as exc:
            st.error(str(exc))
            ss.pop("proposal_result", None)
            return
        except LexiconError as exc:
            st.error(str(exc))
            show_report(exc.report)
            return
        except ValueError as exc:  # a --published that is not a date
            st.error(str(exc))
            return
        ss["proposal_result"] = found
        ss["proposal_round"] = ss.get("proposal_round", 0) + 1
    result: Analysis | None = ss.get("proposal_result")
    if result is None:
        return
    st.subheader(word("highlights", lang))
    st.caption(word("legend", lang))
    st.html(highlight_html(result.text, result.highlights))
    if not result.proposals:
        st.info(word("none_proposed", lang))
        return
    st.write(word("proposals", lang, n=len(result.proposals)))
    frame = pd.DataFrame(bench.editable_records(result.proposals))
    places = list(dataset.places)
    schema = load_schema(folder)
    statuses = _allowed(schema, "control", "status")
    kinds = _allowed(schema, "events", "kind")
    config = {
        "accept": st.column_config.CheckboxColumn("accept"),
        "quote_en": st.column_config.TextColumn("quote_en", width="medium"),
        "place_id": st.column_config.SelectboxColumn("place_id", options=places, required=True),
        "status": st.column_config.SelectboxColumn("status", options=["", *statuses]),
        "event_kind": st.column_config.SelectboxColumn("event_kind", options=["", *kinds]),
    }
    locked = ["kind", "quote_ar", "confidence", "reasons", "existing", "quote_start", "quote_end"]
    edited = st.data_editor(
        frame,
        column_config=config,
        disabled=locked,
        hide_index=True,
        num_rows="fixed",
        key=f"proposals-{ss.get('proposal_round', 0)}",
    )
    chosen = bench.accepted(result.proposals, edited.to_dict("records"))
    if not chosen:
        st.info(word("nothing_accepted", lang))
        return
    plan = bench.plan(folder, chosen, dataset)
    st.subheader(word("accepted_preview", lang))
    for name, rows in plan.rows.items():
        st.write(f"{name}: {len(rows)}")
        st.dataframe(rows, hide_index=True)
    if not plan.report.valid:
        st.error(word("problems", lang))
        show_report(plan.report)
    elif plan.changes:
        st.write(word("map_changes", lang))
        st.text(review_text(dataset, plan.new_dataset, plan.changes) if plan.new_dataset else "")
    if st.button(
        word("save_accepted", lang), key="save_accepted", type="primary", disabled=not plan.can_save
    ):
        try:
            saved = bench.save(folder, plan, user=user, allowed=editors)
        except store.SaveRefused as refused:
            st.error(refused.message)
            if refused.report is not None:
                show_report(refused.report)
            return
        ss.pop("proposal_result", None)
        ss.pop("loaded_tables", None)
        files = ", ".join(s.file for s in saved)
        ss["flash"] = word(
            "saved_rows", lang, n=sum(len(r) for r in plan.rows.values()), files=files
        )
        st.rerun()
